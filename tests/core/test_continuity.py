"""Recording continuity: each party's fingerprint heard throughout the recording (R5, R6)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.core.test_checks_support import context, facts, outbound_call, recording_of

from ccinspect.core.checks.continuity import Gap, allowed_gap_s, continuity_problems, uncovered
from ccinspect.core.checks.recording import complete
from ccinspect.core.facts import CallFact, RecordingFact
from ccinspect.core.verdict import Verdict

SEQ = 0.96
PERIOD = 1.04


def _every_period(start: float, end: float) -> tuple[float, ...]:
    out, t = [], start
    while t + SEQ <= end + 1e-9:
        out.append(round(t, 3))
        t += PERIOD
    return tuple(out)


def _with(c: CallFact, duration: float, per_leg: dict[int, tuple[float, ...]]) -> RecordingFact:
    rec = recording_of(c, duration=duration)
    return replace(rec, occurrences=tuple(per_leg.items()), sequence_s=SEQ)


def _call(seconds: float) -> CallFact:
    """An outbound call connected ``seconds`` long."""
    c = outbound_call("8001")
    legs = tuple(
        replace(leg, disconnected_at=leg.connected_at + seconds) if leg.connected_at is not None else leg
        for leg in c.legs
    )
    return replace(c, legs=legs)


def _prints(c: CallFact) -> list[int]:
    return [leg.audio.own_fingerprint for leg in c.legs if leg.audio is not None]


def test_uncovered_stretches_of_a_recording() -> None:
    """Occurrences cover offset … offset + sequence; what is left at the start, between and at
    the end is returned."""
    gaps = uncovered((0.2, 1.24, 2.28), SEQ, 3.5)
    assert [(round(g.start_s, 2), round(g.end_s, 2)) for g in gaps] == [
        (0.0, 0.2),
        (1.16, 1.24),
        (2.2, 2.28),
        (3.24, 3.5),
    ]
    assert uncovered((), SEQ, 4.0) == [Gap(0.0, 4.0)]
    gaps = uncovered((0.0, 1.04, 10.0), SEQ, 12.0)
    assert max(g.length_s for g in gaps) == pytest.approx(10.0 - 2.0)


def test_allowed_gap_is_absolute_or_relative_whichever_is_more() -> None:
    """One sequence plus 2 s, or plus 5 % of a long recording."""
    assert allowed_gap_s(SEQ, 10.0, 2.0) == pytest.approx(2.96)
    assert allowed_gap_s(SEQ, 100.0, 2.0) == pytest.approx(5.96)


def test_a_party_heard_throughout_passes() -> None:
    """Both parties every period over a 30 s recording: no problem, recording.complete PASSes."""
    c = _call(30.0)
    per = {fp: _every_period(0.3, 30.0) for fp in _prints(c)}
    rec = _with(c, 30.0, per)
    assert continuity_problems(rec, c.legs, 2.0) == []
    assert complete(facts(c, recordings=(rec,)), context()).verdict is Verdict.PASS


def test_a_party_lost_after_10_s_fails_with_the_time() -> None:
    """The seat's audio stops after 10 s of a 30 s recording: FAIL saying from when, and the
    remedy about uninterrupted recording."""
    c = _call(30.0)
    first, second = _prints(c)
    rec = _with(c, 30.0, {first: _every_period(0.3, 30.0), second: _every_period(0.3, 10.0)})
    (problem,) = continuity_problems(rec, c.legs, 2.0)
    assert "to the end (30.0 s)" in problem.en and "from 9.6 s" in problem.en
    subject = complete(facts(c, recordings=(rec,)), context()).subjects[0]
    assert subject.verdict is Verdict.FAIL
    assert subject.remedy is not None and "without interruption" in subject.remedy.en


def test_a_gap_in_the_middle_fails_and_a_short_one_does_not() -> None:
    """A party missing from 8 s to 20 s FAILs naming both times; missing one sequence does not."""
    c = _call(30.0)
    first, second = _prints(c)
    holed = _every_period(0.3, 8.0) + _every_period(20.0, 30.0)
    (problem,) = continuity_problems(
        _with(c, 30.0, {first: _every_period(0.3, 30.0), second: holed}), c.legs, 2.0
    )
    assert "from 7.5 s to 20.0 s" in problem.en
    one_missing = tuple(t for t in _every_period(0.3, 30.0) if abs(t - 10.7) > 0.1)
    rec = _with(c, 30.0, {first: _every_period(0.3, 30.0), second: one_missing})
    assert continuity_problems(rec, c.legs, 2.0) == []


def test_a_party_never_heard_or_no_occurrence_data_is_left_to_the_other_rules() -> None:
    """Never heard: the 'lacks' rule says so, not continuity; documents without occurrence times
    (older runs) are not judged on continuity."""
    c = _call(30.0)
    first, second = _prints(c)
    assert (
        continuity_problems(_with(c, 30.0, {first: _every_period(0.3, 30.0), second: ()}), c.legs, 2.0) == []
    )
    assert continuity_problems(recording_of(c, duration=30.0), c.legs, 2.0) == []
