"""Alembic environment of the demo complaint store, configured in code (no alembic.ini).

:func:`ccinspect.demo.complaints.db.migrate.upgrade_to_head` passes an open connection in
``config.attributes["connection"]``; for developer commands (``revision --autogenerate``)
:func:`~ccinspect.demo.complaints.db.migrate.alembic_config` sets ``sqlalchemy.url`` instead.
Offline (SQL script) mode is not supported.
"""

from __future__ import annotations

from alembic import context

from ccinspect.demo.complaints.db.models import VERSION_TABLE, ComplaintBase
from ccinspect.store.migrate import run_env

run_env(context, ComplaintBase.metadata, VERSION_TABLE, "the demo complaint store")
