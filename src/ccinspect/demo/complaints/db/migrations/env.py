"""Alembic environment of the demo complaint store, configured in code (no alembic.ini).

:func:`ccinspect.demo.complaints.db.migrate.upgrade_to_head` passes an open connection in
``config.attributes["connection"]``; for developer commands (``revision --autogenerate``)
:func:`~ccinspect.demo.complaints.db.migrate.alembic_config` sets ``sqlalchemy.url`` instead.
Offline (SQL script) mode is not supported.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from ccinspect.demo.complaints.db.models import VERSION_TABLE, ComplaintBase


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=ComplaintBase.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        # Only the complaint tables: the run store may share the database.
        include_name=lambda name, type_, _parent: type_ != "table" or name in ComplaintBase.metadata.tables,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run() -> None:
    if context.is_offline_mode():
        raise RuntimeError("the demo complaint store does not support offline (--sql) migrations")
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError(
            "no connection and no sqlalchemy.url: use ccinspect.demo.complaints.db.migrate.alembic_config"
        )
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            _migrate(conn)
    finally:
        engine.dispose()


_run()
