"""The SIP engine against the demo PBX (Asterisk on 127.0.0.1:5060, trunk expected on :5070).

These need the demo PBX; the session fixture starts it (or fails with the reason), never skips.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from ccinspect.sip import (
    AnswerMode,
    AnswerPolicy,
    Direction,
    Engine,
    RegistrationError,
    SeatConfig,
    TrunkConfig,
)
from ccinspect.sip.agents import Seat
from tests.support.pbx import DemoPbx

from .conftest import heard, talk

pytestmark = pytest.mark.pbx
Ports = Callable[[], int]
AUTO = AnswerPolicy(mode=AnswerMode.AUTO)


def seat_config(pbx: DemoPbx, index: int, **overrides: object) -> SeatConfig:
    """Configuration of demo seat ``index`` (0-based) with its real credentials."""
    account = pbx.config.seats[index]
    fields: dict[str, object] = {
        "user": account.username,
        "password": account.password,
        "registrar": str(pbx.config.site.sip),
        "answer": AUTO,
    }
    fields.update(overrides)
    return SeatConfig(**fields)  # type: ignore[arg-type]


async def no_channels_left(pbx: DemoPbx, bound: float = 10.0) -> list[str]:
    """Poll Asterisk until no channel is up (or ``bound`` passes); return what is left."""
    deadline = time.monotonic() + bound
    left = await asyncio.to_thread(pbx.channels)
    while left and time.monotonic() < deadline:
        await asyncio.sleep(0.25)
        left = await asyncio.to_thread(pbx.channels)
    return left


async def test_five_seats_register_concurrently(engine: Engine, pbx: DemoPbx) -> None:
    """All five demo seats register at once; each REGISTER exchange (challenge + 200) is kept."""
    seats: list[Seat] = await asyncio.gather(
        *(engine.add_seat(seat_config(pbx, i), timeout=10) for i in range(5))
    )
    for seat in seats:
        assert seat.registrations[-1].status == 200 and seat.registrations[-1].expires > 0
        labels = [m.label for m in await seat.register_messages()]
        assert labels[:4] == ["REGISTER", "401/REGISTER", "REGISTER", "200/REGISTER"]
    endpoints = await asyncio.to_thread(pbx.cli, "pjsip show contacts")
    for i in range(5):
        assert f"{pbx.config.seats[i].endpoint}/sip:" in endpoints
    for seat in seats:
        outcome = await seat.unregister(timeout=5)
        assert outcome.status == 200


async def test_wrong_password_is_a_clear_error(engine: Engine, pbx: DemoPbx) -> None:
    """A wrong password ends in RegistrationError: 401 twice, 'wrong password?', in both languages."""
    with pytest.raises(RegistrationError) as info:
        await engine.add_seat(seat_config(pbx, 2, password="not-the-password"), timeout=10)
    err = info.value
    assert err.status == 401
    registrar = str(pbx.config.site.sip)
    assert str(err).startswith(f"seat 8003: REGISTER answered 401 by {registrar} twice: wrong password?")
    assert "密码错误" in err.message_zh


async def test_seat_to_seat_call_through_the_pbx_has_two_way_audio(engine: Engine, pbx: DemoPbx) -> None:
    """8001 calls 8002 through Asterisk: both legs hear each other's fingerprint."""
    caller, callee = await asyncio.gather(
        engine.add_seat(seat_config(pbx, 0)), engine.add_seat(seat_config(pbx, 1))
    )
    a_id, b_id = engine.reserve_stimulus_ids(2)
    callee.answer_policy = AnswerPolicy(mode=AnswerMode.EXPLICIT)
    dialling = asyncio.create_task(caller.call("8002", timeout=10, stimulus_leg_id=a_id))
    incoming = await callee.next_incoming(timeout=10)
    await incoming.answer(200, stimulus_leg_id=b_id, timeout=10)
    call = await dialling
    await talk(3.0)
    out_rec = await call.hangup()
    in_rec = await incoming.wait_disconnected(timeout=10)
    assert (await heard(out_rec, far_id=b_id, own_id=a_id)).far.found
    assert (await heard(in_rec, far_id=a_id, own_id=b_id)).far.found
    assert "401/INVITE" in out_rec.labels(Direction.RX)  # the INVITE was challenged and retried
    assert in_rec.identity is not None and in_rec.identity.presented_number() == "8001"
    assert await no_channels_left(pbx) == []


async def test_ten_concurrent_calls_through_the_pbx_to_one_trunk_address(
    engine: Engine, pbx: DemoPbx
) -> None:
    """Seats place up to 10 concurrent outbound calls; the trunk holds them all on one address
    and every call carries two-way audio."""
    n = min(10, engine.capacity // 2)
    trunk_at = pbx.config.site.trunk
    trunk = await engine.add_trunk(
        TrunkConfig(host=trunk_at.host, port=trunk_at.port, pbx=str(pbx.config.site.sip), answer=AUTO)
    )
    seats = await asyncio.gather(*(engine.add_seat(seat_config(pbx, i)) for i in range(5)))
    ids = engine.reserve_stimulus_ids(n)
    numbers = [f"1380000{i:04d}" for i in range(n)]
    calls = await asyncio.gather(
        *(seats[i % 5].call(numbers[i], timeout=20, stimulus_leg_id=ids[i]) for i in range(n))
    )
    incoming = [await trunk.next_incoming(timeout=10) for _ in range(n)]
    assert len({h.leg for h in incoming}) == n
    await talk(3.0)
    out_recs = await asyncio.gather(*(c.hangup(timeout=10) for c in calls))
    in_recs = await asyncio.gather(*(h.wait_disconnected(timeout=10) for h in incoming))
    by_number = {}
    for rec in in_recs:
        assert rec.invite is not None
        by_number[rec.invite.split(" ", 2)[1].split("@")[0].removeprefix("sip:")] = rec
    for i, out in enumerate(out_recs):
        inc = by_number[numbers[i]]
        assert inc.stimulus_leg_id is not None
        assert (await heard(out, far_id=inc.stimulus_leg_id, own_id=ids[i])).far.found
        assert (await heard(inc, far_id=ids[i], own_id=inc.stimulus_leg_id)).far.found
    assert await no_channels_left(pbx) == []


async def test_cancelled_run_leaves_no_channel_on_the_pbx(engine_config: object, pbx: DemoPbx) -> None:
    """Cancelling a task mid-call and stopping the engine leaves no channel up on Asterisk and
    no owner thread running."""
    from .conftest import sip_threads

    async def run(eng: Engine) -> None:
        trunk_at = pbx.config.site.trunk
        await eng.add_trunk(
            TrunkConfig(host=trunk_at.host, port=trunk_at.port, pbx=str(pbx.config.site.sip), answer=AUTO)
        )
        seat = await eng.add_seat(seat_config(pbx, 3))
        call = await seat.call("13800001111", timeout=20)
        await call.wait_disconnected(timeout=60)

    async with Engine(engine_config) as eng:  # type: ignore[arg-type]
        task = asyncio.create_task(run(eng))
        deadline = time.monotonic() + 20
        while (  # noqa: ASYNC110 - polling another process
            not await asyncio.to_thread(pbx.channels) and time.monotonic() < deadline
        ):
            await asyncio.sleep(0.2)
        assert await asyncio.to_thread(pbx.channels), "the call never came up on the PBX"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert sip_threads() == []
    assert await no_channels_left(pbx) == []
