"""Reading a platform's CDR as its target file describes it: real files, a real SQLite database with
zone-less Beijing times, a real HTTP API; rows paired with the calls, failures kept as facts."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from pydantic import TypeAdapter

from ccinspect.core.facts import CallFact
from ccinspect.core.scenario.sources import Cdr, CdrFile, CdrHttp, CdrSql
from ccinspect.platform.cdrsource import cdr_path, gather_cdrs, read_cdr
from tests.core.test_checks_support import T0, inbound_call, outbound_call

BEIJING_T0 = "2026-01-01 08:00:00"  # T0 in Asia/Shanghai, as the platform writes it


def cdr(**section: Any) -> Cdr:
    """A target file's cdr section."""
    return TypeAdapter(Cdr).validate_python(section)


def calls() -> list[CallFact]:
    """Two screening-style inbound calls 2 s apart and an outbound call from seat 100101."""
    a = replace(inbound_call("100101", "13800138000", key="inbound-1"), requested_number="955088")
    b = replace(inbound_call("100102", "12345", key="screen-1"), requested_number="955088")
    b = replace(b, started_at=T0 + 2, ended_at=T0 + 12)
    out = replace(outbound_call("100101", "13800138888", key="outbound-100101"), started_at=T0 + 20)
    return [a, b, replace(out, ended_at=T0 + 30)]


# --- files --------------------------------------------------------------------------------------


def test_file_path_expands_home_and_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """~ and $VARIABLES in cdr.path are expanded."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CDR_DIR", "logs")
    spec = cdr(kind="file", path="~/$CDR_DIR/cdr.json")
    assert isinstance(spec, CdrFile)
    assert cdr_path(spec) == tmp_path / "logs" / "cdr.json"


async def test_json_lines_with_nested_fields_and_local_times(tmp_path: Path) -> None:
    """Dotted field paths, a strftime format in Beijing time; rows outside the window and bad
    lines are left out (the bad ones counted)."""
    path = tmp_path / "cdr.json"
    lines = [
        {"t": "2025-12-31 08:00:00", "from": {"num": "13800138000"}, "to": "955088"},
        {"t": "2026-01-01 08:00:01", "from": {"num": "13800138000"}, "to": "955088", "res": "OK", "id": "u1"},
        {
            "t": "2026-01-01 08:00:03",
            "from": {"num": "12345"},
            "to": "955088",
            "res": "BAD_FORMAT",
            "id": "u2",
        },
        {"t": "01/01/2026", "from": {"num": "1"}, "to": "2"},
    ]
    path.write_text("\n".join([*map(json.dumps, lines), "not json", ""]), encoding="utf-8")
    spec = cdr(
        kind="file",
        path=str(path),
        fields={"time": "t", "src": "from.num", "dst": "to", "screening": "res", "id": "id"},
        time_format={"format": "%Y-%m-%d %H:%M:%S", "timezone": "Asia/Shanghai"},
    )
    read = await read_cdr(spec, T0 - 5, T0 + 60)
    assert [(r.record_id, r.started_at, r.src, r.screening) for r in read.rows] == [
        ("u1", T0 + 1, "13800138000", "OK"),
        ("u2", T0 + 3, "12345", "BAD_FORMAT"),
    ]
    assert read.unreadable == 2
    facts = {f.call_key: f for f in await gather_cdrs(spec.model_copy(update={"wait_s": 0}), calls())}
    assert (facts["inbound-1"].record_id, facts["screen-1"].screening) == ("u1", "BAD_FORMAT")
    assert facts["outbound-100101"].error is not None
    assert "no CDR row matched this call (2 rows read" in facts["outbound-100101"].error


async def test_asterisk_master_csv_in_the_platforms_zone(tmp_path: Path) -> None:
    """Stock Master.csv read by the CSV parser: local times in the section's zone, userfield."""
    path = tmp_path / "Master.csv"
    path.write_text(
        '"","13800138000","955088","from-carrier","""x"" <13800138000>","PJSIP/carrier-00000001",'
        f'"PJSIP/100101-00000002","Queue","q","{BEIJING_T0}","2026-01-01 08:00:02",'
        '"2026-01-01 08:01:02",62,60,"ANSWERED","DOCUMENTATION","1767225600.1","2026/01/01/a.wav"\n',
        encoding="utf-8",
    )
    spec = cdr(
        kind="file",
        path=str(path),
        format="asterisk-csv",
        fields={"time": "start", "id": "uniqueid", "recording": "userfield"},
        time_format={"timezone": "Asia/Shanghai"},
        wait_s=0,
    )
    (row,) = (await read_cdr(spec, T0 - 5, T0 + 60)).rows
    assert (row.started_at, row.src, row.dst, row.disposition, row.record_id, row.recording) == (
        T0,
        "13800138000",
        "955088",
        "ANSWERED",
        "1767225600.1",
        "a",
    )


async def test_unreadable_file_is_an_error_in_every_fact_within_the_wait(tmp_path: Path) -> None:
    """A missing file: each call's fact names it; the wait is bounded by wait_s."""
    spec = cdr(kind="file", path=str(tmp_path / "absent.json"), wait_s=0.3)
    loop = asyncio.get_running_loop()
    began = loop.time()
    facts = await gather_cdrs(spec, calls(), poll_s=0.1)
    assert loop.time() - began < 2.0
    assert len(facts) == 3
    assert all(f.error is not None and "absent.json" in f.error and "无法读取话单" in f.error for f in facts)
    assert await gather_cdrs(None, calls()) == []
    assert await gather_cdrs(spec, []) == []


# --- SQL ----------------------------------------------------------------------------------------

SCHEMA = """
CREATE TABLE cdr (calldate TEXT, src TEXT, dst TEXT, disposition TEXT, billsec INTEGER,
                  uniqueid TEXT, screen_result TEXT, agent_id TEXT, record_file TEXT)
"""
QUERY = (
    "SELECT calldate, src, dst, disposition, uniqueid, screen_result, agent_id, record_file "
    "FROM cdr WHERE calldate BETWEEN :start AND :end ORDER BY calldate"
)


def _insert(db: Path, *rows: tuple[str, str, str, str, str, str]) -> None:
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO cdr VALUES (?, ?, ?, 'ANSWERED', 10, ?, ?, ?, 'x.wav')",
            [(t, src, dst, uid, screen, agent) for t, src, dst, uid, screen, agent in rows],
        )


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A SQLite CDR table with zone-less Beijing times, one row outside the run."""
    db = tmp_path / "cc.db"
    with sqlite3.connect(db) as conn:
        conn.execute(SCHEMA)
    _insert(db, ("2025-12-31 20:00:00", "13800138000", "955088", "old", "OK", "100101"))
    return db


def sql_spec(db: Path, **more: Any) -> Cdr:
    """The cdr section for the SQLite database."""
    fields = {"time": "calldate", "screening": "screen_result", "agent": "agent_id", "id": "uniqueid"}
    return cdr(
        kind="sql", url=f"sqlite:///{db}", timezone="Asia/Shanghai", query=QUERY, fields=fields, **more
    )


async def test_sql_window_is_in_the_databases_zone_and_rows_match_calls(database: Path) -> None:
    """:start/:end are naive Beijing times; each call gets its row, the agent telling apart."""
    _insert(
        database,
        ("2026-01-01 08:00:01", "13800138000", "955088", "u1", "OK", "100101"),
        ("2026-01-01 08:00:03", "12345", "955088", "u2", "BAD_FORMAT", "100102"),
        ("2026-01-01 08:00:21", "02586660000", "13800138888", "u3", "OK", "100101"),
    )
    facts = {f.call_key: f for f in await gather_cdrs(sql_spec(database, wait_s=0), calls())}
    assert {k: f.record_id for k, f in facts.items()} == {
        "inbound-1": "u1",
        "screen-1": "u2",
        "outbound-100101": "u3",
    }
    assert (facts["screen-1"].screening, facts["screen-1"].agent, facts["screen-1"].started_at) == (
        "BAD_FORMAT",
        "100102",
        T0 + 3,
    )


async def test_rows_written_at_hangup_are_waited_for(database: Path) -> None:
    """The last call's row appears a moment later: gather reads again until it is there."""
    _insert(database, ("2026-01-01 08:00:01", "13800138000", "955088", "u1", "OK", "100101"))

    async def late() -> None:
        await asyncio.sleep(0.4)
        _insert(database, ("2026-01-01 08:00:03", "12345", "955088", "u2", "BAD_FORMAT", "100102"))

    two = calls()[:2]
    writer = asyncio.create_task(late())
    facts = await gather_cdrs(sql_spec(database, wait_s=5), two, poll_s=0.1)
    await writer
    assert [f.record_id for f in facts] == ["u1", "u2"]


async def test_sql_failure_is_recorded_not_raised(tmp_path: Path) -> None:
    """A query on a missing table: every fact carries the database's complaint."""
    db = tmp_path / "empty.db"
    sqlite3.connect(db).close()
    facts = await gather_cdrs(sql_spec(db, wait_s=0), calls())
    assert all(f.error is not None and "CDR query" in f.error for f in facts)


# --- HTTP ---------------------------------------------------------------------------------------

TOKEN = "api-token"


@pytest.fixture
async def api() -> AsyncIterator[tuple[str, list[dict[str, str]]]]:
    """A platform CDR API (bearer token, Beijing-time window parameters, rows under data)."""
    seen: list[dict[str, str]] = []

    async def handler(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"code": 401}, status=401)
        seen.append(dict(request.query))
        data = [
            {"callId": "u1", "callDate": "2026-01-01 08:00:01", "src": "13800138000", "dst": "955088",
             "screenResult": "OK", "agentId": "100101"},
            {"callId": "u2", "callDate": "2026-01-01 08:00:03", "src": "12345", "dst": "955088",
             "screenResult": "BAD_FORMAT", "agentId": "100102"},
        ]  # fmt: skip
        return web.json_response({"code": 0, "data": data})

    app = web.Application()
    app.router.add_get("/api/v1/cdr", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/api/v1/cdr", seen
    finally:
        await runner.cleanup()


def http_spec(url: str, token: str = TOKEN) -> Cdr:
    """The cdr section for the API."""
    beijing = {"format": "%Y-%m-%d %H:%M:%S", "timezone": "Asia/Shanghai"}
    return cdr(
        kind="http",
        url=url,
        auth="bearer",
        password=token,
        params={"phone": ""},
        start_param="start",
        end_param="end",
        param_time=beijing,
        items="data",
        fields={"time": "callDate", "screening": "screenResult", "agent": "agentId", "id": "callId"},
        time_format=beijing,
        wait_s=0,
    )


async def test_http_api_with_window_params(api: tuple[str, list[dict[str, str]]]) -> None:
    """Window sent in the platform's format and zone; items at data; rows matched to calls."""
    url, seen = api
    spec = http_spec(url)
    assert isinstance(spec, CdrHttp)
    facts = {f.call_key: f for f in await gather_cdrs(spec, calls()[:2])}
    assert (facts["inbound-1"].record_id, facts["screen-1"].screening) == ("u1", "BAD_FORMAT")
    assert seen == [{"phone": "", "start": "2026-01-01 07:59:55", "end": "2026-01-01 08:00:17"}]


async def test_http_refusal_is_an_error_fact(api: tuple[str, list[dict[str, str]]]) -> None:
    """A wrong token (401): the facts say the API answered 401."""
    url, _ = api
    facts = await gather_cdrs(http_spec(url, "wrong"), calls()[:1])
    assert facts[0].error is not None and "answered 401" in facts[0].error
    assert isinstance(http_spec(url), CdrSql) is False
