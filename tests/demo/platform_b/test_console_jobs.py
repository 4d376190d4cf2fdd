"""The console's retention purge, its schema, its health check and its startup against PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import DateTime, create_engine, inspect, select, text

from ccinspect.demo.platform_b.console import build_app
from ccinspect.demo.platform_b.console.models import cdr
from ccinspect.demo.platform_b.console.recordings import purge_once
from ccinspect.demo.platform_b.console.records import ConsoleError
from ccinspect.demo.platform_b.console.store import ConsoleStore
from tests.demo.platform_b.conftest import (
    NOW,
    Client,
    ClientFactory,
    FakeClock,
    add_call,
    ago,
    config_for,
    create_schema,
    write_wav,
)
from tests.store.pgserver import PostgresCluster

CONTRACT_CDR_COLUMNS = {
    "calldate", "clid", "src", "dst", "dcontext", "channel", "dstchannel", "lastapp", "lastdata",
    "duration", "billsec", "disposition", "amaflags", "accountcode", "uniqueid", "userfield",
    "linkedid", "peeraccount", "sequence", "screen_result", "agent_id", "record_file",
}  # fmt: skip


def _record_file(dsn: str, call_id: str) -> str | None:
    engine = create_engine(dsn)
    try:
        with engine.connect() as conn:
            value = conn.execute(select(cdr.c.record_file).where(cdr.c.uniqueid == call_id)).scalar_one()
    finally:
        engine.dispose()
    return None if value is None else str(value)


async def test_schema_has_the_contract_tables_and_cdr_columns(client: Client, dsn: str) -> None:
    """On start the console makes cdr (exactly the contract's columns), work_orders, settings and users,
    with the demo account's password stored as a hash, not in clear."""
    engine = create_engine(dsn)
    try:
        inspector = inspect(engine)
        assert {"cdr", "work_orders", "settings", "users"} <= set(inspector.get_table_names())
        assert {c["name"] for c in inspector.get_columns("cdr")} == CONTRACT_CDR_COLUMNS
        calldate = next(c for c in inspector.get_columns("cdr") if c["name"] == "calldate")
        assert isinstance(calldate["type"], DateTime) and calldate["type"].timezone
        with engine.connect() as conn:
            stored = conn.execute(
                text("SELECT password_hash FROM users WHERE username = 'inspector'")
            ).scalar()
            version = conn.execute(text("SELECT value FROM settings WHERE key = 'schema_version'")).scalar()
    finally:
        engine.dispose()
    assert isinstance(stored, str) and stored.startswith("scrypt$") and "ccb-inspect-2024" not in stored
    assert version == "1"


def test_existing_cdr_table_gets_the_custom_columns(dsn: str) -> None:
    """A cdr table made from Asterisk's reference schema (no custom columns) is upgraded in place."""
    engine = create_engine(dsn)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE cdr (calldate timestamptz NOT NULL DEFAULT now(), src varchar(80))"))
        conn.execute(text("INSERT INTO cdr (src) VALUES ('13800138000')"))
    create_schema(dsn)
    create_schema(dsn)  # idempotent
    columns = {c["name"] for c in inspect(engine).get_columns("cdr")}
    engine.dispose()
    assert {"screen_result", "agent_id", "record_file"} <= columns


async def test_purge_deletes_old_recordings_and_keeps_young_ones(
    make_client: ClientFactory, dsn: str, recording_root: Path
) -> None:
    """The purge at start deletes a recording older than the retention (clearing its record_file)
    and an unreferenced file by its mtime, and keeps young recordings and young unreferenced files."""
    create_schema(dsn)
    old = add_call(dsn, recording_root, "5000.1", when=ago(days=200))
    young = add_call(dsn, recording_root, "5000.2", when=ago(days=100), file_mtime=ago(days=300))
    orphan_old = write_wav(recording_root / "2026/01/01/orphan-old.wav", mtime=ago(days=181))
    orphan_young = write_wav(recording_root / "2026/12/07/in-progress.wav", mtime=ago(minutes=1))
    async with make_client() as client:
        for _ in range(200):  # the purge at start runs in the background: wait up to 10 s
            if not (recording_root / old).exists() and not orphan_old.exists():
                break
            await asyncio.sleep(0.05)
        assert not (recording_root / old).exists(), "an old call's recording is deleted"
        assert not orphan_old.exists(), "an old unreferenced file is deleted"
        assert (recording_root / young).exists(), "a young call's recording is kept whatever its mtime"
        assert orphan_young.exists(), "an unreferenced young file (being recorded) is kept"
        assert _record_file(dsn, "5000.1") is None
        assert _record_file(dsn, "5000.2") == young
        resp = await client.get("/api/v1/recordings", headers={"Authorization": "Bearer ccb-api-token-test"})
        assert [r["callId"] for r in (await resp.json())["data"]["list"]] == ["5000.2"]


def test_purge_never_goes_below_the_minimum(dsn: str, recording_root: Path) -> None:
    """A retention below purge_min_days (set behind the console's back) is raised to the minimum."""
    create_schema(dsn)
    within_minimum = add_call(dsn, recording_root, "5100.1", when=ago(days=20))
    beyond_minimum = add_call(dsn, recording_root, "5100.2", when=ago(days=40))
    store = ConsoleStore.connect(dsn, timeout=5)
    try:
        store.set_retention_days(1)
        result = purge_once(store, recording_root, min_days=30, now=NOW)
    finally:
        store.close()
    assert result.days == 30
    assert result.deleted == (beyond_minimum,)
    assert (recording_root / within_minimum).exists()
    assert not (recording_root / beyond_minimum).exists()


async def test_healthz_reports_the_database(dsn: str, recording_root: Path, clock: FakeClock) -> None:
    """/healthz answers 200 {"ok":true,"db":true} while PostgreSQL is up and 503 once it is down."""
    cluster = PostgresCluster()
    cluster.start()
    try:
        own_dsn = cluster.database()
        app = build_app(config_for(own_dsn, recording_root, clock))
        async with TestClient(TestServer(app)) as client:
            resp = await client.get("/healthz")
            assert resp.status == 200 and await resp.json() == {"ok": True, "db": True}
            await asyncio.to_thread(cluster.stop)
            resp = await client.get("/healthz")
            assert resp.status == 503 and await resp.json() == {"ok": False, "db": False}
            resp = await client.get(
                "/api/v1/settings", headers={"Authorization": "Bearer ccb-api-token-test"}
            )
            assert resp.status == 503 and await resp.json() == {"code": 503, "msg": "database unavailable"}
    finally:
        cluster.stop()


async def test_startup_fails_when_the_database_stays_unreachable(
    recording_root: Path, clock: FakeClock, tmp_path: Path
) -> None:
    """Startup retries for startup_timeout seconds, then fails with ConsoleError naming the database."""
    dead = f"postgresql+psycopg://nobody@/none?host={tmp_path}"
    app = build_app(config_for(dead, recording_root, clock, startup_timeout=2.0))
    with pytest.raises(ConsoleError, match="unusable"):
        async with TestServer(app):
            pass
