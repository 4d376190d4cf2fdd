"""HTTP behaviour of the demo complaint service, through aiohttp's test client on a SQLite file."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from tests.demo.complaints.conftest import ClientFactory, FakeClock

from ccinspect.demo.complaints import ServiceConfig, serve

Client = TestClient[web.Request, web.Application]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def _create(client: Client, **fields: Any) -> dict[str, Any]:
    resp = await client.post("/api/tickets", json=fields)
    assert resp.status == 201, await resp.text()
    body: dict[str, Any] = await resp.json()
    return body


async def _create_txt(client: Client, body: str) -> str:
    resp = await client.post("/api/tickets.txt", data=body.encode(), headers=FORM)
    text = await resp.text()
    assert resp.status == 201, text
    return text


async def _error(resp: aiohttp.ClientResponse, status: int) -> dict[str, Any]:
    """Assert an error answer: the status, JSON content type, English and Chinese messages."""
    assert resp.status == status, await resp.text()
    assert resp.content_type == "application/json"
    body: dict[str, Any] = await resp.json()
    assert body["error"]
    assert re.search(r"[\u4e00-\u9fff]", body["error_zh"]), body
    return body


# --- creating tickets -------------------------------------------------------------------------


async def test_create_json_returns_ticket_with_deadline_and_history(client: Client, clock: FakeClock) -> None:
    """POST /api/tickets answers 201 with the full ticket; numbers start at 100001."""
    call_time = "2025-03-01T15:55:00+08:00"
    resp = await client.post(
        "/api/tickets",
        json={
            "caller_number": "13800138000",
            "call_time": call_time,
            "recording": "complaint-20250301-0001",
            "channel_id": "1740815700.17",
            "summary": "话费扣费异常",
        },
    )
    assert resp.status == 201
    assert resp.headers["Location"] == "/api/tickets/100001"
    ticket = await resp.json()
    assert ticket["id"] == 100001
    assert ticket["caller_number"] == "13800138000"
    assert ticket["channel"] == "phone"
    assert ticket["state"] == "open"
    assert ticket["allowed_transitions"] == ["acknowledged", "resolved"]
    created = datetime.fromisoformat(ticket["created_at"])
    assert created == clock.now
    assert created.utcoffset() == timedelta(0)
    assert datetime.fromisoformat(ticket["reply_deadline"]) == clock.now + timedelta(days=15)
    assert datetime.fromisoformat(ticket["call_time"]) == datetime(2025, 3, 1, 7, 55, tzinfo=UTC)
    assert ticket["overdue"] is False
    assert ticket["history"] == [
        {"from_state": None, "to_state": "open", "at": ticket["created_at"], "reply": None}
    ]
    second = await _create(client, caller_number="13900139000")
    assert second["id"] == 100002


async def test_create_json_rejects_bad_bodies(client: Client) -> None:
    """Unknown fields, wrong types, naive times and non-JSON bodies are 400 with both languages."""
    cases: list[dict[str, Any]] = [
        {"caller": "138"},
        {"caller_number": 138},
        {"call_time": "2025-03-01T08:00:00"},
        {"summary": "x" * 4001},
    ]
    for body in cases:
        await _error(await client.post("/api/tickets", json=body), 400)
    await _error(await client.post("/api/tickets", data=b"[1, 2]"), 400)
    await _error(await client.post("/api/tickets", data=b"{not json"), 400)
    hint = await _error(await client.post("/api/tickets", data=b"caller=1", headers=FORM), 400)
    assert "/api/tickets.txt" in hint["error"]


async def test_create_txt_answers_only_the_digits(client: Client) -> None:
    """The PBX endpoint's 201 body is exactly the ticket number, text/plain, no newline."""
    body = (
        "caller=%2B8613800138000&time=1740815700&recording=complaint-20250301-0001"
        f"&uniqueid=1740815700.17&summary={quote('网络信号差，通话经常中断')}"
    )
    resp = await client.post("/api/tickets.txt", data=body.encode(), headers=FORM)
    assert resp.status == 201
    assert resp.content_type == "text/plain"
    raw = await resp.read()
    assert raw == b"100001"
    assert re.fullmatch(rb"[0-9]+", raw)

    ticket = await (await client.get("/api/tickets/100001")).json()
    assert ticket["caller_number"] == "+8613800138000"
    assert datetime.fromisoformat(ticket["call_time"]) == datetime.fromtimestamp(1740815700, UTC)
    assert ticket["recording"] == "complaint-20250301-0001"
    assert ticket["channel_id"] == "1740815700.17"
    assert ticket["channel"] == "phone"
    assert ticket["summary"] == "网络信号差，通话经常中断"


async def test_create_txt_anonymous_caller_still_gets_a_ticket(client: Client) -> None:
    """A missing or empty caller (withheld number) is recorded as '' and still gets a number."""
    assert await _create_txt(client, "time=1740815700") == "100001"
    assert await _create_txt(client, "caller=&time=&recording=&uniqueid=") == "100002"
    # A post without any Content-Type is read as a form too.
    resp = await client.post("/api/tickets.txt", data=b"caller=10086", skip_auto_headers=["Content-Type"])
    assert resp.status == 201
    assert await resp.text() == "100003"
    first = await (await client.get("/api/tickets/100001")).json()
    second = await (await client.get("/api/tickets/100002")).json()
    assert first["caller_number"] == second["caller_number"] == ""
    assert second["call_time"] is None
    assert second["recording"] is None


@pytest.mark.parametrize(
    ("body", "headers", "reason"),
    [
        (b"caller", FORM, "urlencoded"),
        (b"caller=1&&time=2", FORM, "urlencoded"),
        (b"caller=%FF", FORM, "UTF-8"),
        (b"callerid=10086", FORM, "unknown field"),
        (b"caller=1&caller=2", FORM, "repeated"),
        (b"caller=1&time=yesterday", FORM, "epoch"),
        (b"caller=1&time=-5", FORM, "epoch"),
        (b"caller=+8613800138000", FORM, "URIENCODE"),
        (b'{"caller": "1"}', {"Content-Type": "application/json"}, "Content-Type"),
        (b"caller=1", {"Content-Type": FORM["Content-Type"] + "; charset=gbk"}, "charset"),
    ],
)
async def test_create_txt_rejects_malformed_forms(
    client: Client, body: bytes, headers: dict[str, str], reason: str
) -> None:
    """A malformed PBX form is 400 with a one-line plain-text reason, and no ticket is made."""
    resp = await client.post("/api/tickets.txt", data=body, headers=headers)
    assert resp.status == 400
    assert resp.content_type == "text/plain"
    text = await resp.text()
    assert reason in text
    assert "\n" not in text
    health = await (await client.get("/api/health")).json()
    assert health == {"ok": True, "tickets": 0}


async def test_concurrent_txt_posts_get_distinct_numbers(client: Client) -> None:
    """Simultaneous calls on the complaint line each get their own consecutive number."""
    bodies = [f"caller=1380013{i:04d}&time=1740815700" for i in range(25)]
    numbers = await asyncio.gather(*(_create_txt(client, b) for b in bodies))
    assert sorted(int(n) for n in numbers) == list(range(100001, 100026))


# --- reading and listing ----------------------------------------------------------------------


async def test_list_filters_and_paginates_newest_first(client: Client, clock: FakeClock) -> None:
    """GET /api/tickets filters by state, caller and creation time, and pages newest first."""
    for i in range(7):
        await _create(client, caller_number="10086" if i % 2 else "10010")
        clock.advance(hours=1)
    resp = await client.patch("/api/tickets/100002", json={"state": "acknowledged"})
    assert resp.status == 200

    page = await (await client.get("/api/tickets", params={"limit": "3"})).json()
    assert page["total"] == 7
    assert page["limit"] == 3
    assert page["offset"] == 0
    assert [t["id"] for t in page["tickets"]] == [100007, 100006, 100005]
    page = await (await client.get("/api/tickets", params={"limit": "3", "offset": "6"})).json()
    assert [t["id"] for t in page["tickets"]] == [100001]

    by_caller = await (await client.get("/api/tickets", params={"caller": "10086"})).json()
    assert [t["id"] for t in by_caller["tickets"]] == [100006, 100004, 100002]
    acked = await (await client.get("/api/tickets", params={"state": "acknowledged"})).json()
    assert [t["id"] for t in acked["tickets"]] == [100002]

    # Ticket i was created at 08:00 + i hours UTC; after is inclusive, before exclusive.
    window = {"created_after": "2025-03-01T17:00:00+08:00", "created_before": "2025-03-01T11:00Z"}
    ranged = await (await client.get("/api/tickets", params=window)).json()
    assert [t["id"] for t in ranged["tickets"]] == [100003, 100002]
    # An unencoded '+' arrives as a space; the service reads it as the offset it meant.
    spaced = await client.get("/api/tickets?created_after=2025-03-01T17:00:00+08:00")
    assert (await spaced.json())["total"] == 6


@pytest.mark.parametrize(
    "query",
    [
        "limit=501",
        "limit=0",
        "offset=-1",
        "state=closed",
        "overdue=yes",
        "created_after=2025-03-01",
        "created_after=2025-03-01T08:00:00",
        "status=open",
        "caller=1&caller=2",
    ],
)
async def test_list_rejects_bad_queries(client: Client, query: str) -> None:
    """Bad or unknown list parameters are a bilingual 400, never silently ignored."""
    await _error(await client.get(f"/api/tickets?{query}"), 400)


async def test_unknown_ticket_route_and_method_are_json_errors(client: Client) -> None:
    """404 and 405 answers are bilingual JSON too."""
    body = await _error(await client.get("/api/tickets/999999"), 404)
    assert "999999" in body["error"]
    await _error(await client.get("/api/tickets/99999999999999999999"), 404)
    await _error(await client.get("/api/nothing-here"), 404)
    resp = await client.delete("/api/tickets/100001")
    await _error(resp, 405)
    assert "GET" in resp.headers["Allow"]


async def test_unexpected_failures_are_json_500(make_client: ClientFactory) -> None:
    """A server-side bug (here: a clock returning naive time) still answers bilingual JSON."""
    naive = datetime(2025, 3, 1, 8, 0)  # deliberately without tzinfo: the bug under test
    async with make_client(clock=lambda: naive) as client:
        await _error(await client.get("/api/tickets"), 500)


async def test_health_counts_tickets(client: Client) -> None:
    """GET /api/health reports ok and the ticket count."""
    assert await (await client.get("/api/health")).json() == {"ok": True, "tickets": 0}
    await _create(client)
    assert await (await client.get("/api/health")).json() == {"ok": True, "tickets": 1}


# --- state transitions ------------------------------------------------------------------------


async def test_transitions_forward_only_and_resolve_needs_reply(client: Client, clock: FakeClock) -> None:
    """open → acknowledged → resolved; backwards is 409 naming the allowed moves; resolve needs
    a reply (400); resolved is final."""
    await _create(client, caller_number="10086")
    clock.advance(hours=2)
    resp = await client.patch("/api/tickets/100001", json={"state": "acknowledged"})
    assert resp.status == 200
    ticket = await resp.json()
    assert ticket["state"] == "acknowledged"
    assert datetime.fromisoformat(ticket["acknowledged_at"]) == clock.now
    assert ticket["allowed_transitions"] == ["resolved"]

    back = await _error(await client.patch("/api/tickets/100001", json={"state": "open"}), 409)
    assert back["state"] == "acknowledged"
    assert back["allowed"] == ["resolved"]
    assert "resolved" in back["error"]
    assert "resolved" in back["error_zh"]

    await _error(await client.patch("/api/tickets/100001", json={"state": "resolved"}), 400)
    blank = {"state": "resolved", "reply": "   "}
    await _error(await client.patch("/api/tickets/100001", json=blank), 400)
    await _error(await client.patch("/api/tickets/100001", json={"reply": "x"}), 400)
    await _error(await client.patch("/api/tickets/100001", json={"state": "done"}), 400)

    clock.advance(days=1)
    done = {"state": "resolved", "reply": "已为您退还多扣的话费 12.50 元。"}
    resolved = await (await client.patch("/api/tickets/100001", json=done)).json()
    assert resolved["state"] == "resolved"
    assert resolved["reply"] == done["reply"]
    assert datetime.fromisoformat(resolved["resolved_at"]) == clock.now
    assert resolved["replied_at"] == resolved["resolved_at"]
    assert [(h["from_state"], h["to_state"]) for h in resolved["history"]] == [
        (None, "open"),
        ("open", "acknowledged"),
        ("acknowledged", "resolved"),
    ]
    assert resolved["history"][-1]["reply"] == done["reply"]

    final = await _error(await client.patch("/api/tickets/100001", json=done), 409)
    assert final["allowed"] == []
    await _error(await client.patch("/api/tickets/100404", json=done), 404)


async def test_reply_given_when_acknowledging_counts_and_allows_resolving(
    client: Client, clock: FakeClock
) -> None:
    """A reply sent with the acknowledgement sets replied_at; resolving may then omit it;
    open → resolved directly is a forward move."""
    await _create(client)
    await _create(client)
    ack = {"state": "acknowledged", "reply": "您的投诉已受理，三个工作日内答复。"}
    first = await (await client.patch("/api/tickets/100001", json=ack)).json()
    assert datetime.fromisoformat(first["replied_at"]) == clock.now
    clock.advance(days=3)
    done = await (await client.patch("/api/tickets/100001", json={"state": "resolved"})).json()
    assert done["state"] == "resolved"
    assert done["reply"] == ack["reply"]
    assert done["replied_at"] == first["replied_at"]

    direct = {"state": "resolved", "reply": "已处理"}
    resp = await client.patch("/api/tickets/100002", json=direct)
    assert resp.status == 200
    assert (await resp.json())["state"] == "resolved"


# --- deadlines and the annual report ----------------------------------------------------------


async def test_overdue_after_sixteen_days(client: Client, clock: FakeClock) -> None:
    """Past the 15-day deadline an unresolved ticket is overdue; a resolved one never is."""
    await _create(client, caller_number="1")
    await _create(client, caller_number="2")
    await _create(client, caller_number="3")
    await client.patch("/api/tickets/100002", json={"state": "resolved", "reply": "ok"})
    await client.patch("/api/tickets/100003", json={"state": "acknowledged"})

    none_yet = await (await client.get("/api/tickets", params={"overdue": "true"})).json()
    assert none_yet["total"] == 0

    clock.advance(days=16)
    overdue = await (await client.get("/api/tickets", params={"overdue": "true"})).json()
    assert [t["id"] for t in overdue["tickets"]] == [100003, 100001]
    assert all(t["overdue"] for t in overdue["tickets"])
    fine = await (await client.get("/api/tickets", params={"overdue": "false"})).json()
    assert [t["id"] for t in fine["tickets"]] == [100002]
    one = await (await client.get("/api/tickets/100001")).json()
    assert one["overdue"] is True


async def test_reply_days_is_configurable(make_client: ClientFactory, clock: FakeClock) -> None:
    """--reply-days sets the deadline of new tickets."""
    async with make_client(reply_days=7) as client:
        ticket = await _create(client)
    assert datetime.fromisoformat(ticket["reply_deadline"]) == clock.now + timedelta(days=7)


async def test_stats_count_year_and_reply_rate(client: Client, clock: FakeClock) -> None:
    """GET /api/stats?year= counts that year's complaints and the share replied in time."""
    clock.now = datetime(2024, 12, 31, 20, 0, tzinfo=UTC)  # 2025-01-01 04:00 in Beijing
    await _create(client)  # 100001
    clock.now = datetime(2025, 2, 1, tzinfo=UTC)
    for _ in range(4):
        await _create(client)  # 100002..100005, deadline 2025-02-16
    clock.now = datetime(2025, 2, 10, tzinfo=UTC)
    await client.patch("/api/tickets/100002", json={"state": "resolved", "reply": "已解决"})
    await client.patch("/api/tickets/100003", json={"state": "acknowledged", "reply": "已受理"})
    clock.now = datetime(2025, 2, 20, tzinfo=UTC)
    await client.patch("/api/tickets/100004", json={"state": "resolved", "reply": "迟复"})
    clock.now = datetime(2026, 1, 5, tzinfo=UTC)
    await _create(client)  # 100006, next year

    stats = await (await client.get("/api/stats", params={"year": "2025"})).json()
    assert stats["complaints"] == 4
    assert stats["replied_within_deadline"] == 2
    assert stats["replied_late"] == 1
    assert stats["unreplied_overdue"] == 1
    assert stats["pending"] == 0
    assert stats["reply_rate"] == pytest.approx(0.5)

    beijing = await (await client.get("/api/stats", params={"year": "2025", "tz": "Asia/Shanghai"})).json()
    assert beijing["complaints"] == 5
    assert beijing["start"] == "2024-12-31T16:00:00+00:00"
    assert beijing["reply_rate"] == pytest.approx(0.4)

    empty = await (await client.get("/api/stats", params={"year": "2023"})).json()
    assert empty["complaints"] == 0
    assert empty["reply_rate"] is None
    recent = await (await client.get("/api/stats", params={"year": "2026"})).json()
    assert recent["complaints"] == 1
    assert recent["pending"] == 1

    for bad in ("", "?year=25x", "?year=2025&tz=Mars/Olympus", "?year=2025&month=1"):
        await _error(await client.get(f"/api/stats{bad}"), 400)


# --- authentication ---------------------------------------------------------------------------


def _pretend_remote(address: str) -> Callable[[web.Application], None]:
    """An app hook making every request look as if it came from ``address``."""

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        response: web.StreamResponse = await handler(request.clone(remote=address))
        return response

    def hook(app: web.Application) -> None:
        app.middlewares.insert(0, middleware)

    return hook


async def test_token_required_except_health_and_local_pbx(make_client: ClientFactory) -> None:
    """With a token, the API needs Bearer auth; /api/health and loopback .txt posts do not."""
    good = {"Authorization": "Bearer s3cret-令牌"}
    async with make_client(token="s3cret-令牌") as client:
        resp = await client.get("/api/tickets")
        body = await _error(resp, 401)
        assert "token" in body["error"]
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
        wrong = {"Authorization": "Bearer nope"}
        await _error(await client.get("/api/tickets", headers=wrong), 401)
        await _error(await client.post("/api/tickets", json={}), 401)
        await _error(await client.get("/api/stats?year=2025"), 401)

        assert (await client.get("/api/health")).status == 200
        assert await _create_txt(client, "caller=10086") == "100001"
        resp = await client.get("/api/tickets", headers=good)
        assert resp.status == 200
        assert (await resp.json())["total"] == 1
        resp = await client.patch("/api/tickets/100001", json={"state": "acknowledged"}, headers=good)
        assert resp.status == 200


async def test_token_required_for_remote_pbx(make_client: ClientFactory) -> None:
    """A .txt post from a non-loopback address needs the token; its 401 is plain text."""
    async with make_client(token="s3cret", app_hook=_pretend_remote("192.0.2.10")) as client:
        resp = await client.post("/api/tickets.txt", data=b"caller=10086", headers=FORM)
        assert resp.status == 401
        assert resp.content_type == "text/plain"
        auth = {**FORM, "Authorization": "Bearer s3cret"}
        resp = await client.post("/api/tickets.txt", data=b"caller=10086", headers=auth)
        assert resp.status == 201
        assert await resp.text() == "100001"


async def test_no_token_means_open_demo(client: Client) -> None:
    """Without a configured token nothing asks for credentials (the demo default)."""
    assert (await client.get("/api/tickets")).status == 200


# --- Chinese text and persistence -------------------------------------------------------------


async def test_chinese_text_round_trips_and_persists(make_client: ClientFactory) -> None:
    """Chinese summaries and replies come back unescaped and survive a restart on the same file;
    numbering continues after the restart."""
    summary = "宽带断网三天，客服电话一直占线。要求赔偿！"
    reply = "经核查为光猫故障，已上门更换，并补偿一个月月租。"
    async with make_client() as client:
        created = await _create(client, caller_number="13800138000", summary=summary)
        resp = await client.patch(f"/api/tickets/{created['id']}", json={"state": "resolved", "reply": reply})
        raw = await resp.read()
        assert reply.encode() in raw  # not \\u-escaped
        assert resp.charset == "utf-8"
    async with make_client() as client:
        ticket = await (await client.get("/api/tickets/100001")).json()
        assert ticket["summary"] == summary
        assert ticket["reply"] == reply
        assert (await _create(client))["id"] == 100002


async def test_serve_helper_runs_on_a_free_port(db_path: Path, clock: FakeClock) -> None:
    """serve() listens on a real port and stops cleanly when the block exits."""
    config = ServiceConfig(database=str(db_path), clock=clock)
    async with serve(config) as service, aiohttp.ClientSession() as session:
        assert service.url.port
        async with session.post(
            service.url / "api/tickets.txt", data={"caller": "10086", "time": "1740815700"}
        ) as resp:
            assert resp.status == 201
            assert await resp.text() == "100001"
