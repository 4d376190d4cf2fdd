"""Complaint handling (R9/R10): a ticket with caller, time, recording and a ≤ 15-day deadline."""

from __future__ import annotations

from dataclasses import replace

from tests.core.test_checks_support import T0, call, context, facts, leg

from ccinspect.core.checks.complaint import complaint_flow
from ccinspect.core.facts import (
    TRUNK,
    CallFact,
    CallPurpose,
    ComplaintBacklogFact,
    LegRole,
    ManualAnswerFact,
    TicketFact,
)
from ccinspect.core.verdict import CheckResult, Verdict

P, F, E = Verdict.PASS, Verdict.FAIL, Verdict.ERROR
CALLER = "13800138000"


def complaint_call() -> CallFact:
    """The trunk calls 9505129 as 13800138000, answered by the IVR, from T0 to T0 + 10 s."""
    return call(
        "complaint",
        CallPurpose.COMPLAINT,
        [leg(TRUNK, LegRole.CALLER)],
        requested="9505129",
        caller_sent=CALLER,
    )


def ticket(**changes: object) -> TicketFact:
    """A complete ticket for the complaint call; ``changes`` override fields."""
    good = TicketFact(
        call_key="complaint",
        found=True,
        ticket_id="1042",
        caller_number="+8613800138000",
        created_at=T0 + 9.0,
        recording="20260101-000001_complaint_13800138000_9505129_1767225600-1",
        reply_deadline_days=15.0,
    )
    return replace(good, **changes)  # type: ignore[arg-type]


def judge(t: TicketFact | None, **run: object) -> CheckResult:
    """Run the check on the complaint call with ticket ``t``."""
    tickets = (t,) if t is not None else ()
    return complaint_flow(facts(complaint_call(), tickets=tickets, **run), context())


def test_complete_ticket_passes() -> None:
    """Ticket with the caller (any form), a time inside the call, a recording, 15 days: PASS."""
    result = judge(ticket())
    assert result.verdict is P
    assert "ticket 1042 created for +8613800138000" in result.subjects[0].reason.en


def test_no_ticket_fails() -> None:
    """No ticket was created for the complaint call: FAIL."""
    result = judge(ticket(found=False, ticket_id=None))
    assert result.verdict is F
    assert "no ticket was created for complaint call complaint from 13800138000" in result.reason.en


def test_ticket_without_caller_number_fails() -> None:
    """A ticket without the caller's number FAILs."""
    result = judge(ticket(caller_number=None))
    assert result.verdict is F
    assert "ticket 1042 has no caller number" in result.reason.en
    assert result.remedy is not None and "caller's number" in result.remedy.en


def test_ticket_with_another_caller_number_fails() -> None:
    """A ticket naming a different caller is not this complaint's: FAIL quoting both numbers."""
    result = judge(ticket(caller_number="950512"))
    assert "shows caller 950512, but the call came from 13800138000" in result.reason.en


def test_ticket_created_outside_the_call_window_fails() -> None:
    """Created an hour after the call (tolerance 120 s): FAIL with the offset."""
    result = judge(ticket(created_at=T0 + 3600.0))
    assert result.verdict is F
    assert "created +3590 s outside the call's time" in result.reason.en
    assert judge(ticket(created_at=T0 - 60.0)).verdict is P  # within the tolerance


def test_ticket_without_recording_or_with_long_deadline_fails() -> None:
    """No linked recording FAILs; a 30-day deadline FAILs R10; no deadline FAILs too."""
    assert "not linked to a recording" in judge(ticket(recording=None)).reason.en
    late = judge(ticket(reply_deadline_days=30.0))
    assert "due for reply in 30 days; at most 15 are allowed" in late.reason.en
    assert late.remedy is not None and "15 days" in late.remedy.en
    assert "no reply deadline" in judge(ticket(reply_deadline_days=None)).reason.en


def test_manual_confirmation_passes_with_a_note() -> None:
    """A ticket confirmed by hand passes, and both subject and summary say so."""
    result = judge(TicketFact("complaint", True, "A-7", None, None, None, None, manual_confirmation=True))
    assert result.verdict is P
    assert "confirmed by hand" in result.subjects[0].reason.en
    assert "confirmed by hand" in result.reason.en
    denied = judge(TicketFact("complaint", False, None, None, None, None, None, manual_confirmation=True))
    assert denied.verdict is F


def test_overdue_open_tickets_fail_r10() -> None:
    """Open tickets past their deadline in the backlog FAIL R10; none overdue passes."""
    bad = judge(ticket(), complaint_backlog=ComplaintBacklogFact(3, 40.0))
    assert bad.verdict is F
    assert "3 open complaint tickets are past their reply deadline" in bad.reason.en
    assert judge(ticket(), complaint_backlog=ComplaintBacklogFact(0, 2.0)).verdict is P


def test_errors_when_the_complaint_system_or_call_is_missing() -> None:
    """No ticket lookup, a lookup error, a harness error or no complaint call: ERROR."""
    assert judge(None).verdict is E
    assert "HTTP 502" in judge(ticket(error="HTTP 502")).reason.en
    broken = replace(complaint_call(), harness_error="IVR prompt not heard")
    assert complaint_flow(facts(broken, tickets=(ticket(),)), context()).verdict is E
    no_call = complaint_flow(facts(), context())
    assert no_call.verdict is E
    assert "no complaint call was made" in no_call.reason.en


# --- complaints.kind: manual: the operator's answer ------------------------------------------------


def manual(confirmed: bool | None, **changes: object) -> tuple[TicketFact, ManualAnswerFact]:
    """The facts the runner records for an operator's answer (None: no answer within the bound)."""
    if confirmed is None:
        answer = ManualAnswerFact(
            "complaint",
            "complaint",
            "Complaint ticket …",
            False,
            error="no answer in answers.yaml within 300 s",
        )
    else:
        answer = ManualAnswerFact(
            "complaint",
            "complaint",
            "Complaint ticket …",
            True,
            confirmed=confirmed,
            value="GD202612070001" if confirmed else "",
            note="found under 投诉 → 待处理",
            source="answers.yaml",
            evidence="evidence/manual-complaint-complaint-shot.png",
            answered_at=T0 + 400,
        )
    answer = replace(answer, **changes)  # type: ignore[arg-type]
    found = bool(answer.answered and answer.confirmed)
    fact = TicketFact(
        "complaint",
        found,
        answer.value if found else None,
        None,
        None,
        None,
        None,
        manual_confirmation=True,
        error=None if answer.answered else answer.error,
    )
    return fact, answer


def judge_manual(confirmed: bool | None, **changes: object) -> CheckResult:
    """complaint.flow on the complaint call with the operator's answer."""
    t, answer = manual(confirmed, **changes)
    return complaint_flow(facts(complaint_call(), tickets=(t,), answers=(answer,)), context())


def test_manual_confirmation_passes_naming_the_answer_ticket_and_evidence() -> None:
    """Confirmed with the number read back: PASS; the reason names the answers file, the
    ticket number, the note and the evidence file, and says it was not verified automatically."""
    result = judge_manual(True)
    assert result.verdict is P
    reason = result.subjects[0].reason
    assert "ticket GD202612070001 for complaint call complaint from 13800138000" in reason.en
    assert "answered in answers.yaml" in reason.en
    assert "evidence: evidence/manual-complaint-complaint-shot.png" in reason.en
    assert "not verified automatically" in reason.en
    assert "工单 GD202612070001" in reason.zh and "人工" in reason.zh
    assert "evidence/manual-complaint-complaint-shot.png" in result.subjects[0].evidence
    assert "confirmed by hand" in result.reason.en


def test_manual_confirmation_on_the_terminal_says_so() -> None:
    """An interactive answer is cited as answered on the terminal."""
    result = judge_manual(True, source="interactive", evidence=None, note=None)
    assert result.verdict is P
    assert "answered on the terminal" in result.subjects[0].reason.en


def test_manual_denial_fails_with_a_remedy() -> None:
    """The operator reports no ticket: FAIL, the reason quoting the answer, with a remedy."""
    result = judge_manual(False)
    assert result.verdict is F
    assert "the operator reported that no ticket was created for complaint call complaint" in result.reason.en
    assert "answered in answers.yaml" in result.reason.en
    assert result.remedy is not None and "ticket for every complaint call" in result.remedy.en


def test_manual_without_an_answer_is_an_error_with_the_cause() -> None:
    """No answer within timeouts.manual: ERROR naming the cause (never PASS or FAIL)."""
    result = judge_manual(None)
    assert result.verdict is E
    assert "the operator gave no answer about the ticket of complaint" in result.reason.en
    assert "no answer in answers.yaml within 300 s" in result.reason.en


# --- complaints.kind: rest | sql: facts judged exactly like demo-api's ---------------------------


def work_order(**changes: object) -> TicketFact:
    """A ticket as the rest/sql readers record a work order read in Beijing time: the number,
    the caller, the creation time, the recording URL and the deadline 15 days after creation."""
    order: dict[str, object] = {
        "ticket_id": "GD202612070001",
        "caller_number": "13800138000",
        "recording": "/api/v1/recordings/1765095600.42/file",
    }
    return ticket(**(order | changes))


def test_work_order_from_a_rest_or_sql_system_is_judged_like_a_demo_ticket() -> None:
    """A complete work order PASSes; without the caller's number, or due in 30 days, it FAILs."""
    good = judge(work_order())
    assert good.verdict is P
    assert "ticket GD202612070001 created for 13800138000" in good.subjects[0].reason.en
    assert "ticket GD202612070001 has no caller number" in judge(work_order(caller_number=None)).reason.en
    assert judge(work_order(reply_deadline_days=30.0)).verdict is F
    assert judge(work_order(found=False, ticket_id=None)).verdict is F


def test_a_linked_recording_without_the_callers_message_fails() -> None:
    """The link leads to a recording that does not hold the complaint caller's message, or to
    none at all: FAIL naming why, with the linking remedy."""
    wrong = judge(
        ticket(
            recording_holds_caller=False,
            recording_note="the platform's recording store has no recording named x",
        )
    )
    assert wrong.verdict is F
    assert "is not the complaint call's (the platform's recording store has no recording named x)" in (
        wrong.subjects[0].reason.en
    )
    assert wrong.subjects[0].remedy is not None and "Link each work order" in wrong.subjects[0].remedy.en


def test_a_linked_recording_heard_or_not_listened_to() -> None:
    """Heard: PASS saying so with the note as evidence; not listened to (a web page): still
    judged on the link alone, the note kept as evidence."""
    heard = judge(
        ticket(
            recording_holds_caller=True, recording_note="x.wav: 6.2 s; the caller's message is heard in it"
        )
    )
    assert heard.verdict is P and "the caller's message heard in it" in heard.subjects[0].reason.en
    assert any("recording: x.wav: 6.2 s" in e for e in heard.subjects[0].evidence)
    unheard = judge(ticket(recording_note="http://c/calls/1 is a web page, not audio: not listened to"))
    assert unheard.verdict is P and any("not listened to" in e for e in unheard.subjects[0].evidence)
