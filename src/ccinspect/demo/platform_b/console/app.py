"""Platform B's vendor console as an aiohttp application: routes, startup and background jobs.

Startup (``cleanup_ctx``, before the server listens): connect to the database, create or upgrade
the schema (retrying while the database is unreachable, for at most ``startup_timeout`` seconds,
then failing with :class:`ConsoleError`), create or update the demo account, then start the
work-order sync and retention purge jobs. Shutdown cancels and awaits the jobs, then closes the
database pool.

``GET /healthz`` answers 200 ``{"ok": true, "db": true}`` or 503 ``{"ok": false, "db": false}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web
from aiohttp.typedefs import Handler
from yarl import URL

from . import api, pages
from .auth import SessionStore, hash_password
from .common import (
    CONFIG_KEY,
    SESSIONS_KEY,
    STORE_KEY,
    TEMPLATES_KEY,
    ApiError,
    call_db,
    dumps,
    render,
    templates,
)
from .config import ConsoleConfig
from .jobs import purge_recordings_once, run_every, sync_orders_once
from .records import ConsoleError, DatabaseUnavailable
from .store import ConsoleStore, redacted

log = logging.getLogger(__name__)

ACCESS_LOG_FORMAT = '%a "%r" %s %b %Tfs'
SHUTDOWN_TIMEOUT = 5.0
"""Seconds a stopping server waits for requests in flight."""
HEALTH_PATH = "/healthz"
_STARTUP_RETRY = 1.0


def _is_api(request: web.Request) -> bool:
    return request.path.startswith("/api/") or request.path == HEALTH_PATH


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """API errors leave as ``{"code", "msg"}`` JSON, page errors as an HTML page."""
    try:
        return await handler(request)
    except ApiError as exc:
        return exc.response()
    except DatabaseUnavailable as exc:
        log.error("%s %s: %s", request.method, request.path, exc)
        status, msg, zh = 503, "database unavailable", "数据库暂不可用，请稍后再试"
    except web.HTTPException as exc:
        if exc.status < 400 or not _is_api(request):
            raise
        status, msg, zh = exc.status, exc.reason.lower(), exc.reason
    except Exception:
        log.exception("unhandled error serving %s %s", request.method, request.path)
        status, msg, zh = 500, "internal error", "服务器内部错误"
    if _is_api(request):
        return ApiError(status, msg).response()
    return render(request, "error.html", status=status, user="", message=zh)


async def healthz(request: web.Request) -> web.Response:
    try:
        await call_db(request, request.app[STORE_KEY].ping)
    except DatabaseUnavailable:
        return web.json_response({"ok": False, "db": False}, status=503)
    return web.json_response({"ok": True, "db": True})


async def _index(request: web.Request) -> web.Response:
    raise web.HTTPFound("/calls" if pages.current_session(request) else "/login")


async def _open_store(config: ConsoleConfig) -> ConsoleStore:
    """The store with its schema at the current version, waiting for the database if needed."""
    store = ConsoleStore.connect(config.dsn, timeout=config.db_timeout)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + config.startup_timeout
    while True:
        try:
            await asyncio.to_thread(store.ensure_schema, retention_default_days=config.retention_default_days)
            password_hash = await asyncio.to_thread(hash_password, config.account.password)
            await asyncio.to_thread(
                store.put_user, config.account.username, password_hash, now=config.clock()
            )
        except DatabaseUnavailable as exc:
            if loop.time() + _STARTUP_RETRY >= deadline:
                store.close()
                raise ConsoleError(
                    f"database {redacted(config.dsn)} unusable for {config.startup_timeout:.0f} s: {exc}",
                    f"数据库 {redacted(config.dsn)} 在 {config.startup_timeout:.0f} 秒内不可用：{exc}",
                    hint="start PostgreSQL first (the lifecycle starts it before the console)",
                ) from exc
            log.warning("database not ready, retrying: %s", exc)
            await asyncio.sleep(_STARTUP_RETRY)
        else:
            log.info("schema ready on %s; account %r updated", redacted(config.dsn), config.account.username)
            return store


async def _store_ctx(app: web.Application) -> AsyncIterator[None]:
    store = await _open_store(app[CONFIG_KEY])
    app[STORE_KEY] = store
    try:
        yield
    finally:
        await asyncio.to_thread(store.close)


async def _jobs_ctx(app: web.Application) -> AsyncIterator[None]:
    config, store = app[CONFIG_KEY], app[STORE_KEY]
    tasks = [
        asyncio.create_task(
            run_every("work-order sync", config.order_sync_interval, lambda: sync_orders_once(store, config)),
            name="ccb-console-orders",
        ),
        asyncio.create_task(
            run_every("recording purge", config.purge_interval, lambda: purge_recordings_once(store, config)),
            name="ccb-console-purge",
        ),
    ]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


def build_app(config: ConsoleConfig) -> web.Application:
    """The console as an aiohttp application; the database opens on startup."""
    app = web.Application(middlewares=[_errors])
    app[CONFIG_KEY] = config
    app[SESSIONS_KEY] = SessionStore(timedelta(hours=config.session_hours))
    app[TEMPLATES_KEY] = templates()
    app.cleanup_ctx.append(_store_ctx)
    app.cleanup_ctx.append(_jobs_ctx)
    router = app.router
    router.add_get(HEALTH_PATH, healthz)
    router.add_get("/", _index)
    router.add_get("/login", pages.login_form, name="login")
    router.add_post("/login", pages.login)
    router.add_post("/logout", pages.logout)
    router.add_get("/calls", pages.calls)
    router.add_get("/calls/{call_id}", pages.call_detail)
    router.add_get("/media/{call_id}.wav", pages.media)
    router.add_get("/orders", pages.orders)
    router.add_get("/settings", pages.settings)
    router.add_post("/settings", pages.update_settings)
    router.add_get("/api/v1/recordings", api.recordings)
    router.add_get("/api/v1/recordings/{call_id}/file", api.recording_file)
    router.add_get("/api/v1/cdr", api.cdr)
    router.add_get("/api/v1/settings", api.settings)
    router.add_get("/api/v2/work-orders", api.work_orders)
    return app


@dataclass(frozen=True, slots=True)
class RunningConsole:
    """A console listening on ``url`` (e.g. ``http://127.0.0.1:40123``)."""

    url: URL
    app: web.Application

    @property
    def store(self) -> ConsoleStore:
        return self.app[STORE_KEY]


@asynccontextmanager
async def serve(config: ConsoleConfig, *, port: int | None = None) -> AsyncIterator[RunningConsole]:
    """Run the console on ``config.listen`` (``port`` overrides; 0 picks a free one) until the
    block exits. Raises ConsoleError when the database stays unusable during startup."""
    host, configured = config.host_port()
    runner = web.AppRunner(
        build_app(config), access_log_format=ACCESS_LOG_FORMAT, shutdown_timeout=SHUTDOWN_TIMEOUT
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, configured if port is None else port)
        await site.start()
        bound_host, bound_port = runner.addresses[0][:2]
        yield RunningConsole(url=URL.build(scheme="http", host=bound_host, port=bound_port), app=runner.app)
    finally:
        await runner.cleanup()


__all__ = ["ACCESS_LOG_FORMAT", "SHUTDOWN_TIMEOUT", "RunningConsole", "build_app", "dumps", "serve"]
