"""Alembic environment of the run store, configured in code (no alembic.ini).

:func:`ccinspect.store.db.upgrade_to_head` passes an open connection in
``config.attributes["connection"]``; for developer commands (``revision --autogenerate``)
:func:`ccinspect.store.db.alembic_config` sets ``sqlalchemy.url`` instead. Offline (SQL script)
mode is not supported. On PostgreSQL a transaction-scoped advisory lock makes concurrent
upgrades (two runners starting at once) take turns.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, text

from ccinspect.store.models import VERSION_TABLE, RunBase

#: Arbitrary constant key of the PostgreSQL advisory lock held while migrating.
_PG_LOCK_KEY = 0x63637374


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=RunBase.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        # Only the run store's tables: the complaint store may share the database.
        include_name=lambda name, type_, _parent: type_ != "table" or name in RunBase.metadata.tables,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        context.run_migrations()


def _run() -> None:
    if context.is_offline_mode():
        raise RuntimeError("the ccinspect run store does not support offline (--sql) migrations")
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection and no sqlalchemy.url: use ccinspect.store.db.alembic_config")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            _migrate(conn)
    finally:
        engine.dispose()


_run()
