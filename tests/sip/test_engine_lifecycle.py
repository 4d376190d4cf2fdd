"""Engine lifecycle: repeated start/stop, one engine per process, clean shutdown, clear errors."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from collections.abc import Callable

import pytest
import soundfile

from ccinspect.sip import (
    AnswerMode,
    AnswerPolicy,
    CallState,
    Engine,
    EngineBusyError,
    EngineConfig,
    EngineStartError,
    EngineStoppedError,
    RegistrationTimeout,
    SeatConfig,
    TrunkConfig,
)

from .conftest import sip_threads

Ports = Callable[[], int]


async def test_twenty_start_stop_cycles_in_one_process(engine_config: EngineConfig, port: Ports) -> None:
    """pjsua2 is created and destroyed 20 times without crashing; every owner thread exits."""
    trunk_port = port()
    for cycle in range(20):
        async with Engine(engine_config) as eng:
            assert eng.running and eng.capacity >= 4
            trunk = await eng.add_trunk(TrunkConfig(port=trunk_port))
            if cycle % 5 == 0:  # now and then with a call up at stop time
                seat = await eng.add_seat(SeatConfig(user="8001", password="x", register=False, local_port=0))
                await seat.call(f"sip:1@{trunk.address}", timeout=5)
        assert not eng.running
        assert sip_threads() == []


async def test_second_concurrent_engine_is_refused(engine: Engine, engine_config: EngineConfig) -> None:
    """pjsua2 allows one Endpoint per process: a second running engine raises EngineBusyError."""
    with pytest.raises(EngineBusyError) as info:
        async with Engine(engine_config):
            pass
    assert "already running" in str(info.value) and info.value.message_zh
    assert engine.running


async def test_stop_seals_live_calls_with_complete_recordings(
    engine_config: EngineConfig, port: Ports
) -> None:
    """Stopping with calls up hangs them up, seals their records and leaves readable WAVs."""
    async with Engine(engine_config) as eng:
        trunk = await eng.add_trunk(TrunkConfig(port=port(), answer=AnswerPolicy(mode=AnswerMode.AUTO)))
        seat = await eng.add_seat(SeatConfig(user="8001", password="x", register=False, local_port=port()))
        call = await seat.call(f"sip:1@{trunk.address}", timeout=5)
        incoming = await trunk.next_incoming(timeout=5)
        await asyncio.sleep(1.0)
    for handle in (call, incoming):
        record = handle.record
        assert record is not None, f"{handle} not sealed at stop"
        assert record.timeline[-1].state is CallState.DISCONNECTED
        assert record.recording is not None
        info = soundfile.info(str(record.recording))
        assert info.frames > 0
    assert len(eng.records) == 2
    assert sip_threads() == []
    with pytest.raises(EngineStoppedError):
        await seat.call(f"sip:1@{trunk.address}", timeout=1)


async def test_port_in_use_is_a_clear_start_error(engine: Engine, port: Ports) -> None:
    """A trunk on a port another process holds fails with EngineStartError naming the address."""
    busy = port()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", busy))
        with pytest.raises(EngineStartError) as info:
            await engine.add_trunk(TrunkConfig(port=busy))
    assert f"127.0.0.1:{busy}" in str(info.value)
    assert "already in use" in str(info.value) and "占用" in info.value.message_zh
    trunk = await engine.add_trunk(TrunkConfig(port=port()))  # the engine still works
    assert trunk.address


async def test_register_to_a_dead_registrar_times_out_clearly(engine: Engine, port: Ports) -> None:
    """REGISTER to an address where nothing listens fails within the caller's bound, naming it."""
    dead = f"127.0.0.1:{port()}"
    with pytest.raises(RegistrationTimeout) as info:
        await engine.add_seat(SeatConfig(user="8001", password="x", registrar=dead), timeout=1.0)
    err = info.value
    assert err.agent == "seat 8001" and err.peer == dead
    assert f"REGISTER from {dead} within 1 s" in str(err)
    assert dead in err.message_zh


async def test_unanswered_invite_to_a_dead_peer_times_out(engine: Engine, port: Ports) -> None:
    """An INVITE to an address where nothing listens fails within the caller's bound."""
    from ccinspect.sip import CallTimeoutError

    seat = await engine.add_seat(SeatConfig(user="8001", password="x", register=False, local_port=port()))
    dead = f"127.0.0.1:{port()}"
    with pytest.raises(CallTimeoutError) as info:
        await seat.call(f"sip:1@{dead}", timeout=1.0)
    assert dead in str(info.value) and "no answer at all" in str(info.value)


async def test_too_many_legs_is_a_capacity_error(engine_config: EngineConfig) -> None:
    """Beyond the build's call-leg limit, call() raises CapacityError naming the limit.

    Only meaningful with a small limit: the engine is asked for 2 legs.
    """
    from ccinspect.sip import CapacityError

    async with Engine(dataclasses.replace(engine_config, max_calls=2)) as eng:
        assert eng.capacity == 2
        trunk = await eng.add_trunk(TrunkConfig(port=0, answer=AnswerPolicy(mode=AnswerMode.AUTO)))
        seat = await eng.add_seat(SeatConfig(user="8001", password="x", register=False))
        await seat.call(f"sip:1@{trunk.address}", timeout=5)  # two legs: the limit
        with pytest.raises(CapacityError) as info:
            await seat.call(f"sip:2@{trunk.address}", timeout=5)
        assert "at most 2" in str(info.value)
