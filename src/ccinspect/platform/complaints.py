"""The ccinspect demo complaint service's API (``complaints.kind: demo-api``): tickets and the SLA.

Other ticket systems are read through :mod:`ccinspect.platform.tickets` (the runner's entry point
for every kind). One GET (:func:`get_json`) serves both readers: the runner's (the ticket the complaint call
created, the overdue backlog: :func:`existing_ticket_ids`, :func:`ticket_facts`) and the nightly
job's reply-deadline figures (:func:`gather_sla`, judged by :mod:`ccinspect.core.sla`). It
raises :class:`ComplaintApiError` for anything unreadable: not 200, invalid JSON, unreachable.

:func:`gather_sla` never raises for a platform or network problem: it returns
:class:`~ccinspect.core.sla.SlaFacts` whose ``errors`` say what failed. The unreplied tickets are
listed with ``GET /api/tickets?state=open|acknowledged&created_before=…`` rather than
``overdue=true``, because the service's "overdue" uses the ticket's own deadline and also counts
tickets that were replied to but not yet resolved.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiohttp

from ccinspect.core.facts import CallFact, ComplaintBacklogFact, TicketFact
from ccinspect.core.numbers import same_number
from ccinspect.core.scenario import Target
from ccinspect.core.scenario.target import DemoApiComplaints
from ccinspect.core.sla import (
    DEFAULT_REPLY_DAYS,
    OPEN_STATES,
    PAGE_LIMIT,
    OverdueTicket,
    SlaDataError,
    SlaFacts,
    TicketView,
    YearlyStats,
    parse_stats,
    parse_ticket_page,
    unreplied_overdue,
)
from ccinspect.core.verdict import Text
from ccinspect.platform.errors import AdapterError

__all__ = [
    "ComplaintApiError",
    "existing_ticket_ids",
    "fetch_json",
    "gather_sla",
    "get_json",
    "ticket_facts",
]


class ComplaintApiError(AdapterError):
    """The complaint API could not be read. ``message``/``message_zh`` say so for the operator;
    ``detail`` is the bare cause (``URL answered 503``, the HTTP client's error) that the run's
    ticket facts carry."""

    def __init__(self, message: str, message_zh: str, *, detail: str) -> None:
        super().__init__(message, message_zh)
        self.detail = detail


async def get_json(session: aiohttp.ClientSession, url: str, params: Mapping[str, str]) -> object:
    """``GET url?params`` on ``session``: the JSON body of a 200 answer, else ComplaintApiError."""
    try:
        async with session.get(url, params=params) as resp:
            body = await resp.read()
            if resp.status != 200:
                raise ComplaintApiError(
                    f"complaint API {url} answered {resp.status}",
                    f"投诉系统接口 {url} 返回 {resp.status}",
                    detail=f"{url} answered {resp.status}",
                )
            try:
                return await resp.json(content_type=None)
            except ValueError as exc:
                raise ComplaintApiError(
                    f"complaint API {url} sent invalid JSON ({len(body)} bytes)",
                    f"投诉系统接口 {url} 返回了无效的 JSON",
                    detail=str(exc),
                ) from None
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise ComplaintApiError(
            f"complaint API {url} unreachable: {type(exc).__name__}: {exc}",
            f"投诉系统接口 {url} 无法访问：{type(exc).__name__}",
            detail=str(exc),
        ) from exc


async def fetch_json(
    url: str, params: Mapping[str, str], *, headers: Mapping[str, str], timeout: float
) -> object:
    """:func:`get_json` on a session of its own, bounded by ``timeout`` seconds."""
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=timeout), headers=dict(headers)
    ) as session:
        return await get_json(session, url, params)


# --- the runner: the complaint call's ticket and the backlog ---------------------------------


def _complaint_api(target: Target) -> tuple[str, dict[str, str]] | None:
    spec = target.complaints
    if not isinstance(spec, DemoApiComplaints):
        return None
    return str(spec.url).rstrip("/"), {}


async def existing_ticket_ids(target: Target) -> set[str] | None:
    """Ids of the tickets that exist before the complaint call (None when they cannot be listed)."""
    api = _complaint_api(target)
    if api is None:
        return None
    base, headers = api
    try:
        body = await fetch_json(f"{base}/tickets", {"limit": "500"}, headers=headers, timeout=10)
    except ComplaintApiError:
        return None
    tickets = body.get("tickets", []) if isinstance(body, dict) else []
    return {str(t.get("id")) for t in tickets}


async def ticket_facts(
    target: Target,
    call: CallFact | None,
    *,
    bound_s: float,
    tolerance_s: float,
    known_before: set[str] | None = None,
) -> tuple[list[TicketFact], ComplaintBacklogFact | None]:
    """The ticket the complaint call created, and the open-ticket backlog (R9, R10).

    A ticket counts only if it is new (not in ``known_before``, listed before the call), carries
    the caller's number, and was created after the call started (less ``tolerance_s`` of clock
    skew when the ticket list could not be read beforehand).
    """
    spec = target.complaints
    if spec is None or call is None:
        return [], None
    if not isinstance(spec, DemoApiComplaints):
        return [], None
    base = str(spec.url).rstrip("/")
    headers: dict[str, str] = {}
    caller = call.caller_number_sent or ""
    deadline = time.monotonic() + bound_s
    ticket: dict[str, object] | None = None
    error: str | None = None
    while ticket is None and time.monotonic() < deadline:
        try:
            body = await fetch_json(f"{base}/tickets", {"limit": "50"}, headers=headers, timeout=10)
            error = None
        except ComplaintApiError as exc:
            error = f"complaint API at {base} unreachable: {exc.detail}"
            await asyncio.sleep(1)
            continue
        tickets = body.get("tickets", []) if isinstance(body, dict) else []
        window_start = call.started_at - (tolerance_s if known_before is None else 5.0)
        for t in tickets:
            created = _epoch(t.get("created_at"))
            if known_before is not None and str(t.get("id")) in known_before:
                continue
            if (
                created is not None
                and created >= window_start
                and same_number(str(t.get("caller_number") or ""), caller)
            ):
                ticket = t
                break
        if ticket is None:
            await asyncio.sleep(1)
    backlog: ComplaintBacklogFact | None = None
    try:
        body = await fetch_json(
            f"{base}/tickets", {"overdue": "true", "limit": "500"}, headers=headers, timeout=10
        )
        overdue = body.get("tickets", []) if isinstance(body, dict) else []
        ages = [(time.time() - c) / 86400 for t in overdue if (c := _epoch(t.get("created_at"))) is not None]
        backlog = ComplaintBacklogFact(len(overdue), max(ages, default=None))
    except ComplaintApiError as exc:
        backlog = ComplaintBacklogFact(None, None, error=exc.detail)
    if ticket is None:
        return [TicketFact(call.key, False, None, None, None, None, None, error=error)], backlog
    created = _epoch(ticket.get("created_at"))
    deadline_at = _epoch(ticket.get("reply_deadline"))
    return [
        TicketFact(
            call_key=call.key,
            found=True,
            ticket_id=str(ticket.get("id")),
            caller_number=str(ticket.get("caller_number") or ""),
            created_at=created,
            recording=str(ticket.get("recording") or "") or None,
            reply_deadline_days=(deadline_at - created) / 86400 if created and deadline_at else None,
        )
    ], backlog


def _epoch(value: object) -> float | None:
    from datetime import datetime

    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None


# --- the nightly job: reply deadlines and yearly figures -----------------------------------------


async def _old_open_tickets(
    session: aiohttp.ClientSession, base: str, *, before: datetime, max_pages: int
) -> tuple[list[TicketView], bool]:
    """Unresolved tickets created before ``before``: (tickets read, every page was read)."""
    tickets: list[TicketView] = []
    complete = True
    stamp = before.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for state in OPEN_STATES:
        offset = 0
        for _ in range(max_pages):
            params = {
                "state": state,
                "created_before": stamp,
                "limit": str(PAGE_LIMIT),
                "offset": str(offset),
            }
            page, matching = parse_ticket_page(await get_json(session, f"{base}/api/tickets", params))
            tickets.extend(page)
            offset += len(page)
            if not page or offset >= matching:
                break
        else:
            complete = False
    return tickets, complete


async def gather_sla(
    base_url: str,
    *,
    now: datetime,
    year: int | None = None,
    tz: str = "UTC",
    token: str | None = None,
    reply_days: float = DEFAULT_REPLY_DAYS,
    timeout: float = 10.0,
    max_pages: int = 20,
) -> SlaFacts:
    """Ask the complaint API for unreplied tickets and ``year``'s figures (default: ``now``'s year
    in ``tz``). Never raises for a network or API problem: see :class:`SlaFacts`. Each request is
    bounded by ``timeout`` seconds; at most ``max_pages`` pages of 500 tickets per state are read.
    """
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {tz!r}; use an IANA name such as Asia/Shanghai") from None
    the_year = now.astimezone(zone).year if year is None else year
    base = base_url.rstrip("/")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    overdue: tuple[OverdueTicket, ...] | None = None
    complete = True
    stats: YearlyStats | None = None
    tickets_error: Text | None = None
    stats_error: Text | None = None
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=timeout), headers=headers
    ) as session:
        try:
            tickets, complete = await _old_open_tickets(
                session, base, before=now - timedelta(days=reply_days), max_pages=max_pages
            )
            overdue = unreplied_overdue(tickets, now=now, reply_days=reply_days)
            if not complete:
                tickets_error = Text(
                    f"more than {max_pages} pages of old open tickets; only the first were read",
                    f"超过 {max_pages} 页的未办结旧工单，只读取了前面的部分",
                )
        except ComplaintApiError as exc:
            tickets_error = Text(exc.message, exc.message_zh)
        except SlaDataError as exc:
            tickets_error = Text(f"complaint API ticket list: {exc}", f"投诉系统工单列表格式错误：{exc}")
        try:
            stats = parse_stats(
                await get_json(session, f"{base}/api/stats", {"year": str(the_year), "tz": tz})
            )
        except ComplaintApiError as exc:
            stats_error = Text(exc.message, exc.message_zh)
        except SlaDataError as exc:
            stats_error = Text(f"complaint API stats: {exc}", f"投诉系统统计格式错误：{exc}")
    return SlaFacts(now, reply_days, overdue, stats, complete, tickets_error, stats_error)
