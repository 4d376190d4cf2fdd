"""Recordings in a mounted directory (no interface, so no access control to probe).

With ``recursive`` (the default) the whole tree is read, so ``YYYY/MM/DD/<id>.wav`` layouts
work; a recording's name is its path relative to the directory without the extension
(``2026/12/07/1733559600.12``), unique across the tree. Its time is the file's modification
time (the target's ``name_time`` overrides it, see :mod:`.stores`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from ccinspect.platform.errors import AdapterError
from ccinspect.platform.recordings import AUDIO_EXTENSIONS, AccessProbe, StoredRecording, TimeWindow

__all__ = ["DirectoryRecordings"]

#: At most this many files are listed (a bound on a huge archive; the newest are kept).
MAX_FILES = 200_000


class DirectoryRecordings:
    """Recordings in a mounted directory (no access control to probe: reported as unknown)."""

    kind = "directory"
    windowed = False

    def __init__(self, path: Path, *, recursive: bool = True) -> None:
        self.path = path
        self.recursive = recursive

    def _scan(self) -> list[StoredRecording]:
        if not self.path.is_dir():
            raise AdapterError(
                f"recording directory {self.path} does not exist", f"录音目录 {self.path} 不存在"
            )
        files = self.path.rglob("*") if self.recursive else self.path.iterdir()
        out = []
        try:
            for p in files:
                if p.suffix in AUDIO_EXTENSIONS and p.is_file():
                    st = p.stat()
                    rel = p.relative_to(self.path).with_suffix("").as_posix()
                    out.append(StoredRecording(rel, p.suffix.lstrip("."), st.st_mtime, st.st_size, str(p)))
        except OSError as exc:
            raise AdapterError(
                f"cannot read recording directory {self.path}: {exc}", f"无法读取录音目录 {self.path}"
            ) from exc
        out.sort(key=lambda r: r.name)
        if len(out) > MAX_FILES:
            out = sorted(out, key=lambda r: r.time or 0.0)[-MAX_FILES:]
        return out

    async def list(self, window: TimeWindow | None = None) -> Sequence[StoredRecording]:
        del window  # a directory lists everything; recordings are matched by content
        return await asyncio.to_thread(self._scan)

    async def fetch(self, rec: StoredRecording) -> bytes:
        path = Path(rec.locator) if rec.locator else self.path / f"{rec.name}.{rec.format}"
        try:
            return await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            raise AdapterError(f"cannot read {rec.name}: {exc}", f"无法读取录音 {rec.name}") from exc

    async def probe_access(self, accounts: Sequence[tuple[str, str]] = ()) -> AccessProbe:
        del accounts  # a directory has no accounts
        return AccessProbe(str(self.path), None, None, "a mounted directory has no access control to probe")

    async def retention_policy(self) -> int | None:
        return None
