"""Pairing the platform's CDR rows with the run's calls: by time, by number, one row per call."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.core.test_checks_support import ALLOCATED, T0, inbound_call, outbound_call

from ccinspect.core.cdrmatch import CdrRecord, awaiting, cdr_facts, cdr_window, match_cdrs
from ccinspect.core.facts import CallFact


def row(at: float, src: str | None, dst: str | None, **more: str | None) -> CdrRecord:
    """A CDR row starting ``at`` seconds after T0."""
    return CdrRecord(T0 + at, src, dst, **more)


def at(c: CallFact, offset: float) -> CallFact:
    """``c`` moved ``offset`` seconds later (it lasts 10 s)."""
    return replace(c, started_at=c.started_at + offset, ended_at=(c.ended_at or c.started_at) + offset)


def test_inbound_call_matches_by_time_and_numbers() -> None:
    """src = the caller sent, dst = the number dialled, start inside the call: matched."""
    c = inbound_call("8001", "13800138000", key="inbound-1")
    good = row(1.2, "13800138000", "950512", record_id="u1", disposition="ANSWERED")
    matched = match_cdrs([c], [row(-60, "13800138000", "950512"), good, row(80, "13800138000", "950512")])
    assert matched == {"inbound-1": good}


@pytest.mark.parametrize(
    ("src", "dst"),
    [
        ("+8613800138000", "950512"),
        ("008613800138000", ""),
        ("", "950512"),
        ("138 0013 8000", None),
    ],
)
def test_number_forms_match(src: str, dst: str | None) -> None:
    """+86, 0086 and spaced forms are the same number; either side is enough."""
    c = inbound_call("8001", "13800138000", key="k")
    assert "k" in match_cdrs([c], [row(2, src, dst)])


def test_numbers_that_do_not_match_or_a_row_without_time_never_match() -> None:
    """Another caller to another number, or a row with no readable start: no match."""
    c = inbound_call("8001", "13800138000", key="k")
    assert match_cdrs([c], [row(2, "13900000009", "02586660000")]) == {}
    assert match_cdrs([c], [CdrRecord(None, "13800138000", "950512")]) == {}


@pytest.mark.parametrize(("offset", "found"), [(-4.9, True), (14.9, True), (-5.1, False), (15.1, False)])
def test_time_tolerance(offset: float, found: bool) -> None:
    """The row's start may lie up to the tolerance outside the call's start … end (10 s)."""
    c = inbound_call("8001", "13800138000", key="k")
    assert ("k" in match_cdrs([c], [row(offset, "13800138000", "950512")], tolerance_s=5.0)) is found


def test_two_calls_close_in_time_each_get_their_own_row_whatever_the_order() -> None:
    """Screening-style calls a second apart to the same number: the caller decides."""
    a = inbound_call("8001", "12345", key="a")
    b = at(inbound_call("8002", "13800138000", key="b"), 1.0)
    ra, rb = row(1.5, "12345", "950512", record_id="ra"), row(1.6, "13800138000", "950512", record_id="rb")
    for rows in ([ra, rb], [rb, ra]):
        assert match_cdrs([a, b], rows) == {"a": ra, "b": rb}


def test_one_row_is_never_given_to_two_calls() -> None:
    """Two calls, one row that fits both: only the closer call gets it."""
    a = inbound_call("8001", "13800138000", key="a")
    b = at(inbound_call("8002", "13800138000", key="b"), 3.0)
    only = row(3.2, "13800138000", "950512")
    assert match_cdrs([a, b], [only]) == {"b": only}


def test_same_caller_same_number_told_apart_by_the_agent() -> None:
    """Two calls from one caller at the same moment: the row naming the answering seat wins."""
    a = inbound_call("100101", "13800138000", key="a")
    b = inbound_call("100102", "13800138000", key="b")
    r1 = row(1.0, "13800138000", "955088", agent="100102", record_id="1")
    r2 = row(1.0, "13800138000", "955088", agent="100101", record_id="2")
    a, b = replace(a, requested_number="955088"), replace(b, requested_number="955088")
    assert match_cdrs([a, b], [r1, r2]) == {"a": r2, "b": r1}


def test_seat_calls_match_the_seat_names_or_the_presented_number() -> None:
    """An outbound row's src may be the seat id, its SIP username, or the number the carrier saw."""
    c = outbound_call("100101", "13800138888", key="out")
    by_presented = row(1, ALLOCATED, "")
    assert match_cdrs([c], [by_presented]) == {"out": by_presented}
    by_username = row(1, "agent-1", "")
    assert match_cdrs([c], [by_username], seat_names={"100101": ("agent-1",)}) == {"out": by_username}
    assert match_cdrs([c], [by_username]) == {}
    both = row(1, "100101", "13800138888")
    assert match_cdrs([c], [by_presented, both]) == {"out": both}


def test_absent_caller_matches_a_row_without_a_number() -> None:
    """A withheld caller ('' sent) matches a row whose src is empty or anonymous; a number does not."""
    c = inbound_call("8001", "", key="k")
    c = replace(c, requested_number="")
    assert "k" in match_cdrs([c], [row(1, "anonymous", "")])
    assert "k" in match_cdrs([c], [row(1, "", "")])
    assert match_cdrs([c], [row(1, "13800138000", "")]) == {}


def test_facts_window_and_awaiting() -> None:
    """Matched calls get the row's values, the others the reason; answered unmatched calls wait."""
    a = inbound_call("8001", "13800138000", key="a")
    b = at(inbound_call("8002", "12345", key="b"), 20.0)
    refused = at(inbound_call(None, "17000000000", key="c", trunk_status=403), 40.0)
    r = row(1, "13800138000", "950512", screening="OK", record_id="u1", agent="8001", recording="x.wav")
    matched = match_cdrs([a, b, refused], [r])
    assert awaiting([a, b, refused], matched) == (b,)
    fa, fb, fc = cdr_facts([a, b, refused], matched, missing="no CDR row matched this call")
    assert (fa.src, fa.dst, fa.screening, fa.record_id, fa.agent, fa.started_at) == (
        "13800138000",
        "950512",
        "OK",
        "u1",
        "8001",
        T0 + 1,
    )
    assert fa.error is None and fb.error == fc.error == "no CDR row matched this call"
    assert (fb.src, fb.screening) == (None, None)
    assert cdr_window([a, b, refused], 5.0) == (T0 - 5.0, T0 + 55.0)
    assert cdr_window([]) is None
