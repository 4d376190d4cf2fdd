"""Call detail records (CDR) for the recording-store audit: parsed, never trusted.

This module holds the row model (:class:`CdrRow`), the seat and recording-key rules, and the
parser of the demo PBX's ``cdr_custom`` JSON lines (``docker/asterisk/cdr_custom.conf``): one
object a line with ``start``/``answer``/``end`` (``%FT%T%z``), ``src``, ``dst``, ``channel``,
``dstchannel``, ``disposition``, ``duration``, ``billsec``, ``uniqueid``, ``direction`` and
``recording`` (the recording's name without extension). CSV exports are parsed by
:mod:`ccinspect.platform.cdrcsv`; files are read by :mod:`ccinspect.platform.cdrio`.

Parsers are pure: lines in, :class:`CdrParseResult` out. A line that cannot be read becomes a
:class:`CdrProblem` naming the file, the line and the field; it never stops the parse.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from ccinspect.core.cdrfacts import (
    ANSWERED,
    AUDIO_SUFFIXES,
    TRUNK_SEAT,
    CdrProblem,
    CdrRow,
    recording_key,
    seat_of,
)
from ccinspect.core.verdict import Text

__all__ = [
    "ANSWERED",
    "AUDIO_SUFFIXES",
    "FIELDS",
    "TRUNK_SEAT",
    "CdrParseResult",
    "CdrProblem",
    "CdrRow",
    "parse_json_lines",
    "recording_key",
    "seat_of",
]


MAX_PROBLEMS_KEPT = 200
"""Problems kept in detail per parse; the rest are only counted."""
MAX_LINE_CHARS = 65536
"""A CDR line longer than this is reported, not parsed."""
FIELDS = (
    "start",
    "answer",
    "end",
    "src",
    "dst",
    "channel",
    "dstchannel",
    "disposition",
    "duration",
    "billsec",
    "uniqueid",
    "direction",
    "recording",
    "seat",
)
"""The fields a CDR row is built from (JSON keys, or the targets of a CSV mapping)."""
REQUIRED = ("start", "disposition", "billsec")
"""Fields without which a row is a problem, not a row."""


@dataclass(frozen=True, slots=True)
class CdrParseResult:
    """Rows parsed and problems met.

    At most :data:`MAX_PROBLEMS_KEPT` problems are kept (at most half of them from before the
    window), all are counted. ``first_window_line`` is the line of the first row kept (at or
    after ``since``); ``problems_in_window`` counts the problems from that line on (all of them
    without ``since``): in an append-only CDR only those can hide calls of the window.
    """

    rows: tuple[CdrRow, ...]
    problems: tuple[CdrProblem, ...] = ()
    problems_total: int = 0
    lines_read: int = 0
    rows_before_window: int = 0
    problems_in_window: int = 0
    first_window_line: int | None = None


# --- value parsing (shared with cdrcsv, not part of the public API) ---------------------------


class BadValue(Exception):
    """A field's value cannot be used (internal to the CDR parsers); ``text`` says why."""

    def __init__(self, field_name: str, en: str, zh: str) -> None:
        super().__init__(en)
        self.text = Text(f"field {field_name}: {en}", f"字段 {field_name}：{zh}")


def _parse_time(value: object, field_name: str, time_format: str, tz: tzinfo) -> datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if time_format == "epoch":
            seconds = float(str(value))
            return None if seconds <= 0 else datetime.fromtimestamp(seconds, UTC)
        text = str(value).strip()
        parsed = (
            datetime.fromisoformat(text) if time_format == "iso" else datetime.strptime(text, time_format)
        )
    except (ValueError, OverflowError, OSError):
        raise BadValue(
            field_name, f"{value!r} is not a time ({time_format})", f"{value!r} 不是时间（{time_format}）"
        ) from None
    return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed


def _parse_seconds(value: object, field_name: str, *, required: bool) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise BadValue(field_name, "is missing", "缺失")
        return None
    if isinstance(value, bool):
        raise BadValue(field_name, f"{value!r} is not a number of seconds", f"{value!r} 不是秒数")
    try:
        seconds = float(value) if isinstance(value, int | float) else float(str(value).strip())
    except ValueError:
        raise BadValue(field_name, f"{value!r} is not a number of seconds", f"{value!r} 不是秒数") from None
    if not 0 <= seconds < 10 * 86400:
        raise BadValue(field_name, f"{value!r} is out of range", f"{value!r} 超出范围")
    return seconds


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def row_from_values(
    values: Mapping[str, object],
    *,
    source: str,
    line: int,
    time_format: str,
    tz: tzinfo,
    answered_values: frozenset[str],
) -> CdrRow:
    """One row from field values (strings or JSON values); raises :class:`BadValue`."""
    start = _parse_time(values.get("start"), "start", time_format, tz)
    if start is None:
        raise BadValue("start", "is missing", "缺失")
    disposition = _text(values.get("disposition")).upper()
    if not disposition:
        raise BadValue("disposition", "is missing", "缺失")
    billsec = _parse_seconds(values.get("billsec"), "billsec", required=True)
    assert billsec is not None  # required=True never returns None
    uniqueid = _text(values.get("uniqueid")) or f"{source}:{line}"
    return CdrRow(
        source=source,
        line=line,
        uniqueid=uniqueid,
        start=start,
        disposition=ANSWERED if disposition in answered_values else disposition,
        billsec=billsec,
        answer=_parse_time(values.get("answer"), "answer", time_format, tz),
        end=_parse_time(values.get("end"), "end", time_format, tz),
        src=_text(values.get("src")),
        dst=_text(values.get("dst")),
        channel=_text(values.get("channel")),
        dstchannel=_text(values.get("dstchannel")),
        duration=_parse_seconds(values.get("duration"), "duration", required=False),
        direction=_text(values.get("direction")) or None,
        recording=recording_key(_text(values.get("recording"))),
        seat=_text(values.get("seat")) or None,
    )


@dataclass
class Collector:
    """Accumulates rows and problems for one parse (internal, mutable on purpose)."""

    source: str
    since: datetime | None
    rows: list[CdrRow] = field(default_factory=list)
    problems: list[CdrProblem] = field(default_factory=list)
    problems_total: int = 0
    lines_read: int = 0
    before_window: int = 0
    problems_in_window: int = 0
    window_line: int | None = None

    def problem(self, line: int, text: Text) -> None:
        self.problems_total += 1
        in_window = self.since is None or self.window_line is not None
        self.problems_in_window += in_window
        if len(self.problems) < (MAX_PROBLEMS_KEPT if in_window else MAX_PROBLEMS_KEPT // 2):
            self.problems.append(CdrProblem(self.source, line, text))

    def add(self, row: CdrRow) -> None:
        if self.since is not None and row.start < self.since:
            self.before_window += 1
            return
        if self.window_line is None:
            self.window_line = row.line
        self.rows.append(row)

    def result(self) -> CdrParseResult:
        return CdrParseResult(
            tuple(self.rows),
            tuple(self.problems),
            self.problems_total,
            self.lines_read,
            self.before_window,
            self.problems_in_window,
            self.window_line,
        )


def parse_json_lines(
    lines: Iterable[str],
    *,
    source: str,
    since: datetime | None = None,
    first_line: int = 1,
) -> CdrParseResult:
    """Parse the demo PBX's JSON-lines CDR. Rows that start before ``since`` are counted, not kept.

    Blank lines are skipped; every other unreadable line is a :class:`CdrProblem`.
    """
    out = Collector(source, since)
    for number, raw in enumerate(lines, start=first_line):
        out.lines_read += 1
        text = raw.strip()
        if not text:
            continue
        if len(text) > MAX_LINE_CHARS:
            out.problem(number, Text(f"line longer than {MAX_LINE_CHARS} characters", "该行过长"))
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            out.problem(
                number,
                Text(f"not JSON: {exc.msg} (column {exc.colno})", f"不是有效的 JSON（第 {exc.colno} 列）"),
            )
            continue
        except RecursionError:
            out.problem(number, Text("JSON nested too deeply", "JSON 嵌套过深"))
            continue
        if not isinstance(value, dict):
            out.problem(number, Text("not a JSON object", "不是 JSON 对象"))
            continue
        try:
            out.add(
                row_from_values(
                    value,
                    source=source,
                    line=number,
                    time_format="iso",
                    tz=UTC,
                    answered_values=frozenset({ANSWERED}),
                )
            )
        except BadValue as exc:
            out.problem(number, exc.text)
    return out.result()
