"""Who answers the operator's questions: the ``--answers`` file, the terminal, or nobody.

:class:`Question` and :class:`Reply` are what :mod:`ccinspect.runner.manual` asks and gets; an
:class:`Asker` returns a reply within the bound it is given or raises :class:`NoAnswer`:

* :class:`FileAsker`: the ``--answers`` file (format in :mod:`ccinspect.runner.answers`), read
  again every poll until the needed key is there, so it can be filled in during the run;
* :class:`InteractiveAsker`: prompts on the terminal, one question at a time, reading input
  through the event loop (``add_reader``), never a thread blocked in ``input()``;
* :class:`NoAsker`: neither is available (no file, stdin not a terminal).

Both real askers wait only in awaitables, so a cancellation (Ctrl-C) ends a question at once.
"""

from __future__ import annotations

import asyncio
import os
import sys
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ccinspect.core.scenario.errors import ScenarioFileError
from ccinspect.errors import CcinspectError, Kind
from ccinspect.runner.answers import AnswersFile, load_answers

__all__ = ["Asker", "FileAsker", "InteractiveAsker", "NoAnswer", "NoAsker", "Question", "Reply"]


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
