"""complaints.kind: rest against a real aiohttp work-order API shaped like a vendor's (Beijing time
without a zone, ``phone``/``since`` query, bearer token, items under ``items``): the complaint
call's ticket is found only when new, in the call's window and carrying the caller's number, and
the facts are judged by complaint.flow exactly like the demo's."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from ccinspect.core.checks.complaint import complaint_flow
from ccinspect.core.scenario import Target
from ccinspect.core.verdict import Verdict
from ccinspect.platform.tickets import existing_ticket_ids, ticket_facts
from tests.core.test_checks_support import context, facts
from tests.platform.tickets_support import CALLER, complaint_call, target_with

BEIJING = ZoneInfo("Asia/Shanghai")
TOKEN = "ccb-api-token-2024"
FORMAT = "%Y-%m-%d %H:%M:%S"


def beijing(epoch: float) -> str:
    """``epoch`` as the vendor writes it: Beijing time, no zone."""
    return datetime.fromtimestamp(epoch, BEIJING).strftime(FORMAT)


@dataclass
class WorkOrders:
    """The vendor's work-order store and what its API was asked."""

    orders: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)
    include_phone: bool = True

    def add(self, number: str, phone: str, created: float, *, days: int = 15) -> None:
        self.orders.append(
            {
                "orderNo": number,
                "phone": phone if self.include_phone else None,
                "createdAt": beijing(created),
                "recordUrl": f"/api/v1/recordings/{int(created)}.7/file",
                "deadline": beijing(created + days * 86400),
                "status": "pending",
            }
        )

    async def handle(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"code": 401, "msg": "unauthorized"}, status=401)
        self.requests.append(dict(request.query))
        phone, since = request.query.get("phone", ""), request.query.get("since", "")
        items = [
            o
            for o in self.orders
            if (not phone or o["phone"] == phone) and (not since or o["createdAt"] >= since)
        ]
        return web.json_response({"total": len(items), "items": items})


@pytest.fixture
async def api() -> AsyncIterator[tuple[WorkOrders, str]]:
    """A work-order API on a free port: (its store, its base URL)."""
    orders = WorkOrders()
    app = web.Application()
    app.router.add_get("/api/v2/work-orders", orders.handle)
    async with TestServer(app, host="127.0.0.1") as server:
        yield orders, str(server.make_url("")).rstrip("/")


def rest_target(
    tmp_path: Path,
    base: str,
    monkeypatch: pytest.MonkeyPatch,
    *,
    params: str | None = None,
    fmt: str = FORMAT,
    token: str = TOKEN,
) -> Target:
    """A target describing the work-order API (token from the environment)."""
    monkeypatch.setenv("CCI_TEST_TICKETS_TOKEN", token)
    params = params or '{phone: "{caller}", since: "{since}"}'
    return target_with(
        tmp_path,
        f"""\
        complaints:
          kind: rest
          url: {base}/api/v2/work-orders
          auth: bearer
          password_env: CCI_TEST_TICKETS_TOKEN
          params: {params}
          since_format: {{format: "%Y-%m-%d %H:%M:%S", timezone: Asia/Shanghai}}
          items: items
          fields: {{id: orderNo, caller: phone, created: createdAt, recording: recordUrl, deadline: deadline}}
          time_format: {{format: "{fmt}", timezone: Asia/Shanghai}}
        """,
    )


async def test_the_ticket_appearing_two_seconds_later_is_found_and_passes(
    api: tuple[WorkOrders, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Old and pre-existing tickets of the caller are ignored; the new one, created 2 s into the
    wait, is found (Beijing times read right, bearer token sent, ``since`` = call start − the
    tolerance in Beijing time) and complaint.flow PASSes on it."""
    orders, base = api
    target = rest_target(tmp_path, base, monkeypatch)
    call = complaint_call()
    orders.add("GD0001", CALLER, call.started_at - 86400)  # yesterday: before the window
    orders.add("GD0002", CALLER, call.started_at - 30)  # in the window, but there before the call
    known = await existing_ticket_ids(target, caller=CALLER, since=call.started_at - 120)
    assert known == {"GD0002"}
    asyncio.get_running_loop().call_later(2.0, orders.add, "GD0003", CALLER, call.started_at + 9)
    began = time.monotonic()
    tickets, backlog = await ticket_facts(target, call, bound_s=15, tolerance_s=120, known_before=known)
    assert time.monotonic() - began >= 1.9
    assert backlog is None
    [t] = tickets
    assert (t.found, t.ticket_id, t.caller_number, t.error) == (True, "GD0003", CALLER, None)
    assert t.created_at == pytest.approx(int(call.started_at + 9), abs=1)
    assert t.reply_deadline_days == pytest.approx(15.0)
    assert t.recording == f"/api/v1/recordings/{int(call.started_at + 9)}.7/file"
    assert orders.requests[-1] == {"phone": CALLER, "since": beijing(int(call.started_at - 120))}
    result = complaint_flow(facts(call, tickets=tuple(tickets)), context())
    assert result.verdict is Verdict.PASS
    assert "ticket GD0003 created for 13800138000" in result.subjects[0].reason.en


async def test_no_new_ticket_within_the_bound_fails(
    api: tuple[WorkOrders, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only another caller's ticket appears: after the bound, no ticket (FAIL, not ERROR)."""
    orders, base = api
    target = rest_target(tmp_path, base, monkeypatch)
    call = complaint_call()
    orders.add("GD0009", "13900000009", call.started_at + 5)
    began = time.monotonic()
    tickets, _ = await ticket_facts(target, call, bound_s=2.5, tolerance_s=120, known_before=set())
    assert 2.0 <= time.monotonic() - began < 6
    assert (tickets[0].found, tickets[0].error) == (False, None)
    assert complaint_flow(facts(call, tickets=tuple(tickets)), context()).verdict is Verdict.FAIL


async def test_a_work_order_without_the_callers_number_is_taken_and_fails(
    api: tuple[WorkOrders, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Searched by time only, the one new work order (which lacks the phone) is the call's:
    complaint.flow FAILs saying it has no caller number, instead of "no ticket"."""
    orders, base = api
    orders.include_phone = False
    target = rest_target(tmp_path, base, monkeypatch, params='{since: "{since}"}')
    call = complaint_call()
    orders.add("GD0100", CALLER, call.started_at + 8)
    tickets, _ = await ticket_facts(target, call, bound_s=8, tolerance_s=120, known_before=set())
    assert (tickets[0].found, tickets[0].ticket_id, tickets[0].caller_number) == (True, "GD0100", None)
    result = complaint_flow(facts(call, tickets=tuple(tickets)), context())
    assert result.verdict is Verdict.FAIL
    assert "ticket GD0100 has no caller number" in result.reason.en


async def test_a_wrong_token_is_an_error_naming_the_status(
    api: tuple[WorkOrders, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """401 on every poll: the fact carries the cause and complaint.flow is ERROR."""
    _orders, base = api
    wrong = rest_target(tmp_path, base, monkeypatch, token="not-the-token")
    call = complaint_call()
    tickets, _ = await ticket_facts(wrong, call, bound_s=1.5, tolerance_s=120)
    assert tickets[0].error is not None and "answered 401" in tickets[0].error
    result = complaint_flow(facts(call, tickets=tuple(tickets)), context())
    assert result.verdict is Verdict.ERROR
    assert "answered 401" in result.reason.en


async def test_a_time_format_that_does_not_fit_is_an_error_at_once(
    api: tuple[WorkOrders, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The target file says ISO with a T, the vendor writes a space: ERROR naming the key,
    without waiting out the bound (waiting cannot fix the target file)."""
    orders, base = api
    target = rest_target(tmp_path, base, monkeypatch, fmt="%Y-%m-%dT%H:%M:%S")
    call = complaint_call()
    orders.add("GD0200", CALLER, call.started_at + 3)
    began = time.monotonic()
    tickets, _ = await ticket_facts(target, call, bound_s=20, tolerance_s=120)
    assert time.monotonic() - began < 5
    assert tickets[0].error is not None and "complaints.time_format" in tickets[0].error


async def test_an_unreachable_system_lists_nothing_before_the_call(tmp_path: Path) -> None:
    """Nothing listens: the pre-call listing is None (unknown), the lookup an error."""
    target = target_with(
        tmp_path,
        """\
        complaints:
          kind: rest
          url: http://127.0.0.1:9/api/tickets
          auth: none
          timeout_s: 1
        """,
    )
    call = complaint_call()
    assert await existing_ticket_ids(target, caller=CALLER, since=call.started_at) is None
    tickets, _ = await ticket_facts(target, call, bound_s=1.5, tolerance_s=120)
    assert tickets[0].error is not None and "unreachable" in tickets[0].error
