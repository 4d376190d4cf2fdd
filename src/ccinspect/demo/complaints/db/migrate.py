"""The complaint store's schema: Alembic migrations (``migrations/``), run in code (no alembic.ini).

Separate from the run store's (:mod:`ccinspect.store.db`): its own version table
(:data:`~.models.VERSION_TABLE`) and its own revisions, so both may share one database. A
database created before the migrations existed (tables made by ``create_all``, no version table)
is stamped at the initial revision, whose tables it already holds, and upgraded from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection, Engine

from ccinspect.store.migrate import Migrations

from .models import VERSION_TABLE, TicketRow

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
INITIAL = "c0001"
"""The first revision: exactly the tables the service made with ``create_all`` before."""


#: The complaint store's migrations, beside the run store's in the same database if wanted.
MIGRATIONS = Migrations(MIGRATIONS_DIR, VERSION_TABLE)


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Any:
    """An Alembic ``Config`` for the complaint store's migrations (see ``Migrations.config``)."""
    return MIGRATIONS.config(connection, url)


def _stamp_pre_migration_database(tables: Sequence[str]) -> str | None:
    """A database whose tables ``create_all`` made (no version table) is at :data:`INITIAL`."""
    return INITIAL if TicketRow.__tablename__ in tables else None


def upgrade_to_head(engine: Engine) -> None:
    """Apply every migration not yet applied (a no-op when the schema is at head)."""
    MIGRATIONS.upgrade_to_head(engine, stamp_first=_stamp_pre_migration_database)


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None before the first migration)."""
    return MIGRATIONS.current_revision(engine)


def head_revision() -> str:
    """The newest migration shipped with this version of ccinspect."""
    return MIGRATIONS.head_revision()
