"""The console's background jobs: work orders from the CDR (every second) and the retention
purge (at start, then every minute). Each runs as an aiohttp ``cleanup_ctx`` task, cancelled and
awaited on shutdown; a database outage is logged once and retried on the next tick."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from .config import ConsoleConfig
from .recordings import PurgeResult, purge_once
from .records import DatabaseUnavailable, WorkOrder
from .store import ConsoleStore

log = logging.getLogger(__name__)


async def sync_orders_once(store: ConsoleStore, config: ConsoleConfig) -> list[WorkOrder]:
    """Turn new complaint-line recordings into work orders (see ``ConsoleStore.sync_orders``)."""
    created = await asyncio.to_thread(
        store.sync_orders,
        config.complaint_number,
        now=config.clock(),
        reply_within=timedelta(days=config.reply_days),
        include_phone=config.orders_include_phone,
    )
    for order in created:
        log.info("work order %s from call %s (%s)", order.order_no, order.call_id, order.phone or "-")
    return created


async def purge_recordings_once(store: ConsoleStore, config: ConsoleConfig) -> PurgeResult:
    """One retention purge (see :func:`.recordings.purge_once`)."""
    return await asyncio.to_thread(
        purge_once, store, config.recording_root, min_days=config.purge_min_days, now=config.clock()
    )


async def run_every(name: str, interval: float, job: Callable[[], Awaitable[object]]) -> None:
    """Run ``job`` now and then every ``interval`` seconds until cancelled.

    A database outage is logged when it starts and when it ends, not at every tick; any other
    error is logged with its traceback and the loop goes on.
    """
    failing = False
    while True:
        try:
            await job()
        except DatabaseUnavailable as exc:
            if not failing:
                log.warning("%s: database unavailable, retrying every %.0f s: %s", name, interval, exc)
            failing = True
        except Exception:
            log.exception("%s failed", name)
        else:
            if failing:
                log.info("%s: database back", name)
            failing = False
        await asyncio.sleep(interval)
