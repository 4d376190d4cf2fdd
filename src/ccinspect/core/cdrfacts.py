"""What a platform's call records and recording files say, as data: the CDR row model, the seat
and recording-key rules, and the result of probing a recording file.

Pure types and rules shared by the platform readers (:mod:`ccinspect.platform.cdr`,
:mod:`ccinspect.platform.wavprobe`, which parse and probe) and the judgments made on them
(:mod:`ccinspect.core.audit`). No I/O here.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from ccinspect.core.verdict import Text

__all__ = [
    "ANSWERED",
    "AUDIO_SUFFIXES",
    "TRUNK_SEAT",
    "CdrProblem",
    "CdrRow",
    "ProbeStatus",
    "RecordingInfo",
    "recording_key",
    "seat_of",
    "seat_pattern_for",
]

ANSWERED = "ANSWERED"
"""The normalised disposition of an answered call."""
TRUNK_SEAT = "trunk"
"""The seat key of a call no seat took part in (trunk to IVR, complaint line)."""
AUDIO_SUFFIXES = (".wav", ".gsm", ".ulaw", ".alaw", ".sln", ".sln16", ".mp3", ".ogg", ".wav49")
"""File suffixes stripped from a recording name to get its key (case-insensitive)."""


@dataclass(frozen=True, slots=True)
class CdrRow:
    """One call as the platform recorded it. Times are aware datetimes; durations seconds.

    ``recording`` is the recording's key (:func:`recording_key`: base name without an audio
    suffix), None when the CDR links none. ``seat`` is an explicit seat column when the source
    has one (see :func:`seat_of` otherwise). ``source``/``line`` locate the row for evidence.
    """

    source: str
    line: int
    uniqueid: str
    start: datetime
    disposition: str
    billsec: float
    answer: datetime | None = None
    end: datetime | None = None
    src: str = ""
    dst: str = ""
    channel: str = ""
    dstchannel: str = ""
    duration: float | None = None
    direction: str | None = None
    recording: str | None = None
    seat: str | None = None

    @property
    def answered(self) -> bool:
        """True when the platform says the call was answered."""
        return self.disposition == ANSWERED


@dataclass(frozen=True, slots=True)
class CdrProblem:
    """A CDR line that could not be used: where it is and why (English and Chinese)."""

    source: str
    line: int
    message: Text

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message.en} / {self.message.zh}"


def recording_key(name: str | None) -> str | None:
    """The key a recording is looked up by: base name, audio suffix removed; None for blank.

    ``"/var/spool/asterisk/recording/20261129-152257_in_x.wav"`` → ``"20261129-152257_in_x"``.
    """
    if name is None or not name.strip():
        return None
    base = PurePosixPath(name.strip().replace("\\", "/")).name
    lower = base.lower()
    for suffix in AUDIO_SUFFIXES:
        if lower.endswith(suffix) and len(base) > len(suffix):
            return base[: -len(suffix)]
    return base


_CHANNEL = re.compile(r"^[^/]+/(?P<res>[^@;]+?)(?:-[0-9a-fA-F]{4,}(?:;\d)?)?(?:@.*)?$")


def _channel_endpoint(channel: str) -> str | None:
    """``PJSIP/8001-0000000d`` → ``8001``; ``Local/8001@ctx-0001;1`` → ``8001``."""
    match = _CHANNEL.match(channel.strip())
    return match["res"] if match else None


def seat_pattern_for(names: Iterable[str]) -> re.Pattern[str]:
    """A pattern matching exactly the given seat names (a target's seat ids and SIP usernames);
    with no names it matches nothing."""
    unique = sorted({n for n in names if n}, key=lambda n: (-len(n), n))
    return re.compile("|".join(re.escape(n) for n in unique) if unique else r"(?!)")


def seat_of(row: CdrRow, pattern: re.Pattern[str] | None = None) -> str:
    """The seat of a call: an explicit seat column, else the first extension matching
    ``pattern`` in channel, dstchannel, src, dst (in that order), else :data:`TRUNK_SEAT`.

    ``pattern`` comes from the target file (``audit.seat_pattern``, by default its seats: see
    :func:`seat_pattern_for`); None: only an explicit seat column names a seat. The channels
    come first because platforms rewrite ``src`` on outbound calls (to the presented number)
    while the channel still names the seat's endpoint.
    """
    if row.seat:
        return row.seat
    if pattern is None:
        return TRUNK_SEAT
    candidates = (_channel_endpoint(row.channel), _channel_endpoint(row.dstchannel), row.src, row.dst)
    for candidate in candidates:
        if candidate and pattern.fullmatch(candidate):
            return candidate
    return TRUNK_SEAT


class ProbeStatus(enum.Enum):
    """How probing a file ended.

    * ``OK``: the header was read and every sampled window decoded.
    * ``UNDECODABLE``: the file is there but is not a recording we can decode (bad or truncated
      header, unknown format): a finding about the platform.
    * ``VANISHED``: the file disappeared between listing and probing: counted as missing.
    * ``UNREADABLE``: ccinspect could not read it (permission denied, probe deadline passed):
      the call is unchecked, not a finding.
    """

    OK = "ok"
    UNDECODABLE = "undecodable"
    VANISHED = "vanished"
    UNREADABLE = "unreadable"


@dataclass(frozen=True, slots=True)
class RecordingInfo:
    """One recording file as probed.

    ``duration_s`` is the length of the audio (None unless known); ``loudest_window_dbfs`` the
    level of the loudest window measured, DC offset removed (AES17 dBFS, None when no window
    could be measured); ``windows`` how many windows were measured; ``scanned`` True when the
    sampled windows all sounded silent and the whole audio was then measured (up to
    :data:`SCAN_MAX_BYTES`) to confirm it; ``detail`` / ``detail_zh`` name the file and say
    what went wrong when ``status`` is not OK (English / Chinese).
    """

    name: str
    path: str
    status: ProbeStatus
    size: int | None = None
    duration_s: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    encoding: str | None = None
    loudest_window_dbfs: float | None = None
    windows: int = 0
    scanned: bool = False
    detail: str | None = None
    detail_zh: str | None = None
