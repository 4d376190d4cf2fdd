"""The demo complaint service (用户投诉处理): an aiohttp JSON API over the complaint store.

Routes, all under ``/api``:

=====  =======================  =============================================================
GET    /api/health              ``{"ok": true, "tickets": N}``
POST   /api/tickets             JSON body → 201 with the ticket JSON
POST   /api/tickets.txt         the PBX's urlencoded form (caller, time, recording, uniqueid,
                                summary) → 201 ``text/plain`` body that is only the ticket
                                number's digits, no newline; errors are one plain-text line
GET    /api/tickets             filters state, caller, created_after (inclusive),
                                created_before (exclusive), overdue=true|false; limit (1-500,
                                default 50), offset; newest first
GET    /api/tickets/{id}        one ticket
PATCH  /api/tickets/{id}        ``{"state": ..., "reply": ...}``: a forward transition
GET    /api/stats?year=YYYY     complaints created that year and the reply rate; ``tz`` (IANA
                                name, default UTC) sets where the year begins and ends
=====  =======================  =============================================================

Definitions the annual report relies on:

* **overdue**: state is not ``resolved`` and now is past ``reply_deadline``
  (``created_at + reply_days``, 15 by default, fixed when the ticket is created).
* **replied**: a reply text was stored, when acknowledging or resolving; ``replied_at`` is the
  first such moment. Resolving needs a reply (given now or earlier).
* **reply rate**: complaints with ``replied_at <= reply_deadline`` over all complaints created in
  the year. The stats also count late replies, unreplied-and-overdue and still-pending tickets.

Errors are ``{"error": ..., "error_zh": ...}`` JSON, except on ``/api/tickets.txt``.

Authentication: when a token is configured, every request needs ``Authorization: Bearer <token>``
except ``/api/health`` and ``/api/tickets.txt`` arriving from a loopback address (the PBX on the
same host). The peer address is the TCP peer; ``X-Forwarded-For`` is not trusted.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import ParamSpec, TypeVar

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler, LooseHeaders
from yarl import URL

from ccinspect.demo.complaints.db import (
    ComplaintStore,
    InvalidTransition,
    ReplyRequired,
    StoreUnavailable,
    TicketNotFound,
)

from . import wire
from .config import ServiceConfig
from .errors import HTTP_STATUS_MESSAGES, ApiError, bad_request, dumps

log = logging.getLogger(__name__)

CONFIG_KEY = web.AppKey("complaints_config", ServiceConfig)
STORE_KEY = web.AppKey("complaints_store", ComplaintStore)

HEALTH_PATH = "/api/health"
TXT_PATH = "/api/tickets.txt"
ACCESS_LOG_FORMAT = '%a "%r" %s %b %Tfs'
SHUTDOWN_TIMEOUT = 5.0
"""Seconds a stopping server waits for requests in flight."""
_MAX_TICKET_ID = 2**31 - 1

_P = ParamSpec("_P")
_T = TypeVar("_T")


# --- helpers ----------------------------------------------------------------------------------


def _now(request: web.Request) -> datetime:
    now = request.app[CONFIG_KEY].clock()
    if now.tzinfo is None or now.utcoffset() is None:
        raise RuntimeError(f"the service clock returned a naive datetime: {now!r}")
    return now.astimezone(UTC)


def _json(body: object, *, status: int = 200, headers: LooseHeaders | None = None) -> web.Response:
    return web.json_response(body, status=status, headers=headers, dumps=dumps)


async def _call(func: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """Run a store function in a worker thread, turning store errors into API errors."""
    try:
        return await asyncio.to_thread(func, *args, **kwargs)
    except TicketNotFound as exc:
        raise ApiError(404, f"ticket {exc.ticket_id} not found", f"未找到工单 {exc.ticket_id}") from exc
    except InvalidTransition as exc:
        allowed = [s.value for s in exc.allowed]
        shown = ", ".join(allowed) or "none, resolved is final"
        shown_zh = "、".join(allowed) or "无，已办结的工单不能再变更"
        raise ApiError(
            409,
            f"cannot move a ticket from {exc.current.value} to {exc.target.value}; allowed: {shown}",
            f"工单状态不能从 {exc.current.value} 变更为 {exc.target.value}；允许的变更：{shown_zh}",
            extra={"state": exc.current.value, "requested": exc.target.value, "allowed": allowed},
        ) from exc
    except ReplyRequired as exc:
        raise bad_request("a reply is required to resolve a ticket", "办结工单必须填写答复内容") from exc
    except StoreUnavailable as exc:
        log.error("complaint store unavailable: %s", exc)
        raise ApiError(503, "complaint database unavailable", "投诉数据库暂不可用") from exc


def _ticket_id(request: web.Request) -> int:
    ticket_id = int(request.match_info["ticket_id"])  # the route only matches digits
    if ticket_id > _MAX_TICKET_ID:
        raise ApiError(404, f"ticket {ticket_id} not found", f"未找到工单 {ticket_id}")
    return ticket_id


def _is_loopback(remote: str | None) -> bool:
    if not remote:
        return False
    try:
        address = ipaddress.ip_address(remote.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _bearer_matches(header: str | None, token: str) -> bool:
    if header is None:
        return False
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


# --- middlewares ------------------------------------------------------------------------------


@web.middleware
async def _error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every error leaves as bilingual JSON (plain text on the PBX endpoint)."""
    plain = request.path == TXT_PATH
    try:
        return await handler(request)
    except ApiError as exc:
        error = exc
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        en, zh = HTTP_STATUS_MESSAGES.get(exc.status, (exc.reason, exc.reason))
        allow = exc.headers.get(hdrs.ALLOW)
        error = ApiError(exc.status, en, zh, headers={hdrs.ALLOW: allow} if allow else None)
    except Exception:
        log.exception("unhandled error serving %s %s", request.method, request.path)
        error = ApiError(500, "internal server error", "服务器内部错误")
    return error.text_response() if plain else error.json_response()


@web.middleware
async def _auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Demand the bearer token, when one is configured, except on the exempt routes."""
    token = request.app[CONFIG_KEY].token
    exempt = request.path == HEALTH_PATH or (request.path == TXT_PATH and _is_loopback(request.remote))
    if (
        token is not None
        and not exempt
        and not _bearer_matches(request.headers.get(hdrs.AUTHORIZATION), token)
    ):
        raise ApiError(
            401,
            "missing or wrong bearer token",
            "缺少或错误的 Bearer 令牌",
            headers={hdrs.WWW_AUTHENTICATE: 'Bearer realm="ccinspect-complaints"'},
        )
    return await handler(request)


# --- handlers ---------------------------------------------------------------------------------


async def health(request: web.Request) -> web.Response:
    try:
        count = await _call(request.app[STORE_KEY].count)
    except ApiError as exc:
        raise ApiError(exc.status, exc.en, exc.zh, extra={"ok": False}) from exc
    return _json({"ok": True, "tickets": count})


async def create_ticket(request: web.Request) -> web.Response:
    if request.content_type == wire.FORM_CONTENT_TYPE:
        raise bad_request(
            f"POST /api/tickets takes a JSON body; the PBX form endpoint is POST {TXT_PATH}",
            f"POST /api/tickets 只接受 JSON；PBX 表单请提交到 POST {TXT_PATH}",
        )
    new = wire.parse_new_ticket_json(await request.read())
    config, now = request.app[CONFIG_KEY], _now(request)
    ticket = await _call(
        request.app[STORE_KEY].create_ticket,
        new,
        now=now,
        reply_within=timedelta(days=config.reply_days),
    )
    location = {hdrs.LOCATION: f"/api/tickets/{ticket.id}"}
    return _json(wire.ticket_json(ticket, now), status=201, headers=location)


async def create_ticket_txt(request: web.Request) -> web.Response:
    """For Asterisk's ``CURL(url,postdata)``: the body is exactly the ticket number's digits."""
    body = await request.read()
    declared = hdrs.CONTENT_TYPE in request.headers
    new = wire.parse_new_ticket_form(
        body,
        request.content_type if declared else None,
        request.charset if declared else None,
    )
    config = request.app[CONFIG_KEY]
    ticket = await _call(
        request.app[STORE_KEY].create_ticket,
        new,
        now=_now(request),
        reply_within=timedelta(days=config.reply_days),
    )
    return web.Response(
        status=201,
        text=str(ticket.id),
        content_type="text/plain",
        charset="utf-8",
        headers={hdrs.LOCATION: f"/api/tickets/{ticket.id}"},
    )


async def list_tickets(request: web.Request) -> web.Response:
    query = wire.parse_ticket_query(list(request.query.items()))
    now = _now(request)
    page = await _call(request.app[STORE_KEY].list_tickets, query, now=now)
    return _json(wire.page_json(page, query, now))


async def get_ticket(request: web.Request) -> web.Response:
    ticket = await _call(request.app[STORE_KEY].get_ticket, _ticket_id(request))
    return _json(wire.ticket_json(ticket, _now(request)))


async def patch_ticket(request: web.Request) -> web.Response:
    ticket_id = _ticket_id(request)
    change = wire.parse_transition(await request.read())
    now = _now(request)
    ticket = await _call(
        request.app[STORE_KEY].transition, ticket_id, change.state, reply=change.reply, now=now
    )
    return _json(wire.ticket_json(ticket, now))


async def stats(request: web.Request) -> web.Response:
    window = wire.parse_year_window(list(request.query.items()))
    now = _now(request)
    result = await _call(request.app[STORE_KEY].reply_stats, window.start, window.end, now=now)
    return _json(wire.stats_json(window, result, now))


# --- application ------------------------------------------------------------------------------


async def _store_lifecycle(app: web.Application) -> AsyncIterator[None]:
    store = await asyncio.to_thread(ComplaintStore.open, app[CONFIG_KEY].database_url)
    app[STORE_KEY] = store
    try:
        yield
    finally:
        await asyncio.to_thread(store.close)


def build_app(config: ServiceConfig) -> web.Application:
    """The complaint service as an aiohttp application; the store opens on startup."""
    app = web.Application(middlewares=[_error_middleware, _auth_middleware])
    app[CONFIG_KEY] = config
    app.cleanup_ctx.append(_store_lifecycle)
    app.router.add_get(HEALTH_PATH, health)
    app.router.add_post("/api/tickets", create_ticket)
    app.router.add_post(TXT_PATH, create_ticket_txt)
    app.router.add_get("/api/tickets", list_tickets)
    app.router.add_get(r"/api/tickets/{ticket_id:\d+}", get_ticket)
    app.router.add_patch(r"/api/tickets/{ticket_id:\d+}", patch_ticket)
    app.router.add_get("/api/stats", stats)
    return app


@dataclass(frozen=True, slots=True)
class RunningService:
    """A complaint service listening on ``url`` (e.g. ``http://127.0.0.1:40123``)."""

    url: URL
    app: web.Application


@asynccontextmanager
async def serve(
    config: ServiceConfig, *, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[RunningService]:
    """Run the service on ``host:port`` (0 picks a free port) until the block exits."""
    runner = web.AppRunner(
        build_app(config), access_log_format=ACCESS_LOG_FORMAT, shutdown_timeout=SHUTDOWN_TIMEOUT
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_host, bound_port = runner.addresses[0][:2]
        url = URL.build(scheme="http", host=bound_host, port=bound_port)
        yield RunningService(url=url, app=runner.app)
    finally:
        await runner.cleanup()
