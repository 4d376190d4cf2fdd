"""A run directory (``runs/<run-id>/``) loaded for reporting: the run document, masked.

:func:`open_run` reads the directory with :mod:`ccinspect.rundir` (``runs/latest`` is a
symlink; calls found only in ``calls/*.json`` are added), masks the data (:mod:`.masking`) and
decodes it with the one reader, :meth:`~ccinspect.core.rundoc.RunDocument.from_json`. Files
the report links to are resolved from the *unmasked* data, and only inside the run directory:
a recording name from the platform can never point outside it. Screenshots of the web console
are resolved the same way (only existing image files inside the run directory).

Everything wrong with the directory raises :class:`RunDirError` saying which file and key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ccinspect.core.rundoc import MediaRef, RunDocument, RunDocumentError
from ccinspect.report.errors import RunDirError
from ccinspect.report.masking import Masker, numbers_of_run
from ccinspect.rundir import decode_raw, read_raw

__all__ = ["RunReport", "open_run"]


@dataclass(frozen=True)
class RunReport:
    """A loaded run: its directory, the decoded (masked unless ``unmasked``) data and its files.

    ``recording_files`` maps a call key to its recording's file; ``heard_files`` maps a heard
    path as written in report.json to the file; ``screenshot_files`` maps a screenshot path
    (``screenshots/NN-step.png``, of a ScreenshotFact, a player, a ticket or a web reading) as
    the decoded document shows it to the image. All hold only existing files inside ``path``.
    """

    path: Path
    info: RunDocument
    masker: Masker
    recording_files: dict[str, Path]
    heard_files: dict[str, Path]
    unmasked: bool
    screenshot_files: dict[str, Path]

    def media_for(self, call_key: str) -> tuple[MediaRef, ...]:
        """The legs' audio of call ``call_key`` (empty when the run recorded none)."""
        return self.info.media_for(call_key)


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


_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg"})


def _screenshot_paths(facts: dict[str, Any]) -> Iterator[object]:
    """Every screenshot path report.json names (raw values: anything may be there)."""
    for shot in facts.get("screenshots") or ():
        yield shot.get("path") if isinstance(shot, dict) else None
    for rec in facts.get("recordings") or ():
        player = rec.get("player") if isinstance(rec, dict) else None
        yield player.get("screenshot") if isinstance(player, dict) else None
    for item in (*(facts.get("tickets") or ()), *(facts.get("web_readings") or ())):
        yield item.get("screenshot") if isinstance(item, dict) else None


def _screenshot_files(path: Path, raw: dict[str, Any], masker: Masker) -> dict[str, Path]:
    """Screenshot path (as the masked document will show it) → the image inside the run."""
    found: dict[str, Path] = {}
    for name in _screenshot_paths(raw.get("facts") or {}):
        if not isinstance(name, str) or not name or "\x00" in name:
            continue
        hit = _inside(path, path / name)
        if hit is not None and hit.suffix.lower() in _IMAGE_SUFFIXES:
            # keyed by the masked form: the view looks files up with the decoded (masked) value
            found[masker.text(name)] = hit
    return found


def open_run(run_dir: str | Path, *, unmask: bool = False) -> RunReport:
    """Load the run at ``run_dir`` for reporting; numbers masked unless ``unmask``.

    Raises :class:`RunDirError` for a missing directory, an unreadable or invalid report.json,
    another schema, or a field of the wrong type (the message names the key path).
    """
    try:
        loaded = read_raw(run_dir)
        raw = loaded.data
        public, platform = numbers_of_run(raw)
        masker = Masker(public, platform, enabled=not unmask)
        recordings = _recording_files(loaded.path, raw)
        heard = _heard_files(loaded.path, raw)
        shots = _screenshot_files(loaded.path, raw, masker)
        info = decode_raw(loaded, masker.deep(raw))
    except RunDocumentError as exc:
        raise RunDirError(exc.message) from exc
    return RunReport(loaded.path, info, masker, recordings, heard, unmask, shots)
