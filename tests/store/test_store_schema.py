"""The run store's schema: migrations to head on an empty database, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from ccinspect.store import StoreUnavailable, open_store
from ccinspect.store.db import current_revision, head_revision, resolve_url
from ccinspect.store.models import VERSION_TABLE

TABLES = {
    "runs",
    "check_results",
    "check_subjects",
    "calls",
    "call_legs",
    "sip_messages",
    "recordings",
    "evidence_files",
    VERSION_TABLE,
}


def test_open_store_migrates_an_empty_database_to_head(db_url: str) -> None:
    """open_store on an empty database creates every table and stamps the newest revision."""
    engine = create_engine(db_url)
    try:
        assert current_revision(engine) is None
        store = open_store(db_url)
        store.close()
        assert current_revision(engine) == head_revision()
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_reopening_a_migrated_store_keeps_its_runs(db_url: str, sample_run: Path) -> None:
    """Opening an up-to-date store again is a no-op for the schema and keeps the data."""
    with open_store(db_url) as store:
        store.import_run_dir(sample_run)
    with open_store(db_url) as again:
        assert [r.run_id for r in again.list_runs()] == ["20261129-160729-ba14"]


def test_unreachable_database_says_which_and_what_to_do() -> None:
    """A server that is not there is a StoreUnavailable naming the URL (password masked) and the next step."""
    with pytest.raises(StoreUnavailable) as caught:
        open_store("postgresql+psycopg://inspector:s3cret@127.0.0.1:1/ccinspect?connect_timeout=3")
    message = caught.value.message
    assert "127.0.0.1:1" in message
    assert "s3cret" not in message and "s3cret" not in caught.value.message_zh
    assert "--db" in caught.value.hint


def test_default_url_is_env_then_runs_sqlite(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without --db the store is $CCINSPECT_DB, else runs/ccinspect.sqlite under the working directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CCINSPECT_DB", raising=False)
    assert resolve_url(None).endswith("/runs/ccinspect.sqlite")
    monkeypatch.setenv("CCINSPECT_DB", "postgresql+psycopg://x@/db")
    assert resolve_url(None) == "postgresql+psycopg://x@/db"
    assert resolve_url("other.sqlite").startswith("sqlite:////")


def test_head_constant_names_the_newest_migration() -> None:
    """migrations.HEAD (used to skip Alembic on an up-to-date store) is the head of versions/."""
    from ccinspect.store.migrations import HEAD

    assert head_revision() == HEAD


def test_a_store_of_revision_0002_upgrades_and_keeps_its_recordings(db_url: str, sample_run: Path) -> None:
    """Revision 0003 rebuilds the recordings' source constraint: a store made at 0002 keeps its
    rows through the upgrade, and afterwards takes recordings played in a web console."""
    from alembic import command
    from sqlalchemy import text

    from ccinspect.store.db import alembic_config

    with open_store(db_url) as store:
        store.import_run_dir(sample_run)
    engine = create_engine(db_url)
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0002")
        with engine.connect() as connection:
            before = connection.execute(text("SELECT count(*) FROM recordings")).scalar_one()
        assert before > 0 and current_revision(engine) == "0002"
        with open_store(db_url) as again:
            assert [r.run_id for r in again.list_runs()] == ["20261129-160729-ba14"]
        assert current_revision(engine) == head_revision()
        with engine.begin() as connection:
            assert connection.execute(text("SELECT count(*) FROM recordings")).scalar_one() == before
            connection.execute(text("UPDATE recordings SET source = 'web'"))
    finally:
        engine.dispose()
