"""Recordings of this run's calls: complete (R5/R6) and playable through the platform (R6)."""

from __future__ import annotations

from dataclasses import replace

from tests.core.test_checks_support import (
    call,
    context,
    facts,
    fingerprints,
    inbound_call,
    leg,
    outbound_call,
    recording_of,
)

from ccinspect.core.checks.recording import complete, playback
from ccinspect.core.facts import PUBLIC, CallPurpose, LegRole, RecordingSource
from ccinspect.core.verdict import Verdict

P, F, E, S = Verdict.PASS, Verdict.FAIL, Verdict.ERROR, Verdict.SKIP


# ---------------------------------------------------------------- recording.complete


def test_complete_recordings_pass() -> None:
    """Each answered call has a recording as long as the call with both parties: PASS."""
    calls = [inbound_call("8003", "13800138000"), outbound_call("8001")]
    result = complete(facts(*calls, recordings=tuple(recording_of(c) for c in calls)), context())
    assert result.verdict is P
    assert "all 2 parties audible" in result.subjects[0].reason.en


def test_recording_within_tolerance_passes_and_too_short_fails() -> None:
    """1.5 s short is within ± 2 s; 4 s short is a truncated recording: FAIL with both lengths."""
    c = outbound_call("8001")
    assert complete(facts(c, recordings=(recording_of(c, duration=4.5),)), context()).verdict is P
    subject = complete(facts(c, recordings=(recording_of(c, duration=2.0),)), context()).subjects[0]
    assert subject.verdict is F
    assert "is 2.0 s long but the call was connected for 6.0 s (± 2 s): it is truncated" in subject.reason.en
    assert subject.remedy is not None and "answered" in subject.remedy.en


def test_recording_longer_than_the_call_fails() -> None:
    """A recording far longer than the call is not this call's: FAIL."""
    c = outbound_call("8001")
    subject = complete(facts(c, recordings=(recording_of(c, duration=30.0),)), context()).subjects[0]
    assert "longer than the call" in subject.reason.en


def test_recording_missing_one_party_fails_naming_it() -> None:
    """The seat's fingerprint is absent: FAIL 'lacks seat 8003's audio: only one party'."""
    c = inbound_call("8003", "13800138000")
    _, seat_print = fingerprints(c.key)
    rec = recording_of(c, found={seat_print: False})
    subject = complete(facts(c, recordings=(rec,)), context()).subjects[0]
    assert subject.verdict is F
    assert (
        f"lacks seat 8003's audio (fingerprint {seat_print}): only one party was recorded"
        in subject.reason.en
    )
    assert subject.remedy is not None and "both parties" in subject.remedy.en


def test_no_recording_found_fails() -> None:
    """The platform has no recording for an answered call: FAIL."""
    c = outbound_call("8001")
    subject = complete(facts(c, recordings=(recording_of(c, name=None),)), context()).subjects[0]
    assert subject.verdict is F
    assert "no recording was found for answered call outbound-8001" in subject.reason.en


def test_complete_errors_when_content_cannot_be_judged() -> None:
    """No lookup, lookup failed, not fetched, fingerprint not searched: ERROR, never PASS or FAIL."""
    c = outbound_call("8001")
    assert complete(facts(c), context()).subjects[0].verdict is E
    failed_lookup = recording_of(c, error="ARI unreachable")
    assert "ARI unreachable" in complete(facts(c, recordings=(failed_lookup,)), context()).reason.en
    undecodable = recording_of(c, decode_error="not a WAV file")
    assert "recording.playback" in complete(facts(c, recordings=(undecodable,)), context()).reason.en
    unsearched = replace(recording_of(c), fingerprints=())
    assert "not searched" in complete(facts(c, recordings=(unsearched,)), context()).reason.en


def test_excluded_purposes_and_unanswered_calls_are_not_subjects() -> None:
    """Complaint calls (excluded by default) and unanswered calls need no full recording."""
    complaint = call(
        "complaint",
        CallPurpose.COMPLAINT,
        [leg(PUBLIC, LegRole.CALLER)],
        requested="9505129",
        caller_sent="1",
    )
    refused = outbound_call("8002", seat_status=403, trunk_invite=None)
    ok = outbound_call("8001")
    result = complete(facts(complaint, refused, ok, recordings=(recording_of(ok),)), context())
    assert [s.subject for s in result.subjects] == ["call outbound-8001"]
    assert complete(facts(refused), context()).verdict is E  # nothing to judge at all


# ---------------------------------------------------------------- recording.playback


def test_playback_fetched_and_decoded_passes() -> None:
    """Fetched through ARI (200) and decoded: PASS, evidence says which interface."""
    c = outbound_call("8001")
    result = playback(facts(c, recordings=(recording_of(c),)), context())
    assert result.verdict is P
    assert "ARI → 200" in result.subjects[0].reason.en
    assert result.evidence_used is not None and "platform's interface" in result.evidence_used.en


def test_playback_listed_but_not_downloadable_fails() -> None:
    """Listed, but the download gets 404: FAIL."""
    c = outbound_call("8001")
    subject = playback(
        facts(c, recordings=(recording_of(c, fetched=False, status=404),)), context()
    ).subjects[0]
    assert subject.verdict is F
    assert "listed but could not be fetched (ARI → 404)" in subject.reason.en


def test_playback_undecodable_or_empty_fails() -> None:
    """A file that does not decode, or decodes to nothing, cannot be played: FAIL."""
    c = outbound_call("8001")
    bad = playback(facts(c, recordings=(recording_of(c, decode_error="unknown format"),)), context())
    assert bad.subjects[0].verdict is F
    assert "cannot be played: unknown format" in bad.subjects[0].reason.en
    empty = playback(facts(c, recordings=(recording_of(c, duration=0.0),)), context())
    assert empty.subjects[0].verdict is F


def test_playback_credentials_refused_is_error_not_fail() -> None:
    """Our own credentials refused (401): the target file's problem, ERROR."""
    c = outbound_call("8001")
    subject = playback(
        facts(c, recordings=(recording_of(c, fetched=False, status=401),)), context()
    ).subjects[0]
    assert subject.verdict is E
    assert "recordings.username" in subject.reason.en


def test_playback_from_a_directory_says_so() -> None:
    """Recordings read from a directory pass, and the evidence says it was not the interface."""
    c = outbound_call("8001")
    rec = recording_of(c, status=None, source=RecordingSource.DIRECTORY)
    result = playback(facts(c, recordings=(rec,)), context())
    assert result.verdict is P
    assert result.evidence_used is not None and "directory" in result.evidence_used.en


def test_playback_with_no_recording_found_fails_and_with_nothing_looked_up_errors() -> None:
    """Lookups found nothing: FAIL; nothing looked up at all: ERROR."""
    c = outbound_call("8001")
    none_found = playback(facts(c, recordings=(recording_of(c, name=None),)), context())
    assert none_found.verdict is F
    assert playback(facts(c), context()).verdict is E
