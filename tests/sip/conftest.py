"""Fixtures for SIP engine tests: an engine per test, free high ports, audio analysis helpers.

Peer-to-peer tests use UDP ports 25060-25999 so they never clash with the demo PBX (5060) or the
trunk simulator's default (5070).
"""

from __future__ import annotations

import asyncio
import random
import socket
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from ccinspect.media.analysis import LegAudio, analyse_heard
from ccinspect.media.fingerprint import fingerprint_for
from ccinspect.media.io import load_wav
from ccinspect.sip import CallRecord, Engine, EngineConfig, Timeouts

_next_port = [random.randrange(25100, 25900)]


def free_port() -> int:
    """A UDP port in 25060-25999 that nothing is bound to right now."""
    for _ in range(900):
        port = _next_port[0]
        _next_port[0] = 25060 + (port - 25060 + 7) % 940
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free UDP port in 25060-25999")


def sip_threads() -> list[threading.Thread]:
    """Live engine owner threads."""
    return [t for t in threading.enumerate() if t.name == "ccinspect-sip"]


@pytest.fixture
def port() -> Callable[[], int]:
    """Allocator of free high UDP ports."""
    return free_port


@pytest.fixture
def engine_config(tmp_path: Path) -> EngineConfig:
    """An engine configuration writing evidence and pjsip's log under the test's tmp dir."""
    return EngineConfig(
        evidence_dir=tmp_path / "evidence",
        log_dir=tmp_path / "logs",
        stimulus_seconds=20.0,
        timeouts=Timeouts(record_grace=1.0),
    )


@pytest.fixture
async def engine(engine_config: EngineConfig) -> AsyncIterator[Engine]:
    """A running engine, stopped after the test."""
    async with Engine(engine_config) as eng:
        yield eng
    assert not eng.running


async def heard(record: CallRecord, *, far_id: int, own_id: int) -> LegAudio:
    """Fingerprint analysis of what ``record``'s leg recorded (far = the other leg's id)."""
    assert record.recording is not None, f"leg {record.leg} has no recording"

    def analyse() -> LegAudio:
        audio, rate = load_wav(record.recording)  # type: ignore[arg-type]
        return analyse_heard(
            audio, rate, leg_id=own_id, far_fp=fingerprint_for(far_id), own_fp=fingerprint_for(own_id)
        )

    return await asyncio.to_thread(analyse)


async def talk(seconds: float = 2.5) -> None:
    """Let media flow long enough for at least two fingerprint sequences."""
    await asyncio.sleep(seconds)
