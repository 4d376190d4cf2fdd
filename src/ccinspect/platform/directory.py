"""Recordings in a mounted directory (no interface, so no access control to probe)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ccinspect.platform.errors import AdapterError
from ccinspect.platform.recordings import AUDIO_EXTENSIONS, AccessProbe, StoredRecording

__all__ = ["DirectoryRecordings"]


class DirectoryRecordings:
    """Recordings in a mounted directory (no access control to probe: reported as unknown)."""

    kind = "directory"

    def __init__(self, path: Path) -> None:
        self.path = path

    async def list(self) -> Sequence[StoredRecording]:
        if not self.path.is_dir():
            raise AdapterError(
                f"recording directory {self.path} does not exist", f"录音目录 {self.path} 不存在"
            )
        out = []
        for p in sorted(self.path.iterdir()):
            if p.is_file() and p.suffix in AUDIO_EXTENSIONS:
                st = p.stat()
                out.append(StoredRecording(p.stem, p.suffix.lstrip("."), st.st_mtime, st.st_size))
        return out

    async def fetch(self, rec: StoredRecording) -> bytes:
        try:
            return (self.path / f"{rec.name}.{rec.format}").read_bytes()
        except OSError as exc:
            raise AdapterError(f"cannot read {rec.name}: {exc}", f"无法读取录音 {rec.name}") from exc

    async def probe_access(self) -> AccessProbe:
        return AccessProbe(str(self.path), None, None, "a mounted directory has no access control to probe")
