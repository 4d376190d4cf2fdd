"""The recording archive: 30-day retention (R5) and access control (R8)."""

from __future__ import annotations

import pytest
from tests.core.test_checks_support import context

from ccinspect.core.checks.archive import access_control, retention
from ccinspect.core.facts import AccessControlFact, RecordingSource, RetentionFact, RunFacts
from ccinspect.core.verdict import CheckResult, Verdict

P, F, E, S = Verdict.PASS, Verdict.FAIL, Verdict.ERROR, Verdict.SKIP


def kept(
    *,
    oldest: float | None = None,
    checked: int = 0,
    ok: int = 0,
    policy: int | None = None,
    age: float | None = None,
    error: str | None = None,
) -> CheckResult:
    """Judge retention from one RetentionFact."""
    fact = RetentionFact(oldest, checked, ok, policy, age, error, "target" if policy else None)
    return retention(RunFacts(retention=fact), context())


# ---------------------------------------------------------------- recording.retention


def test_retention_via_old_recordings() -> None:
    """Recordings 45 days old exist and all 3 tried were retrievable: PASS on that evidence."""
    result = kept(oldest=45.0, checked=3, ok=3)
    assert result.verdict is P
    assert result.evidence_used is not None
    assert result.evidence_used.en == "used: recordings older than 30 days found"
    assert "recordings up to 45 days old exist" in result.reason.en


def test_retention_old_recordings_not_retrievable_fails() -> None:
    """Old recordings are listed but 1 of 3 cannot be fetched: FAIL."""
    result = kept(oldest=45.0, checked=3, ok=2)
    assert result.verdict is F
    assert "1 of 3 recordings older than 30 days could not be retrieved" in result.reason.en


def test_retention_via_policy_when_no_recording_is_that_old() -> None:
    """A new platform (12 days) with a 180-day policy: PASS on the policy's word, said so."""
    result = kept(oldest=12.0, policy=180, age=12.0)
    assert result.verdict is P
    assert result.evidence_used is not None and "declared purge policy" in result.evidence_used.en
    assert "keeps them 180 days" in result.reason.en


def test_retention_policy_of_7_days_fails_whatever_else_is_seen() -> None:
    """A 7-day purge policy FAILs, even when older recordings happen to exist."""
    for result in (kept(policy=7), kept(oldest=40.0, checked=2, ok=2, policy=7)):
        assert result.verdict is F
        assert "keeps recordings 7 days; at least 30 are required" in result.reason.en
        assert result.remedy is not None and "30" in result.remedy.en


def test_retention_policy_passes_with_a_note_when_platform_is_old_but_recordings_young() -> None:
    """Policy 180 but a 120-day-old platform with nothing older than 12 days: PASS with a note."""
    result = kept(oldest=12.0, policy=180, age=120.0)
    assert result.verdict is P
    assert "confirm recordings really are kept" in result.reason.en


def test_retention_without_policy_on_an_old_platform_fails() -> None:
    """No policy, a platform 120 days old, oldest recording 12 days: recordings are purged, FAIL."""
    result = kept(oldest=12.0, age=120.0)
    assert result.verdict is F
    assert "deleted before 30 days" in result.reason.en


def test_retention_cannot_be_judged_without_evidence() -> None:
    """No old recordings, no policy, young or unknown platform: ERROR asking for retention_days."""
    result = kept(oldest=3.0, age=3.0)
    assert result.verdict is E
    assert "recordings.retention_days" in result.reason.en
    assert "ARI down" in kept(error="ARI down").reason.en
    assert retention(RunFacts(), context()).verdict is E


# ---------------------------------------------------------------- recording.access_control

URL = "http://127.0.0.1:8088/ari/recordings/stored/x/file"


def guard(anonymous: int | None, wrong: int | None, error: str | None = None) -> CheckResult:
    """Judge one access probe of URL."""
    return access_control(RunFacts(access=(AccessControlFact(URL, anonymous, wrong, error),)), context())


@pytest.mark.parametrize(("anonymous", "wrong"), [(401, 401), (403, 401), (401, None)])
def test_access_refused_passes(anonymous: int, wrong: int | None) -> None:
    """Anonymous and wrong-credential fetches refused with 401/403: PASS per URL."""
    result = guard(anonymous, wrong)
    assert result.verdict is P
    assert result.subjects[0].subject == f"URL {URL}"


def test_access_anonymous_200_fails_saying_the_recording_was_served() -> None:
    """An anonymous 200 served a user's recording to anyone: FAIL."""
    result = guard(200, 401)
    assert result.verdict is F
    assert "an anonymous request got 200 and the recording was served" in result.reason.en
    assert result.remedy is not None and "authentication" in result.remedy.en


def test_access_wrong_credentials_accepted_fails() -> None:
    """Wrong credentials accepted (200): FAIL."""
    result = guard(401, 200)
    assert result.verdict is F
    assert "wrong credentials got 200" in result.reason.en


def test_access_other_status_is_not_a_refusal() -> None:
    """A 404 for an existing recording is not the 401/403 refusal asked for: FAIL."""
    assert "instead of 401/403" in guard(404, 401).reason.en


def test_access_probe_failure_and_no_probe_are_errors() -> None:
    """A failed probe is ERROR with its cause; no probe at all is ERROR."""
    assert "connection refused" in guard(None, None, "connection refused").reason.en
    assert access_control(RunFacts(), context()).verdict is E


def test_access_not_applicable_to_a_directory() -> None:
    """Recordings read from a directory have no interface to probe: SKIP with the reason."""
    result = access_control(RunFacts(), context(recording_interface=RecordingSource.DIRECTORY))
    assert result.verdict is S
    assert "directory" in result.reason.en


def _probe_fact(url: str = URL, **changes: object) -> AccessControlFact:
    from dataclasses import replace

    return replace(AccessControlFact(url, 401, 401), **changes)  # type: ignore[arg-type]


def test_a_redirect_to_the_login_page_is_a_refusal_and_an_unexplained_redirect_is_not() -> None:
    """302 to /login (recorded as a redirect that ended in no audio) refuses; a bare 302 the
    probe did not follow is not the refusal asked for."""
    login = _probe_fact(anonymous_status=302, redirects=(("anonymous", "/login?next=/media/x.wav"),))
    result = access_control(RunFacts(access=(login,)), context())
    assert result.verdict is P
    assert any("redirected to /login" in e for e in result.subjects[0].evidence)
    bare = _probe_fact(anonymous_status=302)
    assert access_control(RunFacts(access=(bare,)), context()).verdict is F


def test_a_default_account_let_in_fails_naming_it() -> None:
    """admin/admin answered 200: FAIL naming the account; refused defaults are evidence only."""
    fact = _probe_fact(default_accounts=(("admin/admin", 200), ("root/root", 401)))
    result = access_control(RunFacts(access=(fact,)), context())
    assert result.verdict is F
    assert "the well-known default account admin/admin is let in (200)" in result.reason.en
    ok = _probe_fact(default_accounts=(("admin/admin", 401),))
    assert access_control(RunFacts(access=(ok,)), context()).verdict is P


@pytest.mark.parametrize(
    ("url", "verdict"),
    [
        ("http://10.8.0.5:8088/ari/recordings/stored/x/file", F),
        ("https://10.8.0.5/rec/x.wav", P),
        ("http://localhost:8088/x.wav", P),
        ("http://127.0.0.1:8180/media/x.wav", P),
    ],
)
def test_recordings_over_plain_http_off_the_local_host_fail(url: str, verdict: Verdict) -> None:
    """Plain HTTP on a network address exposes recordings and credentials on the wire: FAIL."""
    result = access_control(RunFacts(access=(_probe_fact(url),)), context())
    assert result.verdict is verdict
    if verdict is F:
        assert "served over plain HTTP on 10.8.0.5" in result.reason.en
