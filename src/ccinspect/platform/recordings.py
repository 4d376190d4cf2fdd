"""Recording stores the inspector reads through the platform's own interface (R6, R8).

Three kinds: Asterisk ARI (``/ari/recordings/stored``), a plain HTTP listing (a directory index
or a JSON list of names), and a mounted directory: one adapter module each (:mod:`.ari`,
:mod:`.httprec`, :mod:`.directory`; :mod:`.stores` picks one from the target file). All share one
small async interface:
``list()`` names with their sizes/mtimes, ``fetch(name)`` bytes, and ``probe_access()`` which
reports how the store answers without and with wrong credentials.
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

AUDIO_EXTENSIONS = (".wav", ".WAV", ".gsm", ".ulaw", ".alaw", ".sln", ".mp3", ".ogg")


@dataclass(frozen=True)
class StoredRecording:
    """One recording in a store: its name (no extension for ARI), format and, if known, age."""

    name: str
    format: str
    mtime: float | None = None
    size: int | None = None


@dataclass(frozen=True)
class AccessProbe:
    """How the store answered an anonymous and a wrong-password request (None: unreachable)."""

    url: str
    anonymous_status: int | None
    wrong_credentials_status: int | None
    error: str | None = None


class RecordingStore(Protocol):
    """What the runner needs from a recording store."""

    kind: str

    async def list(self) -> Sequence[StoredRecording]: ...

    async def fetch(self, rec: StoredRecording) -> bytes: ...

    async def probe_access(self) -> AccessProbe: ...


def age_days(rec: StoredRecording, *, now: float | None = None) -> float | None:
    """Age of a recording in days from its mtime, or from a YYYYMMDD-HHMMSS prefix in its name."""
    current = time.time() if now is None else now
    if rec.mtime is not None:
        return (current - rec.mtime) / 86400.0
    m = re.match(r"(\d{8})-(\d{6})", rec.name)
    if not m:
        return None
    # The demo PBX names recordings in the chroot's time zone, UTC.
    stamp = calendar.timegm(time.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M%S"))
    return (current - stamp) / 86400.0
