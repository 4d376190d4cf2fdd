"""Reading a run directory (``runs/<run-id>/``, see ``runner.output``) into typed data.

:func:`open_run` resolves the directory (``runs/latest`` is a symlink), reads report.json
(schema ``ccinspect.report/1``), adds calls found only in ``calls/*.json`` (a run interrupted
between two rewrites of report.json), masks it (:mod:`.masking`) and decodes it into the core
dataclasses. Files the report links to are resolved from the *unmasked* data, and only inside
the run directory: a recording name from the platform can never point outside it.

Everything wrong with the directory raises :class:`RunDirError` saying which file and key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ccinspect.core.facts import RunFacts
from ccinspect.core.verdict import CheckResult, Text, Verdict
from ccinspect.report.decode import DecodeError, decode
from ccinspect.report.errors import RunDirError
from ccinspect.report.masking import Masker, numbers_of_run

__all__ = ["SCHEMA", "MediaRef", "RunInfo", "RunReport", "open_run", "resolve_run_dir"]

SCHEMA = "ccinspect.report/1"


@dataclass(frozen=True, slots=True)
class MediaRef:
    """One of our legs' audio: what it heard (a path relative to the run dir) and what it played."""

    agent: str
    role: str
    heard: str | None = None
    stimulus: int | None = None


@dataclass(frozen=True, slots=True)
class TargetInfo:
    """The platform under test, as the run's target file named it."""

    name: str = ""
    description: str = ""
    registrar: str = ""
    file: str = ""


@dataclass(frozen=True, slots=True)
class ScenarioInfo:
    """The scenario the run followed."""

    name: str = ""
    title: Text = field(default_factory=lambda: Text("", ""))
    file: str = ""


@dataclass(frozen=True, slots=True)
class PbxInfo:
    """What the runner learnt of the PBX itself (its Server header when it gave one)."""

    server: str | None = None


@dataclass(frozen=True, slots=True)
class RunInfo:
    """report.json's top level (schema ``ccinspect.report/1``), facts and verdicts decoded."""

    schema: str
    ccinspect_version: str
    run_id: str | None
    status: str
    started_at: float | None
    finished_at: float | None
    error: str | None
    target: TargetInfo
    scenario: ScenarioInfo
    pbx: PbxInfo
    overall: Verdict | None
    checks: tuple[CheckResult, ...]
    facts: RunFacts
    media: tuple[tuple[str, tuple[MediaRef, ...]], ...] = ()


@dataclass(frozen=True)
class RunReport:
    """A loaded run: its directory, the decoded (masked unless ``unmasked``) data and its files.

    ``recording_files`` maps a call key to its recording's file; ``heard_files`` maps a heard
    path as written in report.json to the file. Both hold only existing files inside ``path``.
    """

    path: Path
    info: RunInfo
    masker: Masker
    recording_files: dict[str, Path]
    heard_files: dict[str, Path]
    unmasked: bool

    @cached_property
    def _media(self) -> dict[str, tuple[MediaRef, ...]]:
        return dict(self.info.media)

    def media_for(self, call_key: str) -> tuple[MediaRef, ...]:
        """The legs' audio of call ``call_key`` (empty when the run recorded none)."""
        return self._media.get(call_key, ())


def resolve_run_dir(run_dir: str | Path) -> Path:
    """The run directory ``run_dir`` points at (symlinks such as ``runs/latest`` followed).

    Raises :class:`RunDirError` when it is missing or holds no report.json.
    """
    path = Path(run_dir)
    if not path.exists():
        raise RunDirError(f"run directory {run_dir} does not exist")
    path = path.resolve()
    if not path.is_dir():
        raise RunDirError(f"{run_dir} is not a directory (give a run directory such as runs/latest)")
    if not (path / "report.json").is_file():
        raise RunDirError(f"{run_dir} is not a ccinspect run directory: it has no report.json")
    return path


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RunDirError(f"cannot read {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise RunDirError(f"{path} is not valid JSON: {exc}") from exc


def _merge_call_files(path: Path, raw: dict[str, Any]) -> None:
    """Add calls (and their media) that only ``calls/*.json`` holds, in file-name order."""
    facts = raw.setdefault("facts", {})
    if not isinstance(facts, dict):
        return
    calls = facts.setdefault("calls", [])
    media = raw.setdefault("media", {})
    if not isinstance(calls, list) or not isinstance(media, dict):
        return
    known = {c.get("key") for c in calls if isinstance(c, dict)}
    for file in sorted((path / "calls").glob("*.json")):
        data = _read_json(file)
        fact = data.get("fact") if isinstance(data, dict) else None
        if not isinstance(fact, dict) or fact.get("key") in known:
            continue
        calls.append(fact)
        known.add(fact.get("key"))
        if isinstance(data.get("media"), list):
            media.setdefault(fact.get("key"), data["media"])


def _inside(root: Path, candidate: Path) -> Path | None:
    try:
        resolved = candidate.resolve()
        resolved.relative_to(root)
    except (OSError, ValueError):
        return None
    return resolved if resolved.is_file() else None


def _recording_files(path: Path, raw: dict[str, Any]) -> dict[str, Path]:
    """Call key → its recording's file: ``recordings/<name>`` or ``recordings/<name>.<ext>``."""
    folder = path / "recordings"
    try:
        present = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    except OSError:
        present = []
    by_stem: dict[str, str] = {}
    for name in present:
        by_stem.setdefault(name.rsplit(".", 1)[0], name)
    names = set(present)
    found: dict[str, Path] = {}
    for rec in (raw.get("facts") or {}).get("recordings") or ():
        name, key = rec.get("name"), rec.get("call_key")
        if not isinstance(name, str) or not name or not isinstance(key, str):
            continue
        file = name if name in names else by_stem.get(name)
        hit = _inside(path, folder / file) if file is not None else None
        if hit is not None:
            found[key] = hit
    return found


def _heard_files(path: Path, raw: dict[str, Any]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for refs in (raw.get("media") or {}).values():
        for ref in refs if isinstance(refs, list) else ():
            heard = ref.get("heard") if isinstance(ref, dict) else None
            if isinstance(heard, str) and heard and "\x00" not in heard:
                hit = _inside(path, path / heard)
                if hit is not None:
                    found[heard] = hit
    return found


def _media_pairs(raw: dict[str, Any]) -> None:
    """report.json keeps media as ``{call key: [refs]}``; the dataclass wants ordered pairs."""
    media = raw.get("media")
    if isinstance(media, dict):
        raw["media"] = [[key, refs] for key, refs in media.items()]


def open_run(run_dir: str | Path, *, unmask: bool = False) -> RunReport:
    """Load the run at ``run_dir`` for reporting; numbers masked unless ``unmask``.

    Raises :class:`RunDirError` for a missing directory, an unreadable or invalid report.json,
    another schema, or a field of the wrong type (the message names the key path).
    """
    path = resolve_run_dir(run_dir)
    report_path = path / "report.json"
    raw = _read_json(report_path)
    if not isinstance(raw, dict):
        raise RunDirError(f"{report_path} is not a ccinspect report (expected a JSON object)")
    schema = raw.get("schema")
    if schema != SCHEMA:
        raise RunDirError(f"{report_path} has schema {schema!r}; this ccinspect reads {SCHEMA!r}")
    _merge_call_files(path, raw)
    public, platform = numbers_of_run(raw)
    masker = Masker(public, platform, enabled=not unmask)
    recordings = _recording_files(path, raw)
    heard = _heard_files(path, raw)
    shown = masker.deep(raw)
    _media_pairs(shown)
    try:
        info = decode(RunInfo, shown)
    except DecodeError as exc:
        raise RunDirError(
            f"{report_path}: invalid value at {exc.path.replace('$.', '')}: {exc.problem}"
        ) from exc
    return RunReport(path, info, masker, recordings, heard, unmask)
