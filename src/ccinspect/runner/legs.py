"""Turning the SIP engine's call records into facts, and telling which legs belong together.

A B2BUA (the PBX) gives the two halves of one call different Call-IDs, so the runner links a
callee leg to the call that caused it by evidence: first by whose fingerprint the callee heard,
then by the number it was offered, then by arrival order. Audio analysis runs in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from ccinspect.core.facts import AudioFact, LegFact, LegRole, MessageDirection, SipMessageFact
from ccinspect.core.numbers import same_number
from ccinspect.media.analysis import LegAudio, analyse_heard
from ccinspect.media.detector import Detection, detect_all
from ccinspect.media.fingerprint import fingerprint_for
from ccinspect.media.io import load_wav
from ccinspect.sip import CallRecord, CallState, Direction


def message_facts(record: CallRecord) -> tuple[SipMessageFact, ...]:
    """Every SIP message of a leg as plain facts (wall time, direction, agent, raw text)."""
    return tuple(
        SipMessageFact(
            at=m.at.wall,
            direction=MessageDirection.SENT if m.direction is Direction.TX else MessageDirection.RECEIVED,
            agent=record.agent,
            text=m.text,
        )
        for m in record.messages
    )


def _times(record: CallRecord) -> tuple[float | None, float | None]:
    connected = next((c.at.wall for c in record.timeline if c.state is CallState.CONFIRMED), None)
    ended = next((c.at.wall for c in record.timeline if c.state is CallState.DISCONNECTED), None)
    return connected, ended


def leg_fact(record: CallRecord, role: LegRole, *, audio: AudioFact | None = None) -> LegFact:
    """A sealed leg as a :class:`LegFact`; ``audio`` from :func:`analyse_leg` when linked."""
    connected, ended = _times(record)
    loss = jitter = None
    if record.rtp is not None and record.rtp.rx_packets + record.rtp.rx_loss > 0:
        loss = record.rtp.rx_loss / (record.rtp.rx_packets + record.rtp.rx_loss)
        jitter = record.rtp.rx_jitter_us / 1000.0
    return LegFact(
        agent=record.agent,
        role=role,
        sip_call_id=record.call_id,
        final_status=record.final_status or None,
        final_reason=record.final_reason,
        answered=record.answered,
        connected_at=connected,
        disconnected_at=ended,
        invite=record.invite,
        messages=message_facts(record),
        audio=audio,
        stimulus=record.stimulus_leg_id if record.answered else None,
        rtcp_loss=loss,
        rtcp_jitter_ms=jitter,
    )


def _analyse(record: CallRecord, far: int) -> LegAudio | None:
    if record.recording is None or record.stimulus_leg_id is None:
        return None
    audio, rate = load_wav(record.recording)
    return analyse_heard(
        audio,
        rate,
        leg_id=record.stimulus_leg_id,
        far_fp=fingerprint_for(far),
        own_fp=fingerprint_for(record.stimulus_leg_id),
    )


async def analyse_leg(record: CallRecord, far: int | None) -> AudioFact | None:
    """What ``record``'s leg heard of the far leg's fingerprint ``far`` (None: nothing to judge)."""
    if far is None or record.stimulus_leg_id is None or not record.answered:
        return None
    result = await asyncio.to_thread(_analyse, record, far)
    if result is None:
        return None
    return AudioFact(
        own_fingerprint=record.stimulus_leg_id,
        far_fingerprint=far,
        far_found=result.far.found,
        far_level_dbfs=result.far.level_dbfs,
        far_delay_s=result.far.first_offset_s,
        silence_share=result.silence_share,
        duration_s=result.duration_s,
    )


def _heard(record: CallRecord, candidates: Sequence[int]) -> dict[int, Detection]:
    if record.recording is None or not candidates:
        return {}
    audio, rate = load_wav(record.recording)
    return dict(detect_all(audio, rate, [fingerprint_for(c) for c in candidates]))


@dataclass(frozen=True)
class Origin:
    """A call we placed, as far as linking needs it: its key, fingerprint and offered number."""

    key: str
    stimulus: int | None
    number: str | None
    started_at: float


#: How a call without a calling number may show at the callee (absent, withheld).
_ABSENT = frozenset({"", "anonymous", "unknown", "restricted", "private"})


def _same_offer(origin: str | None, offered: str | None) -> bool:
    """Whether a callee leg that was offered ``offered`` can belong to a call that sent ``origin``."""
    if offered is None or offered.lower() in _ABSENT:
        return origin is not None and origin.lower() in _ABSENT
    return origin is not None and same_number(origin, offered)


async def link_callee_legs(
    callees: Sequence[CallRecord], origins: Sequence[Origin], *, number_of: str = "from"
) -> dict[int, str]:
    """Map each callee leg (by index) to the key of the call that caused it.

    A call may reach several callees (a queue that rings every seat: one answers, the others ring
    or answer busy), so a call may have several legs, but a leg has one call:

    1. the leg that heard a call's fingerprint answered that call (strongest score first; one
       answering leg per call);
    2. a leg offered a call's number (``number_of`` "from": the callee's From/PAI user; "ruri": the
       dialled number in the request URI; no number matches a call sent without one) belongs to
       it; when several calls of the batch offered that number, the earliest without a leg yet;
    3. a leg that shows nothing to go by goes to a call that has no leg at all, in start order.

    A leg offered a number that no call of the batch sent stays unlinked (it is returned to the
    caller as unclaimed evidence, never attributed to a call it cannot belong to).
    """
    links: dict[int, str] = {}
    answered_by: set[str] = set()
    stimuli = [o.stimulus for o in origins if o.stimulus is not None]
    heard = await asyncio.gather(*(asyncio.to_thread(_heard, r, stimuli) for r in callees))
    by_stimulus = {o.stimulus: o for o in origins if o.stimulus is not None}
    pairs: list[tuple[float, int, str]] = []
    for i, detections in enumerate(heard):
        for sid, det in detections.items():
            if det.found and sid in by_stimulus:
                pairs.append((det.score, i, by_stimulus[sid].key))
    for _, i, key in sorted(pairs, reverse=True):
        if i not in links and key not in answered_by:
            links[i] = key
            answered_by.add(key)
    ordered = sorted(origins, key=lambda o: o.started_at)
    blind: list[int] = []
    for i, record in enumerate(callees):
        if i in links:
            continue
        offered = _offered_number(record, number_of)
        candidates = [o for o in ordered if _same_offer(o.number, offered)]
        if not candidates:
            if offered is None:
                blind.append(i)
            continue
        linked = set(links.values())
        links[i] = next((o for o in candidates if o.key not in linked), candidates[0]).key
    for i in blind:
        linked = set(links.values())
        free = next((o for o in ordered if o.key not in linked), None)
        if free is not None:
            links[i] = free.key
    return links


def _offered_number(record: CallRecord, number_of: str) -> str | None:
    if number_of == "ruri":
        first = (record.invite or "").split("\r\n", 1)[0]
        part = first.split(" ")[1] if " " in first else ""
        user = part.split(":", 1)[-1].split("@", 1)[0]
        return user or None
    if record.identity is None:
        return None
    return record.identity.presented_number()
