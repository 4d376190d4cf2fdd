"""Fixtures for platform B's console: a real PostgreSQL cluster (``tests/store/pgserver.py``), a
fresh database per test, an injectable clock, real WAV recordings and aiohttp test clients.

PostgreSQL is never skipped: if the cluster cannot start, the tests fail with the reason.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import soundfile
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import create_engine, insert

from ccinspect.demo.platform_b.console import Account, ConsoleConfig, build_app
from ccinspect.demo.platform_b.console.models import cdr
from tests.store.pgserver import PostgresCluster, PostgresUnavailable

Client = TestClient[web.Request, web.Application]
ClientFactory = Callable[..., AbstractAsyncContextManager[Client]]

TOKEN = "ccb-api-token-test"
USERNAME = "inspector"
PASSWORD = "ccb-inspect-2024"
COMPLAINT = "02586669315"
# 2026-12-07 16:21:03 in Beijing.
NOW = datetime(2026, 12, 7, 8, 21, 3, tzinfo=UTC)


class FakeClock:
    """A clock the test moves by hand; aware UTC like the real one."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL cluster for the session (stopped and deleted at the end)."""
    try:
        cluster = PostgresCluster()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL for the console tests: {exc}", pytrace=False)
    try:
        cluster.start()
    except PostgresUnavailable as exc:
        cluster.stop()
        pytest.fail(f"PostgreSQL for the console tests could not start: {exc}", pytrace=False)
    yield cluster
    cluster.stop()


@pytest.fixture
def dsn(pg_cluster: PostgresCluster) -> str:
    """A fresh empty database on the session's cluster."""
    return pg_cluster.database()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def recording_root(tmp_path: Path) -> Path:
    root = tmp_path / "monitor"
    root.mkdir()
    return root


def config_for(dsn: str, recording_root: Path, clock: FakeClock, **overrides: object) -> ConsoleConfig:
    settings: dict[str, object] = {
        "dsn": dsn,
        "recording_root": recording_root,
        "api_token": TOKEN,
        "account": Account(USERNAME, PASSWORD),
        "listen": "127.0.0.1:0",
        "complaint_number": COMPLAINT,
        "order_sync_interval": 0.1,
        "startup_timeout": 5.0,
        "db_timeout": 2.0,
        "clock": clock,
        **overrides,
    }
    return ConsoleConfig(**settings)  # type: ignore[arg-type]  # test overrides


@pytest.fixture
def make_client(dsn: str, recording_root: Path, clock: FakeClock) -> ClientFactory:
    """Open a test client on a console; keyword arguments override ConsoleConfig fields."""

    @asynccontextmanager
    async def factory(**overrides: object) -> AsyncIterator[Client]:
        app = build_app(config_for(dsn, recording_root, clock, **overrides))
        async with TestClient(TestServer(app)) as client:
            yield client

    return factory


@pytest.fixture
async def client(make_client: ClientFactory) -> AsyncIterator[Client]:
    async with make_client() as c:
        yield c


async def login(client: Client, password: str = PASSWORD) -> int:
    """Log in through the form; the HTTP status of the answer (302 on success)."""
    resp = await client.post(
        "/login", data={"username": USERNAME, "password": password}, allow_redirects=False
    )
    await resp.read()
    return resp.status


def write_wav(path: Path, seconds: float = 0.5, *, mtime: datetime | None = None) -> Path:
    """A real stereo 8 kHz WAV: a tone on the left (caller), another on the right (agent)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(8000 * seconds)) / 8000
    frames = np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.3 * np.sin(2 * np.pi * 1000 * t)], axis=1)
    soundfile.write(path, frames, 8000, subtype="PCM_16")
    if mtime is not None:
        os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


def add_call(
    dsn: str,
    recording_root: Path | None,
    call_id: str,
    *,
    when: datetime,
    src: str = "13800138000",
    dst: str = "955088",
    agent: str = "100101",
    disposition: str = "ANSWERED",
    billsec: int = 12,
    screen: str = "OK",
    with_file: bool = True,
    file_mtime: datetime | None = None,
    seconds: float = 0.5,
) -> str:
    """Insert a cdr row like cdr_pgsql does (only the columns it fills); write its WAV of
    ``seconds`` when ``recording_root`` is given and ``with_file``. Returns the record_file ('' when none)."""
    local = when.astimezone(UTC)
    record_file = f"{local:%Y/%m/%d}/{call_id}.wav" if recording_root is not None else ""
    if recording_root is not None and with_file:
        write_wav(recording_root / record_file, seconds, mtime=file_mtime)
    values: dict[str, object] = {
        "calldate": when,
        "clid": f'"{src}" <{src}>',
        "src": src,
        "dst": dst,
        "dcontext": "from-trunk",
        "channel": "SIP/kamailio-00000001",
        "lastapp": "Queue",
        "duration": billsec + 5,
        "billsec": billsec,
        "disposition": disposition,
        "amaflags": 3,
        "uniqueid": call_id,
        "linkedid": call_id,
        "screen_result": screen,
        "agent_id": agent,
        "record_file": record_file,
    }
    engine = create_engine(dsn)
    try:
        with engine.begin() as conn:
            conn.execute(insert(cdr).values(**values))
    finally:
        engine.dispose()
    return record_file


def ago(**delta: float) -> datetime:
    """``NOW`` minus ``delta``."""
    return NOW - timedelta(**delta)


def create_schema(dsn: str) -> None:
    """The console's schema on ``dsn``, made the way the console makes it at start."""
    from ccinspect.demo.platform_b.console.store import ConsoleStore

    store = ConsoleStore.connect(dsn, timeout=5)
    try:
        store.ensure_schema(retention_default_days=180)
    finally:
        store.close()
