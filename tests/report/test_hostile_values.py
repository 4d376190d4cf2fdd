"""Hostile values from a platform render escaped and whole, and break neither the page nor its SVG.

Two sources: synthetic facts (10 kB values, CRLF folding, a hostile reason phrase on the ladder)
and a real SIP call between two of our agents (pjsua2, no PBX) whose INVITE carries a hostile
display name, header injection by CRLF and long values. pjsua2's UDP transport refuses messages
over 4000 bytes (PJSIP_MAX_PKT_LEN) and line breaks in a display name, so the 10 kB and the
CRLF-in-display-name cases are covered by the synthetic test.
"""

from __future__ import annotations

import asyncio
import shutil
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from markupsafe import escape

from ccinspect.core.facts import CallFact, CallPurpose, LegRole, MessageDirection
from ccinspect.core.verdict import Text, Verdict, failed, passed
from ccinspect.report import render_html
from ccinspect.report.ladder import LABEL_MAX

from .builders import (
    Leg,
    check,
    invite,
    leg_fact,
    parse_html,
    recording,
    response,
    svg_blocks,
    write_run,
    write_wav,
)

SCRIPT = '<script>alert("x")</script>'
IMG = "<img src=x onerror=alert(1)>"


def assert_inert(html: str) -> None:
    """Well-formed markup, valid SVG, and nothing executable injected."""
    page = parse_html(html)
    assert not page.problems, page.problems[:3]
    assert not page.stack, page.stack[-3:]
    assert "script" not in page.tags and "img" not in page.tags
    assert not [name for name, _ in page.attrs if name.startswith("on")]
    for block in svg_blocks(html):
        ET.fromstring(block)  # noqa: S314 -- parsing our own output
    assert SCRIPT in "".join(page.text)  # shown as text


def test_synthetic_hostile_values_render_escaped_and_intact(tmp_path: Path) -> None:
    """A 10 kB display name with <script>, quotes and a folded CRLF, a 10 kB header, a hostile
    reason phrase, subject, reason, evidence, recording name and target text: all escaped, all
    shown whole (the ladder label cut, its tooltip whole), the page and SVG well-formed."""
    display = f"{SCRIPT} 'q' \"dq\" {'W' * 10240}"
    shown_display = f"{display} folded"  # the folded line joined with one space
    long_value = "<b>&amp;" * 1400
    quoted = display.replace('"', '\\"')
    from_value = f'"{quoted}\r\n folded" <sip:13800138000@127.0.0.1>;tag=1'
    reason_phrase = f"Ringing {SCRIPT}"
    t0 = 1.9e9
    caller = Leg(
        "trunk",
        LegRole.CALLER,
        invite("sip:950512@127.0.0.1", from_value, extra=[f"X-Long: {long_value}"]),
        [
            (MessageDirection.RECEIVED, response(180, reason_phrase)),
            (MessageDirection.RECEIVED, response(200, "OK", extra=[f"Server: {IMG}"])),
        ],
    )
    callee = Leg(
        "seat 8001",
        LegRole.CALLEE,
        invite("sip:8001@127.0.0.1", from_value, extra=[f"X-Caller-Screening: {IMG}"]),
        [(MessageDirection.SENT, response(200, "OK"))],
    )
    call = CallFact(
        "hostile-1",
        CallPurpose.INBOUND,
        (leg_fact(caller, t0), leg_fact(callee, t0 + 0.02)),
        "950512",
        "13800138000",
        t0,
        t0 + 3,
    )
    run = tmp_path / "run"
    write_wav(run / "evidence" / "heard.wav", [2])
    write_wav(run / "recordings" / "x.wav", [1, 2])
    subject = failed(
        f"seat {IMG}",
        Text(f"line one\r\nline two {SCRIPT}", "第一行\r\n第二行"),
        Text("remedy \"quoted\" 'single'", "整改"),
        "hostile-1",
        "E" * 10240,
    )
    write_run(
        run,
        calls=[call],
        overall=Verdict.FAIL,
        checks=[
            check(
                "callerid.inbound_passthrough",
                Verdict.FAIL,
                [subject, passed("ok", Text("ok", "ok"))],
                reason=Text(SCRIPT, SCRIPT),
            )
        ],
        media={
            "hostile-1": [
                {"agent": "trunk", "role": "caller", "heard": "evidence/heard.wav", "stimulus": 1},
                {"agent": "seat 8001", "role": "callee", "heard": None, "stimulus": 2},
            ]
        },
        recordings=[recording("hostile-1", f"{SCRIPT}.wav", [1, 2])],
        extra={"target": {"name": f"</title>{SCRIPT}", "description": IMG, "registrar": "r", "file": "f"}},
    )
    for lang in ("zh", "en"):
        html = render_html(run, lang=lang).read_bytes().decode("utf-8")  # bytes: keep CRs
        assert_inert(html)
        assert str(escape(shown_display)) in html  # display name column, whole
        assert str(escape(f"X-Long: {long_value}")) in html  # raw INVITE, whole
        assert str(escape("E" * 10240)) in html
        assert (
            str(escape(f"line one\r\nline two {SCRIPT}")) in html or str(escape("第一行\r\n第二行")) in html
        )
        cut = f"180 {reason_phrase}"[: LABEL_MAX - 1] + "…"
        assert f">{escape(cut)}</text>" in html  # ladder label cut to fit …
        assert str(escape(f"SIP/2.0 180 {reason_phrase}")) in html  # … the tooltip and raw text whole
        assert str(escape(f"Server: {IMG}")) in html  # PBX identity shown escaped
        assert "13800138000" not in html  # and still masked


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[object]:
    """A running SIP engine writing evidence under the test's tmp dir."""
    from ccinspect.sip import Engine, EngineConfig, Timeouts

    config = EngineConfig(
        evidence_dir=tmp_path / "evidence",
        log_dir=tmp_path / "logs",
        stimulus_seconds=20.0,
        timeouts=Timeouts(record_grace=1.0),
    )
    async with Engine(config) as eng:
        yield eng


async def test_hostile_invite_from_a_real_sip_peer_renders_escaped(engine: object, tmp_path: Path) -> None:
    """A real INVITE (trunk simulator → seat, peer to peer) with <script> and quotes in the
    display name, a bare CR, a header injected by CRLF, an <img onerror> screening value and a
    2.5 kB header becomes facts, then a report that is well-formed and shows it all escaped."""
    from ccinspect.runner.legs import leg_fact as record_fact
    from ccinspect.sip import AnswerMode, AnswerPolicy, CallerId, Engine, SeatConfig, TrunkConfig
    from tests.sip.conftest import free_port

    assert isinstance(engine, Engine)
    display = f"{SCRIPT} 'q' \"dq\" \rcr"
    long_value = "<i>" * 800
    trunk = await engine.add_trunk(TrunkConfig(port=free_port(), answer=AnswerPolicy(mode=AnswerMode.AUTO)))
    seat = await engine.add_seat(
        SeatConfig(
            user="8001",
            password="x",
            register=False,
            local_port=free_port(),
            answer=AnswerPolicy(mode=AnswerMode.AUTO),
        )
    )
    caller_fp, _callee_fp = engine.reserve_stimulus_ids(2)
    call = await trunk.call(
        f"sip:8001@{seat.address}",
        timeout=5,
        stimulus_leg_id=caller_fp,
        caller_id=CallerId(
            from_user="13800138000", from_display=display, pai=f'<sip:13800138000@127.0.0.1>;x="{SCRIPT}"'
        ),
        headers=[("X-Caller-Screening", IMG), ("X-Inj", f"a\r\nInjected: {SCRIPT}"), ("X-Long", long_value)],
    )
    incoming = await seat.next_incoming(timeout=5)
    await asyncio.sleep(1.5)
    out_rec = await call.hangup()
    in_rec = await incoming.wait_disconnected(timeout=5)
    assert in_rec.identity is not None and in_rec.identity.from_ is not None
    assert in_rec.identity.from_.display_name == display  # the peer really sent it
    run = tmp_path / "run"
    media = []
    for rec, role in ((out_rec, "caller"), (in_rec, "callee")):
        heard = None
        if rec.recording is not None:
            heard = f"evidence/{role}.wav"
            (run / "evidence").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(rec.recording, run / heard)
        media.append({"agent": rec.agent, "role": role, "heard": heard, "stimulus": rec.stimulus_leg_id})
    legs = (record_fact(out_rec, LegRole.CALLER), record_fact(in_rec, LegRole.CALLEE))
    started = legs[0].messages[0].at
    fact = CallFact("peer-1", CallPurpose.INBOUND, legs, "8001", "13800138000", started, started + 3)
    subject = failed(
        "call peer-1",
        Text(f"seat 8001 saw display name {display}", f"坐席看到 {display}"),
        Text("fix", "修复"),
        "peer-1",
    )
    write_run(
        run,
        calls=[fact],
        checks=[check("callerid.inbound_passthrough", Verdict.FAIL, [subject])],
        media={"peer-1": media},
        overall=Verdict.FAIL,
    )
    html = render_html(run, lang="en").read_bytes().decode("utf-8")  # keeps CRs
    assert_inert(html)
    assert str(escape(display)) in html  # display-name column: whole, escaped, the CR kept
    assert str(escape(f'x="{SCRIPT}"')) in html
    assert str(escape(f"Injected: {SCRIPT}")) in html  # the injected header line, shown as text
    assert str(escape(long_value)) in html
    assert str(escape(IMG)) in html
    assert ">INVITE<" in html and "<audio " in html
    assert "13800138000" not in html
