"""Seats (R20): at least five seats register, each answers an inbound call and places an outbound one.

* ``seats.registered``: one subject per seat the scenario uses, plus one for the R20 minimum.
* ``inbound.each_seat``: one subject per seat (which inbound call it answered, read from the
  legs), plus one per inbound call that no seat answered.
* ``outbound.each_seat``: one subject per seat: its call reached the trunk and was answered.
"""

from __future__ import annotations

from collections import Counter

from ccinspect.core.checks.base import Check, CheckContext, CheckSpec, SeatRef
from ccinspect.core.checks.legs import (
    answered_seat_leg,
    call_name,
    caller_leg,
    harness_cause,
    status_text,
    trunk_callee,
)
from ccinspect.core.facts import CallFact, CallPurpose, RunFacts, is_trunk_side, seat_id_of
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

__all__ = ["CHECKS", "inbound_each_seat", "outbound_each_seat", "seats_registered"]

REGISTERED = CheckSpec(
    "seats.registered",
    ("R20",),
    Text("Seats register", "坐席注册"),
    Text(
        "At least the minimum number of distinct seats (5) register with the platform.",
        "至少 5 个不同的坐席成功注册到平台。",
    ),
)
INBOUND = CheckSpec(
    "inbound.each_seat",
    ("R20",),
    Text("Every seat answers an inbound call", "每个坐席接听呼入"),
    Text(
        "Every seat answers a call the trunk places to the access number.",
        "每个坐席都接听了经中继呼入接入号码的来电。",
    ),
)
OUTBOUND = CheckSpec(
    "outbound.each_seat",
    ("R20",),
    Text("Every seat completes an outbound call", "每个坐席完成外呼"),
    Text(
        "Every seat's outbound call reaches the trunk and is answered.",
        "每个坐席的外呼都到达中继并被接听。",
    ),
)

_REMEDY_REGISTER = Text(
    "Check the seat's SIP account on the platform (username, password, allowed addresses) and "
    "the credentials in the target file.",
    "检查平台上该坐席的 SIP 账号（用户名、密码、允许的地址）以及目标文件中的凭据。",
)
_REMEDY_MIN_SEATS = Text(
    "Set up at least 5 working seats (physical or softphone) and list them in the target file; "
    "inspectors need 5 live seats on site.",
    "至少配置 5 个可用坐席（物理话机或软电话）并写入目标文件；现场核查要求 5 个坐席同时在线。",
)
_REMEDY_QUEUE = Text(
    "Add every seat to the inbound queue or skill group that serves the access number, and "
    "make sure a free seat is offered the next call.",
    "将所有坐席加入接入号码对应的呼入队列或技能组，并确保空闲坐席能接到下一通来电。",
)
_REMEDY_INBOUND_ROUTE = Text(
    "Route calls from the trunk to the access number into the seat queue; check the inbound "
    "route and the queue's timeout.",
    "将中继呼入接入号码的来电路由到坐席队列；检查呼入路由与队列超时设置。",
)
_REMEDY_OUTBOUND = Text(
    "Give the seat an outbound route to the trunk (dial plan, outbound permission, trunk "
    "registration) so that its calls reach the carrier.",
    "为该坐席配置到中继的外呼路由（拨号方案、外呼权限、中继注册），使其呼叫能送达运营商。",
)


def _not_registered(facts: RunFacts, seat: SeatRef) -> Text | None:
    """ERROR cause for a seat that never registered (it could not take part), else None."""
    reg = facts.registration(seat.id)
    if reg is not None and reg.registered:
        return None
    return Text(
        f"{seat.name} did not register (see seats.registered), so it could not take part",
        f"{seat.name} 未注册（见 seats.registered），无法参与测试",
    )


# ---------------------------------------------------------------- seats.registered


def _registration_subject(facts: RunFacts, seat: SeatRef) -> SubjectResult:
    reg = facts.registration(seat.id)
    if reg is None:
        return errored(
            seat.name,
            Text(
                f"no REGISTER attempt was recorded for {seat.name}",
                f"没有 {seat.name} 的注册记录",
            ),
        )
    answer = f"REGISTER → {reg.status} {reg.reason}".strip()
    if reg.registered:
        return passed(
            seat.name,
            Text(f"{seat.name} registered ({answer})", f"{seat.name} 注册成功（{answer}）"),
            answer,
        )
    if reg.error is not None or reg.status is None:
        cause = reg.error or "no response to REGISTER"
        return errored(
            seat.name,
            Text(
                f"{seat.name} could not be registered by the harness: {cause}",
                f"测试工具未能注册 {seat.name}：{cause}",
            ),
        )
    return failed(
        seat.name,
        Text(
            f"the platform refused to register {seat.name}: {answer}",
            f"平台拒绝注册 {seat.name}：{answer}",
        ),
        _REMEDY_REGISTER,
        answer,
    )


def seats_registered(facts: RunFacts, ctx: CheckContext) -> CheckResult:
    """PASS when every seat used registered and at least ``ctx.min_seats`` distinct seats did.

    A seat refused by the registrar FAILs; a seat the harness could not try is ERROR. The R20
    minimum FAILs when even the seats not yet judged could not make up the number (or the
    target lists too few seats), and is ERROR when harness problems leave it open.
    """
    subjects = [_registration_subject(facts, seat) for seat in ctx.seats]
    ok = {s.subject for s in subjects if s.verdict is Verdict.PASS}
    unknown = {s.subject for s in subjects if s.verdict is Verdict.ERROR}
    need = ctx.min_seats
    name = f"minimum {need} seats"
    if len(ok) >= need:
        subjects.insert(
            0,
            passed(
                name,
                Text(
                    f"{len(ok)} distinct seats registered (at least {need} required)",
                    f"{len(ok)} 个不同坐席已注册（要求至少 {need} 个）",
                ),
            ),
        )
    elif len(ctx.seats) < need:
        subjects.insert(
            0,
            failed(
                name,
                Text(
                    f"the target lists only {len(ctx.seats)} seats; at least {need} must be live",
                    f"目标文件只列出 {len(ctx.seats)} 个坐席；至少需要 {need} 个在线坐席",
                ),
                _REMEDY_MIN_SEATS,
            ),
        )
    elif len(ok) + len(unknown) >= need:
        subjects.insert(
            0,
            errored(
                name,
                Text(
                    f"only {len(ok)} seats registered and {len(unknown)} could not be tried; "
                    f"whether {need} can register is unknown",
                    f"仅 {len(ok)} 个坐席注册成功，{len(unknown)} 个无法测试；无法判断能否达到 {need} 个",
                ),
            ),
        )
    else:
        subjects.insert(
            0,
            failed(
                name,
                Text(
                    f"only {len(ok)} distinct seats registered; at least {need} are required",
                    f"仅 {len(ok)} 个不同坐席注册成功；要求至少 {need} 个",
                ),
                _REMEDY_MIN_SEATS,
            ),
        )
    return REGISTERED.conclude(
        subjects,
        pass_reason=Text(
            f"all {len(ctx.seats)} seats registered (at least {need} required)",
            f"全部 {len(ctx.seats)} 个坐席注册成功（要求至少 {need} 个）",
        ),
        empty_reason=Text("the scenario uses no seats", "场景未使用任何坐席"),
        empty_verdict=Verdict.ERROR,
    )


# ---------------------------------------------------------------- inbound.each_seat


def _unanswered_inbound(call: CallFact) -> SubjectResult | None:
    """A subject for an inbound call no seat answered (None when a seat answered it)."""
    cause = harness_cause(call)
    if cause is not None:
        return errored(call_name(call), cause, call.key)
    if answered_seat_leg(call) is not None:
        return None
    leg = caller_leg(call)
    if leg is None or leg.final_status is None or not is_trunk_side(leg.agent):
        why = "no trunk-side caller leg was recorded" if leg is None else status_text(leg)
        return errored(
            call_name(call),
            Text(
                f"the outcome of inbound call {call.key} is unknown ({why})",
                f"呼入 {call.key} 的结果未知（{why}）",
            ),
            call.key,
        )
    what = status_text(leg)
    if leg.answered:
        reason = Text(
            f"inbound call {call.key} to {call.requested_number} was answered, but by no seat "
            f"of ours ({what})",
            f"呼入 {call.key}（拨打 {call.requested_number}）被接通，但不是由测试坐席接听（{what}）",
        )
    else:
        reason = Text(
            f"inbound call {call.key} to {call.requested_number} reached no seat: the trunk got {what}",
            f"呼入 {call.key}（拨打 {call.requested_number}）未到达任何坐席：中继收到 {what}",
        )
    return failed(call_name(call), reason, _REMEDY_INBOUND_ROUTE, call.key, what)


def inbound_each_seat(facts: RunFacts, ctx: CheckContext) -> CheckResult:
    """PASS when every seat answered at least one inbound call placed by the trunk side.

    Which call reached which seat is read from the legs (the answered seat callee leg). A seat
    no call reached FAILs, naming where the calls went; it is ERROR instead when the seat never
    registered or when some inbound call's outcome is unknown (harness problems).
    """
    calls = facts.calls_for(CallPurpose.INBOUND)
    if not calls:
        return INBOUND.error(Text("no inbound calls were made in this run", "本次运行未进行任何呼入测试"))
    answered: dict[str, list[CallFact]] = {}
    for call in calls:
        leg = answered_seat_leg(call)
        caller = caller_leg(call)
        if leg is not None and caller is not None and is_trunk_side(caller.agent):
            answered.setdefault(seat_id_of(leg.agent) or "", []).append(call)
    call_subjects = [s for s in (_unanswered_inbound(c) for c in calls) if s is not None]
    unknown = any(s.verdict is Verdict.ERROR for s in call_subjects)
    spread = Counter({seat: len(cs) for seat, cs in answered.items()})
    went = ", ".join(f"seat {seat} ×{n}" for seat, n in spread.most_common()) or "no seat"
    subjects: list[SubjectResult] = []
    for seat in ctx.seats:
        got = answered.get(seat.id, [])
        if got:
            call = got[0]
            subjects.append(
                passed(
                    seat.name,
                    Text(
                        f"{seat.name} answered inbound call {call.key} from "
                        f"{call.caller_number_sent} to {call.requested_number}",
                        f"{seat.name} 接听了呼入 {call.key}（主叫 {call.caller_number_sent}，"
                        f"被叫 {call.requested_number}）",
                    ),
                    *(c.key for c in got),
                )
            )
            continue
        cause = _not_registered(facts, seat)
        if cause is None and unknown:
            cause = Text(
                f"no inbound call reached {seat.name}, but some inbound calls could not be "
                "completed by the harness",
                f"没有呼入到达 {seat.name}，但部分呼入未能由测试工具完成",
            )
        if cause is not None:
            subjects.append(errored(seat.name, cause))
            continue
        subjects.append(
            failed(
                seat.name,
                Text(
                    f"no inbound call reached {seat.name}: the {len(calls)} inbound calls were "
                    f"answered by {went}",
                    f"没有呼入到达 {seat.name}：{len(calls)} 通呼入由 {went} 接听",
                ),
                _REMEDY_QUEUE,
                *(c.key for c in calls),
            )
        )
    return INBOUND.conclude(
        [*subjects, *call_subjects],
        pass_reason=Text(
            f"each of the {len(ctx.seats)} seats answered an inbound call from the trunk",
            f"全部 {len(ctx.seats)} 个坐席都接听了经中继的呼入",
        ),
    )


# ---------------------------------------------------------------- outbound.each_seat


def _outbound_subject(call: CallFact, seat: SeatRef) -> SubjectResult:
    cause = harness_cause(call)
    if cause is not None:
        return errored(seat.name, cause, call.key)
    leg = caller_leg(call)
    trunk = trunk_callee(call)
    if leg is None or leg.final_status is None:
        return errored(
            seat.name,
            Text(
                f"{seat.name}'s call {call.key} got no final response ({status_text(leg)})",
                f"{seat.name} 的呼叫 {call.key} 未收到最终应答",
            ),
            call.key,
        )
    if leg.answered and trunk is not None and trunk.answered:
        return passed(
            seat.name,
            Text(
                f"{seat.name}'s call {call.key} to {call.requested_number} reached the trunk "
                "and was answered",
                f"{seat.name} 的呼叫 {call.key}（拨打 {call.requested_number}）到达中继并被接听",
            ),
            call.key,
        )
    if trunk is not None and trunk.error is not None:
        return errored(
            seat.name,
            Text(
                f"the trunk could not answer call {call.key}: {trunk.error}",
                f"中继未能接听呼叫 {call.key}：{trunk.error}",
            ),
            call.key,
        )
    what = status_text(leg)
    if leg.answered:
        reason = Text(
            f"{seat.name}'s call {call.key} to {call.requested_number} was answered, but not by "
            "the trunk: the platform answered it itself",
            f"{seat.name} 的呼叫 {call.key}（拨打 {call.requested_number}）被接通，但并非由中继"
            "接听，而是平台自行应答",
        )
    elif trunk is None:
        reason = Text(
            f"{seat.name}'s call {call.key} to {call.requested_number} never reached the trunk: "
            f"the seat got {what}",
            f"{seat.name} 的呼叫 {call.key}（拨打 {call.requested_number}）未到达中继：坐席收到 {what}",
        )
    else:
        reason = Text(
            f"{seat.name}'s call {call.key} reached the trunk but was not connected: the seat got {what}",
            f"{seat.name} 的呼叫 {call.key} 到达中继但未接通：坐席收到 {what}",
        )
    return failed(seat.name, reason, _REMEDY_OUTBOUND, call.key, what)


def outbound_each_seat(facts: RunFacts, ctx: CheckContext) -> CheckResult:
    """PASS when each seat placed an outbound call that the trunk received and answered.

    A seat with several calls passes if any of them did. A refused call, a call that never
    reached the trunk, or one answered by the platform itself FAILs; a seat that never
    registered, or whose call the harness could not carry out, is ERROR.
    """
    calls = facts.calls_for(CallPurpose.OUTBOUND)
    if not calls:
        return OUTBOUND.error(Text("no outbound calls were made in this run", "本次运行未进行任何外呼测试"))
    subjects: list[SubjectResult] = []
    for seat in ctx.seats:
        mine = [c for c in calls if (leg := caller_leg(c)) is not None and leg.agent == seat.agent]
        if not mine:
            cause = _not_registered(facts, seat) or Text(
                f"no outbound call was placed from {seat.name}",
                f"{seat.name} 未发起外呼",
            )
            subjects.append(errored(seat.name, cause))
            continue
        judged = [_outbound_subject(c, seat) for c in mine]
        best = next((s for s in judged if s.verdict is Verdict.PASS), None)
        if best is None:
            worst = aggregate(s.verdict for s in judged)
            best = next(s for s in judged if s.verdict is worst)
        subjects.append(best)
    return OUTBOUND.conclude(
        subjects,
        pass_reason=Text(
            f"each of the {len(ctx.seats)} seats completed an outbound call over the trunk",
            f"全部 {len(ctx.seats)} 个坐席都经中继完成了外呼",
        ),
        empty_reason=Text("the scenario uses no seats", "场景未使用任何坐席"),
        empty_verdict=Verdict.ERROR,
    )


CHECKS = (
    Check(REGISTERED, seats_registered),
    Check(INBOUND, inbound_each_seat),
    Check(OUTBOUND, outbound_each_seat),
)
