"""Reading a run directory (``runs/<run-id>/``, written by ``runner.output``) back.

The one place that reads report.json from disk; the report, the run store's importer and the
evidence bundle all come through here and decode with the one reader,
:meth:`ccinspect.core.rundoc.RunDocument.from_json`.

Calls found only in ``calls/*.json`` (a run stopped between two rewrites of report.json) are
added after report.json's own calls, in file-name order, with their media.

Everything wrong raises :class:`~ccinspect.core.rundoc.RunDocumentError` naming the directory or
file, and the key path when a value is wrong; commands translate it into their own error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ccinspect.core.codec import DecodeError, decode
from ccinspect.core.facts import CallFact
from ccinspect.core.rundoc import RunDocument, RunDocumentError, RunHeader, check_schema

__all__ = ["LoadedRun", "RawRun", "decode_raw", "load_run", "read_header", "read_raw", "resolve_run_dir"]

REPORT = "report.json"
_HINT = "give a run directory written by `ccinspect run` (one that holds report.json), e.g. runs/latest"


@dataclass(frozen=True)
class RawRun:
    """A run directory's report.json as JSON data, calls only in ``calls/`` merged in.

    ``added`` counts those calls (they are the last ``added`` of ``data["facts"]["calls"]``).
    """

    path: Path
    data: dict[str, Any]
    added: int

    @property
    def report_path(self) -> Path:
        return self.path / REPORT


@dataclass(frozen=True)
class LoadedRun:
    """A run directory and its document (``added``: calls that only ``calls/*.json`` held)."""

    path: Path
    document: RunDocument
    added: int


def resolve_run_dir(run_dir: str | Path) -> Path:
    """The run directory ``run_dir`` points at (symlinks such as ``runs/latest`` followed).

    Raises :class:`RunDocumentError` when it is missing, not a directory, or holds no report.json.
    """
    path = Path(run_dir)
    if not path.exists():
        raise RunDocumentError(
            f"run directory {run_dir} does not exist", f"运行目录 {run_dir} 不存在", hint=_HINT
        )
    path = path.resolve()
    if not path.is_dir():
        raise RunDocumentError(
            f"{run_dir} is not a directory (give a run directory such as runs/latest)",
            f"{run_dir} 不是目录（请给出运行目录，如 runs/latest）",
            hint=_HINT,
        )
    if not (path / REPORT).is_file():
        raise RunDocumentError(
            f"{run_dir} is not a ccinspect run directory: it has no report.json",
            f"{run_dir} 不是 ccinspect 运行目录：缺少 report.json",
            hint=_HINT,
        )
    return path


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RunDocumentError(
            f"cannot read {path}: {exc}",
            f"无法读取 {path}：{exc}",
            hint="the file is damaged or still being written; try again after the run has finished",
        ) from exc
    except json.JSONDecodeError as exc:
        raise RunDocumentError(
            f"{path} is not valid JSON: {exc}",
            f"{path} 不是有效的 JSON：{exc}",
            hint="the file is damaged or still being written; try again after the run has finished",
        ) from exc


def _call_file(file: Path) -> tuple[Any, list[Any] | None]:
    """A ``calls/<key>.json`` file's fact (not yet checked) and media; the fact may stand alone."""
    data = _read_json(file)
    fact = data.get("fact", data) if isinstance(data, dict) else data
    media = data.get("media") if isinstance(data, dict) and "fact" in data else None
    return fact, media if isinstance(media, list) else None


def _merge_call_files(path: Path, raw: dict[str, Any]) -> int:
    """Add calls (and their media) that only ``calls/*.json`` holds, in file-name order.

    Each call added is checked here, so that a bad one is named with its own file.
    """
    facts = raw.setdefault("facts", {})
    if not isinstance(facts, dict):
        return 0
    calls = facts.setdefault("calls", [])
    media = raw.setdefault("media", {})
    if not isinstance(calls, list) or not isinstance(media, dict):
        return 0
    known = {c.get("key") for c in calls if isinstance(c, dict)}
    added = 0
    for file in sorted((path / "calls").glob("*.json")):
        fact, refs = _call_file(file)
        if isinstance(fact, dict) and fact.get("key") in known:
            continue
        try:
            decode(CallFact, fact, "fact")
        except DecodeError as exc:
            raise RunDocumentError(exc.problem, key=exc.path, file=str(file)) from exc
        calls.append(fact)
        known.add(fact["key"])
        added += 1
        if refs is not None:
            media.setdefault(fact["key"], refs)
    return added


def read_raw(run_dir: str | Path) -> RawRun:
    """report.json of ``run_dir`` as JSON data, schema checked, calls from ``calls/`` merged in.

    For readers that must see the data before it is decoded (the report masks numbers in it);
    decode it with :meth:`RunDocument.from_json`. Raises :class:`RunDocumentError`.
    """
    path = resolve_run_dir(run_dir)
    report = path / REPORT
    raw = _read_json(report)
    try:
        raw = check_schema(raw)
    except RunDocumentError as exc:
        raise exc.in_file(str(report)) from exc
    added = _merge_call_files(path, raw)
    return RawRun(path, raw, added)


def read_header(run_dir: str | Path) -> RunHeader:
    """The header of ``run_dir``'s report.json (run id, schema as found, version, times).

    Only report.json is read, and only the header must be valid (see :class:`RunHeader`).
    """
    report = resolve_run_dir(run_dir) / REPORT
    try:
        return RunHeader.from_json(_read_json(report))
    except RunDocumentError as exc:
        raise exc.in_file(str(report)) from exc


def decode_raw(raw: RawRun, data: Any | None = None) -> RunDocument:
    """:meth:`RunDocument.from_json` of ``data`` (default ``raw.data``), errors naming report.json."""
    try:
        return RunDocument.from_json(raw.data if data is None else data)
    except RunDocumentError as exc:
        raise exc.in_file(str(raw.report_path)) from exc


def load_run(run_dir: str | Path) -> LoadedRun:
    """The run at ``run_dir``, decoded; raises :class:`RunDocumentError` naming file and key."""
    raw = read_raw(run_dir)
    return LoadedRun(raw.path, decode_raw(raw), raw.added)
