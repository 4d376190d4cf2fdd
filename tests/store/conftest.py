"""Store test fixtures: every store test runs against SQLite and a real PostgreSQL server.

The PostgreSQL cluster is started once per session (see ``pgserver.py``) and each test gets a
fresh empty database in it. It is never skipped: if PostgreSQL cannot start, the PostgreSQL half
of the tests fails with the reason.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ccinspect.store import RunStore, open_store
from tests.store.pgserver import PostgresCluster, PostgresUnavailable

DATA = Path(__file__).parent / "data"
SAMPLE_RUN_ID = "20261129-160729-ba14"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL cluster for the whole session (stopped and deleted at the end)."""
    try:
        cluster = PostgresCluster()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL for the store tests: {exc}", pytrace=False)
    try:
        cluster.start()
    except PostgresUnavailable as exc:
        cluster.stop()
        pytest.fail(f"PostgreSQL for the store tests could not start: {exc}", pytrace=False)
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or a fresh database on the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.database()


@pytest.fixture
def store(db_url: str) -> Iterator[RunStore]:
    """The run store on ``db_url``, migrated to head."""
    opened = open_store(db_url)
    yield opened
    opened.close()


@pytest.fixture
def sample_run(tmp_path: Path) -> Path:
    """A private copy of the trimmed real run directory (tests may change it)."""
    target = tmp_path / "runs" / SAMPLE_RUN_ID
    shutil.copytree(DATA / "sample-run", target)
    return target
