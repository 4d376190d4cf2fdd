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
from ccinspect.core.facts import (
    PUBLIC,
    CallFact,
    CallPurpose,
    ChannelFact,
    LegRole,
    PlayerFact,
    RecordingFact,
    RecordingSource,
)
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


# ---------------------------------------------------------------- recording.playback, web console player


def _played(c: CallFact, player: PlayerFact, duration: float = 6.0) -> RecordingFact:
    rec = recording_of(c, duration=duration, source=RecordingSource.WEB)
    return replace(rec, player=player)


PLAYER_OK = PlayerFact("/calls/1.0", "http://console/media/1.0.wav", 4, 6.04, "screenshots/03-playback.png")


def test_playback_in_the_web_console_passes_with_the_players_evidence() -> None:
    """A recording the console's player can play, reporting its real length: PASS, the evidence
    names the player page, its state and screenshot, and says it came through the console."""
    c = outbound_call("8001")
    result = playback(facts(c, recordings=(_played(c, PLAYER_OK),)), context())
    assert result.verdict is P
    subject = result.subjects[0]
    assert "plays in the web console (readyState 4, 6.0 s)" in subject.reason.en
    assert any("screenshots/03-playback.png" in e for e in subject.evidence)
    assert result.evidence_used is not None and "web console" in result.evidence_used.en


def test_a_player_that_never_becomes_playable_fails() -> None:
    """readyState below HAVE_CURRENT_DATA (2): the console cannot play it: FAIL with a remedy."""
    c = outbound_call("8001")
    stuck = replace(PLAYER_OK, ready_state=1)
    subject = playback(facts(c, recordings=(_played(c, stuck),)), context()).subjects[0]
    assert subject.verdict is F
    assert "never became able to play it (readyState 1, needs 2)" in subject.reason.en
    assert subject.remedy is not None and "player" in subject.remedy.en


def test_a_player_reporting_another_length_than_its_audio_fails() -> None:
    """The player shows 12 s but the audio it loads is 6 s (beyond 1 s or 10 %): FAIL; 0.5 s
    off is within tolerance."""
    c = outbound_call("8001")
    long = replace(PLAYER_OK, duration_s=12.0)
    subject = playback(facts(c, recordings=(_played(c, long),)), context()).subjects[0]
    assert subject.verdict is F
    assert "shows 12.0 s" in subject.reason.en and "6.0 s long" in subject.reason.en
    close = replace(PLAYER_OK, duration_s=6.5)
    assert playback(facts(c, recordings=(_played(c, close),)), context()).verdict is P


def test_a_player_error_fails_and_an_unknown_length_is_not_held_against_it() -> None:
    """A media error reported by the player FAILs; a player that reports no length (a live
    stream, NaN) is judged on its state alone."""
    c = outbound_call("8001")
    broken = replace(PLAYER_OK, error="the player reported media error 4")
    assert playback(facts(c, recordings=(_played(c, broken),)), context()).verdict is F
    unknown = replace(PLAYER_OK, duration_s=None)
    assert playback(facts(c, recordings=(_played(c, unknown),)), context()).verdict is P


# ---------------------------------------------------------------- recording.complete, per channel

LAYOUT = ("caller", "agent")  # platform B: caller left, agent right


def _channel(side: str, party: str | None, found: dict[int, bool], *, silent: bool = False) -> ChannelFact:
    prints = tuple((fp, ok, -18.0 if ok else None) for fp, ok in found.items())
    return ChannelFact(side, party, prints, 1.0 if silent else 0.2, -120.0 if silent else -20.0)


def _stereo(
    c: CallFact,
    left: dict[int, bool],
    right: dict[int, bool],
    *,
    layout: tuple[str, str] | None = LAYOUT,
    silent: str | None = None,
) -> RecordingFact:
    """``c``'s recording split into two channels; every fingerprint found on the whole file
    when it is on either channel (as the analysis reports it)."""
    parties = layout or (None, None)
    channels = (
        _channel("left", parties[0], left, silent=silent == "left"),
        _channel("right", parties[1], right, silent=silent == "right"),
    )
    whole = {fp: left.get(fp, False) or right.get(fp, False) for fp in {*left, *right}}
    return replace(recording_of(c, found=whole), channels=channels)


def _inbound_b() -> tuple[CallFact, int, int]:
    c = inbound_call("100103", "13800138000", key="inbound-3")
    caller, agent = fingerprints(c.key)
    return c, caller, agent


def test_stereo_each_party_on_its_declared_channel_passes() -> None:
    """Caller left, agent right, as declared (with some leakage of the agent onto the left): PASS."""
    c, caller, agent = _inbound_b()
    rec = _stereo(c, {caller: True, agent: True}, {caller: False, agent: True})
    result = complete(facts(c, recordings=(rec,)), context(recording_stereo=LAYOUT))
    assert result.verdict is P
    assert "each on its own channel" in result.subjects[0].reason.en


def test_stereo_silent_agent_channel_fails_naming_call_seat_and_channel() -> None:
    """The agent's channel is silent: FAIL naming the call, the seat and the channel, with the
    channel remedy; the generic 'lacks seat's audio' is not repeated."""
    c, caller, agent = _inbound_b()
    rec = _stereo(c, {caller: True, agent: False}, {caller: False, agent: False}, silent="right")
    subject = complete(facts(c, recordings=(rec,)), context(recording_stereo=LAYOUT)).subjects[0]
    assert subject.verdict is F
    assert subject.reason.en == "recording of inbound-3 (seat 100103): the agent channel (right) is silent"
    assert subject.reason.zh == "inbound-3（seat 100103）的录音：坐席声道（右）无声"
    assert subject.remedy is not None and "channel" in subject.remedy.en


def test_stereo_channel_with_noise_but_no_party_fails_as_holding_neither() -> None:
    """The agent channel carries sound but neither party's fingerprint: 'holds neither party'."""
    c, caller, agent = _inbound_b()
    rec = _stereo(c, {caller: True, agent: False}, {caller: False, agent: False})
    subject = complete(facts(c, recordings=(rec,)), context(recording_stereo=LAYOUT)).subjects[0]
    assert "the agent channel (right) holds neither party's audio" in subject.reason.en


def test_stereo_swapped_channels_fail_for_both_parties() -> None:
    """Caller on the right and agent on the left, the layout says otherwise: two findings."""
    c, caller, agent = _inbound_b()
    rec = _stereo(c, {caller: False, agent: True}, {caller: True, agent: False})
    subject = complete(facts(c, recordings=(rec,)), context(recording_stereo=LAYOUT)).subjects[0]
    assert subject.verdict is F
    assert (
        f"the caller's audio (fingerprint {caller}) is on the right channel, not on the caller "
        "channel (left): the channels are swapped" in subject.reason.en
    )
    assert f"the agent's audio (fingerprint {agent}) is on the left channel" in subject.reason.en


def test_stereo_channel_holding_only_the_other_party_fails() -> None:
    """The caller's channel holds only the agent (the caller is nowhere): 'lacks the caller's audio'."""
    c, caller, agent = _inbound_b()
    rec = _stereo(c, {caller: False, agent: True}, {caller: False, agent: True})
    subject = complete(facts(c, recordings=(rec,)), context(recording_stereo=LAYOUT)).subjects[0]
    assert f"the caller channel (left) lacks the caller's audio (fingerprint {caller})" in subject.reason.en
    assert "only one party was recorded" not in subject.reason.en


def test_stereo_layout_applies_to_outbound_calls_by_party_not_by_direction() -> None:
    """On an outbound call the seat dials, yet the agent's channel is still the agent's: the
    seat's fingerprint on the right channel passes, the trunk side's on the left."""
    c = outbound_call("100101")
    seat_fp, trunk_fp = fingerprints(c.key)
    rec = _stereo(c, {trunk_fp: True, seat_fp: False}, {trunk_fp: False, seat_fp: True})
    assert complete(facts(c, recordings=(rec,)), context(recording_stereo=LAYOUT)).verdict is P
    swapped = _stereo(c, {seat_fp: True, trunk_fp: False}, {seat_fp: False, trunk_fp: True})
    assert complete(facts(c, recordings=(swapped,)), context(recording_stereo=LAYOUT)).verdict is F


def test_stereo_layout_the_other_way_round() -> None:
    """A target declaring agent left, caller right judges the mirror image."""
    c, caller, agent = _inbound_b()
    rec = _stereo(c, {agent: True, caller: False}, {caller: True, agent: False}, layout=("agent", "caller"))
    assert complete(facts(c, recordings=(rec,)), context(recording_stereo=("agent", "caller"))).verdict is P


def test_stereo_without_layout_an_empty_channel_fails() -> None:
    """No layout declared: both parties on the left and nothing at all on the right is still a
    finding (one of two channels recorded nothing), named 'right channel'."""
    c, caller, agent = _inbound_b()
    rec = _stereo(c, {caller: True, agent: True}, {caller: False, agent: False}, layout=None, silent="right")
    subject = complete(facts(c, recordings=(rec,)), context()).subjects[0]
    assert subject.verdict is F
    assert "recording of inbound-3 (seat 100103): the right channel is silent" in subject.reason.en


def test_stereo_without_layout_parties_on_either_channel_pass() -> None:
    """No layout declared: each party on its own channel (whichever) or both on both: PASS;
    which party belongs where is not judged."""
    c, caller, agent = _inbound_b()
    for left, right in (
        ({caller: False, agent: True}, {caller: True, agent: False}),
        ({caller: True, agent: True}, {caller: True, agent: True}),
        ({caller: True, agent: True}, {caller: False, agent: True}),
    ):
        rec = _stereo(c, left, right, layout=None)
        assert complete(facts(c, recordings=(rec,)), context()).verdict is P


def test_stereo_without_layout_a_missing_party_is_judged_on_the_whole() -> None:
    """No layout declared, the agent nowhere: the mixed rule names the missing party, and the
    empty channel is named too."""
    c, caller, agent = _inbound_b()
    rec = _stereo(c, {caller: True, agent: False}, {caller: False, agent: False}, layout=None, silent="right")
    reason = complete(facts(c, recordings=(rec,)), context()).subjects[0].reason.en
    assert f"lacks seat 100103's audio (fingerprint {agent})" in reason
    assert "the right channel is silent" in reason


def test_mono_recording_with_a_declared_layout_is_judged_on_the_mix() -> None:
    """A declared layout but a one-channel recording (no channel facts): the mixed rules only."""
    c, _, _ = _inbound_b()
    assert complete(facts(c, recordings=(recording_of(c),)), context(recording_stereo=LAYOUT)).verdict is P


def test_a_recording_holding_another_calls_audio_fails_naming_that_call() -> None:
    """The call's row plays the audio of another call of the run (none of this call's
    fingerprints, all of the other's): FAIL naming the other call, with the linking remedy."""
    c = outbound_call("8001")
    rec = recording_of(c, found={fp: False for fp, _ in recording_of(c).fingerprints})
    rec = replace(rec, other_calls=("inbound-2",))
    subject = complete(facts(c, recordings=(rec,)), context()).subjects[0]
    assert subject.verdict is F
    assert "holds the audio of call inbound-2 and none of this call's" in subject.reason.en
    assert subject.remedy is not None and "Link each call record" in subject.remedy.en
    partial = replace(recording_of(c), other_calls=("inbound-2",))
    assert complete(facts(c, recordings=(partial,)), context()).verdict is P


def test_playback_when_no_recording_could_be_looked_up_is_an_error_saying_why() -> None:
    """Every lookup failed (the console refused our login): ERROR naming the cause, not "no
    recording was looked up"."""
    c = outbound_call("8001")
    rec = recording_of(c, name=None, fetched=False, status=None, error="step `login`: refused")
    result = playback(facts(c, recordings=(rec,)), context())
    assert result.verdict is E
    assert "could not be looked up: step `login`: refused" in result.reason.en
