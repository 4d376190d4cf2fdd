"""Recording stores the inspector reads through the platform's own interface (R6, R8).

Four kinds, one adapter module each, chosen by the target's ``recordings.kind`` in
:mod:`.stores`: Asterisk ARI (:mod:`.ari`), HTTP (:mod:`.httprec`: a JSON recording search API,
or a plain listing), a mounted directory (:mod:`.directory`) and the platform's database
(:mod:`.sqlrec`). All share one small async interface, :class:`RecordingStore`:
``list(window)`` the recordings (with their time when known), ``fetch(rec)`` the bytes,
``probe_access()`` how the interface answers without and with wrong credentials, and
``retention_policy()`` the purge policy where the platform publishes one.

Stores that search by time (``windowed``: a search API, a database query) list only the given
window; the others list everything and ignore it. A recording's time comes from the interface,
or from its name when the target says how (``name_time``, applied by :class:`NameTimed`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from ccinspect.core.scenario.sources import NameTime
from ccinspect.platform.fieldmap import FieldError, parse_time

__all__ = [
    "AUDIO_EXTENSIONS",
    "AccessProbe",
    "NameTimed",
    "RecordingStore",
    "StoredRecording",
    "TimeWindow",
    "age_days",
    "base_store",
    "file_name",
    "split_name",
    "time_from_name",
]

AUDIO_EXTENSIONS = (".wav", ".WAV", ".gsm", ".ulaw", ".alaw", ".sln", ".mp3", ".ogg")

#: A windowed store listed without a window searches this far back (one day).
DEFAULT_LOOKBACK_S = 86_400.0


@dataclass(frozen=True)
class TimeWindow:
    """Recordings made between ``start`` and ``end`` (epoch seconds)."""

    start: float
    end: float

    @classmethod
    def recent(cls, lookback_s: float = DEFAULT_LOOKBACK_S, *, now: float | None = None) -> TimeWindow:
        """The last ``lookback_s`` seconds, up to a minute ahead (clock skew)."""
        current = time.time() if now is None else now
        return cls(current - lookback_s, current + 60.0)


@dataclass(frozen=True)
class StoredRecording:
    """One recording in a store.

    ``name`` identifies it in the store (unique; no extension for ARI, the relative path without
    extension in a directory tree, the platform's id for a search API or a database), ``format``
    its file extension, ``time`` when it was made (epoch seconds; None when unknown), ``size``
    in bytes if listed, and ``locator`` where the adapter fetches it from (a URL or a path) when
    the name alone does not say.
    """

    name: str
    format: str
    time: float | None = None
    size: int | None = None
    locator: str | None = None


@dataclass(frozen=True)
class AccessProbe:
    """How the store answered an anonymous and a wrong-password request (None: unreachable);
    ``redirects``: ``(who, where)`` for a request answered by a redirect that did not lead to
    audio (a login page); ``default_accounts``: ``("admin/admin", status)`` per account tried."""

    url: str
    anonymous_status: int | None
    wrong_credentials_status: int | None
    error: str | None = None
    redirects: tuple[tuple[str, str], ...] = ()
    default_accounts: tuple[tuple[str, int], ...] = ()


class RecordingStore(Protocol):
    """What the runner needs from a recording store."""

    kind: str
    #: True when ``list`` searches the given time window (a search API, a database query).
    windowed: bool

    async def list(self, window: TimeWindow | None = None) -> Sequence[StoredRecording]: ...

    async def fetch(self, rec: StoredRecording) -> bytes: ...

    async def probe_access(self, accounts: Sequence[tuple[str, str]] = ()) -> AccessProbe:
        """Anonymous, wrong-password and ``accounts`` (well-known defaults) requests."""
        ...

    async def retention_policy(self) -> int | None:
        """The purge policy in days the platform publishes, None when the target names no
        place to read it; AdapterError when it is named but cannot be read."""
        ...


def split_name(filename: str) -> tuple[str, str]:
    """``"a/b.wav"`` → ``("a/b", "wav")``; a name without extension is taken as WAV."""
    stem, dot, ext = filename.rpartition(".")
    if not dot or "/" in ext:
        return filename, "wav"
    return stem, ext


def file_name(rec: StoredRecording) -> str:
    """The recording's file name in a run directory and in the facts: its name with the
    extension, path separators and unsafe characters made ``_`` (``2026/12/07/a`` →
    ``2026_12_07_a.wav``), so each recording is one flat file the report can find."""
    flat = "".join(c if c.isalnum() or c in "-_." else "_" for c in rec.name.replace("/", "_"))
    return f"{flat.lstrip('.') or 'recording'}.{rec.format}"


def time_from_name(name: str, spec: NameTime) -> float | None:
    """The time written in a recording's ``name`` as ``spec`` says (None when it does not
    match or does not parse): group ``time`` of the pattern, else its first group, else the
    whole match. The pattern is searched in the last path component first, then in the name."""
    pattern = re.compile(spec.pattern)
    for text in (name.rsplit("/", 1)[-1], name):
        m = pattern.search(text)
        if m is None:
            continue
        groups = m.groupdict()
        value = groups.get("time") or (m.group(1) if m.re.groups else m.group(0))
        try:
            return parse_time(value, spec.time)
        except FieldError:
            return None
    return None


def age_days(rec: StoredRecording, *, now: float | None = None) -> float | None:
    """Age of a recording in days from its time, None when its time is unknown."""
    if rec.time is None:
        return None
    current = time.time() if now is None else now
    return (current - rec.time) / 86400.0


def base_store(store: RecordingStore) -> RecordingStore:
    """The adapter under a :class:`NameTimed` wrapper (the store itself otherwise)."""
    return store.inner if isinstance(store, NameTimed) else store


class NameTimed:
    """A store whose recordings take their time from their name (the target's ``name_time``),
    for interfaces that give none; a name the pattern does not match keeps the store's time."""

    def __init__(self, inner: RecordingStore, spec: NameTime) -> None:
        self.inner = inner
        self.spec = spec
        self.kind = inner.kind
        self.windowed = inner.windowed

    async def list(self, window: TimeWindow | None = None) -> Sequence[StoredRecording]:
        out = []
        for rec in await self.inner.list(window):
            stamp = time_from_name(rec.name, self.spec)
            out.append(replace(rec, time=stamp) if stamp is not None else rec)
        return out

    async def fetch(self, rec: StoredRecording) -> bytes:
        return await self.inner.fetch(rec)

    async def probe_access(self, accounts: Sequence[tuple[str, str]] = ()) -> AccessProbe:
        return await self.inner.probe_access(accounts)

    async def retention_policy(self) -> int | None:
        return await self.inner.retention_policy()
