"""Linking the legs that reached our callees to the calls that caused them (no PBX, no audio)."""

from __future__ import annotations

import asyncio

from ccinspect.core.sipheaders import extract_identity
from ccinspect.runner.legs import Origin, link_callee_legs
from ccinspect.sip.records import CallDirection, CallRecord


def _leg(agent: str, from_user: str | None) -> CallRecord:
    headers = [("From", f"<sip:{from_user}@pbx>" if from_user else "<sip:anonymous@anonymous.invalid>")]
    return CallRecord(
        agent=agent,
        leg=0,
        call_id=f"{agent}-{from_user}",
        direction=CallDirection.INCOMING,
        local_uri="",
        remote_uri="",
        timeline=(),
        final_status=487,
        final_reason="Request Terminated",
        messages=(),
        invite=None,
        identity=extract_identity(tuple(headers)),
        recording=None,
        stimulus_leg_id=None,
        rtp=None,
        dtmf_received=(),
        dtmf_sent="",
        hung_up_by_us=False,
    )


def _link(legs: list[CallRecord], origins: list[Origin]) -> dict[int, str]:
    return asyncio.run(link_callee_legs(legs, origins, number_of="from"))


def test_a_call_rung_at_every_seat_keeps_all_its_legs() -> None:
    """A ring-all queue offers each call to every seat: all those legs belong to that call."""
    origins = [Origin("screen-1", None, "13800138000", 1.0), Origin("screen-2", None, "12345", 2.0)]
    legs = [_leg(f"seat 800{i}", "13800138000") for i in range(1, 4)] + [_leg("seat 8004", "12345")]
    assert _link(legs, origins) == {0: "screen-1", 1: "screen-1", 2: "screen-1", 3: "screen-2"}


def test_a_leg_showing_a_number_no_call_sent_is_not_attributed() -> None:
    """A leg offered a number none of the batch's calls sent stays unlinked (not pinned on a
    refused call that never reached a seat)."""
    origins = [Origin("screen-8", None, "+14155550123", 1.0), Origin("screen-9", None, "17000000000", 2.0)]
    legs = [_leg("seat 8001", "051266660000")]
    assert _link(legs, origins) == {}


def test_legs_without_a_number_go_to_the_call_sent_without_one() -> None:
    """No calling number matches the call that sent none (or 'anonymous'), not another."""
    origins = [Origin("screen-2", None, "13800138000", 1.0), Origin("screen-3", None, "", 2.0)]
    assert _link([_leg("seat 8002", None), _leg("seat 8003", None)], origins) == {
        0: "screen-3",
        1: "screen-3",
    }


def test_two_calls_with_the_same_number_each_get_a_leg_first() -> None:
    """When two calls of a batch offered the same number, a leg goes to the earliest without one."""
    origins = [Origin("in-1", None, "13800138000", 1.0), Origin("in-2", None, "13800138000", 2.0)]
    legs = [_leg("seat 8001", "13800138000"), _leg("seat 8002", "+8613800138000")]
    assert _link(legs, origins) == {0: "in-1", 1: "in-2"}
