"""Recording files under the recording root: safe lookup and the retention purge."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from .records import CallRecord
from .store import ConsoleStore

log = logging.getLogger(__name__)

RECORDING_SUFFIX = ".wav"


def recording_path(root: Path, record_file: str) -> Path | None:
    """The file ``record_file`` names under ``root``, or None when it is empty, escapes the root
    (``..``, an absolute path, a symlink out) or is not a regular file."""
    if not record_file:
        return None
    base = root.resolve()
    path = (base / record_file).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        return None
    return path


def existing_recording(root: Path, call: CallRecord | None) -> Path | None:
    """The recording file of ``call``, when it has one that exists."""
    return None if call is None else recording_path(root, call.record_file)


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """What one purge did: the retention used and the files it deleted (relative paths)."""

    days: int
    cutoff: datetime
    deleted: tuple[str, ...]


def purge_once(store: ConsoleStore, root: Path, *, min_days: int, now: datetime) -> PurgeResult:
    """Delete recordings older than the retention setting (never fewer than ``min_days`` days).

    A file referenced by a cdr row is old when the row's calldate is; the row's record_file is
    cleared. A file no row references is old when its modification time is.
    """
    days = max(store.retention_days(), min_days)
    cutoff = now - timedelta(days=days)
    deleted: list[str] = []
    for record_file in store.clear_recordings_before(cutoff):
        path = recording_path(root, record_file)
        if path is not None:
            _unlink(path, deleted, record_file)
    if root.is_dir():
        referenced = store.referenced_files()
        base = root.resolve()
        for path in sorted(base.rglob(f"*{RECORDING_SUFFIX}")):
            relative = path.relative_to(base).as_posix()
            if relative in referenced or not path.is_file():
                continue
            try:
                old = path.stat().st_mtime < cutoff.timestamp()
            except FileNotFoundError:
                continue
            if old:
                _unlink(path, deleted, relative)
    if deleted:
        log.info("purge: deleted %d recordings older than %d days (before %s)", len(deleted), days, cutoff)
    return PurgeResult(days=days, cutoff=cutoff, deleted=tuple(deleted))


def _unlink(path: Path, deleted: list[str], name: str) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        return
    except OSError as exc:
        log.warning("purge: cannot delete %s: %s", path, exc)
        return
    deleted.append(name)
