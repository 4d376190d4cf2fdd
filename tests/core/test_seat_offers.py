"""Which seats an inbound call was offered to, and what each did (shown in the report)."""

from __future__ import annotations

from tests.core.test_checks_support import call, leg

from ccinspect.core.checks.legs import seat_offers
from ccinspect.core.facts import TRUNK, CallPurpose, LegRole


def test_offers_name_the_answering_seat_the_busy_one_and_those_that_rang() -> None:
    """Answered, refused busy (486) and rang then cancelled (487) are told apart; the trunk's
    own leg is not an offer."""
    fact = call(
        "inbound-2",
        CallPurpose.INBOUND,
        [
            leg(TRUNK, LegRole.CALLER),
            leg("seat 8001", LegRole.CALLEE, status=486, reason="Busy Here", answered=False),
            leg("seat 8002", LegRole.CALLEE),
            leg("seat 8003", LegRole.CALLEE, status=487, reason="Request Terminated", answered=False),
        ],
        requested="950512",
        caller_sent="13800138000",
    )
    assert seat_offers(fact) == (
        ("8001", "486 Busy Here"),
        ("8002", "answered"),
        ("8003", "rang, 487 Request Terminated"),
    )
