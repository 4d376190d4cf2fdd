"""R20 seat checks: registration, every seat answers inbound, every seat completes outbound."""

from __future__ import annotations

from dataclasses import replace

from tests.core.test_checks_support import SEATS, context, facts, inbound_call, outbound_call, registered

from ccinspect.core.checks.base import SeatRef
from ccinspect.core.checks.seats import inbound_each_seat, outbound_each_seat, seats_registered
from ccinspect.core.facts import CallFact, RegistrationFact, RunFacts
from ccinspect.core.verdict import Verdict

P, F, E = Verdict.PASS, Verdict.FAIL, Verdict.ERROR


# ---------------------------------------------------------------- seats.registered


def test_registered_passes_when_all_five_register() -> None:
    """Five distinct seats registered: PASS, one subject per seat plus the minimum."""
    result = seats_registered(RunFacts(registrations=registered(*SEATS)), context())
    assert result.verdict is P
    assert {s.subject for s in result.subjects} == {f"seat {s}" for s in SEATS} | {"minimum 5 seats"}


def test_registered_fails_a_refused_seat_with_its_status() -> None:
    """A seat the registrar refuses FAILs, quoting the status; the minimum then fails too."""
    regs = (*registered(*SEATS[:4]), RegistrationFact("8005", False, 403, "Forbidden"))
    result = seats_registered(RunFacts(registrations=regs), context())
    assert result.verdict is F
    seat = result.subject("seat 8005")
    assert seat is not None and seat.verdict is F
    assert "REGISTER → 403 Forbidden" in seat.reason.en
    assert seat.remedy is not None and "password" in seat.remedy.en
    minimum = result.subject("minimum 5 seats")
    assert minimum is not None and minimum.verdict is F
    assert "only 4 distinct seats" in minimum.reason.en


def test_registered_fails_when_the_target_lists_too_few_seats() -> None:
    """A target with 4 seats cannot meet R20: FAIL saying the target lists only 4."""
    ctx = context(seats=tuple(SeatRef(s, s) for s in SEATS[:4]))
    result = seats_registered(RunFacts(registrations=registered(*SEATS[:4])), ctx)
    assert result.verdict is F
    assert "the target lists only 4 seats" in result.reason.en


def test_registered_harness_failure_is_error_not_fail() -> None:
    """A seat the harness could not try is ERROR; the minimum is then open, not failed."""
    regs = (*registered(*SEATS[:4]), RegistrationFact("8005", False, None, "", error="bind failed"))
    result = seats_registered(RunFacts(registrations=regs), context())
    assert result.verdict is E
    assert "bind failed" in (result.subject("seat 8005") or result.subjects[0]).reason.en
    assert result.subject("minimum 5 seats").verdict is E  # type: ignore[union-attr]


def test_registered_missing_fact_is_error() -> None:
    """No registration fact for a seat: ERROR, never PASS."""
    result = seats_registered(RunFacts(registrations=registered(*SEATS[:4])), context())
    assert result.subject("seat 8005").verdict is E  # type: ignore[union-attr]
    assert result.verdict is E


def test_registered_smoke_minimum_of_one() -> None:
    """With min_seats 1 and one seat, one registration passes."""
    ctx = context(seats=(SeatRef("8001", "8001"),), min_seats=1)
    assert seats_registered(RunFacts(registrations=registered("8001")), ctx).verdict is P


# ---------------------------------------------------------------- inbound.each_seat


def _all_inbound() -> list[CallFact]:
    return [inbound_call(s, "13800138000") for s in SEATS]


def test_inbound_passes_when_every_seat_answered_one() -> None:
    """Each seat answered a trunk call to 950512 (read from the legs): PASS per seat."""
    result = inbound_each_seat(facts(*_all_inbound(), registrations=registered(*SEATS)), context())
    assert result.verdict is P
    assert "seat 8003 answered inbound call inbound-8003" in result.subject("seat 8003").reason.en  # type: ignore[union-attr]


def test_inbound_fails_a_seat_no_call_reached_naming_where_calls_went() -> None:
    """The queue sent every call to seat 8001: the others FAIL, saying who answered instead."""
    calls = [inbound_call("8001", "13800138000", key=f"inbound-{i}") for i in range(5)]
    result = inbound_each_seat(facts(*calls, registrations=registered(*SEATS)), context())
    assert result.verdict is F
    seat = result.subject("seat 8004")
    assert seat is not None and seat.verdict is F
    assert "answered by seat 8001 ×5" in seat.reason.en
    assert seat.remedy is not None and "queue" in seat.remedy.en
    assert result.subject("seat 8001").verdict is P  # type: ignore[union-attr]


def test_inbound_unanswered_call_fails_with_trunk_status() -> None:
    """A call no seat took FAILs as a call subject, quoting what the trunk got."""
    calls = [*_all_inbound()[:4], inbound_call(None, "13800138000", key="inbound-x", trunk_status=480)]
    result = inbound_each_seat(facts(*calls, registrations=registered(*SEATS)), context())
    call = result.subject("call inbound-x")
    assert call is not None and call.verdict is F
    assert "480 Temporarily Unavailable" in call.reason.en


def test_inbound_unregistered_seat_is_error() -> None:
    """A seat that never registered cannot be reached: ERROR pointing at seats.registered."""
    result = inbound_each_seat(facts(*_all_inbound()[:4], registrations=registered(*SEATS[:4])), context())
    seat = result.subject("seat 8005")
    assert seat is not None and seat.verdict is E
    assert "seats.registered" in seat.reason.en


def test_inbound_harness_error_makes_missing_seats_error() -> None:
    """When an inbound call failed in the harness, a seat without a call is ERROR, not FAIL."""
    broken = replace(inbound_call(None, "13800138000", key="inbound-5"), harness_error="trunk crashed")
    result = inbound_each_seat(
        facts(*_all_inbound()[:4], broken, registrations=registered(*SEATS)), context()
    )
    assert result.verdict is E
    assert result.subject("seat 8005").verdict is E  # type: ignore[union-attr]
    assert "trunk crashed" in result.subject("call inbound-5").reason.en  # type: ignore[union-attr]


def test_inbound_without_calls_is_error() -> None:
    """No inbound call made: ERROR (the check was selected, so calls were expected)."""
    assert inbound_each_seat(RunFacts(), context()).verdict is E


# ---------------------------------------------------------------- outbound.each_seat


def test_outbound_passes_when_every_seat_reached_the_trunk() -> None:
    """Each seat's call reached the trunk and was answered: PASS."""
    calls = [outbound_call(s) for s in SEATS]
    assert outbound_each_seat(facts(*calls, registrations=registered(*SEATS)), context()).verdict is P


def test_outbound_refused_seat_fails_with_status() -> None:
    """A seat refused with 403 before the trunk FAILs: 'never reached the trunk: the seat got 403'."""
    calls = [outbound_call(s) for s in SEATS[:4]]
    calls.append(outbound_call("8005", seat_status=403, trunk_invite=None))
    result = outbound_each_seat(facts(*calls, registrations=registered(*SEATS)), context())
    seat = result.subject("seat 8005")
    assert seat is not None and seat.verdict is F
    assert "never reached the trunk: the seat got 403 Forbidden" in seat.reason.en


def test_outbound_answered_by_platform_itself_fails() -> None:
    """Answered, but no trunk leg: the platform answered itself (e.g. an announcement) — FAIL."""
    calls = [outbound_call(s) for s in SEATS[:4]]
    calls.append(outbound_call("8005", trunk_invite=None))
    result = outbound_each_seat(facts(*calls, registrations=registered(*SEATS)), context())
    assert "not by the trunk" in result.subject("seat 8005").reason.en  # type: ignore[union-attr]
    assert result.verdict is F


def test_outbound_missing_seat_call_is_error() -> None:
    """No call from a registered seat: ERROR naming the seat."""
    calls = [outbound_call(s) for s in SEATS[:4]]
    result = outbound_each_seat(facts(*calls, registrations=registered(*SEATS)), context())
    assert result.verdict is E
    assert "no outbound call was placed from seat 8005" in result.reason.en


def test_outbound_any_successful_call_counts_for_the_seat() -> None:
    """A seat with a refused and a successful call passes on the successful one."""
    calls = [outbound_call(s) for s in SEATS]
    calls.append(outbound_call("8001", key="outbound-8001b", seat_status=503, trunk_invite=None))
    assert outbound_each_seat(facts(*calls, registrations=registered(*SEATS)), context()).verdict is P
