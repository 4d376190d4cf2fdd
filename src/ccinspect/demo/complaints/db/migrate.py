"""The complaint store's schema: Alembic migrations (``migrations/``), run in code (no alembic.ini).

Separate from the run store's (:mod:`ccinspect.store.db`): its own version table
(:data:`~.models.VERSION_TABLE`) and its own revisions, so both may share one database. A
database created before the migrations existed (tables made by ``create_all``, no version table)
is stamped at the initial revision, whose tables it already holds, and upgraded from there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine

from .models import VERSION_TABLE, TicketRow

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
INITIAL = "c0001"
"""The first revision: exactly the tables the service made with ``create_all`` before."""


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Any:
    """An Alembic ``Config`` for the complaint store's migrations, built in code.

    Pass a ``connection`` to migrate over it, or a ``url`` to run Alembic commands such as
    ``revision --autogenerate`` against a database.
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_table", VERSION_TABLE)
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_to_head(engine: Engine) -> None:
    """Apply every migration not yet applied (a no-op when the schema is at head)."""
    from alembic import command

    with engine.begin() as connection:
        config = alembic_config(connection)
        names = inspect(connection).get_table_names()
        if VERSION_TABLE not in names and TicketRow.__tablename__ in names:
            command.stamp(config, INITIAL)
        command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def head_revision() -> str:
    """The newest migration shipped with this version of ccinspect."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the complaint store ships at least one migration"
    return head
