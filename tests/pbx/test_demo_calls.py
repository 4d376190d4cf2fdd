"""The demo PBX's call-center behaviour, over real SIP calls through real Asterisk.

Each test drives pjsua2 seats and the trunk simulator against the running demo PBX and checks
what arrived on the wire, in Asterisk's recordings (fetched over ARI) and in the complaint service.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import soundfile

from ccinspect.core.sipheaders import header_value
from ccinspect.media.analysis import analyse_recording
from ccinspect.media.fingerprint import fingerprint_for
from ccinspect.platform.ari import AriRecordings
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
from tests.support.pbx import DemoPbx

AUTO = AnswerPolicy(mode=AnswerMode.AUTO, delay=0.2)


@pytest.fixture
async def engine(pbx: DemoPbx, tmp_path: Path) -> AsyncIterator[Engine]:
    """A SIP engine for one test, evidence under the test's tmp dir."""
    async with Engine(EngineConfig(evidence_dir=tmp_path / "evidence", log_dir=tmp_path / "logs")) as eng:
        yield eng


async def add_seat(engine: Engine, pbx: DemoPbx, index: int, *, answer: AnswerPolicy = AUTO) -> Seat:
    account = pbx.config.seats[index]
    return await engine.add_seat(
        SeatConfig(
            user=account.username,
            password=account.password,
            registrar=str(pbx.config.site.sip),
            answer=answer,
        )
    )


async def add_trunk(engine: Engine, pbx: DemoPbx, *, answer: AnswerPolicy = AUTO) -> Trunk:
    site = pbx.config.site
    return await engine.add_trunk(
        TrunkConfig(host=site.trunk.host, port=site.trunk.port, pbx=str(site.sip), answer=answer)
    )


async def test_every_seat_registers(pbx: DemoPbx, engine: Engine) -> None:
    """All five seats register at once with their own digest credentials."""
    seats = await asyncio.gather(*(add_seat(engine, pbx, i) for i in range(5)))
    assert len(seats) == 5
    contacts = pbx.cli("pjsip show contacts")
    for account in pbx.config.seats:
        assert f"Contact:  {account.endpoint}/" in contacts, contacts


async def test_seat_to_seat_call_is_recorded_with_both_parties(pbx: DemoPbx, engine: Engine) -> None:
    """A seat-to-seat call is recorded (MixMonitor) and the file fetched over ARI holds both voices."""
    caller = await add_seat(engine, pbx, 0)
    callee = await add_seat(engine, pbx, 1)
    handle = await caller.call(pbx.config.seats[1].endpoint, timeout=15)
    incoming = await callee.next_incoming(timeout=5)
    await asyncio.sleep(4)
    out_rec = await handle.hangup()
    in_rec = await incoming.wait_disconnected(timeout=10)
    ids = [out_rec.stimulus_leg_id, in_rec.stimulus_leg_id]
    assert None not in ids

    store = AriRecordings(f"http://{pbx.config.site.ari}/ari", "inspector", "cci-inspector", timeout=10)
    wanted = f"_internal_{pbx.config.seats[0].username}_{pbx.config.seats[1].endpoint}_"
    deadline = time.monotonic() + 10
    matches: list[Any] = []
    while not matches and time.monotonic() < deadline:
        matches = [r for r in await store.list() if wanted in r.name]
        await asyncio.sleep(0.5)
    assert matches, f"no recording named *{wanted}* on ARI"
    data = await store.fetch(sorted(matches, key=lambda r: r.name)[-1])
    audio, rate = soundfile.read(io.BytesIO(data), dtype="float32")
    result = analyse_recording(audio, rate, [fingerprint_for(i) for i in ids if i is not None])
    assert not result.missing, f"fingerprints missing from the recording: {result.missing}"
    assert 3.0 <= result.duration_s <= 6.0
    cdr = [r for r in pbx.cdr_rows() if r["recording"] and wanted in r["recording"]]
    assert cdr and cdr[-1]["disposition"] == "ANSWERED"


async def test_inbound_call_reaches_a_seat_with_caller_number_unchanged(pbx: DemoPbx, engine: Engine) -> None:
    """A trunk call to the access number reaches a seat; From and PAI carry the caller's number (透传)."""
    seat = await add_seat(engine, pbx, 2)
    trunk = await add_trunk(engine, pbx)
    caller = "13812345678"
    handle = await trunk.call(
        pbx.config.numbers.access_number,
        timeout=20,
        caller_id=CallerId(from_user=caller, pai=f"<sip:{caller}@{pbx.config.site.trunk.host}>"),
    )
    incoming = await seat.next_incoming(timeout=5)
    await asyncio.sleep(1)
    await handle.hangup()
    rec = await incoming.wait_disconnected(timeout=10)
    assert rec.identity is not None
    assert rec.identity.from_ is not None
    assert rec.identity.from_.user == caller
    assert [p.user for p in rec.identity.pai] == [caller]
    assert header_value(rec.invite, "X-Caller-Screening") == "pass"


@pytest.mark.parametrize(
    ("number", "token"),
    [
        ("12345", "malformed"),
        ("abc123", "malformed"),
        ("anonymous", "absent"),
        ("+8613812345678", "intl-format"),
    ],
)
async def test_suspicious_inbound_numbers_are_flagged(
    pbx: DemoPbx, engine: Engine, number: str, token: str
) -> None:
    """Screening (主叫号码甄别) flags malformed, absent and +86-on-a-domestic-trunk callers to the seat."""
    seat = await add_seat(engine, pbx, 3)
    trunk = await add_trunk(engine, pbx)
    handle = await trunk.call(
        pbx.config.numbers.access_number, timeout=20, caller_id=CallerId(from_user=number)
    )
    incoming = await seat.next_incoming(timeout=5)
    await handle.hangup()
    rec = await incoming.wait_disconnected(timeout=10)
    assert rec.identity is not None and header_value(rec.invite, "X-Caller-Screening") == token
    assert rec.identity.from_ is not None
    assert rec.identity.from_.user == number, "the number itself is passed through unchanged"


async def test_blacklisted_inbound_caller_is_refused(pbx: DemoPbx, engine: Engine) -> None:
    """A blacklisted caller gets 403 and no seat rings."""
    seat = await add_seat(engine, pbx, 3)
    trunk = await add_trunk(engine, pbx)
    with pytest.raises(CallFailedError) as info:
        await trunk.call(
            pbx.config.numbers.access_number, timeout=10, caller_id=CallerId(from_user="17000000000")
        )
    assert info.value.status == 403
    with pytest.raises(SipError):
        await seat.next_incoming(timeout=1.5)


async def test_outbound_call_presents_the_allocated_number(pbx: DemoPbx, engine: Engine) -> None:
    """An outbound call reaches the trunk with the allocated number in From and PAI, never the forged one."""
    seat = await add_seat(engine, pbx, 0)
    trunk = await add_trunk(engine, pbx)
    forged = "13812340000"
    handle = await seat.call(
        "13912345678",
        timeout=15,
        caller_id=CallerId(from_user=forged, from_display="Forged", pai=f"<sip:{forged}@127.0.0.1>"),
    )
    incoming = await trunk.next_incoming(timeout=5)
    await handle.hangup()
    rec = await incoming.wait_disconnected(timeout=10)
    assert rec.identity is not None and rec.invite is not None
    allocated = pbx.config.numbers.outbound_caller_id
    assert rec.identity.from_ is not None
    assert rec.identity.from_.user == allocated
    assert [p.user for p in rec.identity.pai] == [allocated]
    assert forged not in rec.invite and "Forged" not in rec.invite


async def test_do_not_call_number_never_reaches_the_trunk(pbx: DemoPbx, engine: Engine) -> None:
    """Dialling a do-not-call number fails at the seat (403) and no INVITE reaches the trunk."""
    seat = await add_seat(engine, pbx, 1)
    trunk = await add_trunk(engine, pbx)
    with pytest.raises(CallFailedError) as info:
        await seat.call("13900000001", timeout=10)
    assert info.value.status == 403
    with pytest.raises(SipError):
        await trunk.next_incoming(timeout=1.5)


async def test_complaint_line_creates_a_ticket_with_the_caller_number(pbx: DemoPbx, engine: Engine) -> None:
    """Calling the complaint line leaves a message and creates a ticket holding the caller's number."""
    trunk = await add_trunk(engine, pbx)
    caller = "13712345678"
    started = time.time()
    handle = await trunk.call(
        pbx.config.numbers.complaint_number, timeout=15, caller_id=CallerId(from_user=caller)
    )
    await asyncio.sleep(9)  # the prompt, then the message
    await handle.send_dtmf("#")  # any key ends the message
    await asyncio.sleep(2)
    await handle.hangup()
    url = f"http://{pbx.config.site.complaints}/api/tickets"
    tickets: list[dict[str, object]] = []
    deadline = time.monotonic() + 10
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        while not tickets and time.monotonic() < deadline:
            async with session.get(url, params={"caller": caller}) as resp:
                assert resp.status == 200
                body = await resp.json()
            tickets = [
                t
                for t in body["tickets"]
                if t["created_at"] >= time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(started - 1))
            ]
            await asyncio.sleep(0.5)
    assert tickets, f"no ticket for {caller} since the call"
    assert tickets[0]["caller_number"] == caller
    assert tickets[0]["recording"]
