"""Searching a ticket system the target file describes (``complaints.kind: rest | sql``).

Both readers take the complaint caller's number and a start time and return the tickets the
platform lists as plain :class:`TicketRecord` values, read through the section's field map
(``fields``) and time formats. Which of them is the complaint call's ticket is decided by
:mod:`ccinspect.platform.tickets`.

* ``rest``: ``GET url`` with ``params`` in which ``{caller}`` and ``{since}`` are replaced (the
  time written as ``since_format`` says), authenticated as ``auth`` says; tickets at ``items``.
* ``sql``: ``query`` with the bound parameters ``:caller`` and ``:since`` (a naive time in the
  section's ``timezone``); a column holding a time may be a database timestamp (naive ones are in
  ``timezone``), ISO 8601 text, or epoch seconds.

A platform that cannot be reached raises :class:`~ccinspect.platform.errors.AdapterError`; a
platform whose answer does not fit the target file's description raises :class:`TicketFieldError`
(an AdapterError too) naming the key of the target file to fix.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ccinspect.core.scenario.access import TimeSpec
from ccinspect.core.scenario.sources import RestComplaints, SqlComplaints, TicketFields
from ccinspect.platform.errors import AdapterError
from ccinspect.platform.fieldmap import (
    FieldError,
    dig,
    format_time,
    items_at,
    naive_local,
    parse_time,
    text_at,
)
from ccinspect.platform.httpaccess import HttpClient
from ccinspect.platform.sqlquery import query_rows

__all__ = ["TicketFieldError", "TicketRecord", "rest_tickets", "sql_tickets"]


@dataclass(frozen=True, slots=True)
class TicketRecord:
    """One ticket as the platform lists it: its ``id``, the ``caller`` number, when it was
    ``created``, its linked ``recording`` and reply ``deadline`` (epoch seconds; None when the
    platform gives no value)."""

    id: str
    caller: str | None
    created: float | None
    recording: str | None
    deadline: float | None


class TicketFieldError(AdapterError):
    """The ticket system answered, but not as the target file describes it (a field map or time
    format that does not fit): polling again would not help."""


def _fill(template: str, caller: str, since: str) -> str:
    # Plain replacement, not str.format: a platform's parameter may contain other braces.
    return template.replace("{caller}", caller).replace("{since}", since)


def _time(value: object, spec: TimeSpec, key: str) -> float | None:
    try:
        return parse_time(value, spec)
    except FieldError as exc:
        raise TicketFieldError(
            f"{key}: {exc}",
            f"{key}：时间格式与平台返回的值 {value!r} 不符",
        ) from None


TimeReader = Callable[[object, str], "float | None"]


def _record(raw: object, fields: TicketFields, read_time: TimeReader, *, what: str) -> TicketRecord:
    ident = text_at(raw, fields.id)
    if ident is None:
        raise TicketFieldError(
            f"complaints.fields.id: the {what} lists a ticket without a value at '{fields.id}'",
            f"complaints.fields.id：{what} 返回的工单在 '{fields.id}' 处没有值",
        )
    return TicketRecord(
        id=ident,
        caller=text_at(raw, fields.caller),
        created=read_time(dig(raw, fields.created), "created"),
        recording=text_at(raw, fields.recording),
        deadline=read_time(dig(raw, fields.deadline), "deadline") if fields.deadline else None,
    )


async def rest_tickets(spec: RestComplaints, *, caller: str, since: float) -> list[TicketRecord]:
    """The tickets the REST search lists for ``caller`` since ``since`` (epoch seconds)."""
    client = HttpClient(spec, what="complaint system / 投诉系统")
    since_text = format_time(math.floor(since), spec.since_format)
    params = {name: _fill(value, caller, since_text) for name, value in spec.params.items()}
    body = await client.get_json(client.url(""), params)
    try:
        items = items_at(body, spec.items)
    except FieldError as exc:
        raise TicketFieldError(
            f"complaints.items: {client.url('')} {exc}",
            f"complaints.items：{client.url('')} 的返回中在 '{spec.items}' 处没有工单列表",
        ) from None

    def read_time(value: object, field: str) -> float | None:
        return _time(value, spec.time_format, f"complaints.time_format (fields.{field})")

    return [_record(item, spec.fields, read_time, what="REST search") for item in items]


async def sql_tickets(spec: SqlComplaints, *, caller: str, since: float) -> list[TicketRecord]:
    """The rows the ticket query returns for ``caller`` since ``since`` (epoch seconds)."""
    params: dict[str, Any] = {"caller": caller, "since": naive_local(math.floor(since), spec.timezone)}
    rows = await query_rows(spec, spec.query, params, what="complaint tickets / 投诉工单")
    iso = TimeSpec(format="iso", timezone=spec.timezone)
    epoch = TimeSpec(format="epoch", timezone=spec.timezone)

    def read_time(value: object, field: str) -> float | None:
        # A database timestamp (naive: in the section's zone), ISO text, or epoch seconds.
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return _time(value, epoch if number else iso, f"complaints.fields.{field}")

    wanted = [c for c in (spec.fields.id, spec.fields.caller, spec.fields.created) if c]
    for row in rows[:1]:
        missing = [c for c in wanted if c not in row]
        if missing:
            raise TicketFieldError(
                f"complaints.fields: the query returns no column {', '.join(missing)} "
                f"(its columns: {', '.join(row) or 'none'})",
                f"complaints.fields：查询结果中没有列 {', '.join(missing)}（实际列：{', '.join(row)}）",
            )
    return [_record(row, spec.fields, read_time, what="ticket query") for row in rows]
