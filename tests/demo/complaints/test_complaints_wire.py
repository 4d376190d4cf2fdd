"""The complaint service's request parsers, without a server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ccinspect.demo.complaints.errors import ApiError
from ccinspect.demo.complaints.wire import (
    parse_instant,
    parse_new_ticket_form,
    parse_ticket_query,
    parse_year_window,
)

FORM = "application/x-www-form-urlencoded"


def test_form_maps_asterisk_fields() -> None:
    """caller/time/recording/uniqueid/summary fill the ticket; empty values mean not given."""
    new = parse_new_ticket_form(
        b"caller=10086&time=1740815700.5&recording=&uniqueid=1740815700.17&summary=%E6%8A%95%E8%AF%89",
        FORM,
        None,
    )
    assert new.caller_number == "10086"
    assert new.call_time == datetime(2025, 3, 1, 7, 55, 0, 500000, tzinfo=UTC)
    assert new.recording is None
    assert new.channel_id == "1740815700.17"
    assert new.summary == "投诉"
    assert new.channel == "phone"


def test_empty_form_is_an_anonymous_ticket() -> None:
    """An empty body is a valid form: anonymous caller, nothing else."""
    new = parse_new_ticket_form(b"", None, None)
    assert new.caller_number == ""
    assert new.call_time is None


@pytest.mark.parametrize(
    "body", [b"time=nan", b"time=inf", b"time=1e30", b"a=1&b=2&c=3&d=4&e=5&f=6", b"caller=%00"]
)
def test_form_rejections(body: bytes) -> None:
    """Non-finite or out-of-range times, too many fields and NUL characters are 400."""
    with pytest.raises(ApiError) as caught:
        parse_new_ticket_form(body, FORM, None)
    assert caught.value.status == 400


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-01T08:00:00Z", datetime(2025, 3, 1, 8, tzinfo=UTC)),
        ("2025-03-01T16:00:00+08:00", datetime(2025, 3, 1, 8, tzinfo=UTC)),
        ("2025-03-01T16:00:00 08:00", datetime(2025, 3, 1, 8, tzinfo=UTC)),
        ("2025-03-01T16:00 0800", datetime(2025, 3, 1, 8, tzinfo=UTC)),
    ],
)
def test_instants_need_an_offset_and_tolerate_a_decoded_plus(text: str, expected: datetime) -> None:
    """ISO times with Z or an offset parse to UTC, including '+' that a query turned into ' '."""
    assert parse_instant(text, "t") == expected


@pytest.mark.parametrize("text", ["2025-03-01T16:00:00", "2025-03-01 08:00", "yesterday"])
def test_instants_without_offset_are_refused(text: str) -> None:
    """A time without an offset is ambiguous and refused."""
    with pytest.raises(ApiError):
        parse_instant(text, "t")


def test_query_defaults() -> None:
    """Without parameters: no filters, 50 per page from the start."""
    query = parse_ticket_query([])
    assert (query.state, query.overdue, query.limit, query.offset) == (None, None, 50, 0)
    assert parse_ticket_query([("limit", "500")]).limit == 500


def test_year_window_in_a_time_zone() -> None:
    """A year counted in Asia/Shanghai starts at 16:00 UTC on the previous 31 December."""
    window = parse_year_window([("year", "2025"), ("tz", "Asia/Shanghai")])
    assert window.start == datetime(2024, 12, 31, 16, tzinfo=UTC)
    assert window.end == datetime(2025, 12, 31, 16, tzinfo=UTC)
    utc = parse_year_window([("year", "2025")])
    assert (utc.start, utc.end) == (
        datetime(2025, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
