"""Do-not-call (R14): a number on the DNC list is never called.

Per DNC number the scenario dials, in every written form it dials it (national, +86, 0086, a
fixed line without its 0): no INVITE for it reached the trunk side (neither a trunk leg of the
call nor any INVITE the runner could not attribute), and the seat got a failure status. The
number's verdict is its worst form's, which the reason names.
"""

from __future__ import annotations

from ccinspect.core.checks.base import Check, CheckContext, CheckSpec
from ccinspect.core.checks.legs import (
    caller_leg,
    excerpt,
    harness_cause,
    parsed_invite,
    status_text,
    trunk_callee,
)
from ccinspect.core.facts import CallFact, CallPurpose, RunFacts
from ccinspect.core.numberplan import dial_forms
from ccinspect.core.numbers import same_number
from ccinspect.core.sipheaders import parse_name_addr, parse_sip_message, parse_uri
from ccinspect.core.verdict import (
    CheckResult,
    SubjectResult,
    Text,
    Verdict,
    aggregate,
    errored,
    failed,
    passed,
)

__all__ = ["CHECKS", "do_not_call"]

DNC = CheckSpec(
    "outbound.dnc",
    ("R14",),
    Text("Do-not-call numbers are not dialled", "拒绝呼叫名单号码不外呼"),
    Text(
        "A seat dialling a number on the do-not-call list is refused; no INVITE reaches the trunk.",
        "坐席拨打拒绝呼叫名单中的号码时被拒绝，没有 INVITE 到达中继。",
    ),
)

_REMEDY = Text(
    "Check every outbound call against the do-not-call list before it leaves the platform and "
    "refuse it (e.g. 403); add numbers to the list as soon as a user refuses.",
    "外呼送出平台前须与拒绝呼叫名单比对并予以拒绝（如返回 403）；用户明确拒绝后立即将号码加入名单。",
)


def _invite_targets(text: str, number: str) -> bool:
    """True when an INVITE's request URI or To header is for ``number``."""
    message = parse_sip_message(text)
    if message.method is None or message.method.upper() != "INVITE":
        return False
    to = message.header("To")
    candidates = [parse_uri(message.request_uri or "").number]
    if to is not None:
        candidates.append(parse_name_addr(to).uri.number)
    return any(same_number(c, number) for c in candidates)


def _dialled(call: CallFact, number: str) -> tuple[str, str]:
    """How the call wrote ``number`` (English, Chinese): '' when as listed, else e.g.
    ' (dialled as +8613900000001, its +86 form)'."""
    dialled = call.requested_number
    if dialled == number:
        return "", ""
    form = next((f for f, text in dial_forms(number) if text == dialled), None)
    how = f", its {form} form" if form else ""
    how_zh = f"，即其 {form} 形式" if form else ""
    return f" (dialled as {dialled}{how})", f"（拨打形式 {dialled}{how_zh}）"


def _judge_call(call: CallFact, number: str, facts: RunFacts) -> SubjectResult:
    name = f"do-not-call {number}"
    dialled, dialled_zh = _dialled(call, number)
    cause = harness_cause(call)
    if cause is not None:
        return errored(name, cause, call.key)
    trunk = trunk_callee(call)
    invite = parsed_invite(trunk)
    if trunk is not None:
        line = excerpt(invite.start_line if invite is not None else "(INVITE not captured)")
        return failed(
            name,
            Text(
                f"call {call.key} to do-not-call number {number}{dialled} reached the trunk side "
                f"({trunk.agent}): {line}",
                f"呼叫 {call.key} 拨打拒绝呼叫号码 {number}{dialled_zh}，INVITE 到达了中继侧"
                f"（{trunk.agent}）：{line}",
            ),
            _REMEDY,
            call.key,
            line,
        )
    stray = [m for m in facts.stray_trunk_invites if _invite_targets(m.text, number)]
    if stray:
        line = excerpt(parse_sip_message(stray[0].text).start_line)
        return failed(
            name,
            Text(
                f"an INVITE to do-not-call number {number} reached the trunk side ({stray[0].agent}): {line}",
                f"发往拒绝呼叫号码 {number} 的 INVITE 到达了中继侧（{stray[0].agent}）：{line}",
            ),
            _REMEDY,
            call.key,
            line,
        )
    leg = caller_leg(call)
    what = status_text(leg)
    if leg is None or leg.final_status is None:
        return errored(
            name,
            Text(
                f"the seat's call {call.key} got no final response ({what})",
                f"坐席的呼叫 {call.key} 未收到最终应答（{what}）",
            ),
            call.key,
        )
    if leg.answered or leg.final_status < 300:
        return failed(
            name,
            Text(
                f"call {call.key} to do-not-call number {number}{dialled} was answered ({what})",
                f"拨打拒绝呼叫号码 {number}{dialled_zh} 的呼叫 {call.key} 被接通（{what}）",
            ),
            _REMEDY,
            call.key,
            what,
        )
    return passed(
        name,
        Text(
            f"{leg.agent} was refused with {what}{dialled}; nothing reached the trunk",
            f"{leg.agent} 被以 {what} 拒绝{dialled_zh}；没有呼叫到达中继",
        ),
        call.key,
        what,
    )


def do_not_call(facts: RunFacts, ctx: CheckContext) -> CheckResult:
    """Per DNC number dialled: FAIL if any INVITE for it reached the trunk side or it was answered.

    Numbers come from ``ctx.dnc_tested`` plus any DNC call the runner made; a tested number no
    call was made for is ERROR, and so is a DNC call to a number not on the target's list (the
    run would prove nothing).
    """
    calls = facts.calls_for(CallPurpose.DNC)
    numbers = list(dict.fromkeys(ctx.dnc_tested))
    for call in calls:
        if not any(same_number(call.requested_number, n) for n in numbers):
            numbers.append(call.requested_number)
    subjects: list[SubjectResult] = []
    for number in numbers:
        name = f"do-not-call {number}"
        if not ctx.is_do_not_call(number):
            subjects.append(
                errored(
                    name,
                    Text(
                        f"{number} was dialled as a do-not-call test but is not on the target's "
                        "do-not-call list",
                        f"{number} 被作为拒绝呼叫测试号码拨打，但不在目标文件的拒绝呼叫名单中",
                    ),
                )
            )
            continue
        mine = [c for c in calls if same_number(c.requested_number, number)]
        if not mine:
            subjects.append(
                errored(
                    name,
                    Text(
                        f"no call was placed to do-not-call number {number}",
                        f"未拨打拒绝呼叫号码 {number}",
                    ),
                )
            )
            continue
        judged = [_judge_call(c, number, facts) for c in mine]
        worst = aggregate(s.verdict for s in judged)
        subjects.append(next(s for s in judged if s.verdict is worst))
    return DNC.conclude(
        subjects,
        pass_reason=Text(
            f"calls to all {len(subjects)} do-not-call numbers were refused before the trunk",
            f"拨打全部 {len(subjects)} 个拒绝呼叫号码的呼叫都在到达中继前被拒绝",
        ),
        empty_reason=Text("no do-not-call number was dialled in this run", "本次运行未拨打拒绝呼叫名单号码"),
        empty_verdict=Verdict.ERROR,
    )


CHECKS = (Check(DNC, do_not_call),)
