"""Platform B's call-center behaviour over real SIP: agents register at Kamailio, the trunk
simulator (the carrier, 127.0.0.1:5072) calls in through Kamailio to Asterisk 16 and back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import soundfile

from ccinspect.demo.platform_b import config as bconfig
from ccinspect.demo.platform_b.health import registered_agents
from ccinspect.media.analysis import analyse_recording
from ccinspect.media.fingerprint import fingerprint_for
from ccinspect.sip import (
    AnswerMode,
    AnswerPolicy,
    CallerId,
    CallFailedError,
    Engine,
    EngineConfig,
    Seat,
    SeatConfig,
    SipError,
    Trunk,
    TrunkConfig,
)
from tests.support.pbx_b import PlatformBHandle

AUTO = AnswerPolicy(mode=AnswerMode.AUTO, delay=0.2)


@pytest.fixture
async def engine(platform_b: PlatformBHandle, tmp_path: Path) -> AsyncIterator[Engine]:
    async with Engine(EngineConfig(evidence_dir=tmp_path / "evidence", log_dir=tmp_path / "logs")) as eng:
        yield eng


async def add_agent(engine: Engine, agent: str) -> Seat:
    return await engine.add_seat(
        SeatConfig(
            user=agent,
            password=bconfig.agent_password(agent),
            registrar=bconfig.KAMAILIO_SIP,
            answer=AUTO,
        )
    )


async def add_carrier(engine: Engine) -> Trunk:
    host, port = bconfig.CARRIER.split(":")
    return await engine.add_trunk(
        TrunkConfig(host=host, port=int(port), pbx=bconfig.KAMAILIO_SIP, answer=AUTO)
    )


def wait_for_cdr(platform_b: PlatformBHandle, uniqueid_like: str, since: float) -> list[dict[str, object]]:
    deadline = time.monotonic() + 10
    rows: list[dict[str, object]] = []
    while time.monotonic() < deadline:
        rows = platform_b.cdr_rows("src = %s AND calldate >= to_timestamp(%s)", (uniqueid_like, since - 2))
        if rows:
            return rows
        time.sleep(0.3)
    return rows


async def wait_for_file(path: Path, bound: float = 10.0) -> None:
    """Recordings appear when MixMonitor's post command has merged the legs, just after hang-up."""
    for _ in range(int(bound / 0.3)):
        if await asyncio.to_thread(path.is_file):
            return
        await asyncio.sleep(0.3)


async def test_carrier_call_to_955088_reaches_the_agent_recorded_in_stereo(
    platform_b: PlatformBHandle, engine: Engine
) -> None:
    """A carrier call to 955088 rings the registered agent with the caller's number as From user
    and display name, no custom header; the CDR names the agent and a stereo 8 kHz recording."""
    since = time.time()
    agent = await add_agent(engine, "100101")
    assert "100101" in await asyncio.to_thread(registered_agents, platform_b.backend)
    carrier = await add_carrier(engine)
    caller = "13800138000"
    handle = await carrier.call("955088", timeout=20, caller_id=CallerId(from_user=caller))
    incoming = await agent.next_incoming(timeout=10)
    await asyncio.sleep(3)
    out_rec = await handle.hangup()
    rec = await incoming.wait_disconnected(timeout=10)
    assert rec.identity is not None and rec.identity.from_ is not None and rec.invite is not None
    assert rec.identity.from_.user == caller
    assert rec.identity.from_.display_name == caller
    assert "X-CCB" not in rec.invite and "X-Caller-Screening" not in rec.invite
    assert bconfig.ASTERISK_SIP not in rec.invite, "topology hiding: Asterisk's address must not leak"
    rows = [
        r
        for r in await asyncio.to_thread(wait_for_cdr, platform_b, caller, since)
        if r["agent_id"] == "100101"
    ]
    assert rows, platform_b.cdr_rows()
    row = rows[-1]
    assert row["disposition"] == "ANSWERED" and row["screen_result"] == "OK"
    assert row["dst"] == "955088"
    record_file = str(row["record_file"])
    assert record_file.endswith(f"/{row['uniqueid']}.wav") and record_file.count("/") == 3
    path = platform_b.backend.recording_root / record_file
    await wait_for_file(path)
    audio, rate = soundfile.read(str(path), dtype="float32")
    assert rate == 8000 and audio.ndim == 2 and audio.shape[1] == 2 and len(audio) > rate
    assert out_rec.stimulus_leg_id is not None and rec.stimulus_leg_id is not None
    caller_fp, agent_fp = fingerprint_for(out_rec.stimulus_leg_id), fingerprint_for(rec.stimulus_leg_id)
    left = analyse_recording(audio[:, 0].copy(), rate, [caller_fp, agent_fp])
    right = analyse_recording(audio[:, 1].copy(), rate, [caller_fp, agent_fp])
    assert left.missing == (agent_fp.id,), f"the caller alone should be on the left: {left}"
    assert right.missing == (caller_fp.id,), f"the agent alone should be on the right: {right}"


@pytest.mark.parametrize(
    ("number", "display", "verdict"),
    [
        ("12345", "[号码异常] 12345", "BAD_FORMAT"),
        ("+8613800138002", "[国际格式] +8613800138002", "INTL_FORMAT"),
        ("+14155550123", "[境外来电] +14155550123", "FOREIGN"),
        ("051266661234", "051266661234", "OK"),
        # Asterisk 16 trims the trailing blank the contract writes ("[无主叫] ") from CALLERID(name).
        ("anonymous", "[无主叫]", "NO_CLI"),
    ],
)
async def test_screening_flags_the_display_name_and_the_cdr(
    platform_b: PlatformBHandle, engine: Engine, number: str, display: str, verdict: str
) -> None:
    """Screening shows its verdict in the From display name; the From user stays the number."""
    since = time.time()
    agent = await add_agent(engine, "100102")
    carrier = await add_carrier(engine)
    handle = await carrier.call("96510", timeout=20, caller_id=CallerId(from_user=number))
    incoming = await agent.next_incoming(timeout=10)
    await handle.hangup()
    rec = await incoming.wait_disconnected(timeout=10)
    assert rec.identity is not None and rec.identity.from_ is not None
    assert rec.identity.from_.user == number
    assert rec.identity.from_.display_name == display
    rows = await asyncio.to_thread(wait_for_cdr, platform_b, number, since)
    assert rows and {r["screen_result"] for r in rows} == {verdict}


async def test_blacklisted_caller_is_refused_by_the_edge(platform_b: PlatformBHandle, engine: Engine) -> None:
    """17000000000 gets 403 from Kamailio and no agent rings."""
    agent = await add_agent(engine, "100103")
    carrier = await add_carrier(engine)
    with pytest.raises(CallFailedError) as info:
        await carrier.call("955088", timeout=10, caller_id=CallerId(from_user="17000000000"))
    assert info.value.status == 403
    with pytest.raises(SipError):
        await agent.next_incoming(timeout=1.5)


async def test_outbound_call_presents_the_general_line(platform_b: PlatformBHandle, engine: Engine) -> None:
    """An agent's outbound call reaches the carrier from 02586660000 (From and PAI), forgeries gone;
    it is recorded in stereo with the customer on the left and the agent on the right."""
    since = time.time()
    agent = await add_agent(engine, "100104")
    carrier = await add_carrier(engine)
    forged = "13812340000"
    handle = await agent.call(
        "13800138888",
        timeout=15,
        caller_id=CallerId(from_user=forged, from_display="Forged", pai=f"<sip:{forged}@127.0.0.1>"),
    )
    incoming = await carrier.next_incoming(timeout=10)
    await asyncio.sleep(3)
    agent_rec = await handle.hangup()
    rec = await incoming.wait_disconnected(timeout=10)
    assert rec.identity is not None and rec.identity.from_ is not None and rec.invite is not None
    assert rec.identity.from_.user == "02586660000"
    assert [p.user for p in rec.identity.pai] == ["02586660000"]
    rows = await asyncio.to_thread(wait_for_cdr, platform_b, "02586660000", since)
    rows = [r for r in rows if r["agent_id"] == "100104" and r["dst"] == "13800138888"]
    assert rows and rows[-1]["disposition"] == "ANSWERED", rows
    path = platform_b.backend.recording_root / str(rows[-1]["record_file"])
    await wait_for_file(path)
    audio, rate = soundfile.read(str(path), dtype="float32")
    assert agent_rec.stimulus_leg_id is not None and rec.stimulus_leg_id is not None
    agent_fp, customer_fp = fingerprint_for(agent_rec.stimulus_leg_id), fingerprint_for(rec.stimulus_leg_id)
    left = analyse_recording(audio[:, 0].copy(), rate, [customer_fp, agent_fp])
    right = analyse_recording(audio[:, 1].copy(), rate, [customer_fp, agent_fp])
    assert left.missing == (agent_fp.id,), f"the called customer alone should be on the left: {left}"
    assert right.missing == (customer_fp.id,), f"the agent alone should be on the right: {right}"
    assert forged not in rec.invite and "Forged" not in rec.invite
    assert bconfig.ASTERISK_SIP not in rec.invite, "topology hiding: Asterisk's address must not leak"


async def test_do_not_call_number_never_reaches_the_carrier(
    platform_b: PlatformBHandle, engine: Engine
) -> None:
    """Dialling 13900000001 is refused (403) and no INVITE reaches the carrier."""
    agent = await add_agent(engine, "100105")
    carrier = await add_carrier(engine)
    with pytest.raises(CallFailedError) as info:
        await agent.call("13900000001", timeout=10)
    assert info.value.status == 403
    with pytest.raises(SipError):
        await carrier.next_incoming(timeout=1.5)


async def test_complaint_line_records_the_message(platform_b: PlatformBHandle, engine: Engine) -> None:
    """The complaint line answers, records the caller's message until '#', hangs up itself and
    writes an ANSWERED CDR with the recording."""
    since = time.time()
    carrier = await add_carrier(engine)
    caller = "13700137000"
    handle = await carrier.call("02586669315", timeout=20, caller_id=CallerId(from_user=caller))
    await asyncio.sleep(9)  # the prompt and the beep take about 6 s, then the message
    await handle.send_dtmf("#")
    await handle.wait_disconnected(timeout=15)  # '#' ends the message; the IVR thanks and hangs up
    rows = [
        r
        for r in await asyncio.to_thread(wait_for_cdr, platform_b, caller, since)
        if r["dst"] == "02586669315"
    ]
    assert rows and rows[-1]["disposition"] == "ANSWERED"
    path = platform_b.backend.recording_root / str(rows[-1]["record_file"])
    await wait_for_file(path)
    assert soundfile.info(str(path)).channels == 2


async def test_each_agent_takes_a_call_over_a_batch(platform_b: PlatformBHandle, engine: Engine) -> None:
    """Five successive carrier calls to the queue reach five different agents (round robin)."""
    agents = [await add_agent(engine, a) for a in bconfig.AGENTS]
    carrier = await add_carrier(engine)
    reached: set[str] = set()
    for _ in bconfig.AGENTS:
        handle = await carrier.call("02586660000", timeout=30, caller_id=CallerId(from_user="13800138000"))
        await asyncio.sleep(0.5)
        await handle.hangup()
        for seat in agents:
            try:
                call = await seat.next_incoming(timeout=0.2)
            except SipError:
                continue
            reached.add(seat.name)
            await call.wait_disconnected(timeout=10)
        await asyncio.sleep(0.5)
    assert len(reached) == len(bconfig.AGENTS), reached
