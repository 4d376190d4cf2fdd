"""The complaint service's wire formats: request bodies and queries in, JSON out.

Pure functions, no I/O: each parser takes bytes or query pairs and returns a store dataclass or
raises ``ApiError`` (400) whose message names the field and what is allowed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ccinspect.demo.complaints.db import (
    CALLER_MAX,
    CHANNEL_ID_MAX,
    CHANNEL_MAX,
    RECORDING_MAX,
    TEXT_MAX,
    NewTicket,
    ReplyStats,
    StateChange,
    Ticket,
    TicketPage,
    TicketQuery,
    TicketState,
    allowed_transitions,
)

from .errors import bad_request

MAX_PAGE = 500
DEFAULT_PAGE = 50
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

# Form fields the PBX posts to /api/tickets.txt, and the NewTicket attribute each fills.
FORM_FIELDS = {
    "caller": "caller_number",
    "time": "call_time",
    "recording": "recording",
    "uniqueid": "channel_id",
    "summary": "summary",
}
JSON_FIELDS = ("caller_number", "call_time", "recording", "channel_id", "channel", "summary")
QUERY_FIELDS = ("state", "caller", "created_after", "created_before", "overdue", "limit", "offset")
_MAX_EPOCH = 253402300799  # 9999-12-31T23:59:59Z
# '+' in a query string decodes to a space: "2025-01-01T00:00:00 08:00" meant "+08:00".
_SPACE_FOR_PLUS = re.compile(r"(.*T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})")
_STATE_NAMES = ", ".join(s.value for s in TicketState)


# --- small validators -------------------------------------------------------------------------


def _text(value: object, field: str, max_len: int) -> str:
    if not isinstance(value, str):
        raise bad_request(f"{field} must be a string", f"字段 {field} 必须是字符串")
    if len(value) > max_len:
        raise bad_request(
            f"{field} is longer than {max_len} characters", f"字段 {field} 超过 {max_len} 个字符"
        )
    if "\x00" in value:
        raise bad_request(f"{field} contains a NUL character", f"字段 {field} 含有空字符（NUL）")
    return value


def _optional_text(value: object, field: str, max_len: int) -> str | None:
    """None and the empty string both mean "not given"."""
    if value is None:
        return None
    text = _text(value, field, max_len)
    return text or None


def parse_instant(value: str, field: str) -> datetime:
    """An ISO 8601 time with a UTC offset (``Z`` or ``+08:00``), returned as aware UTC."""
    text = value.strip()
    if match := _SPACE_FOR_PLUS.fullmatch(text):
        text = f"{match[1]}+{match[2]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise bad_request(
            f"{field} must be an ISO 8601 time such as 2025-01-01T08:00:00+08:00, got {value!r}",
            f"字段 {field} 必须是 ISO 8601 时间，例如 2025-01-01T08:00:00+08:00，收到 {value!r}",
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise bad_request(
            f"{field} must include a UTC offset (Z or +08:00; write + as %2B in a URL)",
            f"字段 {field} 必须带时区偏移（Z 或 +08:00；在 URL 中 + 要写成 %2B）",
        )
    return parsed.astimezone(UTC)


def _epoch(value: str, field: str) -> datetime:
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or not 0 <= seconds <= _MAX_EPOCH:
        raise bad_request(
            f"{field} must be Unix epoch seconds such as ${{EPOCH}}, got {value!r}",
            f"字段 {field} 必须是 Unix 纪元秒数（如 ${{EPOCH}}），收到 {value!r}",
        )
    return datetime.fromtimestamp(seconds, UTC)


def _state(value: object, field: str) -> TicketState:
    try:
        return TicketState(value)
    except ValueError:
        raise bad_request(
            f"{field} must be one of {_STATE_NAMES}, got {value!r}",
            f"字段 {field} 必须是 {_STATE_NAMES} 之一，收到 {value!r}",
        ) from None


def _int(value: str, field: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise bad_request(
            f"{field} must be an integer from {low} to {high}, got {value!r}",
            f"字段 {field} 必须是 {low} 到 {high} 之间的整数，收到 {value!r}",
        )
    return number


def _single_values(pairs: Sequence[tuple[str, str]], known: Sequence[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, value in pairs:
        if name not in known:
            raise bad_request(
                f"unknown field {name!r}; allowed: {', '.join(known)}",
                f"未知字段 {name!r}；允许的字段：{', '.join(known)}",
            )
        if name in values:
            raise bad_request(f"field {name!r} is repeated", f"字段 {name!r} 重复出现")
        values[name] = value
    return values


def _json_object(body: bytes) -> dict[str, object]:
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise bad_request("body is not valid UTF-8 JSON", "请求体不是有效的 UTF-8 JSON") from None
    if not isinstance(value, dict):
        raise bad_request("body must be a JSON object", "请求体必须是 JSON 对象")
    return value


# --- request parsers --------------------------------------------------------------------------


def parse_new_ticket_json(body: bytes) -> NewTicket:
    """The JSON body of ``POST /api/tickets``: all fields optional, unknown fields rejected."""
    data = _json_object(body)
    _single_values([(name, "") for name in data], JSON_FIELDS)
    caller, call_time = data.get("caller_number"), data.get("call_time")
    return NewTicket(
        caller_number="" if caller is None else _text(caller, "caller_number", CALLER_MAX).strip(),
        call_time=(
            None if call_time is None else parse_instant(_text(call_time, "call_time", 64), "call_time")
        ),
        recording=_optional_text(data.get("recording"), "recording", RECORDING_MAX),
        channel_id=_optional_text(data.get("channel_id"), "channel_id", CHANNEL_ID_MAX),
        channel=_optional_text(data.get("channel"), "channel", CHANNEL_MAX) or "phone",
        summary=_optional_text(data.get("summary"), "summary", TEXT_MAX),
    )


def parse_new_ticket_form(body: bytes, mimetype: str | None, charset: str | None) -> NewTicket:
    """The form body the PBX posts to ``POST /api/tickets.txt`` (fields in ``FORM_FIELDS``).

    ``mimetype`` is None when the request had no Content-Type (accepted as a form). Empty values
    mean "not given"; a missing caller is recorded as the empty string (anonymous complainant).
    """
    if mimetype is not None and mimetype != FORM_CONTENT_TYPE:
        raise bad_request(
            f"Content-Type must be {FORM_CONTENT_TYPE}, got {mimetype}",
            f"Content-Type 必须是 {FORM_CONTENT_TYPE}，收到 {mimetype}",
        )
    if charset is not None and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise bad_request(f"charset must be utf-8, got {charset}", f"字符集必须是 utf-8，收到 {charset}")
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=True,
            errors="strict",
            max_num_fields=len(FORM_FIELDS),
        )
    except ValueError as exc:  # includes UnicodeDecodeError and too many fields
        raise bad_request(
            f"body is not a valid UTF-8 urlencoded form: {exc}",
            f"请求体不是有效的 UTF-8 URL 编码表单：{exc}",
        ) from None
    values = _single_values(pairs, tuple(FORM_FIELDS))
    caller = _text(values.get("caller", ""), "caller", CALLER_MAX)
    if any(ch.isspace() for ch in caller):
        raise bad_request(
            "caller contains a space: an unencoded '+' decodes as a space, use ${URIENCODE(...)}",
            "caller 含有空格：未编码的 '+' 会被解码为空格，请使用 ${URIENCODE(...)}",
        )
    time = values.get("time", "").strip()
    return NewTicket(
        caller_number=caller,
        call_time=_epoch(time, "time") if time else None,
        recording=_optional_text(values.get("recording"), "recording", RECORDING_MAX),
        channel_id=_optional_text(values.get("uniqueid"), "uniqueid", CHANNEL_ID_MAX),
        summary=_optional_text(values.get("summary"), "summary", TEXT_MAX),
    )


def parse_ticket_query(pairs: Sequence[tuple[str, str]]) -> TicketQuery:
    """The query string of ``GET /api/tickets``. Unknown or repeated parameters are errors."""
    values = _single_values(pairs, QUERY_FIELDS)
    overdue = values.get("overdue")
    if overdue is not None and overdue not in ("true", "false"):
        raise bad_request(
            f"overdue must be true or false, got {overdue!r}",
            f"overdue 必须是 true 或 false，收到 {overdue!r}",
        )
    after, before = values.get("created_after"), values.get("created_before")
    return TicketQuery(
        state=_state(values["state"], "state") if "state" in values else None,
        caller=values.get("caller"),
        created_after=parse_instant(after, "created_after") if after is not None else None,
        created_before=parse_instant(before, "created_before") if before is not None else None,
        overdue=None if overdue is None else overdue == "true",
        limit=_int(values.get("limit", str(DEFAULT_PAGE)), "limit", 1, MAX_PAGE),
        offset=_int(values.get("offset", "0"), "offset", 0, 2**31 - 1),
    )


@dataclass(frozen=True, slots=True)
class TransitionRequest:
    """The body of ``PATCH /api/tickets/{id}``."""

    state: TicketState
    reply: str | None


def parse_transition(body: bytes) -> TransitionRequest:
    """``{"state": ..., "reply": ...}``: state is required, reply optional but never blank."""
    data = _json_object(body)
    _single_values([(name, "") for name in data], ("state", "reply"))
    if "state" not in data:
        raise bad_request(
            f"state is required (one of {_STATE_NAMES})", f"必须提供 state（{_STATE_NAMES} 之一）"
        )
    raw_reply = data.get("reply")
    reply = None if raw_reply is None else _text(raw_reply, "reply", TEXT_MAX)
    if reply is not None and not reply.strip():
        raise bad_request("reply must not be blank", "答复内容不能为空")
    return TransitionRequest(state=_state(data["state"], "state"), reply=reply)


@dataclass(frozen=True, slots=True)
class YearWindow:
    """A calendar year in a time zone, as the UTC half-open interval ``[start, end)``."""

    year: int
    tz: str
    start: datetime
    end: datetime


def parse_year_window(pairs: Sequence[tuple[str, str]]) -> YearWindow:
    """``?year=YYYY[&tz=Area/City]`` of ``GET /api/stats``; the year is counted in ``tz`` (UTC)."""
    values = _single_values(pairs, ("year", "tz"))
    if "year" not in values:
        raise bad_request("year is required, e.g. ?year=2025", "必须提供 year，例如 ?year=2025")
    year = _int(values["year"], "year", 1970, 9998)
    tz_name = values.get("tz", "UTC")
    try:
        zone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise bad_request(
            f"unknown time zone {tz_name!r}, use an IANA name such as Asia/Shanghai",
            f"未知时区 {tz_name!r}，请使用 IANA 名称，例如 Asia/Shanghai",
        ) from None
    return YearWindow(
        year=year,
        tz=tz_name,
        start=datetime(year, 1, 1, tzinfo=zone).astimezone(UTC),
        end=datetime(year + 1, 1, 1, tzinfo=zone).astimezone(UTC),
    )


# --- JSON rendering ---------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _change_json(change: StateChange) -> dict[str, object]:
    return {
        "from_state": None if change.from_state is None else change.from_state.value,
        "to_state": change.to_state.value,
        "at": _iso(change.at),
        "reply": change.reply,
    }


def ticket_json(ticket: Ticket, now: datetime) -> dict[str, object]:
    """A ticket as the API shows it; ``overdue`` is judged at ``now``."""
    return {
        "id": ticket.id,
        "caller_number": ticket.caller_number,
        "created_at": _iso(ticket.created_at),
        "call_time": _iso(ticket.call_time),
        "recording": ticket.recording,
        "channel_id": ticket.channel_id,
        "channel": ticket.channel,
        "summary": ticket.summary,
        "state": ticket.state.value,
        "allowed_transitions": [s.value for s in allowed_transitions(ticket.state)],
        "reply_deadline": _iso(ticket.reply_deadline),
        "overdue": ticket.is_overdue(now),
        "acknowledged_at": _iso(ticket.acknowledged_at),
        "resolved_at": _iso(ticket.resolved_at),
        "reply": ticket.reply,
        "replied_at": _iso(ticket.replied_at),
        "history": [_change_json(c) for c in ticket.history],
    }


def page_json(page: TicketPage, query: TicketQuery, now: datetime) -> dict[str, object]:
    return {
        "tickets": [ticket_json(t, now) for t in page.tickets],
        "total": page.total,
        "limit": query.limit,
        "offset": query.offset,
    }


def stats_json(window: YearWindow, stats: ReplyStats, now: datetime) -> dict[str, object]:
    return {
        "year": window.year,
        "tz": window.tz,
        "start": _iso(window.start),
        "end": _iso(window.end),
        "as_of": _iso(now),
        "complaints": stats.complaints,
        "replied_within_deadline": stats.replied_in_time,
        "replied_late": stats.replied_late,
        "unreplied_overdue": stats.unreplied_overdue,
        "pending": stats.pending,
        "reply_rate": stats.reply_rate,
    }
