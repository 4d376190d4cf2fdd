"""Retention canaries of the nightly job: one recording identity per nightly run.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 16:45:00

The table is defined in ``ccinspect.store.canaries`` (SQLAlchemy Core, outside ``RunBase``), so
autogenerate against ``RunBase`` ignores it. ``run_id`` is deliberately not a foreign key:
re-importing a run (which replaces its rows) must not delete the canary picked from it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "canaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("call_key", sa.String(length=200), nullable=False),
        sa.Column("recording", sa.String(length=1024), nullable=False),
        sa.Column("duration_s", sa.Double(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("fingerprints", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "proven",
                "missing",
                "altered",
                name="canary_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("checked_at", sa.Double(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_canaries"),
        sa.UniqueConstraint("run_id", name="uq_canaries_run_id"),
    )
    op.create_index("ix_canaries_target_status", "canaries", ["target", "status"])


def downgrade() -> None:
    op.drop_index("ix_canaries_target_status", table_name="canaries")
    op.drop_table("canaries")
