"""Alembic environment of the run store, configured in code (no alembic.ini).

:func:`ccinspect.store.db.upgrade_to_head` passes an open connection in
``config.attributes["connection"]``; for developer commands (``revision --autogenerate``)
:func:`ccinspect.store.db.alembic_config` sets ``sqlalchemy.url`` instead. Offline (SQL script)
mode is not supported. On PostgreSQL a transaction-scoped advisory lock makes concurrent
upgrades (two runners starting at once) take turns.
"""

from __future__ import annotations

from alembic import context

from ccinspect.store.migrate import run_env
from ccinspect.store.models import VERSION_TABLE, RunBase

run_env(context, RunBase.metadata, VERSION_TABLE, "the ccinspect run store")
