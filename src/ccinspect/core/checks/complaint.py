"""Complaint handling (R9, R10): a complaint call creates a proper ticket with a short deadline.

Per COMPLAINT call, its ticket must carry the caller's number (the one the call presented),
a creation time inside the call's window (± ``ctx.complaint_time_tolerance_s``), a linked
recording, and a reply deadline of at most ``ctx.complaint_reply_days`` (15). A ticket an operator
confirmed by hand (``complaints.kind: manual``, the ticket number read back) passes, saying so
and citing the operator's answer and evidence file; one the operator reports missing FAILs; no
answer within the bound is ERROR. When the runner read the
complaint backlog, unresolved tickets past their deadline FAIL R10 as well.
"""

from __future__ import annotations

from ccinspect.core.checks.base import Check, CheckContext, CheckSpec
from ccinspect.core.checks.legs import call_name, harness_cause
from ccinspect.core.facts import (
    CallFact,
    CallPurpose,
    ComplaintBacklogFact,
    ManualAnswerFact,
    RunFacts,
    TicketFact,
)
from ccinspect.core.numbers import same_number
from ccinspect.core.verdict import (
    CheckResult,
    SubjectResult,
    Text,
    Verdict,
    errored,
    failed,
    join_texts,
    passed,
)

__all__ = ["CHECKS", "complaint_flow"]

FLOW = CheckSpec(
    "complaint.flow",
    ("R9", "R10"),
    Text("Complaint creates a ticket", "投诉生成工单"),
    Text(
        "A call to the complaint line creates a ticket with time, caller number and recording, "
        "due for reply within 15 days.",
        "拨打投诉电话后生成工单，含时间、主叫号码与录音，并在 15 天内答复。",
    ),
)

_REMEDY_TICKET = Text(
    "Create a ticket for every complaint call automatically (or from the IVR complaint branch) "
    "and make it findable by caller number and time.",
    "为每通投诉来电自动生成工单（或由 IVR 投诉分支生成），并可按主叫号码和时间检索。",
)
_REMEDY_LINK = Text(
    "Link each work order to the recording of the call that created it (the call's own unique "
    "id or file), and keep that file where the link points.",
    "将每张工单关联到生成它的来电的录音（该通话自身的唯一 ID 或文件），并确保链接指向的文件存在。",
)
_REMEDY_FIELDS = Text(
    "Store on every ticket the caller's number as received, the call time and a link to the "
    "call's recording.",
    "每张工单都须记录收到的主叫号码、来电时间，并关联该通话的录音。",
)
_REMEDY_DEADLINE = Text(
    "Give every complaint ticket a reply deadline of at most 15 days and track replies against "
    "it (users may appeal to the regulator after 15 days).",
    "为每张投诉工单设定不超过 15 天的答复期限并据此跟踪答复（超过 15 天用户可向管局申诉）。",
)


def _ticket_problems(
    call: CallFact, ticket: TicketFact, tid: str, ctx: CheckContext
) -> list[tuple[Text, Text]]:
    """(reason, remedy) for every field of a found ticket that falls short."""
    problems: list[tuple[Text, Text]] = []
    sent = call.caller_number_sent
    if not ticket.caller_number:
        problems.append((Text(f"{tid} has no caller number", f"{tid} 没有主叫号码"), _REMEDY_FIELDS))
    elif sent is not None and not same_number(ticket.caller_number, sent):
        problems.append(
            (
                Text(
                    f"{tid} shows caller {ticket.caller_number}, but the call came from {sent}",
                    f"{tid} 记录的主叫为 {ticket.caller_number}，实际来电号码为 {sent}",
                ),
                _REMEDY_FIELDS,
            )
        )
    tol = ctx.complaint_time_tolerance_s
    end = call.ended_at if call.ended_at is not None else call.started_at
    if ticket.created_at is None:
        problems.append((Text(f"{tid} has no creation time", f"{tid} 没有创建时间"), _REMEDY_FIELDS))
    elif not call.started_at - tol <= ticket.created_at <= end + tol:
        off = ticket.created_at - (call.started_at if ticket.created_at < call.started_at else end)
        problems.append(
            (
                Text(
                    f"{tid} was created {off:+.0f} s outside the call's time (± {tol:g} s allowed)",
                    f"{tid} 的创建时间偏离通话时间 {off:+.0f} 秒（允许 ±{tol:g} 秒）",
                ),
                _REMEDY_FIELDS,
            )
        )
    if not ticket.recording:
        problems.append((Text(f"{tid} is not linked to a recording", f"{tid} 未关联录音"), _REMEDY_FIELDS))
    elif ticket.recording_holds_caller is False:
        why = ticket.recording_note or "the caller's message is not in it"
        problems.append(
            (
                Text(
                    f"the recording linked to {tid} is not the complaint call's ({why})",
                    f"{tid} 关联的录音不是本次投诉来电的录音（{why}）",
                ),
                _REMEDY_LINK,
            )
        )
    limit = ctx.complaint_reply_days
    if ticket.reply_deadline_days is None:
        problems.append((Text(f"{tid} has no reply deadline", f"{tid} 没有答复期限"), _REMEDY_DEADLINE))
    elif ticket.reply_deadline_days > limit:
        problems.append(
            (
                Text(
                    f"{tid} is due for reply in {ticket.reply_deadline_days:g} days; at most "
                    f"{limit} are allowed",
                    f"{tid} 的答复期限为 {ticket.reply_deadline_days:g} 天；最长允许 {limit} 天",
                ),
                _REMEDY_DEADLINE,
            )
        )
    return problems


def _manual_subject(call: CallFact, ticket: TicketFact, answer: ManualAnswerFact | None) -> SubjectResult:
    """The operator's word on the ticket (``complaints.kind: manual``): confirmed with the number
    read back PASSes, denied FAILs, no answer is ERROR. The answer is the evidence."""
    name = call_name(call)
    if ticket.error is not None or (answer is not None and not answer.answered):
        why = ticket.error or (answer.error if answer is not None else None) or "no answer"
        return errored(
            name,
            Text(
                f"the operator gave no answer about the ticket of {call.key}: {why}",
                f"操作员未答复 {call.key} 的工单情况：{why}",
            ),
            call.key,
        )
    source = answer.source if answer is not None else None
    if source is None:
        how = Text("no answer record kept", "无答复记录")
    elif source == "interactive":
        how = Text("answered on the terminal", "在终端中答复")
    else:
        how = Text(f"answered in {source}", f"答复来自 {source}")
    note = answer.note if answer is not None else None
    evidence = answer.evidence if answer is not None else None
    extra_en = (f"; note: {note}" if note else "") + (f"; evidence: {evidence}" if evidence else "")
    extra_zh = (f"；备注：{note}" if note else "") + (f"；证据：{evidence}" if evidence else "")
    cited = (call.key, *([evidence] if evidence else []))
    if not ticket.found:
        return failed(
            name,
            Text(
                f"the operator reported that no ticket was created for complaint call {call.key} "
                f"from {call.caller_number_sent} ({how.en}{extra_en})",
                f"操作员确认来自 {call.caller_number_sent} 的投诉呼叫 {call.key} 未生成工单"
                f"（{how.zh}{extra_zh}）",
            ),
            _REMEDY_TICKET,
            *cited,
        )
    tid = ticket.ticket_id or "(no number)"
    return passed(
        name,
        Text(
            f"ticket {tid} for complaint call {call.key} from {call.caller_number_sent} was "
            f"confirmed by hand by the operator ({how.en}{extra_en}; not verified automatically)",
            f"操作员人工确认来自 {call.caller_number_sent} 的投诉呼叫 {call.key} 已生成工单 {tid}"
            f"（{how.zh}{extra_zh}；未自动核验）",
        ),
        call.key,
        f"ticket {tid}",
        *([evidence] if evidence else []),
    )


def _ticket_subject(call: CallFact, facts: RunFacts, ctx: CheckContext) -> SubjectResult:
    name = call_name(call)
    cause = harness_cause(call)
    if cause is not None:
        return errored(name, cause, call.key)
    ticket = facts.ticket_for(call.key)
    if ticket is not None and ticket.manual_confirmation:
        return _manual_subject(call, ticket, facts.answer_for("complaint", call.key))
    if ticket is None or ticket.error is not None:
        why = ticket.error if ticket is not None else "no ticket lookup was recorded"
        return errored(
            name,
            Text(
                f"the complaint system could not be queried for {call.key}: {why}",
                f"无法查询 {call.key} 对应的投诉工单：{why}",
            ),
            call.key,
        )
    if not ticket.found:
        reason = Text(
            f"no ticket was created for complaint call {call.key} from {call.caller_number_sent}",
            f"来自 {call.caller_number_sent} 的投诉呼叫 {call.key} 未生成工单",
        )
        return failed(name, reason, _REMEDY_TICKET, call.key)
    tid = f"ticket {ticket.ticket_id}" if ticket.ticket_id else "the ticket"
    problems = _ticket_problems(call, ticket, tid, ctx)
    evidence = (call.key, f"ticket {ticket.ticket_id}") if ticket.ticket_id else (call.key,)
    if problems:
        return failed(
            name,
            join_texts([p[0] for p in problems], "; ", "；"),
            join_texts(list(dict.fromkeys(p[1] for p in problems))),
            *evidence,
        )
    heard = ticket.recording_holds_caller is True
    note = (f"recording: {ticket.recording_note}",) if ticket.recording_note else ()
    return passed(
        name,
        Text(
            f"{tid} created for {ticket.caller_number}, linked to {ticket.recording}"
            + (" (the caller's message heard in it)" if heard else "")
            + f", due for reply in {ticket.reply_deadline_days:g} days",
            f"已为 {ticket.caller_number} 生成{tid}，关联录音 {ticket.recording}"
            + ("（录音中可听到来电者的留言）" if heard else "")
            + f"，答复期限 {ticket.reply_deadline_days:g} 天",
        ),
        *evidence,
        *note,
    )


def _backlog_subject(fact: ComplaintBacklogFact, days: int) -> SubjectResult:
    name = "open tickets"
    if fact.error is not None or fact.overdue_open is None:
        why = fact.error or "not counted"
        return errored(
            name,
            Text(f"the ticket backlog could not be read: {why}", f"无法读取未结工单：{why}"),
        )
    if fact.overdue_open:
        oldest = fact.oldest_open_age_days
        age_en = f"; the oldest is {oldest:.0f} days old" if oldest is not None else ""
        age_zh = f"；最早的已 {oldest:.0f} 天" if oldest is not None else ""
        return failed(
            name,
            Text(
                f"{fact.overdue_open} open complaint tickets are past their reply deadline "
                f"(at most {days} days){age_en}",
                f"{fact.overdue_open} 张未结投诉工单已超过答复期限（最长 {days} 天）{age_zh}",
            ),
            _REMEDY_DEADLINE,
            f"overdue_open={fact.overdue_open}",
        )
    return passed(
        name,
        Text("no open complaint ticket is past its reply deadline", "没有超过答复期限的未结投诉工单"),
    )


def complaint_flow(facts: RunFacts, ctx: CheckContext) -> CheckResult:
    """Per COMPLAINT call its ticket (see the module docstring), plus the backlog when read.

    FAIL: no ticket; no or a different caller number; creation time outside the call; no
    recording link; no deadline or one beyond ``ctx.complaint_reply_days``; overdue open tickets.
    ERROR: no complaint call made, harness failure, complaint system not queryable.
    """
    calls = facts.calls_for(CallPurpose.COMPLAINT)
    subjects = [_ticket_subject(c, facts, ctx) for c in calls]
    if facts.complaint_backlog is not None:
        subjects.append(_backlog_subject(facts.complaint_backlog, ctx.complaint_reply_days))
    if not calls:
        subjects.append(
            errored(
                "complaint call",
                Text("no complaint call was made in this run", "本次运行未拨打投诉电话"),
            )
        )
    manual = any((t := facts.ticket_for(c.key)) is not None and t.manual_confirmation for c in calls)
    by_hand = Text(" (confirmed by hand by the operator)", "（由操作员人工确认）")
    return FLOW.conclude(
        subjects,
        pass_reason=Text(
            f"each of the {len(calls)} complaint calls created a complete ticket due within "
            f"{ctx.complaint_reply_days} days",
            f"全部 {len(calls)} 通投诉来电都生成了完整工单，答复期限不超过 {ctx.complaint_reply_days} 天",
        )
        + (by_hand if manual else Text("", "")),
        empty_verdict=Verdict.ERROR,
    )


CHECKS = (Check(FLOW, complaint_flow),)
