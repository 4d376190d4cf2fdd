"""Questions the runner asks the operator, and their answers as evidence.

When the target says a thing can only be seen by a person (``complaints.kind: manual``: the ticket
in a system without an interface; ``screening.observe`` with a ``manual`` rule: the warning on
the agent's screen), the runner shows what to look at (numbers, the call time in Beijing time and
UTC, the target's instructions) and records the answer as a
:class:`~ccinspect.core.facts.ManualAnswerFact`; a complaint answer also becomes the call's
:class:`~ccinspect.core.facts.TicketFact` (``manual_confirmation``), so ``complaint.flow`` can
PASS (confirmed, with the ticket number read back) or FAIL (denied).

Answers come from an :class:`Asker` (:mod:`ccinspect.runner.askers`): the ``--answers`` file
(:class:`FileAsker`, which may be filled in during the run), the terminal
(:class:`InteractiveAsker`), or nobody (:class:`NoAsker`).

Every question is bounded by the scenario's ``timeouts.manual``; no answer within it is recorded
as ``answered=False`` with the cause (the check says ERROR). Both askers only wait in awaitables
(no thread blocked in ``input()``), so Ctrl-C still ends the run at once.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ccinspect.core.facts import CallFact, CallPurpose, LegRole, ManualAnswerFact, TicketFact, seat_id_of
from ccinspect.core.scenario import Target
from ccinspect.core.scenario.sources import ManualComplaints, ObserveManual
from ccinspect.runner.answers import NO_WARNING
from ccinspect.runner.askers import (
    Asker,
    FileAsker,
    InteractiveAsker,
    NoAnswer,
    NoAsker,
    Question,
    Reply,
)
from ccinspect.runner.progress import Progress

__all__ = [
    "Asker",
    "FileAsker",
    "InteractiveAsker",
    "NoAnswer",
    "NoAsker",
    "Question",
    "Reply",
    "ask_operator",
    "briefing",
    "questions",
]

#: The inspection's legal time: the operator is shown call times in it (and in UTC).
BEIJING = ZoneInfo("Asia/Shanghai")


def _when(epoch: float) -> str:
    beijing = datetime.fromtimestamp(epoch, BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    utc = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")
    return f"{beijing} Beijing time / 北京时间 (= {utc} UTC)"


def _number(value: str | None) -> str:
    return value if value else "(no number / 无主叫号码)"


def questions(target: Target, calls: Sequence[CallFact]) -> list[Question]:
    """What the target leaves to the operator for these calls: the complaint call's ticket
    (``complaints.kind: manual``) and, with a ``manual`` screening rule, what the agent's screen
    showed for every SCREENING call that reached a seat. Calls the harness could not place are
    not asked about (their checks are ERROR anyway)."""
    asked: list[Question] = []
    spec = target.complaints
    for call in calls:
        if call.purpose is not CallPurpose.COMPLAINT or call.harness_error:
            continue
        if not isinstance(spec, ManualComplaints):
            continue
        lines = [
            f"Complaint ticket / 投诉工单 ({call.key})",
            f"  caller number / 主叫号码: {_number(call.caller_number_sent)}",
            f"  complaint line dialled / 拨打的投诉电话: {call.requested_number}",
            f"  call time / 来电时间: {_when(call.started_at)}",
        ]
        if spec.instructions:
            lines.append(f"  {spec.instructions}")
        lines.append(
            "  Was a ticket created for this call? Read its number back. "
            "/ 该来电是否生成了工单？请读出工单号。"
        )
        asked.append(Question("complaint", call.key, ("complaint",), "\n".join(lines)))
    rule = next(
        (o for o in (target.screening.observe if target.screening else ()) if isinstance(o, ObserveManual)),
        None,
    )
    if rule is None:
        return asked
    clear = frozenset(c.lower() for c in rule.clear) | NO_WARNING
    for call in calls:
        seats = [
            s for leg in call.legs if leg.role is LegRole.CALLEE and (s := seat_id_of(leg.agent)) is not None
        ]
        if call.purpose is not CallPurpose.SCREENING or call.harness_error or not seats:
            continue
        question = rule.question or (
            "What did the agent's screen show for this call? (nothing: no warning) "
            "/ 坐席屏幕对该来电显示了什么提示？（无提示则留空）"
        )
        text = "\n".join(
            [
                f"Screening display / 主叫号码甄别显示 ({call.key})",
                f"  call from / 来电号码: {_number(call.caller_number_sent)}",
                f"  call time / 来电时间: {_when(call.started_at)}",
                f"  offered to seat / 振铃坐席: {', '.join(seats)}",
                f"  {question}",
            ]
        )
        keys = (call.caller_number_sent or "", call.key)
        asked.append(Question("screening", call.key, keys, text, clear))
    return asked


# --- the run's facts -------------------------------------------------------------------------------


def _keep_evidence(reply: Reply, question: Question, run_dir: Path) -> tuple[str | None, str | None]:
    """Copy the evidence file into ``run_dir/evidence``: (its path in the run, a problem)."""
    if reply.evidence is None:
        return None, None
    dest = run_dir / "evidence" / f"manual-{question.topic}-{question.call_key}-{reply.evidence.name}"
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(reply.evidence, dest)
    except OSError as exc:
        return None, f"evidence file {reply.evidence.name} could not be kept: {exc.strerror}"
    return str(dest.relative_to(run_dir)), None


def _fact(question: Question, reply: Reply, run_dir: Path) -> ManualAnswerFact:
    evidence, problem = _keep_evidence(reply, question, run_dir)
    note = "; ".join(n for n in (reply.note, problem) if n) or None
    confirmed = reply.confirmed
    if question.topic == "screening":
        confirmed = reply.value.strip().lower() not in question.clear and bool(reply.value.strip())
    return ManualAnswerFact(
        topic=question.topic,
        call_key=question.call_key,
        question=question.text,
        answered=True,
        confirmed=confirmed,
        value=reply.value,
        note=note,
        source=reply.source,
        evidence=evidence,
        answered_at=time.time(),
    )


def _ticket(answer: ManualAnswerFact) -> TicketFact:
    found = bool(answer.answered and answer.confirmed)
    return TicketFact(
        call_key=answer.call_key,
        found=found,
        ticket_id=(answer.value or None) if found else None,
        caller_number=None,
        created_at=None,
        recording=None,
        reply_deadline_days=None,
        manual_confirmation=True,
        via="manual",
        error=None if answer.answered else answer.error,
    )


def briefing(target: Target) -> str | None:
    """What the operator should know before the calls start, when the target leaves them
    something to look at (None when it leaves nothing)."""
    parts: list[str] = []
    if isinstance(target.complaints, ManualComplaints):
        parts.append(
            "after the calls you will be asked about the complaint ticket / 通话结束后将请您确认投诉工单"
        )
    if target.screening is not None and any(isinstance(o, ObserveManual) for o in target.screening.observe):
        parts.append(
            "watch the agent screen during the screening calls: you will be asked what it showed "
            "/ 甄别呼叫期间请留意坐席屏幕，之后将询问其显示内容"
        )
    return "; ".join(parts) if parts else None


async def ask_operator(
    asker: Asker,
    target: Target,
    calls: Sequence[CallFact],
    *,
    bound_s: float,
    run_dir: Path,
    progress: Progress | None = None,
) -> tuple[list[ManualAnswerFact], list[TicketFact]]:
    """Ask every :func:`questions` of this run, each within ``bound_s``; the answers (one fact
    per question, unanswered ones with the cause) and the complaint tickets they confirm or deny.
    Evidence files are copied into ``run_dir/evidence``."""
    asked = questions(target, calls)
    if asked and progress is not None:
        progress.phase(
            "operator / 人工确认", f"{len(asked)} question(s), {bound_s:g} s each / 每题限时 {bound_s:g} 秒"
        )

    async def one(question: Question) -> ManualAnswerFact:
        try:
            return _fact(question, await asker.ask(question, bound_s), run_dir)
        except NoAnswer as exc:
            return ManualAnswerFact(question.topic, question.call_key, question.text, False, error=exc.cause)

    answers: list[ManualAnswerFact] = []
    if asker.concurrent:
        answers = list(await asyncio.gather(*(one(q) for q in asked)))
    else:
        for question in asked:
            if answers and not answers[-1].answered:
                # Nobody answered the previous question: do not keep an absent operator's run
                # waiting a full bound per question.
                answers.append(
                    ManualAnswerFact(
                        question.topic,
                        question.call_key,
                        question.text,
                        False,
                        error="not asked: the operator did not answer the previous question "
                        "/ 未询问：操作员未答复上一个问题",
                    )
                )
                continue
            answers.append(await one(question))
    tickets = [_ticket(a) for a in answers if a.topic == "complaint"]
    return answers, tickets
