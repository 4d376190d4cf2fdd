"""Hand-made facts and check results for the store tests (plain core dataclasses, no I/O)."""

from __future__ import annotations

import json
from pathlib import Path

from ccinspect.core.facts import (
    AudioFact,
    CallFact,
    CallPurpose,
    LegFact,
    LegRole,
    MessageDirection,
    RecordingFact,
    RecordingSource,
    SipMessageFact,
)
from ccinspect.core.rundoc import RunDocument
from ccinspect.core.verdict import CheckResult, SubjectResult, Text, Verdict

T0 = 1_795_968_449.894147


def sample_calls(run_dir: Path) -> list[CallFact]:
    """The calls of a run directory's report.json, decoded."""
    report = json.loads((run_dir / "report.json").read_text(encoding="utf-8"))
    return list(RunDocument.from_json(report).facts.calls)


def call(
    key: str, *, at: float = T0, answered: bool = True, audio: bool = True, error: str | None = None
) -> CallFact:
    """An inbound call trunk → seat 8003 with SIP messages (Chinese display name, CRLF kept verbatim)."""
    invite = (
        f'INVITE sip:950512@127.0.0.1 SIP/2.0\r\nFrom: "张三" <sip:13800138000@127.0.0.1>;tag={key}\r\n'
        "Call-ID: abc@ccinspect\r\n\r\n"
    )
    caller = LegFact(
        agent="trunk",
        role=LegRole.CALLER,
        sip_call_id=f"{key}@ccinspect",
        final_status=200 if answered else 486,
        final_reason="OK" if answered else "Busy Here",
        answered=answered,
        connected_at=at + 0.4123456789 if answered else None,
        disconnected_at=at + 4.5 if answered else None,
        invite=invite,
        messages=(
            SipMessageFact(at + 0.001, MessageDirection.SENT, "trunk", invite),
            SipMessageFact(at + 0.002, MessageDirection.RECEIVED, "trunk", "SIP/2.0 100 Trying\r\n\r\n"),
        ),
        audio=AudioFact(1, 7, True, -11.98965819695422, None, 0.0497, 4.02) if audio else None,
        rtcp_loss=0.0 if audio else None,
        rtcp_jitter_ms=0.486 if audio else None,
    )
    callee = LegFact(
        agent="seat 8003",
        role=LegRole.CALLEE,
        sip_call_id="x-1",
        final_status=200,
        final_reason="OK",
        answered=answered,
        connected_at=None,
        disconnected_at=None,
        invite=None,
        error=error,
    )
    return CallFact(
        key, CallPurpose.INBOUND, (caller, callee), "950512", "13800138000", at, at + 4.6, harness_error=error
    )


def recording(key: str) -> RecordingFact:
    """A fetched ARI recording of call ``key`` with both fingerprints found."""
    return RecordingFact(
        key, f"{key}.wav", RecordingSource.ARI, True, 200, 4.04, 4.01, ((1, True), (7, False))
    )


def check(check_id: str, *subjects: tuple[str, Verdict]) -> CheckResult:
    """A check whose verdict is the worst of its subjects', with bilingual texts and a remedy on FAIL."""
    subs = tuple(
        SubjectResult(
            name,
            v,
            Text(f"{name} is {v.value}", f"{name}：{v.value}"),
            Text("fix it", "请修复") if v is Verdict.FAIL else None,
            (f"call {name}",),
        )
        for name, v in subjects
    )
    verdict = max((s.verdict for s in subs), key=lambda v: v.rank, default=Verdict.SKIP)
    return CheckResult(
        check_id,
        ("R20",),
        Text(f"title {check_id}", f"标题 {check_id}"),
        verdict,
        Text(f"{check_id} {verdict.value}", f"{check_id} 结论 {verdict.value}"),
        Text("fix it", "请修复") if verdict is Verdict.FAIL else None,
        subs,
        Text("old recordings", "旧录音") if check_id == "recording.retention" else None,
    )
