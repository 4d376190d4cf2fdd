"""Owner-thread bookkeeping of one call leg, and how it becomes a frozen :class:`CallRecord`.

A :class:`Leg` is mutable and lives only on the owner thread (inside ``_pj.calls.CallTable``); asyncio
code only ever sees the :class:`CallRecord` built from it by :func:`build_record`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from ccinspect.core.sipheaders import CallerIdentity, extract_identity, parse_sip_message
from ccinspect.sip.records import (
    CallDirection,
    CallRecord,
    CallState,
    Direction,
    DtmfDigit,
    RtpStats,
    SipMessage,
    StateChange,
)

log = logging.getLogger("ccinspect.sip")


@dataclass
class Leg:
    """What the owner thread knows about a call leg while it lives."""

    key: int
    agent_key: int
    outgoing: bool
    call_id: str
    local_uri: str
    remote_uri: str
    invite: str | None = None
    recording: Path | None = None
    stimulus: Path | None = None
    stimulus_leg_id: int | None = None
    timeline: list[StateChange] = field(default_factory=list)
    dtmf_received: list[DtmfDigit] = field(default_factory=list)
    dtmf_sent: str = ""
    rtp: RtpStats | None = None
    media_up: bool = False
    tones_pending: bool = False
    hung_up_by_us: bool = False
    disconnected_at: float | None = None
    closing_since: float | None = None
    """When its recorder was deleted; the record waits for the WAV to be finalized."""
    messages: tuple[SipMessage, ...] = ()


def wav_is_complete(path: Path) -> bool:
    """True when pjmedia's WAV writer has closed ``path``: its RIFF size matches the file.

    pjmedia writes the header with zero sizes and fills them in when the writer is destroyed;
    since pjproject 2.15 that happens asynchronously in the conference bridge's clock thread,
    after ``AudioMediaRecorder`` was deleted.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as wav:
            header = wav.read(8)
    except OSError:
        return False
    return size >= 44 and header[:4] == b"RIFF" and int.from_bytes(header[4:8], "little") + 8 == size


def identity_of(invite: str | None) -> CallerIdentity | None:
    """Caller identity of a raw INVITE, or ``None`` if there is none or it cannot be parsed."""
    if not invite:
        return None
    try:
        return extract_identity(parse_sip_message(invite).headers)
    except Exception as exc:  # noqa: BLE001 - must not raise here; logged
        log.warning("cannot parse caller identity of INVITE: %s", exc)
        return None


def build_record(leg: Leg, agent: str) -> CallRecord:
    """Freeze a finished leg into its :class:`CallRecord`.

    For outgoing legs the INVITE is the first one we sent (as captured on the wire); for
    incoming legs it is the INVITE as received.
    """
    invite = leg.invite
    if leg.outgoing:
        invite = next(
            (m.text for m in leg.messages if m.method == "INVITE" and m.direction is Direction.TX),
            None,
        )
    final = next(
        (c for c in reversed(leg.timeline) if c.state is CallState.DISCONNECTED),
        leg.timeline[-1] if leg.timeline else None,
    )
    recording = leg.recording if leg.recording is not None and leg.recording.exists() else None
    return CallRecord(
        agent=agent,
        leg=leg.key,
        call_id=leg.call_id,
        direction=CallDirection.OUTGOING if leg.outgoing else CallDirection.INCOMING,
        local_uri=leg.local_uri,
        remote_uri=leg.remote_uri,
        timeline=tuple(leg.timeline),
        final_status=final.status if final else 0,
        final_reason=final.reason if final else "",
        messages=leg.messages,
        invite=invite,
        identity=identity_of(invite),
        recording=recording,
        stimulus_leg_id=leg.stimulus_leg_id,
        rtp=leg.rtp,
        dtmf_received=tuple(leg.dtmf_received),
        dtmf_sent=leg.dtmf_sent,
        hung_up_by_us=leg.hung_up_by_us,
    )
