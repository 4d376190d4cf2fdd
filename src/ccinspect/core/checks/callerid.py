"""Caller ID (R1, R2): what the trunk sees on outbound calls, what the seat sees on inbound ones.

* ``callerid.outbound_allocated`` (R1, R3, R4): on the INVITE the trunk received for each
  OUTBOUND and FORGED_CALLER_ID call, every presented identity (From, P-Asserted-Identity,
  calling-party Remote-Party-ID, P-Preferred-Identity) is an allocated number that may be
  presented, nothing is hidden, no seat's extension or name shows anywhere (:mod:`.leaks`:
  Contact, Diversion, History-Info, display names), and a forged number appears nowhere in the
  headers. A forged call refused with 4xx/6xx before
  it reached the trunk also passes.
* ``callerid.inbound_passthrough`` (R2): for each INBOUND call, the seat's INVITE (From and every
  P-Asserted-Identity) and the CDR show the number the trunk sent, compared in normalised form,
  and nothing hides it from the seat (``Privacy: id``, a display name showing another number).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ccinspect.core.checks.base import Check, CheckContext, CheckSpec
from ccinspect.core.checks.leaks import REMEDY_LEAK, seat_leaks
from ccinspect.core.checks.legs import (
    answered_seat_leg,
    call_name,
    caller_leg,
    excerpt,
    harness_cause,
    is_rejection,
    offered_seat_legs,
    parsed_invite,
    status_text,
    trunk_callee,
)
from ccinspect.core.facts import CallFact, CallPurpose, RunFacts, SipMessageFact, seat_id_of
from ccinspect.core.numbers import (
    NumberKind,
    OutboundCallerIdPolicy,
    normalise_number,
    parse_number,
    same_number,
)
from ccinspect.core.sipheaders import (
    CallerIdentity,
    NameAddr,
    ParsedSipMessage,
    parse_name_addr,
    parse_sip_message,
)
from ccinspect.core.verdict import (
    CheckResult,
    SubjectResult,
    Text,
    Verdict,
    errored,
    failed,
    join_texts,
    passed,
    skipped,
)

__all__ = ["CHECKS", "find_number_in_headers", "inbound_passthrough", "outbound_allocated"]

OUTBOUND_ALLOCATED = CheckSpec(
    "callerid.outbound_allocated",
    ("R1", "R3", "R4"),
    Text("Outbound caller ID is an allocated number", "外呼主叫号码为获配号码"),
    Text(
        "The INVITE reaching the trunk presents only allocated numbers, unhidden; forged caller "
        "IDs are overwritten or refused and never leave the platform.",
        "到达中继的 INVITE 只呈现获配号码且未隐藏；伪造的主叫号码被改写或拒绝，不得外送。",
    ),
)
INBOUND_PASSTHROUGH = CheckSpec(
    "callerid.inbound_passthrough",
    ("R2",),
    Text("Inbound caller number passes through", "来电主叫号码透传"),
    Text(
        "The seat's INVITE and the CDR show the caller's number exactly as the trunk sent it.",
        "坐席收到的 INVITE 与话单显示的主叫号码与中继送来的号码一致。",
    ),
)

_DIGIT_RUN = re.compile(r"(?:\+|%2[bB])?\d[\d\-]{3,}\d")


def find_number_in_headers(message: ParsedSipMessage, number: str) -> tuple[str, ...]:
    """Header lines (start line included, body excluded) that carry ``number`` in any form.

    A run of digits matches when it is the same number (``+86``/``0086``/national forms) or ends
    with the number's national digits (prefixes such as ``86`` or a carrier code added). Returns
    ``"Name: value"`` excerpts.
    """
    national = normalise_number(number)
    if len(national) < 5:
        return ()
    lines = [("", message.start_line), *message.headers]
    hits: list[str] = []
    for name, value in lines:
        for run in _DIGIT_RUN.findall(value):
            digits = run.replace("%2B", "+").replace("%2b", "+").replace("-", "")
            if same_number(digits, number) or digits.lstrip("+").endswith(national.lstrip("+")):
                hits.append(excerpt(f"{name}: {value}" if name else value))
                break
    return tuple(hits)


# ---------------------------------------------------------------- callerid.outbound_allocated


@dataclass(frozen=True, slots=True)
class _Problem:
    """One thing wrong with a trunk-side INVITE, its evidence line and remedy."""

    reason: Text
    evidence: str
    remedy: Text


def _remedy_rewrite(ctx: CheckContext) -> Text:
    example = ctx.example_caller_id() or "…"
    return Text(
        f"Rewrite the caller ID on the outbound route to an allocated number (e.g. {example}) in "
        "From and P-Asserted-Identity; never pass a seat's own identity to the trunk.",
        f"在外呼路由中将主叫号码改写为已分配号码（如 {example}），并发送 P-Asserted-Identity；"
        "不得把坐席自身号码送往中继。",
    )


_REMEDY_PRIVACY = Text(
    "Do not hide the caller ID on outbound calls: remove 'Privacy: id' and RPID privacy=full.",
    "外呼不得隐藏主叫号码：去掉 “Privacy: id” 及 Remote-Party-ID 的 privacy=full。",
)
_REMEDY_FORGED = Text(
    "Overwrite any caller ID a seat supplies (From, P-Asserted-Identity, Remote-Party-ID, "
    "P-Preferred-Identity) or refuse the call; a forged number must never reach the carrier.",
    "改写坐席自带的任何主叫号码（From、P-Asserted-Identity、Remote-Party-ID、"
    "P-Preferred-Identity），或直接拒绝呼叫；伪造号码不得送达运营商。",
)


def _identity_problems(
    header: str, value: NameAddr, policy: OutboundCallerIdPolicy, call: CallFact, ctx: CheckContext
) -> list[_Problem]:
    line = excerpt(f"{header}: {value.raw}")
    if value.is_anonymous():
        return [
            _Problem(
                Text(f"{line} — the caller ID is anonymous", f"{line} —— 主叫号码为匿名"),
                line,
                _REMEDY_PRIVACY,
            )
        ]
    number = value.uri.number
    finding = policy.evaluate(number)
    if finding.ok:
        return []
    caller = caller_leg(call)
    seat = ctx.seat(seat_id_of(caller.agent) or "") if caller is not None else None
    if seat is not None and number in (seat.id, seat.username):
        why = Text("the seat's own extension leaked", "坐席自身分机号外泄")
    else:
        why = join_texts([Text(r.message_en, r.message_zh) for r in finding.reasons], "; ", "；")
    return [_Problem(Text(f"{line} — ", f"{line} —— ") + why, line, _remedy_rewrite(ctx))]


def _invite_problems(
    message: ParsedSipMessage, call: CallFact, ctx: CheckContext, forged: str
) -> tuple[list[_Problem], list[str]]:
    """Everything wrong with a trunk-side INVITE, and the identity lines that were judged.

    An identity carrying the ``forged`` number is left to the leak search, so that it is
    reported once, as the leak.
    """
    identity = message.identity()
    policy = ctx.outbound_policy()
    problems: list[_Problem] = []
    judged: list[tuple[str, NameAddr]] = []
    if identity.from_ is not None:
        judged.append(("From", identity.from_))
    judged += [("P-Asserted-Identity", v) for v in identity.pai]
    judged += [
        ("Remote-Party-ID", v) for v in identity.rpid if (v.param("party") or "calling").lower() == "calling"
    ]
    judged += [("P-Preferred-Identity", v) for v in identity.ppi]
    for line, what in seat_leaks(identity, ctx.seats):
        shown = excerpt(line)
        problems.append(_Problem(Text(f"{shown} — ", f"{shown} —— ") + what, shown, REMEDY_LEAK))
    if "id" in identity.privacy:
        line = "Privacy: " + ";".join(identity.privacy)
        problems.append(
            _Problem(
                Text(f"{line} — the caller ID is hidden", f"{line} —— 主叫号码被隐藏"),
                line,
                _REMEDY_PRIVACY,
            )
        )
    for header, value in judged:
        if header == "Remote-Party-ID" and (value.param("privacy") or "").lower() in ("full", "uri"):
            line = excerpt(f"{header}: {value.raw}")
            problems.append(
                _Problem(
                    Text(f"{line} — the caller ID is hidden", f"{line} —— 主叫号码被隐藏"),
                    line,
                    _REMEDY_PRIVACY,
                )
            )
        if not (forged and same_number(value.uri.number, forged)):
            problems += _identity_problems(header, value, policy, call, ctx)
    if identity.from_ is None:
        problems.append(
            _Problem(
                Text("the INVITE has no From header", "INVITE 缺少 From 头"),
                message.start_line,
                _remedy_rewrite(ctx),
            )
        )
    if ctx.require_pai and not identity.pai:
        problems.append(
            _Problem(
                Text(
                    "the INVITE carries no P-Asserted-Identity, which the carrier requires",
                    "INVITE 未携带运营商要求的 P-Asserted-Identity",
                ),
                message.start_line,
                _remedy_rewrite(ctx),
            )
        )
    return problems, [excerpt(f"{h}: {v.raw}") for h, v in judged]


def _forged_leaks(forged: str, message: ParsedSipMessage | None) -> list[_Problem]:
    if message is None or not normalise_number(forged):
        return []
    return [
        _Problem(
            Text(
                f"the forged number {forged} left the platform: {hit}",
                f"伪造号码 {forged} 被送出平台：{hit}",
            ),
            hit,
            _REMEDY_FORGED,
        )
        for hit in find_number_in_headers(message, forged)
    ]


def _stray_leaks(forged: str, stray: Iterable[SipMessageFact]) -> list[_Problem]:
    problems: list[_Problem] = []
    for msg in stray:
        problems += _forged_leaks(forged, parse_sip_message(msg.text))
    return problems


def _outbound_subject(call: CallFact, facts: RunFacts, ctx: CheckContext) -> SubjectResult:
    name = call_name(call)
    cause = harness_cause(call)
    if cause is not None:
        return errored(name, cause, call.key)
    forged = (call.caller_number_sent or "") if call.purpose is CallPurpose.FORGED_CALLER_ID else ""
    trunk = trunk_callee(call)
    message = parsed_invite(trunk)
    problems = _stray_leaks(forged, facts.stray_trunk_invites) if forged else []
    judged: list[str] = []
    if message is None:
        leg = caller_leg(call)
        status = leg.final_status if leg is not None else None
        if forged and is_rejection(status) and not problems:
            what = status_text(leg)
            return passed(
                name,
                Text(
                    f"rejected: the platform refused forged caller ID {forged} with {what}; "
                    "nothing reached the trunk",
                    f"已拒绝：平台以 {what} 拒绝了伪造主叫号码 {forged}，没有呼叫到达中继",
                ),
                call.key,
                what,
            )
        if not problems:
            return errored(
                name,
                Text(
                    f"no INVITE of call {call.key} reached the trunk (seat got "
                    f"{status_text(leg)}), so its caller ID could not be read "
                    "(see outbound.each_seat)",
                    f"呼叫 {call.key} 没有 INVITE 到达中继（坐席收到 {status_text(leg)}），"
                    "无法读取主叫号码（见 outbound.each_seat）",
                ),
                call.key,
            )
    else:
        found, judged = _invite_problems(message, call, ctx, forged)
        problems = found + _forged_leaks(forged, message) + problems
    if problems:
        remedies: list[Text] = []
        for p in problems:
            if p.remedy not in remedies:
                remedies.append(p.remedy)
        return failed(
            name,
            join_texts([p.reason for p in problems], "; ", "；"),
            join_texts(remedies),
            call.key,
            *dict.fromkeys(p.evidence for p in problems),
        )
    shown = "; ".join(judged)
    lead_en = f"forged {forged} was overwritten; " if forged else ""
    lead_zh = f"伪造号码 {forged} 已被改写；" if forged else ""
    return passed(
        name,
        Text(
            f"{lead_en}the trunk received only allocated caller IDs: {shown}",
            f"{lead_zh}中继收到的主叫号码均为获配号码：{shown}",
        ),
        call.key,
        *judged,
    )


def outbound_allocated(facts: RunFacts, ctx: CheckContext) -> CheckResult:
    """Judge the caller ID of every OUTBOUND and FORGED_CALLER_ID call at the trunk; per call.

    FAIL for each identity header whose number is not allocated, is 400/700, is a 95/96 number
    without an outbound commitment, is anonymous or hidden (``Privacy: id``, RPID privacy), is
    the seat's own extension (said so), or for a forged number found in any header of the trunk's
    INVITE or of an INVITE the runner could not attribute. ERROR when a non-forged call never
    reached the trunk (its caller ID cannot be read) or the harness failed.
    """
    calls = facts.calls_for(CallPurpose.OUTBOUND, CallPurpose.FORGED_CALLER_ID)
    subjects = [_outbound_subject(call, facts, ctx) for call in calls]
    return OUTBOUND_ALLOCATED.conclude(
        subjects,
        pass_reason=Text(
            f"all {len(subjects)} outbound calls presented only allocated numbers at the trunk",
            f"全部 {len(subjects)} 通外呼在中继侧只呈现获配号码",
        ),
        empty_reason=Text(
            "no outbound or forged-caller-ID calls were made in this run",
            "本次运行未进行外呼或伪造主叫测试",
        ),
        empty_verdict=Verdict.ERROR,
    )


# ---------------------------------------------------------------- callerid.inbound_passthrough

_REMEDY_PASSTHROUGH = Text(
    "Pass the caller's number to the seat unchanged in From and P-Asserted-Identity (and in the "
    "CDR); do not replace it with the access number, a trunk number or an internal id.",
    "将来电主叫号码原样透传给坐席（From 与 P-Asserted-Identity）并写入话单；不得改写为接入号码、"
    "中继号码或内部号码。",
)


def _form(number: str) -> tuple[str, str]:
    parsed = parse_number(number)
    if parsed.international_form:
        return "+86 form", "+86 格式"
    if parsed.kind is NumberKind.MOBILE:
        return "mobile", "手机"
    if parsed.kind is NumberKind.FIXED:
        return "fixed line", "固话"
    return parsed.kind.message_en, parsed.kind.message_zh


_NUMBER_IN_TEXT = re.compile(r"\+?\d{5,}")


def _hiding(identity: CallerIdentity, sent: str) -> list[tuple[str, str]]:
    """What in a seat's INVITE hides the caller's number or shows another one: ``Privacy: id``,
    or a display name of From / P-Asserted-Identity holding a number that is not the caller's."""
    found: list[tuple[str, str]] = []
    if "id" in identity.privacy:
        found.append(("Privacy", ";".join(identity.privacy) + " (the number is hidden from the seat)"))
    named = [("From", identity.from_), *(("P-Asserted-Identity", v) for v in identity.pai)]
    for header, addr in named:
        display = addr.display_name if addr is not None else None
        others = [n for n in _NUMBER_IN_TEXT.findall(display or "") if not same_number(n, sent)]
        if others:
            found.append((f"{header} display name", f'"{display}" (shows {others[0]}, not the caller)'))
    return found


def _passthrough_subject(call: CallFact, facts: RunFacts) -> SubjectResult:
    name = call_name(call)
    cause = harness_cause(call)
    if cause is not None:
        return errored(name, cause, call.key)
    sent = call.caller_number_sent
    if sent is None:
        return errored(
            name,
            Text(
                f"the runner did not record which number the trunk sent on {call.key}",
                f"测试工具未记录中继在 {call.key} 中送出的主叫号码",
            ),
        )
    if parse_number(sent).kind is NumberKind.ABSENT:
        return skipped(
            name,
            Text(
                "no calling number was sent; passthrough does not apply",
                "未送主叫号码，不适用透传检查",
            ),
        )
    leg = answered_seat_leg(call) or next((x for x in offered_seat_legs(call) if x.invite is not None), None)
    message = parsed_invite(leg)
    if leg is None or message is None:
        return errored(
            name,
            Text(
                f"call {call.key} reached no seat, so passthrough could not be read (see inbound.each_seat)",
                f"呼叫 {call.key} 未到达坐席，无法检查透传（见 inbound.each_seat）",
            ),
            call.key,
        )
    identity = message.identity()
    shown: list[tuple[str, str]] = []
    if identity.from_ is not None:
        shown.append(("From", identity.from_.raw))
    shown += [("P-Asserted-Identity", v.raw) for v in identity.pai]
    seen = [(h, v, parse_name_addr(v).uri.number) for h, v in shown]
    cdr = facts.cdr_for(call.key)
    if cdr is not None and cdr.src is not None:
        seen.append(("CDR src", cdr.src, cdr.src))
    wrong = [(h, v) for h, v, n in seen if not same_number(n, sent)]
    lines = [excerpt(f"{h}: {v}") for h, v, _ in seen]
    if not identity.from_:
        wrong.append(("From", "(missing)"))
    wrong += _hiding(identity, sent)
    if wrong:
        bad = "; ".join(excerpt(f"{h}: {v}") for h, v in wrong)
        return failed(
            name,
            Text(
                f"the trunk sent {sent} but {leg.agent} was shown {bad}",
                f"中继送出 {sent}，但 {leg.agent} 收到 {bad}",
            ),
            _REMEDY_PASSTHROUGH,
            call.key,
            *lines,
        )
    return passed(
        name,
        Text(
            f"the trunk sent {sent}; {leg.agent} saw the same number ({'; '.join(lines)})",
            f"中继送出 {sent}；{leg.agent} 收到相同号码（{'；'.join(lines)}）",
        ),
        call.key,
        *lines,
    )


def inbound_passthrough(facts: RunFacts, ctx: CheckContext) -> CheckResult:
    """Per INBOUND call: From, every PAI and the CDR's src equal the number the trunk sent.

    Numbers compare normalised (``+8613800138000`` equals ``13800138000``). A withheld number
    SKIPs that call; a call no seat received, or whose sent number is unknown, is ERROR. The
    summary lists which number forms (mobile, fixed line, +86 form) the run covered.
    """
    del ctx  # the policy has nothing to say: the rule is "unchanged"
    calls = facts.calls_for(CallPurpose.INBOUND)
    subjects = [_passthrough_subject(call, facts) for call in calls]
    forms = dict.fromkeys(_form(c.caller_number_sent or "") for c in calls if c.caller_number_sent)
    return INBOUND_PASSTHROUGH.conclude(
        subjects,
        pass_reason=Text(
            f"the caller's number reached the seat unchanged on all {len(subjects)} inbound "
            f"calls (forms covered: {', '.join(f[0] for f in forms)})",
            f"全部 {len(subjects)} 通呼入的主叫号码均原样透传至坐席"
            f"（覆盖：{'、'.join(f[1] for f in forms)}）",
        ),
        empty_reason=Text("no inbound calls were made in this run", "本次运行未进行任何呼入测试"),
        empty_verdict=Verdict.ERROR,
    )


CHECKS = (
    Check(OUTBOUND_ALLOCATED, outbound_allocated),
    Check(INBOUND_PASSTHROUGH, inbound_passthrough),
)
