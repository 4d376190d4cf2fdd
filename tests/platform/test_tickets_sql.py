"""complaints.kind: sql against a real SQLite database: ``:caller`` and ``:since`` (a naive time in
the section's zone) bound into the target's query, columns read through the field map, tickets
matched like the REST ones, and a query that does not fit the target file named precisely."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ccinspect.core.checks.complaint import complaint_flow
from ccinspect.core.scenario import Target
from ccinspect.core.verdict import Verdict
from ccinspect.platform.tickets import existing_ticket_ids, ticket_facts
from tests.core.test_checks_support import context, facts
from tests.platform.tickets_support import CALLER, complaint_call, target_with

BEIJING = ZoneInfo("Asia/Shanghai")
QUERY = (
    "SELECT order_no, phone, created_at, record_file, due_at FROM work_orders "
    "WHERE phone = :caller AND created_at >= :since ORDER BY created_at"
)


def beijing(epoch: float) -> str:
    """How the vendor's database stores times: Beijing time text without a zone."""
    return datetime.fromtimestamp(epoch, BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def database(tmp_path: Path) -> Path:
    """An empty work-order table in a SQLite file."""
    path = tmp_path / "callcenter.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE work_orders (order_no TEXT PRIMARY KEY, phone TEXT, created_at TEXT, "
            "record_file TEXT, due_at TEXT)"
        )
    return path


def add(path: Path, number: str, phone: str | None, created: float, *, days: int = 15) -> None:
    """Insert one work order (committed at once, as the vendor's console would)."""
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO work_orders VALUES (?, ?, ?, ?, ?)",
            (number, phone, beijing(created), f"2026/12/07/{number}.wav", beijing(created + days * 86400)),
        )


def sql_target(tmp_path: Path, db: Path, *, query: str = QUERY, created: str = "created_at") -> Target:
    """A target reading tickets from ``db`` through the query and column map."""
    return target_with(
        tmp_path,
        f"""\
        complaints:
          kind: sql
          url: "sqlite:///{db}"
          timezone: Asia/Shanghai
          query: "{query}"
          fields:
            {{id: order_no, caller: phone, created: {created}, recording: record_file, deadline: due_at}}
        """,
    )


async def test_the_ticket_inserted_two_seconds_later_is_found_and_passes(tmp_path: Path) -> None:
    """Yesterday's and the pre-existing tickets are ignored; the row inserted during the wait
    is the call's ticket, its Beijing times read right, and complaint.flow PASSes on it."""
    db = database(tmp_path)
    target = sql_target(tmp_path, db)
    call = complaint_call()
    add(db, "GD0001", CALLER, call.started_at - 86400)
    add(db, "GD0002", CALLER, call.started_at - 60)
    known = await existing_ticket_ids(target, caller=CALLER, since=call.started_at - 120)
    assert known == {"GD0002"}
    asyncio.get_running_loop().call_later(2.0, add, db, "GD0003", CALLER, call.started_at + 9)
    began = time.monotonic()
    tickets, backlog = await ticket_facts(target, call, bound_s=15, tolerance_s=120, known_before=known)
    assert time.monotonic() - began >= 1.9
    assert backlog is None
    [t] = tickets
    assert (t.found, t.ticket_id, t.caller_number, t.recording) == (
        True,
        "GD0003",
        CALLER,
        "2026/12/07/GD0003.wav",
    )
    assert t.created_at == int(call.started_at + 9)
    assert t.reply_deadline_days == 15.0
    assert complaint_flow(facts(call, tickets=tuple(tickets)), context()).verdict is Verdict.PASS


async def test_a_thirty_day_deadline_fails_r10(tmp_path: Path) -> None:
    """A work order due in 30 days is found and FAILs complaint.flow on its deadline."""
    db = database(tmp_path)
    call = complaint_call()
    add(db, "GD0101", CALLER, call.started_at + 6, days=30)
    tickets, _ = await ticket_facts(sql_target(tmp_path, db), call, bound_s=3, tolerance_s=120)
    assert tickets[0].ticket_id == "GD0101"
    result = complaint_flow(facts(call, tickets=tuple(tickets)), context())
    assert result.verdict is Verdict.FAIL
    assert "due for reply in 30 days" in result.reason.en


async def test_a_column_the_query_does_not_return_is_named(tmp_path: Path) -> None:
    """fields.created names a column the query lacks: ERROR naming complaints.fields and the
    columns the query does return, at once."""
    db = database(tmp_path)
    call = complaint_call()
    add(db, "GD0200", CALLER, call.started_at + 5)
    target = sql_target(tmp_path, db, created="created")
    began = time.monotonic()
    tickets, _ = await ticket_facts(target, call, bound_s=20, tolerance_s=120)
    assert time.monotonic() - began < 5
    error = tickets[0].error or ""
    assert "complaints.fields" in error and "created" in error and "order_no" in error


async def test_a_failing_query_is_an_error_after_the_bound(tmp_path: Path) -> None:
    """A query on a missing table fails on every poll: the fact names the database error."""
    db = database(tmp_path)
    target = sql_target(tmp_path, db, query="SELECT * FROM tickets WHERE phone = :caller AND t >= :since")
    call = complaint_call()
    assert await existing_ticket_ids(target, caller=CALLER, since=call.started_at) is None
    tickets, _ = await ticket_facts(target, call, bound_s=1.5, tolerance_s=120)
    assert tickets[0].error is not None and "no such table" in tickets[0].error
    assert complaint_flow(facts(call, tickets=tuple(tickets)), context()).verdict is Verdict.ERROR
