"""Time rendering the evidence report of a large run (default 1,000 calls).

Synthesises a run directory under a temporary folder outside the repository: report.json
(schema ccinspect.report/1) with N inbound calls (two legs, 7 SIP messages each, as the demo
PBX produces them), three checks with one subject per call, and per call two short heard WAVs
and a platform recording holding both legs' fingerprints. Then renders the HTML report (Chinese,
masked, assets linked) and the JUnit XML, and prints the times; the last line is
``report_seconds=X`` (the HTML report, from loading report.json to the written file).

    .venv/bin/python bench/report.py [--calls 1000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile

from ccinspect.core.codec import to_jsonable
from ccinspect.core.facts import (
    AudioFact,
    CallFact,
    CallPurpose,
    LegFact,
    LegRole,
    MessageDirection,
    RecordingFact,
    RecordingSource,
    RegistrationFact,
    RunFacts,
    SipMessageFact,
)
from ccinspect.core.rundoc import SCHEMA
from ccinspect.core.verdict import CheckResult, SubjectResult, Text, Verdict
from ccinspect.media.fingerprint import MAX_LEGS, fingerprint_for, synthesize
from ccinspect.report import render_html, render_junit

RATE = 8000


def _wav(path: Path, fps: list[int], seconds: float = 1.2) -> None:
    audio = np.zeros(int(seconds * RATE), dtype=np.float32)
    for i, fid in enumerate(fps):
        tone = synthesize(fingerprint_for(fid), RATE, level_dbfs=-18.0)
        start = int((0.05 + 0.02 * i) * RATE)
        audio[start : start + tone.size] += tone[: audio.size - start]
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, audio, RATE, subtype="PCM_16")


def _msg(
    at: float, direction: MessageDirection, agent: str, *, first: str, number: str, cseq: str
) -> SipMessageFact:
    text = (
        f"{first}\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK{int(at * 1e6)}\r\n"
        f"From: <sip:{number}@127.0.0.1>;tag=t{int(at * 1e3)}\r\nTo: <sip:950512@127.0.0.1>\r\n"
        f"Call-ID: c{int(at * 1e6)}@bench\r\nCSeq: {cseq}\r\nUser-Agent: bench-pbx\r\n"
        f"P-Asserted-Identity: <sip:{number}@127.0.0.1>\r\nContent-Length: 0\r\n\r\n"
    )
    return SipMessageFact(at, direction, agent, text)


def _leg(agent: str, role: LegRole, t0: float, *, number: str, own: int, far: int) -> LegFact:
    out, back = (
        (MessageDirection.SENT, MessageDirection.RECEIVED)
        if role is LegRole.CALLER
        else (MessageDirection.RECEIVED, MessageDirection.SENT)
    )
    steps = [
        (out, "INVITE sip:950512@127.0.0.1 SIP/2.0", "1 INVITE"),
        (back, "SIP/2.0 100 Trying", "1 INVITE"),
        (back, "SIP/2.0 180 Ringing", "1 INVITE"),
        (back, "SIP/2.0 200 OK", "1 INVITE"),
        (out, "ACK sip:950512@127.0.0.1 SIP/2.0", "1 ACK"),
        (out, "BYE sip:950512@127.0.0.1 SIP/2.0", "2 BYE"),
        (back, "SIP/2.0 200 OK", "2 BYE"),
    ]
    msgs = tuple(
        _msg(t0 + 0.01 * i, d, agent, first=first, number=number, cseq=cseq)
        for i, (d, first, cseq) in enumerate(steps)
    )
    audio = AudioFact(own, far, True, -18.0, 0.05, 0.1, 1.2)
    call_id = f"c{int(t0 * 1e6)}@bench"
    return LegFact(agent, role, call_id, 200, "OK", True, t0 + 0.3, t0 + 1.5, msgs[0].text, msgs, audio)


def synthesise(root: Path, calls: int) -> Path:
    """Write a run of ``calls`` inbound calls under ``root`` and return its directory."""
    run = root / "20260101-000000-bench"
    facts: list[CallFact] = []
    recordings: list[RecordingFact] = []
    media: dict[str, list[dict[str, object]]] = {}
    t_start = time.time() - calls * 2.0
    for i in range(calls):
        key = f"inbound-{i + 1}"
        number = f"138{i:08d}"
        seat = f"seat {8001 + i % 5}"
        a, b = (2 * i) % MAX_LEGS, (2 * i + 1) % MAX_LEGS
        t0 = t_start + 2.0 * i
        legs = (
            _leg("trunk", LegRole.CALLER, t0, number=number, own=a, far=b),
            _leg(seat, LegRole.CALLEE, t0 + 0.02, number=number, own=b, far=a),
        )
        facts.append(CallFact(key, CallPurpose.INBOUND, legs, "950512", number, t0, t0 + 1.6))
        name = f"20260101-000000_in_{number}_950512_{i}.wav"
        recordings.append(
            RecordingFact(key, name, RecordingSource.ARI, True, 200, 1.2, 1.2, ((a, True), (b, True)))
        )
        _wav(run / "evidence" / f"{key}-caller.wav", [b])
        _wav(run / "evidence" / f"{key}-callee.wav", [a])
        _wav(run / "recordings" / name, [a, b])
        media[key] = [
            {"agent": "trunk", "role": "caller", "heard": f"evidence/{key}-caller.wav", "stimulus": a},
            {"agent": seat, "role": "callee", "heard": f"evidence/{key}-callee.wav", "stimulus": b},
        ]
    checks = [
        CheckResult(
            check_id,
            (req,),
            Text(check_id, check_id),
            Verdict.PASS,
            Text("all calls passed", "全部通过"),
            None,
            tuple(
                SubjectResult(
                    f"call {c.key}", Verdict.PASS, Text(f"{c.key} ok", f"{c.key} 通过"), None, (c.key,)
                )
                for c in facts
            ),
        )
        for check_id, req in (
            ("callerid.inbound_passthrough", "R2"),
            ("audio.two_way", "R20"),
            ("recording.complete", "R5"),
        )
    ]
    report = {
        "schema": SCHEMA,
        "ccinspect_version": "0.1.0",
        "run_id": run.name,
        "status": "complete",
        "started_at": t_start,
        "finished_at": t_start + calls * 2.0,
        "error": None,
        "target": {"name": "bench", "description": "synthetic", "registrar": "127.0.0.1:5060", "file": ""},
        "scenario": {"name": "bench", "title": {"zh": "基准", "en": "bench"}, "file": ""},
        "pbx": {"server": None},
        "overall": "pass",
        "checks": checks,
        "facts": RunFacts(
            registrations=tuple(RegistrationFact(str(8001 + s), True, 200, "OK") for s in range(5)),
            calls=tuple(facts),
            recordings=tuple(recordings),
        ),
        "media": media,
    }
    (run / "calls").mkdir(parents=True, exist_ok=True)
    (run / "report.json").write_text(json.dumps(to_jsonable(report), ensure_ascii=False), encoding="utf-8")
    return run


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=1000, help="number of calls (default 1000)")
    parser.add_argument("--keep", action="store_true", help="keep the synthesised run and print where it is")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="ccinspect-bench-report-"))
    try:
        started = time.perf_counter()
        run = synthesise(root, args.calls)
        size = (run / "report.json").stat().st_size
        print(
            f"synthesised {args.calls} calls in {time.perf_counter() - started:.1f} s "
            f"(report.json {size >> 10} kB)"
        )
        started = time.perf_counter()
        html = render_html(run)
        html_s = time.perf_counter() - started
        print(f"html: {html} ({html.stat().st_size >> 10} kB) in {html_s:.2f} s")
        started = time.perf_counter()
        junit = render_junit(run)
        print(f"junit: {junit} ({junit.stat().st_size >> 10} kB) in {time.perf_counter() - started:.2f} s")
        if args.keep:
            print(f"kept: {run}")
        print(f"report_seconds={html_s:.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
