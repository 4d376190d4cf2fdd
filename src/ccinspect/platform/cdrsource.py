"""The platform's CDR for a run, read as the target's ``cdr`` section says, one fact per call.

* ``kind: file``: JSON lines (one object a line, ``fields`` are dotted paths) or Asterisk's
  ``Master.csv`` (``asterisk-csv``, read by :mod:`ccinspect.platform.cdrcsv`); the path's ``~``
  and ``$VARIABLES`` are expanded; only the file's tail is read (CDR files grow at the end).
* ``kind: sql``: the section's ``query`` with ``:start``/``:end`` (the run's window as naive
  times in the section's ``timezone``), through :func:`ccinspect.platform.sqlquery.query_rows`.
* ``kind: http``: ``GET url`` with ``params`` and the window in ``start_param``/``end_param``
  (written as ``param_time``), rows at ``items``, through :class:`~ccinspect.platform.httpaccess.HttpClient`.

Rows become :class:`~ccinspect.core.cdrmatch.CdrRecord` values through ``fields`` and the time
format, and :func:`~ccinspect.core.cdrmatch.match_cdrs` pairs them with the calls.
:func:`gather_cdrs` reads again, for at most ``wait_s``, until every answered call has its row
(platforms write the CDR at hang-up). A CDR that cannot be read is recorded in every call's
:class:`~ccinspect.core.facts.CdrFact` ``error``, never raised.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ccinspect.core.cdrmatch import CdrRecord, awaiting, cdr_facts, cdr_window, match_cdrs
from ccinspect.core.facts import CallFact, CdrFact
from ccinspect.core.scenario.access import TimeSpec
from ccinspect.core.scenario.sources import Cdr, CdrFields, CdrFile, CdrHttp, CdrSql
from ccinspect.platform.cdrcsv import ASTERISK_MASTER_CSV, CdrMappingError
from ccinspect.platform.cdrio import read_cdr_file
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

__all__ = ["MAX_FILE_BYTES", "POLL_S", "CdrRead", "cdr_path", "gather_cdrs", "read_cdr", "record_of"]

MAX_FILE_BYTES = 64 * 1024**2
"""Read at most this much of the end of a JSON-lines CDR file (a run's rows are the newest)."""
POLL_S = 1.0
"""Pause between reads while waiting for the rows of the last calls."""
_PROBLEMS_KEPT = 3


@dataclasses.dataclass(frozen=True, slots=True)
class CdrRead:
    """One read of the CDR: the rows in the window, and how many records could not be used
    (``problems`` quotes the first few)."""

    rows: tuple[CdrRecord, ...]
    unreadable: int = 0
    problems: tuple[str, ...] = ()


def record_of(raw: object, fields: CdrFields, time: TimeSpec) -> CdrRecord:
    """One record (a JSON object or a database row) through the field map; FieldError when its
    time is not in the declared format."""
    return CdrRecord(
        started_at=parse_time(dig(raw, fields.time), time),
        src=text_at(raw, fields.src),
        dst=text_at(raw, fields.dst),
        disposition=text_at(raw, fields.disposition),
        screening=text_at(raw, fields.screening),
        recording=text_at(raw, fields.recording),
        record_id=text_at(raw, fields.id),
        agent=text_at(raw, fields.agent),
    )


def _records(raws: Sequence[object], fields: CdrFields, time: TimeSpec, start: float, end: float) -> CdrRead:
    rows: list[CdrRecord] = []
    problems: list[str] = []
    for i, raw in enumerate(raws):
        try:
            if not isinstance(raw, Mapping):
                raise FieldError(f"not an object ({type(raw).__name__})")
            record = record_of(raw, fields, time)
        except FieldError as exc:
            problems.append(f"record {i + 1}: {exc}")
            continue
        if record.started_at is None:
            problems.append(f"record {i + 1}: no time in '{fields.time}'")
        elif start <= record.started_at <= end:
            rows.append(record)
    return CdrRead(tuple(rows), len(problems), tuple(problems[:_PROBLEMS_KEPT]))


def cdr_path(spec: CdrFile) -> Path:
    """The file's path with ``$VARIABLES`` and ``~`` expanded."""
    return Path(os.path.expanduser(os.path.expandvars(spec.path)))


def _tail_lines(path: Path, max_bytes: int) -> list[str]:
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > max_bytes:
            handle.seek(size - max_bytes)
            handle.readline()  # drop the partial line
        data = handle.read()
    return data.decode("utf-8", errors="replace").splitlines()


def _json_lines(path: Path) -> list[object]:
    values: list[object] = []
    for line in _tail_lines(path, MAX_FILE_BYTES):
        if not line.strip():
            continue
        try:
            values.append(json.loads(line))
        except (ValueError, RecursionError):
            values.append(line[:80])  # kept as a problem: "not an object"
    return values


#: Master.csv fields as named in ``cdr.fields`` (the userfield is read as ``recording``).
_CSV_FIELDS = ("start", "answer", "end", "src", "dst", "channel", "dstchannel", "disposition")
_CSV_MORE = ("duration", "billsec", "uniqueid", "recording", "direction", "seat")


def _asterisk_csv(path: Path, time: TimeSpec, start: float) -> tuple[list[object], int, list[str]]:
    fmt = time.format if time.format in ("iso", "epoch") or "%" in time.format else "iso"
    mapping = dataclasses.replace(ASTERISK_MASTER_CSV, timezone=time.timezone, time_format=fmt)
    since = datetime.fromtimestamp(start, UTC)
    parsed = read_cdr_file(path, mapping=mapping, since=since)
    rows: list[object] = []
    for row in parsed.rows:
        values = {name: getattr(row, name) for name in (*_CSV_FIELDS, *_CSV_MORE)}
        values["userfield"] = row.recording
        rows.append(values)
    return rows, parsed.problems_in_window, [str(p) for p in parsed.problems[:_PROBLEMS_KEPT]]


async def _read_file(spec: CdrFile, start: float, end: float) -> CdrRead:
    path = cdr_path(spec)
    try:
        if spec.format == "asterisk-csv":
            raws, bad, notes = await asyncio.to_thread(_asterisk_csv, path, spec.time_format, start)
            read = _records(raws, spec.fields, spec.time_format, start, end)
            return CdrRead(read.rows, read.unreadable + bad, (*notes, *read.problems)[:_PROBLEMS_KEPT])
        lines = await asyncio.to_thread(_json_lines, path)
    except OSError as exc:
        raise AdapterError(
            f"cannot read the CDR file {path}: {exc.strerror or exc}",
            f"无法读取话单文件 {path}：{exc.strerror or exc}",
        ) from exc
    return _records(lines, spec.fields, spec.time_format, start, end)


async def _read_sql(spec: CdrSql, start: float, end: float) -> CdrRead:
    params = {"start": naive_local(start, spec.timezone), "end": naive_local(end, spec.timezone)}
    found: list[dict[str, Any]] = await query_rows(spec, spec.query, params, what="CDR query")
    return _records(found, spec.fields, TimeSpec(format="iso", timezone=spec.timezone), start, end)


async def _read_http(spec: CdrHttp, start: float, end: float) -> CdrRead:
    client = HttpClient(spec, what="CDR API")
    params = dict(spec.params)
    if spec.start_param:
        params[spec.start_param] = format_time(start, spec.param_time)
    if spec.end_param:
        params[spec.end_param] = format_time(end, spec.param_time)
    body = await client.get_json(client.url(""), params)
    try:
        items = items_at(body, spec.items)
    except FieldError as exc:
        raise AdapterError(f"CDR API {client.url('')}: {exc}", f"话单接口 {client.url('')}：{exc}") from None
    return _records(items, spec.fields, spec.time_format, start, end)


async def read_cdr(spec: Cdr, start: float, end: float) -> CdrRead:
    """The CDR rows starting within ``start`` … ``end`` (epoch seconds).

    Raises :class:`AdapterError` when the CDR cannot be read at all (file, database, API) and
    :class:`CdrMappingError` for an unusable time format; single unreadable records are counted
    in the result instead.
    """
    if isinstance(spec, CdrFile):
        return await _read_file(spec, start, end)
    if isinstance(spec, CdrSql):
        return await _read_sql(spec, start, end)
    return await _read_http(spec, start, end)


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _missing(read: CdrRead, start: float, end: float) -> str:
    en = f"no CDR row matched this call ({len(read.rows)} rows read for {_when(start)} … {_when(end)}"
    zh = f"没有与该呼叫对应的话单记录（该时段读到 {len(read.rows)} 条"
    if read.unreadable:
        en += f"; {read.unreadable} unreadable, e.g. {read.problems[0]}" if read.problems else ""
        zh += f"，{read.unreadable} 条无法读取"
    return f"{en}) / {zh}）"


async def gather_cdrs(
    spec: Cdr | None,
    calls: Sequence[CallFact],
    *,
    seat_names: Mapping[str, Collection[str]] | None = None,
    poll_s: float = POLL_S,
) -> list[CdrFact]:
    """One :class:`CdrFact` per call from the target's CDR (empty without a ``cdr`` section).

    Reads the window of ``calls`` (widened by the section's ``tolerance_s``), matches rows to
    calls, and reads again every ``poll_s`` for at most ``wait_s`` while an answered call has no
    row yet. When the CDR cannot be read every call's fact carries the cause in ``error``.
    """
    window = cdr_window(calls, spec.tolerance_s) if spec is not None else None
    if spec is None or window is None:
        return []
    start, end = window
    loop = asyncio.get_running_loop()
    deadline = loop.time() + spec.wait_s
    read: CdrRead | None = None
    matched: dict[str, CdrRecord] = {}
    error: str | None = None
    while True:
        try:
            read = await read_cdr(spec, start, end)
            error = None
            matched = match_cdrs(calls, read.rows, tolerance_s=spec.tolerance_s, seat_names=seat_names)
            if not awaiting(calls, matched):
                break
        except (AdapterError, CdrMappingError) as exc:
            error = f"the CDR could not be read: {exc.message} / 无法读取话单：{exc.message_zh}"
        remaining = deadline - loop.time()
        if remaining <= 0:
            break
        await asyncio.sleep(min(poll_s, remaining))
    if error is not None or read is None:
        cause = error or "the CDR could not be read / 无法读取话单"
        return [CdrFact(c.key, None, None, None, None, None, error=cause) for c in calls]
    return list(cdr_facts(calls, matched, missing=_missing(read, start, end)))
