"""The console's JSON API (the vendor's open interface, 开放接口), shapes as in the contract.

Every route needs ``Authorization: Bearer <api_token>`` (unless the fault switch
``api_requires_token`` is false); errors are ``{"code": <HTTP status>, "msg": ...}``. Times are
Beijing wall-clock text ``YYYY-MM-DD HH:MM:SS`` both ways.
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import hdrs, web

from .auth import bearer_matches
from .beijing import beijing_text, parse_beijing
from .common import CONFIG_KEY, STORE_KEY, ApiError, call_db, dumps
from .media import serve_recording
from .recordings import recording_path
from .records import CallQuery, CallRecord, WorkOrder

MAX_PAGE_SIZE = 1000
SEARCH_LIMIT = 10000
"""At most this many cdr rows are considered by one search."""


def file_url(call_id: str) -> str:
    """The API URL of a call's recording file."""
    return f"/api/v1/recordings/{call_id}/file"


def require_token(request: web.Request) -> None:
    config = request.app[CONFIG_KEY]
    if config.api_requires_token and not bearer_matches(
        request.headers.get(hdrs.AUTHORIZATION), config.api_token
    ):
        raise ApiError(401, "unauthorized", headers={hdrs.WWW_AUTHENTICATE: 'Bearer realm="ccb-console"'})


def _ok(body: object) -> web.Response:
    return web.json_response(body, dumps=dumps)


def _time_param(request: web.Request, name: str) -> datetime | None:
    value = request.query.get(name, "")
    if not value.strip():
        return None
    try:
        return parse_beijing(value)
    except ValueError as exc:
        raise ApiError(400, f"invalid {name}: expected YYYY-MM-DD HH:MM:SS (Beijing time)") from exc


def _int_param(request: web.Request, name: str, default: int, high: int) -> int:
    value = request.query.get(name, "").strip() or str(default)
    if not value.isdigit() or not 1 <= int(value) <= high:
        raise ApiError(400, f"invalid {name}: expected an integer from 1 to {high}")
    return int(value)


def _query(request: web.Request, *, recorded: bool, limit: int) -> CallQuery:
    return CallQuery(
        phone=request.query.get("phone", "").strip(),
        start=_time_param(request, "start"),
        end=_time_param(request, "end"),
        recorded=recorded,
        limit=limit,
    )


def recording_json(call: CallRecord) -> dict[str, object]:
    return {
        "callId": call.call_id,
        "caller": call.src,
        "callee": call.dst,
        "agentId": call.agent_id,
        "startTime": beijing_text(call.call_date),
        "duration": call.billsec,
        "fileUrl": file_url(call.call_id),
    }


def cdr_json(call: CallRecord) -> dict[str, object]:
    return {
        "callId": call.call_id,
        "callDate": beijing_text(call.call_date),
        "src": call.src,
        "dst": call.dst,
        "disposition": call.disposition,
        "billsec": call.billsec,
        "screenResult": call.screen_result,
        "agentId": call.agent_id,
        "recordFile": call.record_file,
    }


def order_json(order: WorkOrder) -> dict[str, object]:
    return {
        "orderNo": order.order_no,
        "phone": order.phone,
        "createdAt": beijing_text(order.created_at),
        "recordUrl": file_url(order.call_id),
        "deadline": beijing_text(order.deadline),
        "status": order.status.value,
    }


async def recordings(request: web.Request) -> web.Response:
    """``GET /api/v1/recordings``: recorded calls (the file must exist), newest first, paged."""
    require_token(request)
    page = _int_param(request, "page", 1, 1_000_000)
    size = _int_param(request, "size", 100, MAX_PAGE_SIZE)
    query = _query(request, recorded=True, limit=SEARCH_LIMIT)
    calls = await call_db(request, request.app[STORE_KEY].search_calls, query)
    root = request.app[CONFIG_KEY].recording_root
    seen: set[str] = set()
    listed: list[CallRecord] = []
    for call in calls:
        if call.call_id not in seen and recording_path(root, call.record_file) is not None:
            seen.add(call.call_id)
            listed.append(call)
    chosen = listed[(page - 1) * size : page * size]
    return _ok({"code": 0, "data": {"total": len(listed), "list": [recording_json(c) for c in chosen]}})


async def recording_file(request: web.Request) -> web.StreamResponse:
    """``GET /api/v1/recordings/{callId}/file``: the WAV (the fault switch ``media_fault`` applies)."""
    require_token(request)
    call_id = request.match_info["call_id"]
    call = await call_db(request, request.app[STORE_KEY].get_call, call_id)
    response = await serve_recording(request, call, attachment_name=True)
    if response is None:
        raise ApiError(404, "recording not found")
    return response


async def cdr(request: web.Request) -> web.Response:
    """``GET /api/v1/cdr``: call detail records, newest first (at most 1000)."""
    require_token(request)
    calls = await call_db(
        request, request.app[STORE_KEY].search_calls, _query(request, recorded=False, limit=1000)
    )
    return _ok({"code": 0, "data": [cdr_json(c) for c in calls]})


async def settings(request: web.Request) -> web.Response:
    """``GET /api/v1/settings``: the recording retention."""
    require_token(request)
    days = await call_db(request, request.app[STORE_KEY].retention_days)
    return _ok({"code": 0, "data": {"recordingRetentionDays": days}})


async def work_orders(request: web.Request) -> web.Response:
    """``GET /api/v2/work-orders?phone=&since=``: complaint work orders, newest first."""
    require_token(request)
    phone = request.query.get("phone", "").strip()
    since = _time_param(request, "since")
    orders = await call_db(request, request.app[STORE_KEY].list_orders, phone=phone, since=since)
    return _ok({"total": len(orders), "items": [order_json(o) for o in orders]})
