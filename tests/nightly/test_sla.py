"""Complaint SLA (R10): pure figures from ticket lists, and the client against real and fake APIs."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from ccinspect.core.sla import (
    CHECK_ID,
    OverdueTicket,
    SlaDataError,
    SlaFacts,
    TicketView,
    YearlyStats,
    parse_stats,
    parse_ticket_page,
    sla_check,
    unreplied_overdue,
    yearly_stats,
)
from ccinspect.core.verdict import Verdict
from ccinspect.demo.complaints import ServiceConfig
from ccinspect.demo.complaints.app import serve
from ccinspect.platform.complaints import gather_sla

NOW = datetime(2026, 1, 20, 8, 0, tzinfo=UTC)


def ticket(tid: int, created_days_ago: float, replied_days_ago: float | None = None, **kw: Any) -> TicketView:
    """A ticket created ``created_days_ago`` before NOW, replied ``replied_days_ago`` before NOW."""
    replied = None if replied_days_ago is None else NOW - timedelta(days=replied_days_ago)
    fields = {"caller_number": "13812345678", "state": "open", **kw}
    return TicketView(tid, created_at=NOW - timedelta(days=created_days_ago), replied_at=replied, **fields)


# --- pure figures ------------------------------------------------------------------------------------


def test_unreplied_tickets_past_15_days_are_listed_masked_oldest_first() -> None:
    """No reply after 15 days is a breach; exactly 15 days, replied, or younger tickets are not."""
    tickets = [
        ticket(1, 16),
        ticket(2, 15),
        ticket(3, 40, replied_days_ago=1),
        ticket(4, 30, state="acknowledged", caller_number="051268880000"),
        ticket(5, 3),
        ticket(1, 16),  # listed twice by overlapping queries
    ]
    assert unreplied_overdue(tickets, now=NOW) == (
        OverdueTicket(4, "0512****0000", NOW - timedelta(days=30), 30.0, "acknowledged"),
        OverdueTicket(1, "138****5678", NOW - timedelta(days=16), 16.0, "open"),
    )


def test_the_policy_deadline_is_configurable() -> None:
    """reply_days other than 15 moves the line (a target with a stricter policy)."""
    assert [o.id for o in unreplied_overdue([ticket(1, 8), ticket(2, 6)], now=NOW, reply_days=7)] == [1]


def test_yearly_stats_put_every_complaint_in_one_bucket() -> None:
    """In time, late, unreplied-overdue, pending; other years left out; rate = in time / all."""
    tickets = [
        ticket(1, 19, replied_days_ago=17),  # replied after 2 days: in time
        ticket(2, 19, replied_days_ago=1),  # after 18 days: late
        ticket(3, 18),  # no reply, past the deadline
        ticket(4, 5),  # no reply, within it
        ticket(5, 30),  # created 2025-12-21: another year
    ]
    stats = yearly_stats(tickets, year=2026, now=NOW)
    assert stats == YearlyStats(2026, 4, 1, 1, 1, 1)
    assert stats.reply_rate == 0.25
    assert yearly_stats([], year=2026, now=NOW).reply_rate is None


def test_the_year_is_counted_in_the_given_time_zone() -> None:
    """A complaint at 2025-12-31 20:00 UTC is a 2026 complaint in Asia/Shanghai."""
    late_evening = TicketView(1, "138", datetime(2025, 12, 31, 20, 0, tzinfo=UTC), "open")
    assert yearly_stats([late_evening], year=2026, now=NOW, tz="Asia/Shanghai").complaints == 1
    assert yearly_stats([late_evening], year=2026, now=NOW).complaints == 0


def test_api_payloads_parse_and_bad_ones_name_the_field() -> None:
    """Ticket pages and stats parse; a wrong field raises SlaDataError naming it."""
    page = {
        "tickets": [
            {
                "id": 7,
                "caller_number": "138",
                "created_at": "2026-01-01T00:00:00+00:00",
                "state": "open",
                "replied_at": None,
                "other": "ignored",
            },
        ],
        "total": 1,
    }
    assert parse_ticket_page(page) == ((TicketView(7, "138", datetime(2026, 1, 1, tzinfo=UTC), "open"),), 1)
    bad_time = {"tickets": [{**page["tickets"][0], "created_at": "2026-01-01T00:00:00"}], "total": 1}  # type: ignore[index]
    with pytest.raises(SlaDataError, match="created_at has no UTC offset"):
        parse_ticket_page(bad_time)
    with pytest.raises(SlaDataError, match="total must be an integer"):
        parse_ticket_page({"tickets": []})
    stats = {
        "year": 2026,
        "complaints": 3,
        "replied_within_deadline": 1,
        "replied_late": 1,
        "unreplied_overdue": 1,
        "pending": 0,
        "reply_rate": 0.33,
    }
    assert parse_stats(stats) == YearlyStats(2026, 3, 1, 1, 1, 0)
    with pytest.raises(SlaDataError, match="add up to 3, not to complaints 4"):
        parse_stats({**stats, "complaints": 4})
    with pytest.raises(SlaDataError, match="pending must be a non-negative integer"):
        parse_stats({**stats, "pending": "0"})


def test_the_check_fails_on_breaches_and_reports_the_yearly_figures() -> None:
    """``nightly.complaint_sla`` (R10): FAIL listing masked tickets; figures as a second subject."""
    overdue = unreplied_overdue([ticket(9, 20)], now=NOW)
    check = sla_check(SlaFacts(NOW, 15, overdue, YearlyStats(2026, 4, 3, 0, 1, 0)))
    assert (check.check_id, check.requirements, check.verdict) == (CHECK_ID, ("R10",), Verdict.FAIL)
    assert (
        check.subjects[0].reason.en
        == "1 complaints have had no reply for more than 15 days: #9 138****5678 20 d"
    )
    assert check.subjects[1].reason.en.startswith("2026: 4 complaints, 75.0 % replied within the deadline")
    assert "13812345678" not in str(check)


def test_the_check_passes_and_errors() -> None:
    """No breach is PASS; tickets or figures that could not be read are ERROR with the cause."""
    assert sla_check(SlaFacts(NOW, 15, (), YearlyStats(2026, 0, 0, 0, 0, 0))).verdict is Verdict.PASS
    from ccinspect.core.verdict import Text

    down = sla_check(SlaFacts(NOW, 15, None, None, tickets_error=Text("api down", "接口不可用")))
    assert down.verdict is Verdict.ERROR
    assert [s.reason.en for s in down.subjects] == ["api down", "not queried"]


# --- against the demo complaint service ----------------------------------------------------------------


class Clock:
    """A clock the test moves (the service asks it for "now")."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def test_gather_sla_against_the_demo_complaint_service(tmp_path: Path) -> None:
    """Tickets aged through the real service: the two unreplied ones are found, the stats match."""
    clock = Clock(datetime(2026, 1, 1, 8, 0, tzinfo=UTC))
    config = ServiceConfig(database=str(tmp_path / "c.sqlite"), token="s3cret", clock=clock)
    auth = {"Authorization": "Bearer s3cret"}
    async with serve(config) as service, aiohttp.ClientSession(headers=auth) as http:
        base = str(service.url)

        async def create(caller: str) -> int:
            async with http.post(f"{base}/api/tickets", json={"caller_number": caller}) as resp:
                assert resp.status == 201
                return int((await resp.json())["id"])

        async def move(tid: int, state: str, reply: str | None = None) -> None:
            async with http.patch(f"{base}/api/tickets/{tid}", json={"state": state, "reply": reply}) as resp:
                assert resp.status == 200, await resp.text()

        unreplied = await create("13812345678")  # Jan 1, never answered
        late = await create("13900001111")  # Jan 1, answered Jan 18
        clock.now += timedelta(days=1)
        in_time = await create("13700002222")  # Jan 2, answered Jan 3
        acknowledged = await create("051268881234")  # Jan 2, acknowledged without a reply
        clock.now += timedelta(days=1)
        await move(in_time, "acknowledged", "we are on it")
        await move(acknowledged, "acknowledged")
        clock.now = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
        pending = await create("13600003333")
        clock.now = datetime(2026, 1, 18, 8, 0, tzinfo=UTC)
        await move(late, "resolved", "sorry for the delay")
        clock.now = NOW

        facts = await gather_sla(base, now=NOW, token="s3cret", timeout=5)
        refused = await gather_sla(base, now=NOW, token="wrong", timeout=5)

    assert facts.errors == ()
    assert [(o.id, o.caller) for o in facts.overdue or ()] == [
        (unreplied, "138****5678"),
        (acknowledged, "0512****1234"),
    ]
    assert facts.stats == YearlyStats(2026, 5, 1, 1, 2, 1)
    assert pending not in [o.id for o in facts.overdue or ()]
    assert refused.overdue is None
    assert refused.stats is None
    assert refused.tickets_error is not None
    assert refused.tickets_error.en.endswith("/api/tickets answered 401")


# --- against fake APIs: paging and failures as facts -----------------------------------------------------


@asynccontextmanager
async def fake_api(handlers: dict[str, Callable[[web.Request], Any]]) -> AsyncIterator[str]:
    """A local aiohttp server with the given GET routes; yields its base URL."""
    app = web.Application()
    for path, handler in handlers.items():
        app.router.add_get(path, handler)
    async with TestServer(app) as server:
        yield str(server.make_url("")).rstrip("/")


def _ticket_json(tid: int, days_ago: float) -> dict[str, object]:
    created = (NOW - timedelta(days=days_ago)).isoformat()
    return {
        "id": tid,
        "caller_number": "13800138000",
        "created_at": created,
        "state": "open",
        "replied_at": None,
    }


async def test_pages_are_followed_and_bounded() -> None:
    """1,200 old open tickets are read in pages of 500; with max_pages=2 the list is marked partial."""
    old = [_ticket_json(i, 20) for i in range(1200)]
    seen: list[dict[str, str]] = []

    async def tickets(request: web.Request) -> web.Response:
        seen.append(dict(request.query))
        items = old if request.query["state"] == "open" else []
        offset, limit = int(request.query["offset"]), int(request.query["limit"])
        return web.json_response({"tickets": items[offset : offset + limit], "total": len(items)})

    async def stats(_: web.Request) -> web.Response:
        return web.json_response(
            {
                "year": 2026,
                "complaints": 0,
                "replied_within_deadline": 0,
                "replied_late": 0,
                "unreplied_overdue": 0,
                "pending": 0,
            }
        )

    async with fake_api({"/api/tickets": tickets, "/api/stats": stats}) as base:
        full = await gather_sla(base, now=NOW)
        partial = await gather_sla(base, now=NOW, max_pages=2)
    assert len(full.overdue or ()) == 1200
    assert full.overdue_complete
    assert seen[0] == {
        "state": "open",
        "created_before": "2026-01-05T08:00:00Z",
        "limit": "500",
        "offset": "0",
    }
    assert (len(partial.overdue or ()), partial.overdue_complete) == (1000, False)
    assert sla_check(partial).subjects[0].reason.en.startswith("1000+ complaints")


async def test_server_errors_and_bad_json_become_facts() -> None:
    """A 500 on the ticket list and invalid stats JSON are recorded as errors; nothing raises."""

    async def broken(_: web.Request) -> web.Response:
        return web.Response(status=500, text="boom")

    async def not_json(_: web.Request) -> web.Response:
        return web.Response(text="<html>", content_type="text/html")

    async with fake_api({"/api/tickets": broken, "/api/stats": not_json}) as base:
        facts = await gather_sla(base, now=NOW)
    assert (facts.overdue, facts.stats) == (None, None)
    assert facts.tickets_error is not None
    assert facts.tickets_error.en == f"complaint API {base}/api/tickets answered 500"
    assert facts.stats_error is not None
    assert "sent invalid JSON" in facts.stats_error.en
    assert sla_check(facts).verdict is Verdict.ERROR


async def test_an_unreachable_api_is_a_fact_not_an_exception() -> None:
    """Connection refused ends as errors naming the URL, within the timeout."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    facts = await gather_sla(f"http://127.0.0.1:{port}", now=NOW, timeout=2)
    assert facts.tickets_error is not None
    assert facts.tickets_error.en.startswith(f"complaint API http://127.0.0.1:{port}/api/tickets unreachable")
    assert facts.stats_error is not None
