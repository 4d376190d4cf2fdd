"""The operator's answers (runner.manual): from the --answers file (present, filled in during the
wait, never: the bound), from the terminal (a pipe standing in for it), validated with errors
naming the file and key, evidence copied into the run, and recorded as facts complaint.flow
turns into PASS, FAIL or ERROR. Every wait is bounded and cancellable."""

from __future__ import annotations

import asyncio
import contextlib
import os
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ccinspect.core.catalog import run_checks
from ccinspect.core.checks.complaint import complaint_flow
from ccinspect.core.facts import TRUNK, CallFact, CallPurpose, LegRole, ManualAnswerFact, seat_agent
from ccinspect.core.scenario import Target, load_scenario
from ccinspect.core.scenario.errors import ScenarioFileError
from ccinspect.core.verdict import Verdict
from ccinspect.runner.answers import load_answers
from ccinspect.runner.manual import (
    FileAsker,
    InteractiveAsker,
    NoAnswer,
    NoAsker,
    Question,
    ask_operator,
    briefing,
    questions,
)
from ccinspect.runner.output import RunDir
from ccinspect.runner.run import Inspection
from tests.core.test_checks_support import context, facts, leg
from tests.platform.tickets_support import CALLER, complaint_call, target_with

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
MANUAL = """\
complaints:
  kind: manual
  instructions: 在工单系统中按主叫号码和时间查找投诉工单 / Find the ticket by caller number and time
screening:
  observe:
    - {kind: manual, values: {"[号码异常]": malformed}}
"""


@pytest.fixture
def target(tmp_path: Path) -> Target:
    """The demo target with manual complaints and a manual screening rule."""
    return target_with(tmp_path, MANUAL)


def screening_call(key: str, number: str, *, reached_seat: bool = True) -> CallFact:
    """A SCREENING call from ``number``: offered to seat 100101, or refused before any seat."""
    legs = [leg(TRUNK, LegRole.CALLER, status=200 if reached_seat else 403)]
    if reached_seat:
        legs.append(leg(seat_agent("100101"), LegRole.CALLEE))
    return CallFact(key, CallPurpose.SCREENING, tuple(legs), "955088", number, time.time(), time.time() + 8)


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def answers_file(tmp_path: Path, text: str) -> Path:
    return write(tmp_path / "answers.yaml", text)


# --- the questions -------------------------------------------------------------------------------


def test_questions_show_numbers_times_and_instructions(target: Target) -> None:
    """The complaint question shows the caller, the line, the call time in Beijing time and UTC
    and the target's instructions; screening is asked only for calls that reached a seat."""
    call = complaint_call(started_at=1_765_095_600.0)  # 2025-12-07 08:20:00 UTC
    asked = questions(
        target,
        [
            call,
            screening_call("screen-5", "12345"),
            screening_call("screen-9", "17000000000", reached_seat=False),
        ],
    )
    assert [(q.topic, q.call_key) for q in asked] == [("complaint", "complaint"), ("screening", "screen-5")]
    text = asked[0].text
    assert CALLER in text and "02586669315" in text
    assert "2025-12-07 16:20:00 Beijing time" in text and "2025-12-07 08:20:00 UTC" in text
    assert "Find the ticket by caller number and time" in text
    assert "12345" in asked[1].text and "100101" in asked[1].text
    assert asked[1].keys == ("12345", "screen-5")
    assert briefing(target) is not None and "agent screen" in (briefing(target) or "")


# --- the answers file ----------------------------------------------------------------------------


async def test_answers_file_present_confirms_the_ticket_and_keeps_the_evidence(
    target: Target, tmp_path: Path
) -> None:
    """A confirmed ticket with note and evidence: the answer fact, a ticket fact derived from it
    (manual_confirmation), the screenshot copied into the run's evidence/, and a PASS citing all."""
    (tmp_path / "shot.png").write_bytes(b"\x89PNG fake screenshot")
    path = answers_file(
        tmp_path,
        """\
        complaint:
          confirmed: true
          ticket: "GD202612070001"
          note: 在“待处理”中找到 / found under pending
          evidence: shot.png
        screening:
          "12345": "[号码异常]"
          "13800138000": ""
          screen-7: none
        """,
    )
    run_dir = tmp_path / "runs" / "r1"
    call = complaint_call()
    calls = [
        call,
        screening_call("screen-5", "12345"),
        screening_call("screen-1", CALLER),
        screening_call("screen-7", ""),
    ]
    answers, tickets = await ask_operator(FileAsker(path), target, calls, bound_s=5, run_dir=run_dir)
    by_key = {a.call_key: a for a in answers}
    complaint = by_key["complaint"]
    assert (complaint.answered, complaint.confirmed, complaint.value) == (True, True, "GD202612070001")
    assert complaint.source == "answers.yaml" and complaint.note and "pending" in complaint.note
    assert complaint.evidence == "evidence/manual-complaint-complaint-shot.png"
    assert (run_dir / complaint.evidence).read_bytes() == b"\x89PNG fake screenshot"
    screen = {k: (a.topic, a.confirmed, a.value) for k, a in by_key.items() if a.topic == "screening"}
    assert screen == {
        "screen-5": ("screening", True, "[号码异常]"),
        "screen-1": ("screening", False, ""),
        "screen-7": ("screening", False, ""),
    }
    [t] = tickets
    assert (t.found, t.ticket_id, t.manual_confirmation, t.error) == (True, "GD202612070001", True, None)
    result = complaint_flow(facts(call, tickets=tuple(tickets), answers=tuple(answers)), context())
    assert result.verdict is Verdict.PASS
    assert "GD202612070001" in result.reason.en or "GD202612070001" in result.subjects[0].reason.en
    assert "evidence/manual-complaint-complaint-shot.png" in result.subjects[0].reason.en


async def test_answer_filled_in_during_the_wait_is_taken(target: Target, tmp_path: Path) -> None:
    """No file when the wait starts; an invalid one then a denial written later: the note says
    what is wrong with the file, and the denial is taken before the bound (FAIL, not ERROR)."""
    path = tmp_path / "later.yaml"
    notes: list[str] = []
    asker = FileAsker(path, note=notes.append, poll_s=0.1)
    call = complaint_call()

    async def operator() -> None:
        await asyncio.sleep(0.5)
        write(path, "complaint: {confirmed: maybe}\n")
        await asyncio.sleep(0.5)
        write(path, "complaint:\n  confirmed: false\n  note: 查无此单\n")

    began = time.monotonic()
    filling = asyncio.create_task(operator())
    answers, tickets = await ask_operator(asker, target, [call], bound_s=10, run_dir=tmp_path / "run")
    await filling
    assert time.monotonic() - began < 5
    assert any("complaint.confirmed" in n and "later.yaml" in n for n in notes)
    assert (answers[0].answered, answers[0].confirmed, answers[0].note) == (True, False, "查无此单")
    assert (tickets[0].found, tickets[0].manual_confirmation) == (False, True)
    result = complaint_flow(facts(call, tickets=tuple(tickets), answers=tuple(answers)), context())
    assert result.verdict is Verdict.FAIL
    assert "the operator reported that no ticket was created" in result.reason.en


async def test_no_answer_within_the_bound_is_an_error_with_the_cause(target: Target, tmp_path: Path) -> None:
    """The file never gets the key: after the bound the answer is missing and complaint.flow is
    ERROR naming the file and the bound; the same for a run with nobody to ask."""
    path = answers_file(tmp_path, 'screening: {"12345": "[号码异常]"}\n')
    call = complaint_call()
    began = time.monotonic()
    answers, tickets = await ask_operator(
        FileAsker(path, poll_s=0.1), target, [call], bound_s=0.6, run_dir=tmp_path / "run"
    )
    assert 0.5 <= time.monotonic() - began < 3
    assert answers[0].answered is False and answers[0].error is not None
    assert "answers.yaml" in answers[0].error and "0.6 s" in answers[0].error
    result = complaint_flow(facts(call, tickets=tuple(tickets), answers=tuple(answers)), context())
    assert result.verdict is Verdict.ERROR
    assert "the operator gave no answer" in result.reason.en and "0.6 s" in result.reason.en
    nobody, _ = await ask_operator(NoAsker(), target, [call], bound_s=5, run_dir=tmp_path / "run")
    assert nobody[0].error is not None and "--answers FILE" in nobody[0].error


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("complaint: {confirmed: yes please}\n", "complaint.confirmed", "true or false"),
        ("complaint: {confirmed: true}\n", "complaint.ticket", "needs its number"),
        (
            'complaint: {confirmed: true, ticket: "A1", evidence: gone.png}\n',
            "complaint.evidence",
            "no such file",
        ),
        ("complaint: {confirmed: true, tiket: A1}\n", "complaint.tiket", "did you mean 'ticket'"),
        ("screening:\n  12345: '[号码异常]'\n", "screening.12345", "in quotes"),
        ("screenning: {}\n", "screenning", "did you mean 'screening'"),
        ("complaint: [1, 2\n", "", "YAML syntax error"),
    ],
)
def test_an_invalid_answers_file_is_a_user_error_naming_file_and_key(
    tmp_path: Path, text: str, key: str, words: str
) -> None:
    """A wrong answers file stops before the run with the file, the key and what is allowed."""
    path = answers_file(tmp_path, text)
    with pytest.raises(ScenarioFileError) as caught:
        FileAsker(path)
    error = caught.value
    assert error.file == str(path) and error.key_path == key
    assert words in error.message
    assert error.exit_code == 2


# --- the terminal ------------------------------------------------------------------------------


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    """A pipe standing in for the terminal: (read end, write end)."""
    read, write_end = os.pipe()
    yield read, write_end
    for fd in (read, write_end):
        with contextlib.suppress(OSError):
            os.close(fd)


QUESTION = Question("complaint", "complaint", ("complaint",), "Complaint ticket (complaint)")


async def test_terminal_dialogue_takes_the_answer(pipe: tuple[int, int], tmp_path: Path) -> None:
    """An unclear reply is asked again; then the ticket number, a note and an evidence file."""
    read, write_end = pipe
    shot = tmp_path / "shot.png"
    shot.write_bytes(b"png")
    shown: list[str] = []
    asker = InteractiveAsker(read, shown.append)
    os.write(write_end, f"maybe\n是\nGD77\n备注\n{tmp_path / 'missing.png'}\n{shot}\n".encode())
    reply = await asker.ask(QUESTION, 5)
    assert (reply.confirmed, reply.value, reply.note, reply.evidence) == (True, "GD77", "备注", shot)
    assert reply.source == "interactive"
    assert any("please answer y or n" in s for s in shown)
    assert any("no such file" in s for s in shown)
    os.write(write_end, "[号码异常]\n".encode())
    screen = Question("screening", "screen-5", ("12345", "screen-5"), "Screening (screen-5)")
    assert (await asker.ask(screen, 5)).value == "[号码异常]"


async def test_terminal_without_an_answer_times_out_and_skips_the_rest(
    target: Target, pipe: tuple[int, int], tmp_path: Path
) -> None:
    """Nobody types: the first question ends at the bound, the next is not asked (recorded)."""
    read, _write_end = pipe
    asker = InteractiveAsker(read, lambda _text: None)
    calls = [complaint_call(), screening_call("screen-5", "12345")]
    began = time.monotonic()
    answers, tickets = await ask_operator(asker, target, calls, bound_s=0.5, run_dir=tmp_path)
    assert time.monotonic() - began < 2
    assert [a.answered for a in answers] == [False, False]
    assert answers[0].error is not None and "did not answer within 0.5 s" in answers[0].error
    assert answers[1].error is not None and "not asked" in answers[1].error
    assert tickets[0].error is not None


async def test_terminal_question_is_cancellable(pipe: tuple[int, int]) -> None:
    """Ctrl-C (a cancellation) ends a waiting question at once, and stops watching the input."""
    read, _write_end = pipe
    asker = InteractiveAsker(read, lambda _text: None)
    task = asyncio.create_task(asker.ask(QUESTION, 60))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert asyncio.get_running_loop().remove_reader(read) is False  # no reader left behind


async def test_file_wait_is_cancellable(tmp_path: Path) -> None:
    """Cancelling a run waiting on the answers file ends the wait at once."""
    asker = FileAsker(tmp_path / "none.yaml", poll_s=0.1)
    task = asyncio.create_task(asker.ask(QUESTION, 60))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_ended_input_is_no_answer(pipe: tuple[int, int]) -> None:
    """The terminal's input closes: NoAnswer saying so, not a hang."""
    read, write_end = pipe
    os.close(write_end)
    with pytest.raises(NoAnswer, match="input ended"):
        await InteractiveAsker(read, lambda _text: None).ask(QUESTION, 5)


def test_answer_fact_shape_is_the_shared_one() -> None:
    """The facts produced are core.facts.ManualAnswerFact (what the checks consume)."""
    assert (
        ManualAnswerFact("screening", "screen-5", "q", True, confirmed=True, value="x").topic == "screening"
    )


def test_the_shipped_example_answers_file_is_valid() -> None:
    """scenarios/answers-example.yaml is a valid answers file with both sections."""
    example = SCENARIOS / "answers-example.yaml"
    answers = load_answers(example)
    assert answers is not None and answers.complaint is not None
    assert (answers.complaint.confirmed, answers.complaint.ticket) == (True, "GD202612070001")
    assert answers.screening["12345"] == "[号码异常]" and answers.screening["13800138000"] == ""


async def test_the_runner_records_answers_and_the_ticket_they_confirm(target: Target, tmp_path: Path) -> None:
    """The run's platform phase (no PBX needed: the calls are given) asks through the asker it
    was handed and keeps both facts, so complaint.flow PASSes on a manual confirmation."""
    scenario = load_scenario(SCENARIOS / "onsite-jiangsu.yaml")
    path = answers_file(tmp_path, 'complaint: {confirmed: true, ticket: "GD9"}\nscreening: {"12345": ""}\n')
    inspection = Inspection(scenario, target, out_root=tmp_path / "runs", asker=FileAsker(path, poll_s=0.1))
    inspection.run_dir = RunDir(tmp_path / "runs", "r1")
    inspection.gathered.calls = [complaint_call(), screening_call("screen-5", "12345")]
    await inspection._platform_side(None, set(), None)
    facts_ = inspection.gathered.facts()
    assert [(a.topic, a.call_key, a.answered) for a in facts_.answers] == [
        ("complaint", "complaint", True),
        ("screening", "screen-5", True),
    ]
    assert facts_.ticket_for("complaint") is not None
    [result] = [r for r in run_checks(facts_, inspection.ctx) if r.check_id == "complaint.flow"]
    assert result.verdict is Verdict.PASS
    assert "GD9" in result.subjects[0].reason.en
