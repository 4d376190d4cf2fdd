"""Reading a CDR file: bounded, and every failure names the file.

:func:`read_cdr_file` reads at most ``max_bytes`` from the end of the file (CDR files grow at the
end, so the tail holds the recent calls) and hands the lines to
:func:`~ccinspect.platform.cdr.parse_json_lines` or, given a mapping,
:func:`~ccinspect.platform.cdrcsv.parse_csv_lines`. It raises
:class:`~ccinspect.platform.errors.AdapterError` when the file cannot be read (an ERROR for the run).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from ccinspect.core.verdict import Text
from ccinspect.platform.cdr import MAX_PROBLEMS_KEPT, CdrParseResult, CdrProblem, parse_json_lines
from ccinspect.platform.cdrcsv import CsvMapping, parse_csv_lines
from ccinspect.platform.errors import AdapterError

__all__ = ["DEFAULT_MAX_BYTES", "read_cdr_file"]

DEFAULT_MAX_BYTES = 2 * 1024**3
"""Read at most this much of a CDR file (its end); about 6 million demo CDR lines."""


def _decoded_lines(handle: Iterable[bytes], source: str, out: list[CdrProblem], start: int) -> Iterator[str]:
    for number, raw in enumerate(handle, start=start):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            out.append(CdrProblem(source, number, Text("line is not UTF-8", "该行不是 UTF-8 编码")))
            yield ""


def read_cdr_file(
    path: Path,
    *,
    mapping: CsvMapping | None = None,
    since: datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> CdrParseResult:
    """Read a CDR file: JSON lines when ``mapping`` is None, else CSV through ``mapping``.

    Only the last ``max_bytes`` are read; when that cut may hide rows at or after ``since`` (the
    first row read is already inside the window) a problem says so. Line numbers are counted
    from the first line read. Raises :class:`AdapterError` naming the file when it cannot be
    opened or read, :class:`CdrMappingError` for a wrong mapping.
    """
    if mapping is not None:
        mapping.validate()
    source = str(path)
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            cut = size > max_bytes
            head: list[bytes] = []
            if cut:
                if mapping is not None and mapping.has_header:
                    head.append(handle.readline())  # keep the header of a cut CSV file
                handle.seek(size - max_bytes)
                handle.readline()  # drop the partial line
            decode_problems: list[CdrProblem] = []
            lines = _decoded_lines(itertools.chain(head, handle), source, decode_problems, 1)
            if mapping is None:
                result = parse_json_lines(lines, source=source, since=since)
            else:
                result = parse_csv_lines(lines, mapping, source=source, since=since)
    except OSError as exc:
        raise AdapterError(
            f"cannot read the CDR file {path}: {exc.strerror or exc}",
            f"无法读取话单文件 {path}：{exc.strerror or exc}",
        ) from exc
    first = result.first_window_line
    inside = [p for p in decode_problems if since is None or (first is not None and p.line >= first)]
    outside = [p for p in decode_problems if p not in inside]
    if cut and (since is None or result.rows_before_window == 0):
        inside.insert(
            0,
            CdrProblem(
                source,
                0,
                Text(
                    f"only the last {max_bytes} bytes of {size} were read;"
                    " older calls in the window were not audited",
                    f"只读取了 {size} 字节中的最后 {max_bytes} 字节；窗口内更早的通话未被核查",
                ),
            ),
        )
    if not inside and not outside:
        return result
    return CdrParseResult(
        result.rows,
        (*inside, *result.problems, *outside)[:MAX_PROBLEMS_KEPT],
        result.problems_total + len(inside) + len(outside),
        result.lines_read,
        result.rows_before_window,
        result.problems_in_window + len(inside),
        first,
    )
