"""Peer-to-peer calls between a seat and the trunk simulator in one engine, without a PBX.

Each test binds high ports (25060-25999). Audio is verified by fingerprint analysis of both
legs' recordings; SIP by the captured messages of each leg.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from ccinspect.core.sipheaders import header_value
from ccinspect.media.dtmf import detect_dtmf
from ccinspect.media.io import load_wav
from ccinspect.sip import (
    AnswerMode,
    AnswerPolicy,
    CallDirection,
    CallerId,
    CallFailedError,
    CallState,
    CallTimeoutError,
    Direction,
    DtmfMethod,
    Engine,
    SeatConfig,
    TrunkConfig,
)
from ccinspect.sip.agents import Seat, Trunk

from .conftest import heard, talk

Ports = Callable[[], int]


async def pair(engine: Engine, port: Ports, answer: AnswerPolicy) -> tuple[Seat, Trunk, str]:
    """An unregistered auto-answering seat and a trunk with ``answer`` policy, and the URI that
    reaches the trunk."""
    trunk = await engine.add_trunk(TrunkConfig(port=port(), answer=answer))
    seat = await engine.add_seat(
        SeatConfig(
            user="8001",
            password="x",
            register=False,
            local_port=port(),
            answer=AnswerPolicy(mode=AnswerMode.AUTO),
        )
    )
    return seat, trunk, f"sip:555@{trunk.address}"


async def test_two_way_audio_is_heard_on_both_legs(engine: Engine, port: Ports) -> None:
    """Each leg's recording holds the far leg's fingerprint (and not as an echo of its own)."""
    seat, trunk, uri = await pair(engine, port, AnswerPolicy(mode=AnswerMode.EXPLICIT))
    caller_id, callee_id = engine.reserve_stimulus_ids(2)
    dialling = asyncio.create_task(seat.call(uri, timeout=5, stimulus_leg_id=caller_id))
    incoming = await trunk.next_incoming(timeout=5)
    await incoming.answer(200, stimulus_leg_id=callee_id, timeout=5)
    call = await dialling
    await talk()
    out_rec = await call.hangup()
    in_rec = await incoming.wait_disconnected(timeout=5)
    assert (out_rec.stimulus_leg_id, in_rec.stimulus_leg_id) == (caller_id, callee_id)
    caller_heard = await heard(out_rec, far_id=callee_id, own_id=caller_id)
    callee_heard = await heard(in_rec, far_id=caller_id, own_id=callee_id)
    assert caller_heard.far.found and not caller_heard.own_echo.found
    assert callee_heard.far.found and not callee_heard.own_echo.found
    for rec in (out_rec, in_rec):
        assert rec.rtp is not None and rec.rtp.rx_packets > 0 and rec.rtp.codec == "PCMU"


async def test_silent_leg_shows_as_one_way_audio(engine: Engine, port: Ports) -> None:
    """A callee that plays nothing: the caller hears no fingerprint, the callee hears the caller."""
    seat, trunk, uri = await pair(engine, port, AnswerPolicy(mode=AnswerMode.AUTO, silent=True))
    caller_id, unused_id = engine.reserve_stimulus_ids(2)
    call = await seat.call(uri, timeout=5, stimulus_leg_id=caller_id)
    incoming = await trunk.next_incoming(timeout=5)
    await talk()
    out_rec = await call.hangup()
    in_rec = await incoming.wait_disconnected(timeout=5)
    assert in_rec.stimulus_leg_id is None
    caller_heard = await heard(out_rec, far_id=unused_id, own_id=caller_id)
    callee_heard = await heard(in_rec, far_id=caller_id, own_id=unused_id)
    assert not caller_heard.far.found
    assert callee_heard.far.found


async def test_every_message_of_the_call_is_captured_on_both_legs(engine: Engine, port: Ports) -> None:
    """INVITE/100/180/200/ACK/BYE/200 are recorded, with direction, on the caller and the callee."""
    seat, trunk, uri = await pair(engine, port, AnswerPolicy(mode=AnswerMode.AUTO))
    call = await seat.call(uri, timeout=5)
    incoming = await trunk.next_incoming(timeout=5)
    out_rec = await call.hangup()
    in_rec = await incoming.wait_disconnected(timeout=5)
    expected = ["INVITE", "100/INVITE", "180/INVITE", "200/INVITE", "ACK", "BYE", "200/BYE"]
    assert out_rec.labels() == expected
    assert in_rec.labels() == expected
    assert out_rec.labels(Direction.TX) == ["INVITE", "ACK", "BYE"]
    assert in_rec.labels(Direction.TX) == ["100/INVITE", "180/INVITE", "200/INVITE", "200/BYE"]
    assert out_rec.call_id == in_rec.call_id == call.call_id
    assert (out_rec.direction, in_rec.direction) == (CallDirection.OUTGOING, CallDirection.INCOMING)
    assert out_rec.hung_up_by_us and not in_rec.hung_up_by_us
    states = [c.state for c in in_rec.timeline]
    assert states[0] is CallState.INCOMING and states[-1] is CallState.DISCONNECTED
    assert CallState.CONFIRMED in states
    stamps = [m.at.monotonic for m in out_rec.messages]
    assert stamps == sorted(stamps)


async def test_presented_identity_is_sent_and_parsed(engine: Engine, port: Ports) -> None:
    """From user/display, P-Asserted-Identity, Privacy and custom headers reach the callee as sent."""
    seat, trunk, _ = await pair(engine, port, AnswerPolicy(mode=AnswerMode.AUTO))
    presented = CallerId(
        from_user="13800138000",
        from_display="Test Caller",
        pai="<sip:+8613800138000@127.0.0.1>",
        privacy="id",
    )
    call = await trunk.call(
        f"sip:8001@{seat.address}",
        timeout=5,
        caller_id=presented,
        headers=[("X-Caller-Screening", "blacklist-check"), ("X-Run", "t1")],
    )
    incoming = await seat.next_incoming(timeout=5)
    out_rec = await call.hangup()
    in_rec = await incoming.wait_disconnected(timeout=5)
    for rec in (out_rec, in_rec):
        ident = rec.identity
        assert ident is not None
        assert ident.from_ is not None and ident.from_.uri.user == "13800138000"
        assert ident.from_.display_name == "Test Caller"
        assert [p.uri.user for p in ident.pai] == ["+8613800138000"]
        assert ident.privacy == ("id",)
        assert header_value(rec.invite, "X-Caller-Screening") == "blacklist-check"
        assert ident.hidden()
    assert in_rec.invite is not None and "X-Run: t1" in in_rec.invite


async def test_malformed_and_letter_identities_are_sent_verbatim(engine: Engine, port: Ports) -> None:
    """A malformed PAI and a From of letters go out unchanged, for the platform to judge."""
    seat, trunk, _ = await pair(engine, port, AnswerPolicy(mode=AnswerMode.AUTO))
    call = await trunk.call(
        f"sip:8001@{seat.address}", timeout=5, caller_id=CallerId(from_user="abcdef", pai="<<sip:not valid")
    )
    incoming = await seat.next_incoming(timeout=5)
    await call.hangup()
    in_rec = await incoming.wait_disconnected(timeout=5)
    assert in_rec.invite is not None and "P-Asserted-Identity: <<sip:not valid" in in_rec.invite
    assert in_rec.identity is not None and in_rec.identity.from_ is not None
    assert in_rec.identity.from_.uri.user == "abcdef"


async def test_rfc4733_dtmf_both_directions_and_sip_info(engine: Engine, port: Ports) -> None:
    """Digits sent by RFC 4733 arrive on the other leg in order, both ways; SIP INFO too."""
    seat, trunk, uri = await pair(engine, port, AnswerPolicy(mode=AnswerMode.AUTO))
    call = await seat.call(uri, timeout=5)
    incoming = await trunk.next_incoming(timeout=5)
    assert await call.send_dtmf("12#", method=DtmfMethod.RFC4733) is DtmfMethod.RFC4733
    got = [await incoming.next_dtmf(timeout=5) for _ in range(3)]
    assert [d.digit for d in got] == ["1", "2", "#"]
    assert all(d.method is DtmfMethod.RFC4733 for d in got)
    assert await incoming.send_dtmf("9*", method=DtmfMethod.AUTO) is DtmfMethod.RFC4733
    back = [await call.next_dtmf(timeout=5) for _ in range(2)]
    assert [d.digit for d in back] == ["9", "*"]
    await incoming.send_dtmf("5", method=DtmfMethod.SIP_INFO)
    info = await call.next_dtmf(timeout=5)
    assert (info.digit, info.method) == ("5", DtmfMethod.SIP_INFO)
    out_rec = await call.hangup()
    in_rec = await incoming.wait_disconnected(timeout=5)
    assert [d.digit for d in in_rec.dtmf_received] == ["1", "2", "#"]
    assert out_rec.dtmf_sent == "12#"
    assert "INFO" in out_rec.labels(Direction.RX)


async def test_inband_dtmf_is_heard_in_the_far_recording(engine: Engine, port: Ports) -> None:
    """In-band DTMF (tones in the audio) is detectable in the far leg's recording."""
    seat, trunk, uri = await pair(engine, port, AnswerPolicy(mode=AnswerMode.AUTO))
    call = await seat.call(uri, timeout=5)
    incoming = await trunk.next_incoming(timeout=5)
    await talk(0.5)
    assert await call.send_dtmf("147", method=DtmfMethod.INBAND) is DtmfMethod.INBAND
    await talk(1.5)
    await call.hangup()
    in_rec = await incoming.wait_disconnected(timeout=5)
    assert in_rec.recording is not None
    audio, rate = await asyncio.to_thread(load_wav, in_rec.recording)
    digits = await asyncio.to_thread(detect_dtmf, audio, rate)
    assert "".join(d.digit for d in digits) == "147"


async def test_rejected_call_raises_with_the_sip_status(engine: Engine, port: Ports) -> None:
    """A callee that rejects with 486 makes call() raise CallFailedError carrying 486."""
    seat, trunk, uri = await pair(engine, port, AnswerPolicy(mode=AnswerMode.REJECT, code=486))
    with pytest.raises(CallFailedError) as info:
        await seat.call(uri, timeout=5)
    assert info.value.status == 486
    assert "486" in str(info.value) and "486" in info.value.message_zh
    incoming = await trunk.next_incoming(timeout=5)
    rec = await incoming.wait_disconnected(timeout=5)
    assert rec.final_status == 486 and not rec.answered


async def test_unanswered_call_times_out_and_is_cancelled(engine: Engine, port: Ports) -> None:
    """A ring-only callee: call() raises CallTimeoutError and the caller CANCELs the INVITE."""
    seat, trunk, uri = await pair(engine, port, AnswerPolicy(mode=AnswerMode.RING_ONLY))
    with pytest.raises(CallTimeoutError) as info:
        await seat.call(uri, timeout=1.0)
    assert info.value.status == 180
    incoming = await trunk.next_incoming(timeout=5)
    rec = await incoming.wait_disconnected(timeout=5)
    assert "CANCEL" in rec.labels(Direction.RX)
    assert rec.final_status == 487


async def test_cancelling_a_task_mid_call_hangs_up(engine: Engine, port: Ports) -> None:
    """Cancelling a task that waits on an answered call hangs it up; the far end sees BYE."""
    seat, trunk, uri = await pair(engine, port, AnswerPolicy(mode=AnswerMode.AUTO))
    call = await seat.call(uri, timeout=5)
    incoming = await trunk.next_incoming(timeout=5)
    waiter = asyncio.create_task(call.wait_disconnected(timeout=60))
    await asyncio.sleep(0.2)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    in_rec = await incoming.wait_disconnected(timeout=5)
    assert in_rec.timeline[-1].state is CallState.DISCONNECTED
    assert "BYE" in in_rec.labels(Direction.RX)
    out_rec = await call.wait_disconnected(timeout=5)
    assert out_rec.hung_up_by_us


async def test_cancelling_while_dialling_cancels_the_invite(engine: Engine, port: Ports) -> None:
    """Cancelling call() before answer sends CANCEL; the callee's leg ends unanswered."""
    seat, trunk, uri = await pair(engine, port, AnswerPolicy(mode=AnswerMode.RING_ONLY))
    dialling = asyncio.create_task(seat.call(uri, timeout=30))
    incoming = await trunk.next_incoming(timeout=5)
    dialling.cancel()
    with pytest.raises(asyncio.CancelledError):
        await dialling
    rec = await incoming.wait_disconnected(timeout=5)
    assert not rec.answered and "CANCEL" in rec.labels(Direction.RX)


async def test_concurrent_calls_scale_with_capacity(engine: Engine, port: Ports) -> None:
    """As many concurrent calls as the build allows (two legs each, at most 8) all carry two-way audio."""
    n = min(engine.capacity // 2, 8)
    assert n >= 2
    trunk = await engine.add_trunk(TrunkConfig(port=port(), answer=AnswerPolicy(mode=AnswerMode.AUTO)))
    seat = await engine.add_seat(SeatConfig(user="8001", password="x", register=False, local_port=port()))
    ids = engine.reserve_stimulus_ids(n)
    calls = await asyncio.gather(
        *(seat.call(f"sip:{i}@{trunk.address}", timeout=10, stimulus_leg_id=ids[i]) for i in range(n))
    )
    incoming = [await trunk.next_incoming(timeout=5) for _ in range(n)]
    await talk()
    out_recs = await asyncio.gather(*(c.hangup() for c in calls))
    in_recs = await asyncio.gather(*(h.wait_disconnected(timeout=10) for h in incoming))
    by_call_id = {r.call_id: r for r in in_recs}
    for out in out_recs:
        inc = by_call_id[out.call_id]
        assert inc.stimulus_leg_id is not None and out.stimulus_leg_id is not None
        a = await heard(out, far_id=inc.stimulus_leg_id, own_id=out.stimulus_leg_id)
        b = await heard(inc, far_id=out.stimulus_leg_id, own_id=inc.stimulus_leg_id)
        assert a.far.found and b.far.found, f"call {out.call_id}: one-way or no audio"
