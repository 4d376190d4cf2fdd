"""Seats that behave like agents' phones, against the real demo PBX (issue: one call at a time,
a designated seat answers, any account shape).

* A seat on a call refuses a second one with 486 Busy Here, and the refusal is in its record.
* A seat whose digest username is not its extension (a desk phone provisioned with its MAC
  address) registers, places and answers calls.
* With the demo's queue turned into a ring-all queue that does not skip busy members, the full
  rehearsal still passes: each seat answers its own designated inbound call, the others only ring,
  and the report lists, per inbound call, every seat it was offered to.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from ccinspect import paths
from ccinspect.demo.pbx import config as democonfig
from ccinspect.sip import AnswerMode, AnswerPolicy, CallFailedError, Engine, EngineConfig, SeatConfig
from tests.support.pbx import DemoPbx
from tests.support.rehearsal import run_rehearsal

ROOT = Path(__file__).resolve().parents[2]
PHONE = AnswerPolicy(mode=AnswerMode.AUTO, delay=0.2, busy_when_on_call=True)
#: A desk phone provisioned with its MAC address as the digest username (extension 8006).
MAC_SEAT = """
; Test-only seat: a desk phone whose digest username is its MAC address, not its extension.
[8006](seat-endpoint)
auth=8006
aors=8006
callerid="Seat 8006" <8006>
[8006](seat-auth)
username=001565a1b2c3
password=cci-seat-8006
[8006](seat-aor)
"""


@pytest.fixture
async def engine(pbx: DemoPbx, tmp_path: Path) -> AsyncIterator[Engine]:
    async with Engine(EngineConfig(evidence_dir=tmp_path / "evidence", log_dir=tmp_path / "logs")) as eng:
        yield eng


def _seat(pbx: DemoPbx, index: int, *, answer: AnswerPolicy = PHONE) -> SeatConfig:
    account = pbx.config.seats[index]
    return SeatConfig(
        user=account.username, password=account.password, registrar=str(pbx.config.site.sip), answer=answer
    )


async def test_a_seat_on_a_call_refuses_a_second_one_with_486(pbx: DemoPbx, engine: Engine) -> None:
    """Seat 8001 is on a call with 8002; 8003's call to it is refused 486 Busy Here by the seat
    itself, which the seat's record of that INVITE shows."""
    busy = await engine.add_seat(_seat(pbx, 0))
    first = await engine.add_seat(_seat(pbx, 1))
    second = await engine.add_seat(_seat(pbx, 2))
    call = await first.call(busy.aor.split("@")[0], timeout=10)
    try:
        assert busy.on_call()
        with pytest.raises(CallFailedError) as refused:
            await second.call(busy.aor.split("@")[0], timeout=10)
        assert refused.value.status == 486
        legs = [await busy.next_incoming(timeout=5) for _ in range(2)]
        refusal = await legs[1].wait_disconnected(timeout=10)
        assert (refusal.final_status, refusal.answered) == (486, False)
        assert refusal.invite is not None and "INVITE" in refusal.invite
    finally:
        await call.hangup()


async def test_a_seat_whose_digest_username_is_not_its_extension(
    pbx: DemoPbx, engine: Engine, tmp_path: Path
) -> None:
    """Extension 8006 authenticates as 001565a1b2c3: it registers, calls seat 8001 and is called
    by it (the PBX knows it by its extension)."""
    cfg_dir = tmp_path / "asterisk"
    shutil.copytree(paths.asterisk_config_dir(), cfg_dir)
    with (cfg_dir / "pjsip.conf").open("a", encoding="utf-8") as fh:
        fh.write(MAC_SEAT)
    try:
        # The demo's lifecycle is synchronous (it runs its own event loop): off this loop.
        await asyncio.to_thread(pbx.backend.up, democonfig.load(cfg_dir), timeout=90)
        desk = await engine.add_seat(
            SeatConfig(
                user="8006",
                auth_user="001565a1b2c3",
                password="cci-seat-8006",
                registrar=str(pbx.config.site.sip),
                answer=PHONE,
            )
        )
        other = await engine.add_seat(_seat(pbx, 0))
        assert "8006/" in pbx.cli("pjsip show contacts")
        out = await desk.call("8001", timeout=10)
        await out.hangup()
        back = await other.call("8006", timeout=10)
        record = await back.hangup()
        assert record.answered
    finally:
        await asyncio.to_thread(pbx.restore)


def _ring_all(cfg: Path) -> None:
    text = (cfg / "queues.conf").read_text(encoding="utf-8")
    text, n = re.subn(r"(?m)^strategy=\w+", "strategy=ringall", text)
    text, m = re.subn(r"(?m)^ringinuse=no", "ringinuse=yes", text)
    assert n == 1 and m == 1, "queues.conf changed: update this test"
    (cfg / "queues.conf").write_text(text, encoding="utf-8")


def _run(out: Path) -> tuple[int, dict[str, Any], str]:
    return run_rehearsal(out)


def test_ring_all_queue_every_seat_answers_its_own_call(pbx: DemoPbx, tmp_path: Path) -> None:
    """A queue that rings every member at once and does not skip busy ones: each inbound call is
    answered by its designated seat while the others ring, every check passes, and the HTML
    report lists the seats each inbound call was offered to."""
    cfg_dir = tmp_path / "asterisk"
    shutil.copytree(paths.asterisk_config_dir(), cfg_dir)
    _ring_all(cfg_dir)
    try:
        pbx.backend.up(democonfig.load(cfg_dir), timeout=90)
        code, report, output = _run(tmp_path / "runs")
    finally:
        pbx.restore()
    assert code == 0, output[-4000:]
    checks = {c["check_id"]: c["verdict"] for c in report["checks"]}
    assert checks["inbound.each_seat"] == "pass" and checks["audio.two_way"] == "pass", checks
    inbound = [c for c in report["facts"]["calls"] if c["purpose"] == "inbound"]
    seats = ["8001", "8002", "8003", "8004", "8005"]
    for call, seat in zip(inbound, seats, strict=True):
        callee_legs = [leg for leg in call["legs"] if leg["role"] == "callee"]
        answered = [leg["agent"] for leg in callee_legs if leg["answered"]]
        assert answered == [f"seat {seat}"], (call["key"], answered)
        assert len(callee_legs) == 5, f"{call['key']}: ring-all offers the call to every seat"
    html = subprocess.run(
        [sys.executable, "-m", "ccinspect.cli", "report", str(tmp_path / "runs" / "latest"), "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert html.returncode == 0, html.stderr
    page = next((tmp_path / "runs" / "latest" / "report").glob("*.html")).read_text(encoding="utf-8")
    assert "Offered to" in page and "8001: answered" in page and "rang" in page
