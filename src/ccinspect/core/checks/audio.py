"""Two-way audio: on every answered test call, each of our legs heard the other's fingerprint.

One-way audio is the classic fault behind a NAT or a wrong media address: the call connects,
the inspector hears nothing. It is judged per call with at least two answered legs of ours
(trunk ↔ seat, seat ↔ seat); calls answered by the platform itself (IVR, complaint line) have no
far leg of ours and are not subjects.
"""

from __future__ import annotations

from ccinspect.core.checks.base import Check, CheckContext, CheckSpec
from ccinspect.core.checks.legs import call_name, harness_cause, party_legs
from ccinspect.core.facts import AudioFact, CallFact, LegFact, RunFacts
from ccinspect.core.verdict import (
    CheckResult,
    SubjectResult,
    Text,
    Verdict,
    errored,
    failed,
    passed,
)

__all__ = ["CHECKS", "two_way"]

TWO_WAY = CheckSpec(
    "audio.two_way",
    ("R20",),
    Text("Two-way audio", "双向通话"),
    Text(
        "On every answered call both parties hear each other (no one-way or silent audio).",
        "每通接通的呼叫双方都能听到对方（无单通、无静音）。",
    ),
)

_REMEDY = Text(
    "Fix the media path of the silent direction: the SDP connection address and ports the "
    "platform offers (NAT / external media address), firewall rules for RTP, and codec "
    "negotiation on that side.",
    "修复无声方向的媒体通路：平台在 SDP 中给出的媒体地址与端口（NAT / 外网媒体地址）、"
    "RTP 防火墙规则以及该侧的编解码协商。",
)


def _heard(agent: str, a: AudioFact) -> str:
    """Evidence line: what one leg heard."""
    if not a.far_found:
        return (
            f"{agent}: far fingerprint {a.far_fingerprint} not heard, "
            f"silence {a.silence_share:.0%} of {a.duration_s:.1f} s"
        )
    level = f"{a.far_level_dbfs:.1f} dBFS" if a.far_level_dbfs is not None else "level ?"
    delay = f"{a.far_delay_s * 1000:.0f} ms" if a.far_delay_s is not None else "delay ?"
    return f"{agent}: heard fingerprint {a.far_fingerprint} at {level}, after {delay}"


def _subject(call: CallFact, legs: list[LegFact]) -> SubjectResult:
    name = call_name(call)
    cause = harness_cause(call)
    if cause is not None:
        return errored(name, cause, call.key)
    missing = [leg for leg in legs if leg.audio is None]
    if missing:
        leg = missing[0]
        why = leg.error or "no audio analysis was recorded"
        return errored(
            name,
            Text(
                f"what {leg.agent} heard on {call.key} was not analysed: {why}",
                f"{call.key} 中 {leg.agent} 收到的音频未被分析：{why}",
            ),
            call.key,
        )
    a, b = legs[0], legs[1]
    a_audio, b_audio = a.audio, b.audio
    if a_audio is None or b_audio is None:  # unreachable: legs without audio returned above
        raise ValueError("legs without audio")
    if a_audio.far_fingerprint != b_audio.own_fingerprint or (
        b_audio.far_fingerprint != a_audio.own_fingerprint
    ):
        return errored(
            name,
            Text(
                f"the runner paired the fingerprints of {call.key} inconsistently "
                f"({a.agent} expects {a_audio.far_fingerprint}, {b.agent} plays "
                f"{b_audio.own_fingerprint})",
                f"{call.key} 的指纹配对不一致（{a.agent} 期待 {a_audio.far_fingerprint}，"
                f"{b.agent} 播放 {b_audio.own_fingerprint}）",
            ),
            call.key,
        )
    evidence = (call.key, _heard(a.agent, a_audio), _heard(b.agent, b_audio))
    silent = [(src, dst) for src, dst, heard in ((b, a, a_audio), (a, b, b_audio)) if not heard.far_found]
    if not silent:
        return passed(
            name,
            Text(
                f"{a.agent} and {b.agent} heard each other on {call.key}",
                f"{call.key} 中 {a.agent} 与 {b.agent} 互相能听到",
            ),
            *evidence,
        )
    if len(silent) == 2:
        reason = Text(
            f"no audio either way on {call.key}: neither {a.agent} nor {b.agent} heard the other",
            f"{call.key} 双向无声：{a.agent} 与 {b.agent} 都听不到对方",
        )
    else:
        src, dst = silent[0]
        reason = Text(
            f"one-way audio on {call.key}: {dst.agent} heard nothing from {src.agent} "
            f"({src.agent} → {dst.agent} is silent)",
            f"{call.key} 单通：{dst.agent} 听不到 {src.agent}（{src.agent} → {dst.agent} 方向无声）",
        )
    return failed(name, reason, _REMEDY, *evidence)


def two_way(facts: RunFacts, ctx: CheckContext) -> CheckResult:
    """Per call with two answered legs of ours: each leg heard the other's fingerprint.

    FAIL names the silent direction (``seat 8003 → trunk``) or says no audio went either way;
    ERROR when a leg's audio was not analysed or the fingerprints were paired inconsistently.
    Only the legs that took part count (:func:`~ccinspect.core.checks.legs.party_legs`): the
    caller and the callee that took the call, not a seat the platform hung up on after it answered.
    """
    del ctx  # nothing configurable: audio either flows both ways or it does not
    subjects: list[SubjectResult] = []
    for call in facts.calls:
        legs = list(party_legs(call))
        if len(legs) >= 2 or (call.harness_error is not None and len(call.legs) >= 2):
            subjects.append(_subject(call, legs[:2]))
    return TWO_WAY.conclude(
        subjects,
        pass_reason=Text(
            f"audio flowed both ways on all {len(subjects)} answered calls",
            f"全部 {len(subjects)} 通接通呼叫均为双向通话",
        ),
        empty_reason=Text(
            "no call in this run had two answered legs of ours, so audio could not be checked",
            "本次运行没有双方均由测试工具接通的呼叫，无法检查双向通话",
        ),
        empty_verdict=Verdict.ERROR,
    )


CHECKS = (Check(TWO_WAY, two_way),)
