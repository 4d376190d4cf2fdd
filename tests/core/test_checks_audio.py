"""Two-way audio: both legs hear the far fingerprint; one-way audio names the silent direction."""

from __future__ import annotations

from dataclasses import replace

from tests.core.test_checks_support import call, context, facts, inbound_call, leg, outbound_call

from ccinspect.core.checks.audio import two_way
from ccinspect.core.facts import PUBLIC, CallPurpose, LegRole
from ccinspect.core.verdict import Verdict

P, F, E = Verdict.PASS, Verdict.FAIL, Verdict.ERROR


def test_both_directions_heard_passes() -> None:
    """Inbound and outbound calls whose legs each heard the other: PASS per call."""
    result = two_way(facts(inbound_call("8003", "13800138000"), outbound_call("8001")), context())
    assert result.verdict is P
    assert [s.subject for s in result.subjects] == ["call inbound-8003", "call outbound-8001"]
    assert "heard fingerprint" in result.subjects[0].evidence[1]


def test_trunk_hears_nothing_from_the_seat_names_the_direction() -> None:
    """The trunk heard nothing: FAIL 'seat 8003 → trunk is silent'."""
    subject = two_way(facts(inbound_call("8003", "13800138000", trunk_heard=False)), context()).subjects[0]
    assert subject.verdict is F
    assert "one-way audio on inbound-8003: trunk heard nothing from seat 8003" in subject.reason.en
    assert "(seat 8003 → trunk is silent)" in subject.reason.en
    assert subject.remedy is not None and "NAT" in subject.remedy.en


def test_seat_hears_nothing_from_the_trunk_names_the_other_direction() -> None:
    """The seat heard nothing: FAIL 'trunk → seat 8001 is silent'."""
    subject = two_way(facts(outbound_call("8001", trunk_heard=False)), context()).subjects[0]
    assert "(seat 8001 → trunk is silent)" in subject.reason.en
    subject = two_way(facts(outbound_call("8001", seat_heard=False)), context()).subjects[0]
    assert subject.verdict is F
    assert "(trunk → seat 8001 is silent)" in subject.reason.en


def test_no_audio_either_way_fails() -> None:
    """Neither leg heard the other: FAIL 'no audio either way'."""
    subject = two_way(facts(outbound_call("8001", trunk_heard=False, seat_heard=False)), context()).subjects[
        0
    ]
    assert subject.verdict is F
    assert "no audio either way" in subject.reason.en


def test_unanalysed_leg_and_mispaired_fingerprints_are_errors() -> None:
    """A leg without audio analysis, or inconsistent fingerprint pairing, is ERROR."""
    c = outbound_call("8001")
    no_audio = replace(c, legs=(c.legs[0], replace(c.legs[1], audio=None, error="recorder failed")))
    subject = two_way(facts(no_audio), context()).subjects[0]
    assert subject.verdict is E
    assert "recorder failed" in subject.reason.en
    other = c.legs[1].audio
    assert other is not None
    crossed = replace(c, legs=(c.legs[0], replace(c.legs[1], audio=replace(other, own_fingerprint=999))))
    assert "inconsistently" in two_way(facts(crossed), context()).subjects[0].reason.en


def test_single_leg_calls_are_not_subjects_and_none_is_error() -> None:
    """A call answered by the platform itself has no far leg of ours; nothing to judge is ERROR."""
    complaint = call(
        "complaint",
        CallPurpose.COMPLAINT,
        [leg(PUBLIC, LegRole.CALLER)],
        requested="9505129",
        caller_sent="13800138000",
    )
    result = two_way(facts(complaint), context())
    assert result.subjects == ()
    assert result.verdict is E


def test_harness_error_is_error() -> None:
    """A call the harness could not complete is ERROR with its cause."""
    c = replace(outbound_call("8001"), harness_error="media port failed")
    result = two_way(facts(c), context())
    assert result.verdict is E
    assert "media port failed" in result.reason.en
