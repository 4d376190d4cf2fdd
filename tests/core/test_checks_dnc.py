"""Do-not-call (R14): no INVITE to a DNC number reaches the trunk; the seat is refused."""

from __future__ import annotations

from dataclasses import replace

from tests.core.test_checks_support import ALLOCATED, T0, context, facts, invite, outbound_call

from ccinspect.core.checks.dnc import do_not_call
from ccinspect.core.facts import TRUNK, CallFact, CallPurpose, MessageDirection, SipMessageFact
from ccinspect.core.verdict import Verdict

P, F, E = Verdict.PASS, Verdict.FAIL, Verdict.ERROR
DNC = "13900000001"


def dnc_call(*, reached_trunk: bool = False, seat_status: int = 403, number: str = DNC) -> CallFact:
    """Seat 8001 dials a DNC number; refused before the trunk unless ``reached_trunk``."""
    return outbound_call(
        "8001",
        number,
        key="dnc-1",
        purpose=CallPurpose.DNC,
        seat_status=seat_status,
        trunk_invite=invite(number, from_number=ALLOCATED) if reached_trunk else None,
    )


def test_refused_before_the_trunk_passes() -> None:
    """The seat got 403 and no INVITE reached the trunk: PASS per DNC number."""
    result = do_not_call(facts(dnc_call()), context())
    assert result.verdict is P
    assert result.subjects[0].subject == f"do-not-call {DNC}"
    assert (
        "seat 8001 was refused with 403 Forbidden; nothing reached the trunk" in result.subjects[0].reason.en
    )


def test_invite_reaching_the_trunk_fails_quoting_the_request_line() -> None:
    """An INVITE to the DNC number at the trunk FAILs, quoting its request line."""
    result = do_not_call(facts(dnc_call(reached_trunk=True, seat_status=486)), context())
    assert result.verdict is F
    assert f"INVITE sip:{DNC}@127.0.0.1:5070 SIP/2.0" in result.reason.en
    assert result.remedy is not None and "do-not-call list" in result.remedy.en


def test_unattributed_trunk_invite_to_the_number_fails() -> None:
    """Even an INVITE the runner could not attribute to the call counts, in any number form."""
    stray = SipMessageFact(
        T0 + 1, MessageDirection.RECEIVED, TRUNK, invite(f"+86{DNC}", from_number=ALLOCATED)
    )
    result = do_not_call(facts(dnc_call(), stray_trunk_invites=(stray,)), context())
    assert result.verdict is F
    assert "an INVITE to do-not-call number" in result.reason.en


def test_answered_dnc_call_fails() -> None:
    """A DNC call answered (by anyone) FAILs."""
    c = dnc_call(seat_status=200)
    c = replace(c, legs=c.legs[:1])  # answered without a trunk leg: the platform itself
    assert "was answered" in do_not_call(facts(c), context()).reason.en


def test_errors_missing_call_unknown_outcome_and_unlisted_number() -> None:
    """No call to a tested number, no final status, harness failure, a number not on the list: ERROR."""
    assert "no call was placed to do-not-call number" in do_not_call(facts(), context()).reason.en
    c = dnc_call()
    no_final = replace(c, legs=(replace(c.legs[0], final_status=None),))
    assert do_not_call(facts(no_final), context()).verdict is E
    assert do_not_call(facts(replace(c, harness_error="seat crashed")), context()).verdict is E
    stranger = dnc_call(number="13800138888")
    result = do_not_call(facts(stranger), context(dnc_tested=()))
    assert result.verdict is E
    assert "not on the target's do-not-call list" in result.reason.en


def test_a_platform_that_refuses_one_written_form_and_lets_another_through_fails_naming_it() -> None:
    """13900000001 is refused as dialled nationally and in 0086 form but the +86 form reaches
    the trunk: the number FAILs, saying it was dialled as +8613900000001, its +86 form."""
    national = dnc_call()
    plus86 = replace(dnc_call(number="+8613900000001", reached_trunk=True, seat_status=200), key="dnc-2")
    zero086 = replace(dnc_call(number="008613900000001"), key="dnc-3")
    result = do_not_call(facts(national, plus86, zero086), context(dnc_tested=(DNC,)))
    assert result.verdict is F
    (subject,) = result.subjects
    assert "dialled as +8613900000001, its +86 form" in subject.reason.en
    assert "dnc-2" in subject.reason.en
    every_form_refused = do_not_call(
        facts(national, replace(plus86, legs=national.legs, key="dnc-2"), zero086), context(dnc_tested=(DNC,))
    )
    assert every_form_refused.verdict is P
