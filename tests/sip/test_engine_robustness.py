"""The engine under load and races: no native abort, no crash on late commands, no leaked events,
and pjsua2 confined to its package."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ccinspect.sip import (
    AnswerMode,
    AnswerPolicy,
    CallDirection,
    CallTimeoutError,
    Engine,
    SeatConfig,
    SipError,
    TrunkConfig,
)

Ports = Callable[[], int]
SRC = Path(__file__).resolve().parents[2] / "src" / "ccinspect"


def test_pjsua2_is_imported_only_inside_the_pj_package() -> None:
    """No module outside ccinspect.sip._pj imports pjsua2 (STYLE: one package owns it)."""
    pattern = re.compile(r"^\s*(import pjsua2|from pjsua2\b)", re.MULTILINE)
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "_pj" not in path.relative_to(SRC).parts and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def thread_names() -> set[str]:
    """Names of this process's native threads (Linux)."""
    return {(task / "comm").read_text().strip() for task in Path("/proc/self/task").iterdir()}


async def test_rtp_is_received_on_the_owner_thread_not_a_media_worker(engine: Engine) -> None:
    """The engine runs no pjmedia "media" worker thread: RTP is handled where the streams are
    attached (the owner thread), which is what rules out pjproject 2.17's receive/attach race."""
    names = thread_names()
    assert "media" not in names
    assert "clock" in names  # the conference bridge still has its own clock


def test_bursts_of_64_concurrent_calls_do_not_abort_the_process(port: Ports) -> None:
    """Three bursts of 64 concurrent loopback calls set up at once: every call is answered and
    the process exits normally (pjproject 2.17 with a media worker thread aborted here on
    `pj_sockaddr_get_len`, see docs/pjsua2.md). Run in a subprocess so an abort fails this test
    with the assertion text instead of killing pytest."""
    script = Path(__file__).with_name("burst_calls.py")
    done = subprocess.run(
        [sys.executable, str(script), "64", "3", str(port()), str(port())],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    tail = (done.stdout + done.stderr)[-2000:]
    assert done.returncode == 0, f"exit status {done.returncode}:\n{tail}"
    assert "burst ok" in done.stdout


async def test_timed_out_make_call_leaves_no_buffered_events(engine: Engine, port: Ports) -> None:
    """A call whose makeCall command is still queued when the caller's bound runs out: the leg
    created afterwards is hung up and its events are dropped, not buffered until engine stop."""
    trunk = await engine.add_trunk(TrunkConfig(port=port(), answer=AnswerPolicy(mode=AnswerMode.AUTO)))
    seat = await engine.add_seat(SeatConfig(user="8001", password="x", register=False, local_port=port()))
    busy = engine.submit_raw(lambda: time.sleep(0.8))  # the owner thread is busy for a while
    with pytest.raises(CallTimeoutError):
        await seat.call(f"sip:1@{trunk.address}", timeout=0.2, silent=True)
    await busy
    deadline = time.monotonic() + 10
    while (  # noqa: ASYNC110 - waiting for the owner thread to seal the abandoned leg
        not any(r.direction is CallDirection.OUTGOING for r in engine.records) and time.monotonic() < deadline
    ):
        await asyncio.sleep(0.05)
    assert any(r.direction is CallDirection.OUTGOING and r.hung_up_by_us for r in engine.records)
    assert engine.buffered_legs == ()


async def test_answering_a_leg_that_already_ended_is_a_sip_error(engine: Engine, port: Ports) -> None:
    """A command for a leg that ended meanwhile (caller gave up) fails as SipError naming the
    leg, not as a KeyError from the owner thread."""
    trunk = await engine.add_trunk(TrunkConfig(port=port(), answer=AnswerPolicy(mode=AnswerMode.EXPLICIT)))
    seat = await engine.add_seat(SeatConfig(user="8001", password="x", register=False, local_port=port()))
    dialling = asyncio.create_task(seat.call(f"sip:1@{trunk.address}", timeout=10, silent=True))
    incoming = await trunk.next_incoming(timeout=5)
    dialling.cancel()
    with pytest.raises(asyncio.CancelledError):
        await dialling
    await incoming.wait_disconnected(timeout=5)
    with pytest.raises(SipError) as info:
        await incoming.answer(200, silent=True, timeout=5)
    assert "has already ended" in str(info.value)
