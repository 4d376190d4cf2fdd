"""Calling-number screening (R3, 主叫号码甄别): each test number gets the expected treatment.

How the platform shows its verdict is the target's ``screening.observe`` list
(:class:`~ccinspect.core.checks.observe.ScreeningObservation`: a header of the seat's INVITE,
the display name the seat is shown, the CDR, or the operator's reading of the agent's screen;
:mod:`ccinspect.core.checks.screenobs` applies them). For every SCREENING call the observed
outcome is one of:

* reached a seat, flagged: an observation gave a reason token (a value that is not ``clear``);
* reached a seat, unflagged: every declared observation was read and none flagged it;
* rejected: no seat received it and the trunk's leg got a 4xx/6xx final response;
* something else: answered without any seat (e.g. an announcement), failed with 5xx, or unknown.

Expectations (:class:`ccinspect.core.checks.base.ScreeningExpectation`): PASS must reach a seat
unflagged (a flag or a refusal is a false positive, FAIL); FLAG must be flagged with an accepted
token, or refused (stricter, accepted); REJECT must be refused before any seat. When a declared
observation could not be read (no CDR row, no operator answer) and the others do not already
decide the case, the case is ERROR naming why; when the target declares no observation at all,
a FLAG case that reached a seat is ERROR (refusals and PASS cases are still judged).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ccinspect.core.checks.base import Check, CheckContext, CheckSpec, ScreeningExpectation
from ccinspect.core.checks.legs import (
    answered_seat_leg,
    caller_leg,
    harness_cause,
    is_rejection,
    offered_seat_legs,
    status_text,
)
from ccinspect.core.checks.screenobs import observe_screening
from ccinspect.core.facts import CallFact, CallPurpose, RunFacts
from ccinspect.core.numbers import ScreeningAction, normalise_number
from ccinspect.core.verdict import (
    CheckResult,
    SubjectResult,
    Text,
    Verdict,
    errored,
    failed,
    passed,
)

__all__ = ["CHECKS", "screening"]

SCREENING = CheckSpec(
    "callerid.screening",
    ("R3",),
    Text("Calling-number screening", "主叫号码甄别"),
    Text(
        "Absent, malformed, blacklisted, fake +86 and foreign callers are flagged or refused; "
        "well-formed numbers are not.",
        "缺失、格式错误、黑名单、虚假 +86 及境外主叫被标记或拒绝；正常号码不受影响。",
    ),
)

_REMEDY_FALSE_POSITIVE = Text(
    "Let well-formed national numbers (mobile 1[3-9] + 9 digits, fixed line 0 + area code + "
    "7–8 digits) through unflagged; review the screening rules that caught this one.",
    "放行格式正确的国内号码（手机 1[3-9] 加 9 位，固话 0 + 区号 + 7–8 位）且不加标记；"
    "检查误判该号码的甄别规则。",
)
_REMEDY_FLAG = Text(
    "Screen calling numbers: when a number is absent, malformed, in +86 form on a domestic "
    "trunk or foreign, show the agent a warning with the call (in the caller's display name or "
    "a screen-pop) and log the reason in the CDR.",
    "对来电主叫号码进行甄别：号码缺失、格式错误、国内中继出现 +86 格式或境外号码时，"
    "随来电向坐席提示（在主叫显示名称或弹屏中），并在话单中记录原因。",
)
_REMEDY_REJECT = Text(
    "Refuse calls from blacklisted numbers before they reach a seat (e.g. 403) and log the reason.",
    "在呼叫到达坐席前拒绝黑名单号码（如返回 403），并记录原因。",
)


class _Outcome(enum.Enum):
    FLAGGED = "flagged"
    UNFLAGGED = "unflagged"
    REJECTED = "rejected"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class _Observed:
    outcome: _Outcome
    tokens: tuple[str, ...]  # reason tokens seen by the declared observations
    where: str  # which seat / what status, for messages
    evidence: tuple[str, ...]
    missing: tuple[Text, ...] = ()  # declared observations that could not be read
    undeclared: bool = False  # the target declares no way to observe the verdict


def _observe(call: CallFact, facts: RunFacts, ctx: CheckContext) -> _Observed | Text:
    """What happened to a screening call, or the ERROR cause when that cannot be told."""
    cause = harness_cause(call)
    if cause is not None:
        return cause
    seats = offered_seat_legs(call)
    seen = observe_screening(call, facts, ctx.screening_observe, seats)
    evidence = (call.key, *seen.evidence)
    if seats:
        outcome = _Outcome.FLAGGED if seen.tokens else _Outcome.UNFLAGGED
        # The seat that took the call (a queue ringing several names the one that answered).
        where = (answered_seat_leg(call) or seats[0]).agent
        return _Observed(outcome, seen.tokens, where, evidence, seen.missing, seen.undeclared)
    leg = caller_leg(call)
    what = status_text(leg)
    evidence = (*evidence, f"trunk ← {what}")
    if leg is None or leg.final_status is None:
        return Text(
            f"the outcome of screening call {call.key} is unknown ({what})",
            f"甄别呼叫 {call.key} 的结果未知（{what}）",
        )
    if is_rejection(leg.final_status):
        return _Observed(_Outcome.REJECTED, seen.tokens, what, evidence)
    if leg.final_status >= 500:
        return Text(
            f"call {call.key} failed with {what} before reaching a seat; the platform's "
            "screening decision cannot be seen",
            f"呼叫 {call.key} 在到达坐席前以 {what} 失败，无法看出平台的甄别结果",
        )
    return _Observed(_Outcome.OTHER, seen.tokens, what, evidence)


_UNDECLARED = Text(
    "the target declares no way to observe the screening verdict: add screening.observe "
    "(a header or the display name the agent sees, the CDR, or a manual reading)",
    "目标文件未声明如何观察甄别结果：请添加 screening.observe（坐席收到的头域或显示名称、话单，或人工确认）",
)


def _unknown(num: str, obs: _Observed) -> Text | None:
    """Why it cannot be told whether a call that reached a seat was flagged (None: it can)."""
    if obs.undeclared:
        return Text(f"{num} reached {obs.where}; ", f"{num} 到达 {obs.where}；") + _UNDECLARED
    if obs.missing:
        en = "; ".join(m.en for m in obs.missing)
        zh = "；".join(m.zh for m in obs.missing)
        return Text(
            f"{num} reached {obs.where}, but whether it was flagged cannot be told: {en}",
            f"{num} 到达 {obs.where}，但无法判断是否被标记：{zh}",
        )
    return None


def _label(number: str) -> str:
    return f"caller {number}" if number else "caller (no number)"


def _expect_pass(num: str, obs: _Observed, token: str) -> tuple[bool, Text]:
    if obs.outcome is _Outcome.UNFLAGGED:
        return True, Text(f"{num} reached {obs.where} unflagged", f"{num} 到达 {obs.where}，未被标记")
    if obs.outcome is _Outcome.FLAGGED:
        return False, Text(
            f"false positive: well-formed {num} was flagged '{token}' at {obs.where}",
            f"误判：格式正确的 {num} 在 {obs.where} 被标记为 “{token}”",
        )
    if obs.outcome is _Outcome.REJECTED:
        return False, Text(
            f"false positive: well-formed {num} was refused with {obs.where}",
            f"误判：格式正确的 {num} 被以 {obs.where} 拒绝",
        )
    return False, Text(f"{num} was not connected to a seat ({obs.where})", f"{num} 未接通坐席（{obs.where}）")


def _expect_flag(num: str, obs: _Observed, token: str, accepted: frozenset[str]) -> tuple[bool, Text]:
    allowed = ", ".join(sorted(accepted)) or "any reason"
    if obs.outcome is _Outcome.FLAGGED and (not accepted or set(obs.tokens) & accepted):
        return True, Text(
            f"{num} was flagged '{token}' at {obs.where}",
            f"{num} 在 {obs.where} 被标记为 “{token}”",
        )
    if obs.outcome is _Outcome.REJECTED:
        return True, Text(
            f"{num} was refused with {obs.where} (stricter than the expected flag)",
            f"{num} 被以 {obs.where} 拒绝（比预期的标记更严格）",
        )
    if obs.outcome is _Outcome.FLAGGED:
        return False, Text(
            f"{num} was flagged '{token}', expected {allowed}",
            f"{num} 被标记为 “{token}”，预期为 {allowed}",
        )
    if obs.outcome is _Outcome.UNFLAGGED:
        return False, Text(
            f"{num} reached {obs.where} without any flag (expected {allowed})",
            f"{num} 到达 {obs.where} 但没有任何甄别标记（预期 {allowed}）",
        )
    return False, Text(
        f"{num} was neither flagged nor refused ({obs.where})",
        f"{num} 既未被标记也未被拒绝（{obs.where}）",
    )


def _expect_reject(num: str, obs: _Observed, token: str) -> tuple[bool, Text]:
    if obs.outcome is _Outcome.REJECTED:
        return True, Text(f"{num} was refused with {obs.where}", f"{num} 被以 {obs.where} 拒绝")
    if obs.outcome is _Outcome.OTHER:
        return False, Text(f"{num} was not refused ({obs.where})", f"{num} 未被拒绝（{obs.where}）")
    flag = f" (flagged '{token}')" if token else "" if obs.undeclared else " (unflagged)"
    flag_zh = f"（标记为 “{token}”）" if token else "" if obs.undeclared else "（未标记）"
    return False, Text(
        f"{num} reached {obs.where}{flag} instead of being refused",
        f"{num} 到达了 {obs.where}{flag_zh}，而未被拒绝",
    )


def _judge(exp: ScreeningExpectation, obs: _Observed) -> SubjectResult:
    """Compare one observed outcome with its expectation."""
    num = exp.number or "(no number)"
    name = _label(exp.number)
    token = ", ".join(obs.tokens)
    if exp.action is ScreeningAction.PASS:
        unknown = _unknown(num, obs) if obs.outcome is _Outcome.UNFLAGGED and not obs.undeclared else None
        ok, reason = _expect_pass(num, obs, token)
        remedy = _REMEDY_FALSE_POSITIVE
    elif exp.action is ScreeningAction.FLAG:
        decided = obs.outcome is _Outcome.FLAGGED and (not exp.tokens or set(obs.tokens) & exp.tokens)
        reached = obs.outcome in (_Outcome.FLAGGED, _Outcome.UNFLAGGED)
        unknown = _unknown(num, obs) if reached and not decided else None
        ok, reason = _expect_flag(num, obs, token, exp.tokens)
        remedy = _REMEDY_FLAG
    else:
        unknown = None
        ok, reason = _expect_reject(num, obs, token)
        remedy = _REMEDY_REJECT
    if unknown is not None:
        return errored(name, unknown, *obs.evidence)
    return passed(name, reason, *obs.evidence) if ok else failed(name, reason, remedy, *obs.evidence)


def _case_of(call: CallFact, cases: list[ScreeningExpectation]) -> int | None:
    """Index of the case a call tested: the exact text first (so ``+86…`` and the national
    form stay different cases), else the same normalised number."""
    sent = call.caller_number_sent or ""
    for i, exp in enumerate(cases):
        if exp.number == sent:
            return i
    national = normalise_number(sent)
    for i, exp in enumerate(cases):
        if national and normalise_number(exp.number) == national:
            return i
    return None


def screening(facts: RunFacts, ctx: CheckContext) -> CheckResult:
    """Per test number: the observed outcome matches the expectation; see the module docstring.

    Subjects are the scenario's screening cases; a case no call was made for is ERROR. Calls with
    a number the scenario did not list are judged by what the screening rules imply
    (:meth:`CheckContext.expectation_for`).
    """
    cases = list(ctx.screening)
    by_case: dict[int, list[CallFact]] = {}
    for call in facts.calls_for(CallPurpose.SCREENING):
        index = _case_of(call, cases)
        if index is None:
            cases.append(ctx.expectation_for(call.caller_number_sent))
            index = len(cases) - 1
        by_case.setdefault(index, []).append(call)
    subjects: list[SubjectResult] = []
    for index, exp in enumerate(cases):
        mine = by_case.get(index, [])
        if not mine:
            subjects.append(
                errored(
                    _label(exp.number),
                    Text(
                        f"no screening call was made with test number {exp.number or '(none)'}",
                        f"未用测试号码 {exp.number or '（无）'} 进行甄别呼叫",
                    ),
                )
            )
        for call in mine:
            obs = _observe(call, facts, ctx)
            if isinstance(obs, Text):
                subjects.append(errored(_label(exp.number), obs, call.key))
            else:
                subjects.append(_judge(exp, obs))
    return SCREENING.conclude(
        subjects,
        pass_reason=Text(
            f"all {len(subjects)} screening test numbers were treated as expected",
            f"全部 {len(subjects)} 个甄别测试号码的处理均符合预期",
        ),
        empty_reason=Text("no screening cases or calls in this run", "本次运行没有主叫号码甄别测试"),
        empty_verdict=Verdict.ERROR,
    )


CHECKS = (Check(SCREENING, screening),)
