"""Fixtures for the demo complaint service: an injectable clock and test clients on SQLite files."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from ccinspect.demo.complaints import ServiceConfig, build_app

Client = TestClient[web.Request, web.Application]
ClientFactory = Callable[..., AbstractAsyncContextManager[Client]]


class FakeClock:
    """A clock the test moves by hand; returns aware UTC datetimes like the real one."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 3, 1, 8, 0, tzinfo=UTC))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "complaints.sqlite"


@pytest.fixture
def make_client(db_path: Path, clock: FakeClock) -> ClientFactory:
    """Open a test client on the service; keyword arguments override ServiceConfig fields."""

    @asynccontextmanager
    async def factory(
        app_hook: Callable[[web.Application], None] | None = None, **overrides: object
    ) -> AsyncIterator[Client]:
        settings: dict[str, object] = {"database": str(db_path), "clock": clock, **overrides}
        app = build_app(ServiceConfig(**settings))  # type: ignore[arg-type]  # test overrides
        if app_hook is not None:
            app_hook(app)
        async with TestClient(TestServer(app)) as client:
            yield client

    return factory


@pytest.fixture
async def client(make_client: ClientFactory) -> AsyncIterator[Client]:
    async with make_client() as c:
        yield c
