"""Calling-number screening (R3): flag, reject, and no false positives, with the verdict observed
the ways a target declares (a header, the display name, the CDR, the operator's answer)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest
from tests.core.test_checks_support import PBX, TRUNK_HOST, call, context, expect, facts, invite, leg

from ccinspect.core.checks.observe import ObserveKind, ScreeningObservation
from ccinspect.core.checks.screening import screening
from ccinspect.core.facts import (
    TRUNK,
    CallFact,
    CallPurpose,
    CdrFact,
    LegRole,
    ManualAnswerFact,
    WebReadingFact,
    seat_agent,
)
from ccinspect.core.verdict import CheckResult, Verdict

P, F, E = Verdict.PASS, Verdict.FAIL, Verdict.ERROR

#: Platform A (the demo) shows its verdict in a header of the seat's INVITE.
HEADER = ScreeningObservation(ObserveKind.HEADER, name="X-Caller-Screening")
#: Platform B style: a bracketed warning before the number in the display name.
DISPLAY = ScreeningObservation(
    ObserveKind.DISPLAY_NAME,
    pattern=r"^\[(?P<flag>[^\]]+)\]",
    values=(
        ("无主叫", "absent"),
        ("号码异常", "malformed"),
        ("国际格式", "intl-format"),
        ("境外来电", "foreign"),
    ),
)
CDR = ScreeningObservation(
    ObserveKind.CDR,
    name="screen_result",
    values=(("NO_CLI", "absent"), ("BAD_FORMAT", "malformed"), ("INTL_FORMAT", "intl-format")),
    clear=frozenset({"OK"}),
)
MANUAL = ScreeningObservation(ObserveKind.MANUAL, values=(("号码异常", "malformed"),))


def screen_call(
    number: str,
    *,
    key: str | None = None,
    seat: str | None = "8002",
    mark: str | None = "pass",
    display: str | None = None,
    pai: Sequence[str] = (),
    trunk_status: int = 200,
) -> CallFact:
    """Trunk → 950512 presenting ``number``; reaches ``seat`` with X-Caller-Screening ``mark``
    and From display name ``display`` (``seat`` None: no seat leg, the trunk got ``trunk_status``)."""
    legs = [
        leg(
            TRUNK,
            LegRole.CALLER,
            status=trunk_status if seat is None else 200,
            invite_text=invite("950512", from_number=number or None, from_host=TRUNK_HOST, to_host=PBX),
        )
    ]
    if seat is not None:
        text = invite(
            seat,
            from_number=number or None,
            to_host=f"127.0.0.1:{seat}",
            screening=mark,
            display=display,
            pai=pai,
        )
        legs.append(leg(seat_agent(seat), LegRole.CALLEE, invite_text=text))
    return call(
        key or f"screen-{number or 'none'}",
        CallPurpose.SCREENING,
        legs,
        requested="950512",
        caller_sent=number,
    )


def judge(
    *calls: CallFact,
    cases: tuple = (),  # type: ignore[type-arg]
    observe: tuple[ScreeningObservation, ...] = (HEADER,),
    **run: object,
) -> CheckResult:
    """Run the screening check with the given expectations and observations (default: header)."""
    return screening(facts(*calls, **run), context(screening=cases, screening_observe=observe))


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
    assert subject.remedy is not None
    assert "X-Caller-Screening" not in subject.remedy.en
    assert "display name" in subject.remedy.en and "CDR" in subject.remedy.en


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
    both = (HEADER, ScreeningObservation(ObserveKind.CDR, name="screening"))
    result = judge(c, cases=(expect("12345", "flag", "malformed"),), cdrs=(cdr,), observe=both)
    assert result.verdict is P
    assert "CDR screening=malformed → malformed" in result.subjects[0].evidence


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


# --- the ways a target declares to observe the verdict ------------------------------------------


def test_display_name_rules_judge_a_platform_without_any_header() -> None:
    """Bracketed warnings in the display name, mapped to tokens; a bare number is unflagged."""
    result = judge(
        screen_call("", mark=None, display="[无主叫] "),
        screen_call("12345", mark=None, display="[号码异常] 12345"),
        screen_call("+8613800138002", mark=None, display="[国际格式] +8613800138002"),
        screen_call("+14155550123", mark=None, display="[境外来电] +14155550123"),
        screen_call("13800138000", mark=None, display="13800138000"),
        screen_call("17000000000", seat=None, trunk_status=403),
        cases=(
            expect("", "flag", "absent"),
            expect("12345", "flag", "malformed"),
            expect("+8613800138002", "flag", "intl-format"),
            expect("+14155550123", "flag", "foreign"),
            expect("13800138000", "pass"),
            expect("17000000000", "reject"),
        ),
        observe=(DISPLAY,),
    )
    assert result.verdict is P, result.reason.en
    malformed = result.subject("caller 12345")
    assert malformed is not None
    assert "seat 8002 display name '[号码异常] 12345' → malformed" in malformed.evidence
    clean = result.subject("caller 13800138000")
    assert clean is not None and "seat 8002 display name '13800138000' → not flagged" in clean.evidence


def test_display_name_flag_on_a_clean_number_is_a_false_positive_and_pai_counts() -> None:
    """A warning in the P-Asserted-Identity display name flags too (here wrongly: FAIL)."""
    c = screen_call("13800138000", mark=None, display="13800138000", pai=['"[号码异常] x" <sip:1@pbx>'])
    subject = judge(c, cases=(expect("13800138000", "pass"),), observe=(DISPLAY,)).subjects[0]
    assert subject.verdict is F
    assert "flagged 'malformed'" in subject.reason.en
    assert "seat 8002 P-Asserted-Identity display name '[号码异常] x' → malformed" in subject.evidence


def test_display_name_pattern_without_a_group_and_unmapped_values() -> None:
    """No group: the whole match is the value; an unmapped value is kept (lower-cased)."""
    rule = ScreeningObservation(ObserveKind.DISPLAY_NAME, pattern=r"SPAM|BAD")
    result = judge(
        screen_call("12345", mark=None, display="BAD 12345"),
        cases=(expect("12345", "flag", "bad"),),
        observe=(rule,),
    )
    assert result.verdict is P
    no_name = judge(screen_call("12345", mark=None), cases=(expect("12345", "flag"),), observe=(rule,))
    assert no_name.subjects[0].verdict is F
    assert "seat 8002: no display name → not flagged" in no_name.subjects[0].evidence


def test_cdr_rule_maps_the_platform_values_and_clear_values() -> None:
    """CDR BAD_FORMAT → malformed; OK (clear, any case) is unflagged; evidence names the field."""
    bad, ok = screen_call("12345", mark=None, key="s1"), screen_call("13800138000", mark=None, key="s2")
    cdrs = (
        CdrFact("s1", "12345", "955088", "ANSWERED", "BAD_FORMAT", None),
        CdrFact("s2", "13800138000", "955088", "ANSWERED", "ok", None),
    )
    result = judge(
        bad,
        ok,
        cases=(expect("12345", "flag", "malformed"), expect("13800138000", "pass")),
        cdrs=cdrs,
        observe=(CDR,),
    )
    assert result.verdict is P, result.reason.en
    first = result.subject("caller 12345")
    assert first is not None and "CDR screen_result=BAD_FORMAT → malformed" in first.evidence
    second = result.subject("caller 13800138000")
    assert second is not None and "CDR screen_result=ok → not flagged" in second.evidence


def test_cdr_that_could_not_be_read_is_error_unless_another_way_decides() -> None:
    """A CDR error (or no CDR fact) leaves an unflagged or PASS case unknown: ERROR naming why;
    a flag already seen in the header decides a FLAG case."""
    c = screen_call("12345", mark=None)
    broken = CdrFact(c.key, None, None, None, None, None, error="cdr database unreachable")
    subject = judge(c, cases=(expect("12345", "flag"),), cdrs=(broken,), observe=(HEADER, CDR)).subjects[0]
    assert subject.verdict is E
    assert "cannot be told" in subject.reason.en and "cdr database unreachable" in subject.reason.en
    clean = screen_call("13800138000", mark="pass")
    assert judge(clean, cases=(expect("13800138000", "pass"),), observe=(HEADER, CDR)).verdict is E
    flagged = screen_call("12345", mark="malformed")
    decided = judge(
        flagged, cases=(expect("12345", "flag", "malformed"),), cdrs=(broken,), observe=(HEADER, CDR)
    )
    assert decided.verdict is P
    false_positive = screen_call("13800138000", mark="malformed")
    found = judge(false_positive, cases=(expect("13800138000", "pass"),), observe=(HEADER, CDR))
    assert found.verdict is F


def test_combined_rules_any_flag_counts() -> None:
    """Header says pass but the CDR logs a reason: the call was flagged."""
    c = screen_call("12345", mark="pass")
    cdr = CdrFact(c.key, "12345", "955088", "ANSWERED", "BAD_FORMAT", None)
    result = judge(c, cases=(expect("12345", "flag", "malformed"),), cdrs=(cdr,), observe=(HEADER, CDR))
    assert result.verdict is P
    assert result.subjects[0].evidence[1:] == (
        "seat 8002 X-Caller-Screening: pass → not flagged",
        "CDR screen_result=BAD_FORMAT → malformed",
    )


def _answer(
    key: str, value: str | None, *, answered: bool = True, error: str | None = None
) -> ManualAnswerFact:
    return ManualAnswerFact(
        "screening",
        key,
        "what did the screen show?",
        answered,
        value=value,
        source="answers.yaml",
        error=error,
    )


def test_manual_answers_are_the_observation() -> None:
    """The operator's reading, mapped: a warning flags, '' is nothing shown."""
    flagged, clean = (
        screen_call("12345", mark=None, key="s1"),
        screen_call("13800138000", mark=None, key="s2"),
    )
    answers = (_answer("s1", "号码异常"), _answer("s2", ""))
    result = judge(
        flagged,
        clean,
        cases=(expect("12345", "flag", "malformed"), expect("13800138000", "pass")),
        answers=answers,
        observe=(MANUAL,),
    )
    assert result.verdict is P, result.reason.en
    subject = result.subject("caller 12345")
    assert subject is not None
    assert "operator (answers.yaml) saw '号码异常' on the agent's screen → malformed" in subject.evidence
    nothing = judge(
        flagged, cases=(expect("12345", "flag"),), answers=(_answer("s1", ""),), observe=(MANUAL,)
    )
    assert nothing.subjects[0].verdict is F


@pytest.mark.parametrize(
    ("answers", "why"),
    [
        ((), "no operator answer was recorded"),
        ((_answer("s1", None, answered=False, error="no answer within 300 s"),), "no answer within 300 s"),
    ],
)
def test_manual_unanswered_is_error_naming_why(answers: tuple[ManualAnswerFact, ...], why: str) -> None:
    """No answer, or one that timed out: ERROR for that case, the reason quoted."""
    c = screen_call("12345", mark=None, key="s1")
    subject = judge(c, cases=(expect("12345", "flag"),), answers=answers, observe=(MANUAL,)).subjects[0]
    assert subject.verdict is E
    assert why in subject.reason.en and "缺少操作员" in subject.reason.zh


def test_no_observation_declared() -> None:
    """Without screening.observe a FLAG case that reached a seat is ERROR saying what to add;
    refusals and PASS cases are still judged."""
    result = judge(
        screen_call("12345", mark="malformed"),
        screen_call("13800138000", mark=None),
        screen_call("17000000000", seat=None, trunk_status=403),
        screen_call("anonymous", seat=None, trunk_status=403),
        cases=(
            expect("12345", "flag", "malformed"),
            expect("13800138000", "pass"),
            expect("17000000000", "reject"),
            expect("anonymous", "flag", "absent"),
        ),
        observe=(),
    )
    verdicts = {s.subject: s.verdict for s in result.subjects}
    assert verdicts == {
        "caller 12345": E,
        "caller 13800138000": P,
        "caller 17000000000": P,
        "caller anonymous": P,
    }
    reason = result.subjects[0].reason
    assert "the target declares no way to observe the screening verdict: add screening.observe" in reason.en
    assert "screening.observe" in reason.zh
    reached = judge(
        screen_call("17000000000", mark=None), cases=(expect("17000000000", "reject"),), observe=()
    )
    assert reached.verdict is F


@pytest.mark.parametrize(
    ("rule", "value", "token"),
    [
        (ScreeningObservation(ObserveKind.HEADER, name="X"), "pass", None),
        (ScreeningObservation(ObserveKind.HEADER, name="X"), " PASS ", None),
        (ScreeningObservation(ObserveKind.HEADER, name="X"), "", None),
        (ScreeningObservation(ObserveKind.HEADER, name="X"), None, None),
        (ScreeningObservation(ObserveKind.HEADER, name="X"), "Malformed", "malformed"),
        (CDR, "BAD_FORMAT", "malformed"),
        (CDR, "bad_format", "malformed"),
        (CDR, "OK", None),
        (CDR, "BLOCKED", "blocked"),
        (ScreeningObservation(ObserveKind.CDR, values=(("0", ""), ("9", "pass"))), "0", None),
        (ScreeningObservation(ObserveKind.CDR, values=(("0", ""), ("9", "pass"))), "9", None),
        (ScreeningObservation(ObserveKind.CDR, clear=frozenset({"normal"})), "pass", "pass"),
    ],
)
def test_values_and_clear(rule: ScreeningObservation, value: str | None, token: str | None) -> None:
    """Mapped exactly, then case-insensitively; clear values and '' mean unflagged; a value mapped
    to '' or to a clear token is unflagged; an unmapped value is kept lower-cased."""
    assert rule.token(value) == token


def test_display_name_groups() -> None:
    """Group 'flag' first, else group 1, else the whole match; no match is None."""
    named = ScreeningObservation(ObserveKind.DISPLAY_NAME, pattern=r"(x)?\[(?P<flag>\w+)\]")
    first = ScreeningObservation(ObserveKind.DISPLAY_NAME, pattern=r"^!(\w+)")
    whole = ScreeningObservation(ObserveKind.DISPLAY_NAME, pattern=r"SPAM")
    assert named.flag_in("[bad] 123") == "bad"
    assert first.flag_in("!warn 123") == "warn"
    assert whole.flag_in("is SPAM") == "SPAM"
    assert whole.flag_in("13800138000") is None
    assert whole.flag_in(None) is None


WEB = ScreeningObservation(
    ObserveKind.WEB, name="screening", values=(("BAD_FORMAT", "malformed"),), clear=frozenset({"OK"})
)


def test_web_console_cell_is_read_and_mapped() -> None:
    """The console's screening cell BAD_FORMAT → malformed, OK → not flagged; the evidence says
    it was read in the web console."""
    bad, ok = screen_call("12345", mark=None, key="s1"), screen_call("13800138000", mark=None, key="s2")
    readings = (
        WebReadingFact("screening", "s1", True, "BAD_FORMAT", "screenshots/05-screening.png"),
        WebReadingFact("screening", "s2", True, "OK", "screenshots/05-screening.png"),
    )
    result = judge(
        bad,
        ok,
        cases=(expect("12345", "flag", "malformed"), expect("13800138000", "pass")),
        web_readings=readings,
        observe=(WEB,),
    )
    assert result.verdict is P, result.reason.en
    first = result.subject("caller 12345")
    assert first is not None and "web console screening cell 'BAD_FORMAT' → malformed" in first.evidence


def test_web_console_without_the_calls_row_cannot_tell() -> None:
    """No row in the console (or the console not read) leaves the case unknown: ERROR naming why."""
    c = screen_call("13800138000", mark=None)
    missing = WebReadingFact("screening", c.key, False, error="the console lists no row for this call")
    subject = judge(
        c, cases=(expect("13800138000", "pass"),), web_readings=(missing,), observe=(WEB,)
    ).subjects[0]
    assert subject.verdict is E
    assert "lists no row" in subject.reason.en
    assert judge(c, cases=(expect("13800138000", "pass"),), observe=(WEB,)).verdict is E
