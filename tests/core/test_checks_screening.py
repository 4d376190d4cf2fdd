"""Calling-number screening (R3): flag, reject, and no false positives."""

from __future__ import annotations

from dataclasses import replace

from tests.core.test_checks_support import PBX, TRUNK_HOST, call, context, expect, facts, invite, leg

from ccinspect.core.checks.screening import screening
from ccinspect.core.facts import TRUNK, CallFact, CallPurpose, CdrFact, LegRole, seat_agent
from ccinspect.core.verdict import CheckResult, Verdict

P, F, E = Verdict.PASS, Verdict.FAIL, Verdict.ERROR


def screen_call(
    number: str,
    *,
    key: str | None = None,
    seat: str | None = "8002",
    mark: str | None = "pass",
    trunk_status: int = 200,
) -> CallFact:
    """Trunk → 950512 presenting ``number``; reaches ``seat`` with X-Caller-Screening ``mark``
    (``seat`` None: no seat leg, the trunk got ``trunk_status``)."""
    legs = [
        leg(
            TRUNK,
            LegRole.CALLER,
            status=trunk_status if seat is None else 200,
            invite_text=invite("950512", from_number=number or None, from_host=TRUNK_HOST, to_host=PBX),
        )
    ]
    if seat is not None:
        text = invite(seat, from_number=number or None, to_host=f"127.0.0.1:{seat}", screening=mark)
        legs.append(leg(seat_agent(seat), LegRole.CALLEE, invite_text=text))
    return call(
        key or f"screen-{number or 'none'}",
        CallPurpose.SCREENING,
        legs,
        requested="950512",
        caller_sent=number,
    )


def judge(*calls: CallFact, cases: tuple = (), **run: object) -> CheckResult:  # type: ignore[type-arg]
    """Run the screening check with the given expectations."""
    return screening(facts(*calls, **run), context(screening=cases))


def test_expected_flags_and_reject_pass() -> None:
    """Absent, malformed, +86-format flagged with their tokens; blacklisted refused: PASS."""
    result = judge(
        screen_call("", mark="absent"),
        screen_call("12345", mark="malformed"),
        screen_call("+8613800138002", mark="intl-format"),
        screen_call("17000000000", seat=None, trunk_status=403),
        screen_call("13800138000", mark="pass"),
        cases=(
            expect("", "flag", "absent"),
            expect("12345", "flag", "malformed"),
            expect("+8613800138002", "flag", "intl-format"),
            expect("17000000000", "reject"),
            expect("13800138000", "pass"),
        ),
    )
    assert result.verdict is P, result.reason.en
    assert result.subject("caller (no number)") is not None


def test_flag_expected_but_reached_seat_without_any_flag_fails() -> None:
    """A malformed number that reached a seat with no flag at all FAILs naming the seat."""
    result = judge(screen_call("12345", mark=None), cases=(expect("12345", "flag", "malformed"),))
    subject = result.subjects[0]
    assert subject.verdict is F
    assert "12345 reached seat 8002 without any flag (expected malformed)" in subject.reason.en
    assert subject.remedy is not None and "X-Caller-Screening" in subject.remedy.en


def test_flag_with_a_reason_not_accepted_fails() -> None:
    """Flagged 'absent' where 'malformed' was expected: FAIL quoting both."""
    subject = judge(
        screen_call("12345", mark="absent"), cases=(expect("12345", "flag", "malformed"),)
    ).subjects[0]
    assert subject.verdict is F
    assert "flagged 'absent', expected malformed" in subject.reason.en


def test_flag_expected_and_refused_is_accepted_as_stricter() -> None:
    """Refusing a withheld number outright is stricter than flagging it: PASS, said so."""
    subject = judge(
        screen_call("anonymous", seat=None, trunk_status=403), cases=(expect("anonymous", "flag", "absent"),)
    ).subjects[0]
    assert subject.verdict is P
    assert "stricter" in subject.reason.en


def test_well_formed_number_flagged_is_a_false_positive() -> None:
    """A well-formed mobile flagged 'malformed' FAILs as a false positive."""
    subject = judge(
        screen_call("13800138000", mark="malformed"), cases=(expect("13800138000", "pass"),)
    ).subjects[0]
    assert subject.verdict is F
    assert subject.reason.en.startswith("false positive: well-formed 13800138000 was flagged 'malformed'")
    assert "误判" in subject.reason.zh


def test_well_formed_number_refused_is_a_false_positive() -> None:
    """A well-formed fixed line refused with 403 FAILs as a false positive."""
    subject = judge(
        screen_call("051266661234", seat=None, trunk_status=403), cases=(expect("051266661234", "pass"),)
    ).subjects[0]
    assert subject.verdict is F
    assert "false positive: well-formed 051266661234 was refused with 403 Forbidden" in subject.reason.en


def test_reject_expected_but_reached_a_seat_fails() -> None:
    """A blacklisted caller that reached a seat (even flagged) FAILs."""
    subject = judge(
        screen_call("17000000000", mark="blacklisted"), cases=(expect("17000000000", "reject"),)
    ).subjects[0]
    assert subject.verdict is F
    assert "reached seat 8002 (flagged 'blacklisted') instead of being refused" in subject.reason.en


def test_flag_read_from_the_cdr_when_the_seat_header_is_missing() -> None:
    """The reason may be logged in the CDR instead of a header: still flagged."""
    c = screen_call("12345", mark=None)
    cdr = CdrFact(c.key, "12345", "950512", "ANSWERED", "malformed", "rec")
    assert judge(c, cases=(expect("12345", "flag", "malformed"),), cdrs=(cdr,)).verdict is P


def test_plus86_and_national_forms_are_different_cases() -> None:
    """'+8613800138000' (flag) and '13800138000' (pass) are matched by exact text first."""
    result = judge(
        screen_call("13800138000", mark="pass", key="s1"),
        screen_call("+8613800138000", mark="intl-format", key="s2"),
        cases=(expect("13800138000", "pass"), expect("+8613800138000", "flag", "intl-format")),
    )
    assert result.verdict is P
    assert len(result.subjects) == 2


def test_unlisted_number_is_judged_by_the_screening_rules() -> None:
    """A screening call with no scenario case gets the rules' expectation (foreign → flag)."""
    assert judge(screen_call("+14155550123", mark="foreign")).verdict is P
    assert judge(screen_call("+14155550123", mark="pass")).verdict is F


def test_errors_case_without_call_harness_5xx_and_unknown() -> None:
    """No call for a case, a harness failure, a 5xx or no final status: ERROR, never PASS."""
    result = judge(cases=(expect("12345", "flag", "malformed"),))
    assert result.verdict is E
    assert "no screening call was made with test number 12345" in result.reason.en
    broken = replace(screen_call("12345"), harness_error="trunk crashed")
    assert judge(broken, cases=(expect("12345", "flag"),)).verdict is E
    assert (
        judge(screen_call("12345", seat=None, trunk_status=503), cases=(expect("12345", "flag"),)).verdict
        is E
    )
    none = screen_call("12345", seat=None)
    none = replace(none, legs=(replace(none.legs[0], final_status=None),))
    assert judge(none, cases=(expect("12345", "flag"),)).verdict is E
    assert judge().verdict is E
