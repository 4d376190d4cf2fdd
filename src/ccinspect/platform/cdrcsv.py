"""CSV exports of call detail records, read through a column mapping (pure).

:class:`CsvMapping` maps our field names (:data:`~ccinspect.platform.cdr.FIELDS`) to a CSV's
columns, by header name or by index; :data:`ASTERISK_MASTER_CSV` maps Asterisk's stock
``cdr_csv`` Master.csv. A wrong mapping is the user's mistake and raises
:class:`CdrMappingError` before any line is read; a bad record is a
:class:`~ccinspect.platform.cdr.CdrProblem` on its line.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ccinspect.core.verdict import Text
from ccinspect.errors import CcinspectError, Kind
from ccinspect.platform.cdr import (
    ANSWERED,
    FIELDS,
    REQUIRED,
    BadValue,
    CdrParseResult,
    Collector,
    row_from_values,
)

__all__ = ["ASTERISK_MASTER_CSV", "CdrMappingError", "CsvMapping", "parse_csv_lines"]


class CdrMappingError(CcinspectError, ValueError):
    """A CSV mapping is wrong (the user's mistake): says which key and what is allowed."""

    kind = Kind.USER

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message, message_zh)


@dataclass(frozen=True, slots=True)
class CsvMapping:
    """How a CSV CDR export maps to :class:`CdrRow` fields.

    * ``columns``: our field name → the CSV column, by header name (str) or 0-based index
      (int). ``start``, ``disposition`` and ``billsec`` are required; the others are optional
      (without ``uniqueid`` a row is named ``file:line``; without ``recording`` every answered
      call is reported as linking no recording). Field names: see ``FIELDS``.
    * ``has_header``: the first record is a header (required when columns are named).
    * ``time_format``: ``"iso"`` (ISO 8601, also ``2026-11-29 15:21:32``), ``"epoch"``
      (Unix seconds) or a :func:`~datetime.datetime.strptime` pattern.
    * ``timezone``: IANA name applied to times written without an offset.
    * ``answered_values``: dispositions meaning "answered" (case-insensitive), e.g. ``已接通``.
    """

    columns: Mapping[str, str | int]
    has_header: bool = True
    delimiter: str = ","
    time_format: str = "iso"
    timezone: str = "UTC"
    answered_values: tuple[str, ...] = (ANSWERED,)

    def validate(self) -> tzinfo:
        """Check the mapping; return the time zone. Raises :class:`CdrMappingError`."""
        unknown = sorted(set(self.columns) - set(FIELDS))
        if unknown:
            raise CdrMappingError(
                f"CDR mapping: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(FIELDS)}",
                f"CDR 字段映射：未知字段 {', '.join(unknown)}；允许：{', '.join(FIELDS)}",
            )
        missing = [name for name in REQUIRED if name not in self.columns]
        if missing:
            raise CdrMappingError(
                f"CDR mapping: required field(s) {', '.join(missing)} not mapped",
                f"CDR 字段映射：必填字段 {', '.join(missing)} 未映射",
            )
        named = [k for k, v in self.columns.items() if isinstance(v, str)]
        if named and not self.has_header:
            raise CdrMappingError(
                f"CDR mapping: {', '.join(named)} name a column but has_header is false; use indexes",
                f"CDR 字段映射：{', '.join(named)} 使用列名，但 has_header 为 false；请改用列序号",
            )
        bad = [k for k, v in self.columns.items() if isinstance(v, int) and v < 0]
        if bad or len(self.delimiter) != 1 or not self.answered_values:
            raise CdrMappingError(
                "CDR mapping: column indexes must be >= 0, the delimiter one character,"
                " answered_values not empty",
                "CDR 字段映射：列序号必须 >= 0，分隔符为单个字符，answered_values 不能为空",
            )
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise CdrMappingError(
                f"CDR mapping: unknown time zone {self.timezone!r}; use an IANA name such as Asia/Shanghai",
                f"CDR 字段映射：未知时区 {self.timezone!r}；请使用 IANA 名称，例如 Asia/Shanghai",
            ) from None


ASTERISK_MASTER_CSV = CsvMapping(
    columns={
        "src": 1,
        "dst": 2,
        "channel": 5,
        "dstchannel": 6,
        "start": 9,
        "answer": 10,
        "end": 11,
        "duration": 12,
        "billsec": 13,
        "disposition": 14,
        "uniqueid": 16,
        "recording": 17,
    },
    has_header=False,
    timezone="Asia/Shanghai",
)
"""Asterisk ``cdr_csv`` Master.csv with ``loguniqueid=yes`` and ``loguserfield=yes``, times in
local time (``usegmtime=no``; set ``timezone`` to the PBX's zone), the recording name in
``userfield`` (as the demo dialplan sets it)."""


def parse_csv_lines(
    lines: Iterable[str],
    mapping: CsvMapping,
    *,
    source: str,
    since: datetime | None = None,
) -> CdrParseResult:
    """Parse a CSV CDR export through ``mapping`` (validated first: :class:`CdrMappingError`).

    A header that lacks a mapped column is one problem on line 1 and no rows (every row would
    be wrong the same way). Short records and unreadable values are problems per line.
    """
    tz = mapping.validate()
    out = Collector(source, since)
    counted = _counting(lines, out)
    reader = csv.reader(counted, delimiter=mapping.delimiter, strict=False)
    index: dict[str, int] = {k: v for k, v in mapping.columns.items() if isinstance(v, int)}
    answered = frozenset(v.strip().upper() for v in mapping.answered_values)
    try:
        if mapping.has_header:
            header = next(reader, None)
            if header is None:
                return out.result()
            positions = {name.strip(): i for i, name in enumerate(header)}
            missing = [str(v) for v in mapping.columns.values() if isinstance(v, str) and v not in positions]
            if missing:
                out.problem(
                    1,
                    Text(
                        f"header lacks mapped column(s) {', '.join(missing)}",
                        f"表头缺少映射的列 {', '.join(missing)}",
                    ),
                )
                return out.result()
            index.update({k: positions[v] for k, v in mapping.columns.items() if isinstance(v, str)})
        width = max(index.values()) + 1
        for record in reader:
            number = reader.line_num
            if not record or all(not cell.strip() for cell in record):
                continue
            if len(record) < width:
                out.problem(
                    number,
                    Text(
                        f"{len(record)} columns, the mapping needs {width}",
                        f"只有 {len(record)} 列，映射需要 {width} 列",
                    ),
                )
                continue
            values = {name: record[i] for name, i in index.items()}
            try:
                out.add(
                    row_from_values(
                        values,
                        source=source,
                        line=number,
                        time_format=mapping.time_format,
                        tz=tz,
                        answered_values=answered,
                    )
                )
            except BadValue as exc:
                out.problem(number, exc.text)
    except csv.Error as exc:
        out.problem(reader.line_num, Text(f"CSV error: {exc}", f"CSV 格式错误：{exc}"))
    return out.result()


def _counting(lines: Iterable[str], out: Collector) -> Iterator[str]:
    for line in lines:
        out.lines_read += 1
        yield line
