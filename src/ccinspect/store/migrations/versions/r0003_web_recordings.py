"""Recordings played back in the platform's web console: ``recordings.source`` may be ``web``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 20:15:00

The column is a VARCHAR with a named CHECK constraint (``ck_recordings_source``); the
constraint is replaced. SQLite cannot alter a constraint, so the table is rebuilt in batch mode
(Alembic copies the rows).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = ("ari", "http", "directory")
_NEW = (*_OLD, "web")


def _check(values: tuple[str, ...]) -> str:
    return "source IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _replace(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("recordings", recreate="auto") as batch:
        batch.drop_constraint(op.f("ck_recordings_source"), type_="check")
        batch.create_check_constraint(op.f("ck_recordings_source"), _check(values))


def upgrade() -> None:
    _replace(_NEW)


def downgrade() -> None:
    op.execute("DELETE FROM recordings WHERE source = 'web'")
    _replace(_OLD)
