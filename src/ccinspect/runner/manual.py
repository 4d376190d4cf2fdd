"""Questions the runner asks the operator, and their answers as evidence.

When the target says a thing can only be seen by a person (``complaints.kind: manual``: the ticket
in a system without an interface; ``screening.observe`` with a ``manual`` rule: the warning on
the agent's screen), the runner shows what to look at (numbers, the call time in Beijing time and
UTC, the target's instructions) and records the answer as a
:class:`~ccinspect.core.facts.ManualAnswerFact`; a complaint answer also becomes the call's
:class:`~ccinspect.core.facts.TicketFact` (``manual_confirmation``), so ``complaint.flow`` can
PASS (confirmed, with the ticket number read back) or FAIL (denied).

Answers come from an :class:`Asker`:

* :class:`FileAsker`: the ``--answers`` file (format in :mod:`ccinspect.runner.answers`), read
  again every second until the needed key is there, so it can be filled in during the run;
* :class:`InteractiveAsker`: prompts on the terminal, one question at a time;
* :class:`NoAsker`: neither is available (no file, stdin not a terminal).

Every question is bounded by the scenario's ``timeouts.manual``; no answer within it is recorded
as ``answered=False`` with the cause (the check says ERROR). Both askers only wait in awaitables
(no thread blocked in ``input()``), so Ctrl-C still ends the run at once.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from ccinspect.core.facts import CallFact, CallPurpose, LegRole, ManualAnswerFact, TicketFact, seat_id_of
from ccinspect.core.scenario import Target
from ccinspect.core.scenario.errors import ScenarioFileError
from ccinspect.core.scenario.sources import ManualComplaints, ObserveManual
from ccinspect.errors import CcinspectError, Kind
from ccinspect.runner.answers import NO_WARNING, AnswersFile, load_answers
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


@dataclass(frozen=True, slots=True)
class Question:
    """One thing to look up: ``topic`` ``complaint`` or ``screening``, the ``call_key`` asked
    about, the answers-file ``keys`` that answer it (screening: the test number, the call key),
    the ``text`` shown to the operator, and ``clear``: answers meaning "no warning"."""

    topic: str
    call_key: str
    keys: tuple[str, ...]
    text: str
    clear: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer: ``confirmed`` (complaint: the ticket exists; None for free text), ``value``
    (the ticket number, or what the screen showed, '' for nothing), an optional ``note`` and
    ``evidence`` file, and where it came from (``source``)."""

    confirmed: bool | None
    value: str
    source: str
    note: str | None = None
    evidence: Path | None = None


class NoAnswer(CcinspectError):
    """No answer came within the bound (or could come at all). Never reaches the CLI: it becomes
    an unanswered :class:`~ccinspect.core.facts.ManualAnswerFact` (the check says ERROR)."""

    kind = Kind.USER

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message, message_zh)

    @property
    def cause(self) -> str:
        """The cause in both languages, as the run's facts carry it."""
        return f"{self.message} / {self.message_zh}"


class Asker(Protocol):
    """Takes the operator's answer to one question within ``bound_s`` seconds, else NoAnswer.

    ``concurrent``: the asker can wait for several questions at once (a file can; a terminal
    asks one at a time)."""

    concurrent: bool

    async def ask(self, question: Question, bound_s: float) -> Reply: ...


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


# --- the answers file ------------------------------------------------------------------------------


class FileAsker:
    """Answers from the ``--answers`` YAML file, read again whenever it changes.

    The file is validated when the asker is made (a wrong file is the user's mistake, reported
    before the run: :class:`~ccinspect.core.scenario.errors.ScenarioFileError`); it may not exist
    yet. During the run an invalid version is reported through ``note`` and waited out: the
    operator may fix it before the bound expires.
    """

    concurrent = True

    def __init__(self, path: Path, *, note: Callable[[str], None] | None = None, poll_s: float = 1.0) -> None:
        self.path = path
        self.poll_s = poll_s
        self._note = note or (lambda _text: None)
        self._stamp: tuple[int, int] | None = None
        self._answers: AnswersFile | None = load_answers(path)
        self._problem: ScenarioFileError | None = None
        self._told: set[str] = set()
        self._stamp = self._stat()

    def _stat(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def _current(self) -> AnswersFile | None:
        stamp = self._stat()
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self._answers, self._problem = load_answers(self.path), None
            except ScenarioFileError as exc:
                self._answers, self._problem = None, exc
                if exc.message not in self._told:
                    self._told.add(exc.message)
                    self._note(f"answers file not usable yet / 答复文件暂不可用: {exc}")
        return self._answers

    def _reply(self, question: Question, answers: AnswersFile) -> Reply | None:
        source = self.path.name
        if question.topic == "complaint":
            c = answers.complaint
            if c is None:
                return None
            return Reply(c.confirmed, c.ticket or "", source, c.note, c.evidence)
        key = next((k for k in question.keys if k in answers.screening), None)
        return None if key is None else Reply(None, answers.screening[key], source)

    async def ask(self, question: Question, bound_s: float) -> Reply:
        where = (
            "complaint: {confirmed: true|false, ticket: …}"
            if question.topic == "complaint"
            else f'screening: {{"{question.keys[0]}": "<what the screen showed / 屏幕显示>"}}'
        )
        self._note(f"{question.text}\n  → answer in / 请在此文件中答复 {self.path}: {where}")
        deadline = time.monotonic() + bound_s
        while True:
            answers = self._current()
            reply = self._reply(question, answers) if answers is not None else None
            if reply is not None:
                return reply
            left = deadline - time.monotonic()
            if left <= 0:
                break
            await asyncio.sleep(min(self.poll_s, left))
        if self._problem is not None:
            problem = self._problem
            why, why_zh = f"the file is invalid: {problem.message}", f"文件有误：{problem.message_zh}"
        elif self._stamp is None:
            why, why_zh = "the file does not exist", "文件不存在"
        else:
            why, why_zh = f"it has no answer for '{where}'", f"文件中没有该项答复（{where}）"
        raise NoAnswer(
            f"no answer in the answers file {self.path} within {bound_s:g} s: {why}",
            f"答复文件 {self.path} 在 {bound_s:g} 秒内没有答复：{why_zh}",
        )


# --- the terminal ------------------------------------------------------------------------------


class _Lines:
    """Lines from a file descriptor, awaited with the event loop's reader (never a blocked thread)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.eof = False

    def discard_typed_ahead(self) -> None:
        """Drop what was typed before the question (stray Enter presses during the run)."""
        self.buffer = b""
        if os.isatty(self.fd):
            termios.tcflush(self.fd, termios.TCIFLUSH)

    async def readline(self) -> str | None:
        """The next line without its end, None at end of input."""
        loop = asyncio.get_running_loop()
        while b"\n" not in self.buffer and not self.eof:
            ready: asyncio.Future[None] = loop.create_future()

            def wake(ready: asyncio.Future[None] = ready) -> None:
                if not ready.done():
                    ready.set_result(None)

            loop.add_reader(self.fd, wake)
            try:
                await ready
            finally:
                loop.remove_reader(self.fd)
            chunk = os.read(self.fd, 4096)
            self.eof = not chunk
            self.buffer += chunk
        if not self.buffer:
            return None
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode("utf-8", "replace").strip()


_YES = {"y", "yes", "是", "有", "1", "true"}
_NO = {"n", "no", "否", "没有", "无", "0", "false"}


class InteractiveAsker:
    """Prompts on the terminal (``fd`` for input, ``write`` for output), one question at a time;
    each question's whole dialogue is bounded."""

    concurrent = False

    def __init__(self, fd: int = 0, write: Callable[[str], None] | None = None) -> None:
        self.lines = _Lines(fd)
        self.write = write or _stderr

    async def _prompt(self, text: str) -> str:
        self.write(text)
        line = await self.lines.readline()
        if line is None:
            raise NoAnswer("the terminal's input ended", "终端输入已结束")
        return line

    async def _dialogue(self, question: Question) -> Reply:
        self.write(f"\n{question.text}\n")
        if question.topic == "screening":
            shown = await self._prompt("  screen showed / 屏幕显示 (Enter = no warning / 回车表示无提示): ")
            return Reply(None, shown, "interactive")
        while (answer := (await self._prompt("  ticket created? / 是否生成工单？[y/n]: ")).lower()) not in (
            _YES | _NO
        ):
            self.write("  please answer y or n / 请回答 y 或 n\n")
        confirmed = answer in _YES
        ticket = ""
        while confirmed and not ticket:
            ticket = await self._prompt("  ticket number read back / 工单号: ")
        note = await self._prompt("  note (optional) / 备注（可选，回车跳过）: ") or None
        evidence: Path | None = None
        while True:
            name = await self._prompt("  evidence file (optional path) / 证据文件路径（可选，回车跳过）: ")
            if not name:
                break
            evidence = _existing_file(name)
            if evidence is not None:
                break
            self.write(f"  no such file: {name} / 文件不存在\n")
        return Reply(confirmed, ticket, "interactive", note, evidence)

    async def ask(self, question: Question, bound_s: float) -> Reply:
        self.lines.discard_typed_ahead()
        try:
            async with asyncio.timeout(bound_s):
                return await self._dialogue(question)
        except TimeoutError:
            self.write("\n")
            raise NoAnswer(
                f"the operator did not answer within {bound_s:g} s (timeouts.manual)",
                f"操作员未在 {bound_s:g} 秒内答复（timeouts.manual）",
            ) from None


def _existing_file(name: str) -> Path | None:
    path = Path(name).expanduser().resolve()
    return path if path.is_file() else None


def _stderr(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


class NoAsker:
    """No way to ask: no answers file was given and stdin is not a terminal."""

    concurrent = True

    async def ask(self, question: Question, bound_s: float) -> Reply:
        raise NoAnswer(
            "nobody can be asked: give the answers with `ccinspect run --answers FILE` or run "
            "from a terminal",
            "无法询问操作员：请用 --answers FILE 提供答复，或在终端中运行",
        )


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
