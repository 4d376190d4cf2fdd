"""Builders for the check tests: hand-made facts and realistic raw SIP INVITEs (no tests here).

Numbers follow the demo platform (docker/asterisk/numbers.conf): access number 950512, fixed
line 051268880000 (the allocated outbound caller ID), seats 8001-8005, trunk at 127.0.0.1:5070.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from ccinspect.core.checks.base import CheckContext, ScreeningExpectation, SeatRef
from ccinspect.core.facts import (
    TRUNK,
    AudioFact,
    CallFact,
    CallPurpose,
    LegFact,
    LegRole,
    RecordingFact,
    RecordingSource,
    RegistrationFact,
    RunFacts,
    seat_agent,
)
from ccinspect.core.numbers import ScreeningAction

SEATS = ("8001", "8002", "8003", "8004", "8005")
PBX = "127.0.0.1:5060"
TRUNK_HOST = "127.0.0.1:5070"
ALLOCATED = "051268880000"
T0 = 1_767_225_600.0  # 2026-01-01 00:00:00 UTC: call times in the tests are offsets from here

_ids = itertools.count(1)


def invite(
    to_number: str,
    *,
    from_number: str | None,
    to_host: str = TRUNK_HOST,
    from_host: str = PBX,
    display: str | None = None,
    pai: Sequence[str] = (),
    rpid: Sequence[str] = (),
    privacy: str | None = None,
    screening: str | None = None,
    extra: Sequence[str] = (),
) -> str:
    """A raw INVITE as an Asterisk PBX sends it (CRLF line ends, SDP body).

    ``from_number`` None gives an anonymous From; ``pai``/``rpid`` are full header values;
    ``extra`` are whole header lines added before Content-Type.
    """
    n = next(_ids)
    user = from_number if from_number is not None else "anonymous"
    host = from_host if from_number is not None else "anonymous.invalid"
    name = f'"{display}" ' if display else ""
    headers = [
        f"INVITE sip:{to_number}@{to_host} SIP/2.0",
        f"Via: SIP/2.0/UDP {from_host};rport;branch=z9hG4bKPj{n:08x}",
        f"From: {name}<sip:{user}@{host}>;tag=as{n:06d}",
        f"To: <sip:{to_number}@{to_host}>",
        f"Contact: <sip:asterisk@{from_host}>",
        f"Call-ID: {n:08x}-4c2e-11f0-9d6b-0242ac120002",
        "CSeq: 29871 INVITE",
        "Allow: OPTIONS, REGISTER, SUBSCRIBE, NOTIFY, PUBLISH, INVITE, ACK, BYE, CANCEL, UPDATE",
        "Supported: 100rel, timer, replaces, norefersub",
        "Session-Expires: 1800",
        "Max-Forwards: 70",
        "User-Agent: Asterisk PBX 22.10.1",
        *(f"P-Asserted-Identity: {v}" for v in pai),
        *(f"Remote-Party-ID: {v}" for v in rpid),
        *([f"Privacy: {privacy}"] if privacy is not None else []),
        *([f"X-Caller-Screening: {screening}"] if screening is not None else []),
        *extra,
        "Content-Type: application/sdp",
    ]
    body = (
        "v=0\r\n"
        f"o=- {n} {n} IN IP4 127.0.0.1\r\n"
        "s=Asterisk\r\n"
        "c=IN IP4 127.0.0.1\r\n"
        "t=0 0\r\n"
        "m=audio 10000 RTP/AVP 8 0 101\r\n"
        "a=rtpmap:8 PCMA/8000\r\n"
        "a=rtpmap:0 PCMU/8000\r\n"
        "a=rtpmap:101 telephone-event/8000\r\n"
        "a=sendrecv\r\n"
    )
    headers.append(f"Content-Length: {len(body.encode())}")
    return "\r\n".join(headers) + "\r\n\r\n" + body


def pai_of(number: str, host: str = PBX) -> str:
    """A P-Asserted-Identity value for ``number``."""
    return f"<sip:{number}@{host}>"


def audio(own: int, far: int, *, heard: bool = True) -> AudioFact:
    """What one leg heard: its own fingerprint ``own``, the far one ``far`` (heard or not)."""
    return AudioFact(
        own_fingerprint=own,
        far_fingerprint=far,
        far_found=heard,
        far_level_dbfs=-18.5 if heard else None,
        far_delay_s=0.08 if heard else None,
        silence_share=0.1 if heard else 0.98,
        duration_s=4.0,
    )


def leg(
    agent: str,
    role: LegRole,
    *,
    status: int | None = 200,
    reason: str | None = None,
    answered: bool | None = None,
    invite_text: str | None = None,
    heard: AudioFact | None = None,
    start: float = T0,
    connected_s: float = 6.0,
    error: str | None = None,
) -> LegFact:
    """One leg; answered defaults to ``status == 200``, connected ``connected_s`` seconds."""
    is_answered = (status == 200) if answered is None else answered
    reasons = {200: "OK", 403: "Forbidden", 480: "Temporarily Unavailable", 487: "Request Terminated"}
    return LegFact(
        agent=agent,
        role=role,
        sip_call_id=f"{next(_ids):08x}@ccinspect",
        final_status=status,
        final_reason=reason if reason is not None else reasons.get(status or 0, ""),
        answered=is_answered,
        connected_at=start + 1.0 if is_answered else None,
        disconnected_at=start + 1.0 + connected_s if is_answered else None,
        invite=invite_text,
        audio=heard if is_answered else None,
        error=error,
    )


def call(
    key: str,
    purpose: CallPurpose,
    legs: Sequence[LegFact],
    *,
    requested: str,
    caller_sent: str | None,
    start: float = T0,
    harness_error: str | None = None,
) -> CallFact:
    """A call with its legs, started at ``start`` and ended 10 s later."""
    return CallFact(
        key=key,
        purpose=purpose,
        legs=tuple(legs),
        requested_number=requested,
        caller_number_sent=caller_sent,
        started_at=start,
        ended_at=start + 10.0,
        harness_error=harness_error,
    )


def fingerprints(key: str) -> tuple[int, int]:
    """Two distinct fingerprint ids for a call (caller's, callee's), stable per key."""
    base = sum(key.encode()) * 2
    return base, base + 1


def inbound_call(
    seat: str | None,
    caller: str,
    *,
    key: str | None = None,
    seat_invite: str | None = None,
    trunk_status: int = 200,
    trunk_heard: bool = True,
    seat_heard: bool = True,
) -> CallFact:
    """Trunk → 950512 → ``seat`` (None: no seat leg). The seat's INVITE passes the caller through."""
    k = key or f"inbound-{seat}"
    a, b = fingerprints(k)
    legs = [
        leg(
            TRUNK,
            LegRole.CALLER,
            status=trunk_status,
            invite_text=invite("950512", from_number=caller, from_host=TRUNK_HOST, to_host=PBX),
            heard=audio(a, b, heard=trunk_heard),
        )
    ]
    if seat is not None:
        text = seat_invite or invite(
            seat, from_number=caller, to_host=f"127.0.0.1:{seat}", pai=[pai_of(caller)]
        )
        legs.append(
            leg(seat_agent(seat), LegRole.CALLEE, invite_text=text, heard=audio(b, a, heard=seat_heard))
        )
    return call(k, CallPurpose.INBOUND, legs, requested="950512", caller_sent=caller)


def outbound_call(
    seat: str,
    dest: str = "13800138888",
    *,
    key: str | None = None,
    purpose: CallPurpose = CallPurpose.OUTBOUND,
    sent_from: str | None = None,
    trunk_invite: str | None = "default",
    seat_status: int = 200,
    seat_heard: bool = True,
    trunk_heard: bool = True,
) -> CallFact:
    """``seat`` → ``dest`` over the trunk. ``trunk_invite`` None: nothing reached the trunk."""
    k = key or f"outbound-{seat}"
    a, b = fingerprints(k)
    sent = sent_from if sent_from is not None else seat
    legs = [
        leg(
            seat_agent(seat),
            LegRole.CALLER,
            status=seat_status,
            invite_text=invite(dest, from_number=sent, from_host=f"127.0.0.1:{seat}", to_host=PBX),
            heard=audio(a, b, heard=seat_heard),
        )
    ]
    if trunk_invite is not None:
        text = (
            invite(dest, from_number=ALLOCATED, pai=[pai_of(ALLOCATED)])
            if trunk_invite == "default"
            else trunk_invite
        )
        legs.append(
            leg(
                TRUNK,
                LegRole.CALLEE,
                status=seat_status,
                invite_text=text,
                heard=audio(b, a, heard=trunk_heard),
            )
        )
    caller_sent = sent_from if purpose is CallPurpose.FORGED_CALLER_ID else seat
    return call(k, purpose, legs, requested=dest, caller_sent=caller_sent)


def registered(*seats: str) -> tuple[RegistrationFact, ...]:
    """Successful registrations for ``seats``."""
    return tuple(RegistrationFact(s, True, 200, "OK") for s in seats)


def recording_of(
    c: CallFact,
    *,
    duration: float | None = None,
    found: dict[int, bool] | None = None,
    name: str | None = "auto",
    fetched: bool = True,
    status: int | None = 200,
    decode_error: str | None = None,
    error: str | None = None,
    source: RecordingSource = RecordingSource.ARI,
) -> RecordingFact:
    """The recording of ``c``: by default as long as the call, with every answered leg audible."""
    connected = max((lg.connected_s or 0.0) for lg in c.legs)
    prints = {lg.audio.own_fingerprint: True for lg in c.legs if lg.audio is not None}
    prints.update(found or {})
    return RecordingFact(
        call_key=c.key,
        name=f"20260101-000001_{c.key}_1767225600-{len(c.key)}.wav" if name == "auto" else name,
        source=source,
        fetched=fetched,
        fetch_status=status,
        duration_s=connected if duration is None else duration,
        expected_duration_s=connected,
        fingerprints=tuple(prints.items()),
        decode_error=decode_error,
        error=error,
    )


def context(**overrides: object) -> CheckContext:
    """The demo platform's policy, with ``overrides``."""
    values: dict[str, object] = {
        "seats": tuple(SeatRef(s, s) for s in SEATS),
        "min_seats": 5,
        "access_number": "950512",
        "complaint_number": "9505129",
        "fixed_line": ALLOCATED,
        "allocated": frozenset({"950512", ALLOCATED}),
        "blacklist": frozenset({"17000000000"}),
        "do_not_call": frozenset({"13900000001", "051262220000"}),
        "dnc_tested": ("13900000001",),
        "recording_interface": RecordingSource.ARI,
    }
    values.update(overrides)
    return CheckContext(**values)  # type: ignore[arg-type]


def expect(number: str, action: str, *tokens: str) -> ScreeningExpectation:
    """A screening expectation: ``expect("12345", "flag", "malformed")``."""
    return ScreeningExpectation(number, ScreeningAction(action), frozenset(tokens))


def facts(*calls: CallFact, **others: object) -> RunFacts:
    """RunFacts with ``calls`` and any other fields."""
    return RunFacts(calls=tuple(calls), **others)  # type: ignore[arg-type]
