"""Alembic migrations run in code (no alembic.ini), for any set of revisions with its own version
table: the run store's (:mod:`ccinspect.store.db`) and, from the demo, the complaint service's.

:class:`Migrations` names a migrations folder and its version table; each folder's ``env.py``
calls :func:`run_env` with its metadata. Two sets can share one database: each only sees its
own tables and its own version table. Offline (SQL script) mode is not supported. On PostgreSQL
a transaction-scoped advisory lock makes concurrent upgrades (two processes starting at once)
take turns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Connection, Engine

__all__ = ["Migrations", "run_env"]

#: Arbitrary constant key of the PostgreSQL advisory lock held while migrating.
_PG_LOCK_KEY = 0x63637374


@dataclass(frozen=True)
class Migrations:
    """One set of Alembic revisions: the folder holding ``env.py`` and ``versions/``, and the
    table recording which of them a database is at."""

    script_dir: Path
    version_table: str

    def config(self, connection: Connection | None = None, url: str | None = None) -> Any:
        """An Alembic ``Config`` for these migrations, built in code.

        Pass a ``connection`` to migrate over it, or a ``url`` to run Alembic commands such as
        ``revision --autogenerate`` against a database (see docs/store.md).
        """
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(self.script_dir))
        config.set_main_option("version_table", self.version_table)
        if url is not None:
            config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        if connection is not None:
            config.attributes["connection"] = connection
        return config

    def upgrade_to_head(
        self, engine: Engine, *, stamp_first: Callable[[Sequence[str]], str | None] | None = None
    ) -> None:
        """Apply every migration not yet applied (a no-op when the schema is at head).

        ``stamp_first`` is given the database's table names when it has no version table yet and
        may name a revision to stamp before upgrading (a database made before migrations existed).
        """
        from alembic import command

        with engine.begin() as connection:
            config = self.config(connection)
            if stamp_first is not None:
                names = inspect(connection).get_table_names()
                if self.version_table not in names and (revision := stamp_first(names)) is not None:
                    command.stamp(config, revision)
            command.upgrade(config, "head")

    def current_revision(self, engine: Engine) -> str | None:
        """The revision the database is at (None before the first migration)."""
        from alembic.runtime.migration import MigrationContext

        with engine.connect() as connection:
            if not inspect(connection).has_table(self.version_table):
                return None
            context = MigrationContext.configure(connection, opts={"version_table": self.version_table})
            return context.get_current_revision()

    def head_revision(self) -> str:
        """The newest revision shipped with this version of ccinspect."""
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(self.config()).get_current_head()
        if head is None:
            raise RuntimeError(f"{self.script_dir} holds no migration")
        return head


def run_env(context: Any, metadata: MetaData, version_table: str, what: str) -> None:
    """The body of an ``env.py``: migrate over the connection handed in by :class:`Migrations`
    (or, for developer commands, a new one to ``sqlalchemy.url``), touching only ``metadata``'s
    tables. ``what`` names the store in errors."""
    from sqlalchemy import create_engine

    def migrate(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table=version_table,
            render_as_batch=connection.dialect.name == "sqlite",
            # Only these tables: another set of migrations may share the database.
            include_name=lambda name, type_, _parent: type_ != "table" or name in metadata.tables,
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
            context.run_migrations()

    if context.is_offline_mode():
        raise RuntimeError(f"{what} does not support offline (--sql) migrations")
    connection = context.config.attributes.get("connection")
    if connection is not None:
        migrate(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError(
            f"{what}: no connection and no sqlalchemy.url: build the config with Migrations.config"
        )
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            migrate(conn)
    finally:
        engine.dispose()
