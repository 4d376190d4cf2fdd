"""Initial run store: runs, check results and subjects, calls, legs, SIP messages, recordings, evidence files.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-29 16:12:46.405572
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "complete",
                "interrupted",
                "error",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("started_at", sa.Double(), nullable=False),
        sa.Column("finished_at", sa.Double(), nullable=True),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("scenario", sa.String(length=200), nullable=False),
        sa.Column(
            "overall",
            sa.Enum(
                "pass",
                "fail",
                "error",
                "skip",
                name="overall",
                native_enum=False,
                create_constraint=True,
                length=8,
            ),
            nullable=True,
        ),
        sa.Column("ccinspect_version", sa.String(length=64), nullable=False),
        sa.Column("run_dir", sa.Text(), nullable=True),
        sa.Column("bundle_sha256", sa.String(length=64), nullable=True),
        sa.Column("bundle_path", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("recorder_host", sa.String(length=255), nullable=True),
        sa.Column("recorder_pid", sa.Integer(), nullable=True),
        sa.Column("recorder_started", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
        sa.UniqueConstraint("run_id", name=op.f("uq_runs_run_id")),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_runs_started_at"), ["started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_runs_target"), ["target"], unique=False)

    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_pk", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "inbound",
                "outbound",
                "forged-caller-id",
                "screening",
                "dnc",
                "complaint",
                "internal",
                name="purpose",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("requested_number", sa.String(length=64), nullable=False),
        sa.Column("caller_number_sent", sa.String(length=64), nullable=True),
        sa.Column("started_at", sa.Double(), nullable=False),
        sa.Column("ended_at", sa.Double(), nullable=True),
        sa.Column("harness_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_pk"], ["runs.id"], name=op.f("fk_calls_run_pk_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
        sa.UniqueConstraint("run_pk", "key", name="uq_calls_run_key"),
    )
    op.create_table(
        "check_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_pk", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.String(length=64), nullable=False),
        sa.Column("requirements", sa.JSON(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("title_zh", sa.Text(), nullable=False),
        sa.Column(
            "verdict",
            sa.Enum(
                "pass",
                "fail",
                "error",
                "skip",
                name="verdict",
                native_enum=False,
                create_constraint=True,
                length=8,
            ),
            nullable=False,
        ),
        sa.Column("reason_en", sa.Text(), nullable=False),
        sa.Column("reason_zh", sa.Text(), nullable=False),
        sa.Column("remedy_en", sa.Text(), nullable=True),
        sa.Column("remedy_zh", sa.Text(), nullable=True),
        sa.Column("evidence_used_en", sa.Text(), nullable=True),
        sa.Column("evidence_used_zh", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_pk"], ["runs.id"], name=op.f("fk_check_results_run_pk_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_results")),
        sa.UniqueConstraint("run_pk", "check_id", name="uq_check_results_run_check"),
    )
    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_pk", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=1024), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_pk"], ["runs.id"], name=op.f("fk_evidence_files_run_pk_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
        sa.UniqueConstraint("run_pk", "path", name="uq_evidence_files_run_path"),
    )
    op.create_table(
        "recordings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_pk", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("call_key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column(
            "source",
            sa.Enum(
                "ari",
                "http",
                "directory",
                name="source",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("fetched", sa.Boolean(), nullable=False),
        sa.Column("fetch_status", sa.Integer(), nullable=True),
        sa.Column("duration_s", sa.Double(), nullable=True),
        sa.Column("expected_duration_s", sa.Double(), nullable=True),
        sa.Column("fingerprints", sa.JSON(), nullable=False),
        sa.Column("decode_error", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_pk"], ["runs.id"], name=op.f("fk_recordings_run_pk_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recordings")),
    )
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.create_index("ix_recordings_run_call", ["run_pk", "call_key"], unique=False)

    op.create_table(
        "call_legs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_pk", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=False),
        sa.Column(
            "role",
            sa.Enum("caller", "callee", name="role", native_enum=False, create_constraint=True, length=8),
            nullable=False,
        ),
        sa.Column("sip_call_id", sa.String(length=255), nullable=False),
        sa.Column("final_status", sa.Integer(), nullable=True),
        sa.Column("final_reason", sa.Text(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("connected_at", sa.Double(), nullable=True),
        sa.Column("disconnected_at", sa.Double(), nullable=True),
        sa.Column("invite", sa.Text(), nullable=True),
        sa.Column("own_fingerprint", sa.Integer(), nullable=True),
        sa.Column("far_fingerprint", sa.Integer(), nullable=True),
        sa.Column("far_found", sa.Boolean(), nullable=True),
        sa.Column("far_level_dbfs", sa.Double(), nullable=True),
        sa.Column("far_delay_s", sa.Double(), nullable=True),
        sa.Column("silence_share", sa.Double(), nullable=True),
        sa.Column("audio_duration_s", sa.Double(), nullable=True),
        sa.Column("rtcp_loss", sa.Double(), nullable=True),
        sa.Column("rtcp_jitter_ms", sa.Double(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_pk"], ["calls.id"], name=op.f("fk_call_legs_call_pk_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_legs")),
    )
    with op.batch_alter_table("call_legs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_legs_call_pk"), ["call_pk"], unique=False)

    op.create_table(
        "check_subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_pk", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column(
            "verdict",
            sa.Enum(
                "pass",
                "fail",
                "error",
                "skip",
                name="verdict",
                native_enum=False,
                create_constraint=True,
                length=8,
            ),
            nullable=False,
        ),
        sa.Column("reason_en", sa.Text(), nullable=False),
        sa.Column("reason_zh", sa.Text(), nullable=False),
        sa.Column("remedy_en", sa.Text(), nullable=True),
        sa.Column("remedy_zh", sa.Text(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_pk"],
            ["check_results.id"],
            name=op.f("fk_check_subjects_check_pk_check_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_subjects")),
    )
    with op.batch_alter_table("check_subjects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_subjects_check_pk"), ["check_pk"], unique=False)

    op.create_table(
        "sip_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("leg_pk", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column(
            "direction",
            sa.Enum(
                "sent", "received", name="direction", native_enum=False, create_constraint=True, length=8
            ),
            nullable=False,
        ),
        sa.Column("agent", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["leg_pk"], ["call_legs.id"], name=op.f("fk_sip_messages_leg_pk_call_legs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sip_messages")),
    )
    with op.batch_alter_table("sip_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sip_messages_leg_pk"), ["leg_pk"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sip_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sip_messages_leg_pk"))

    op.drop_table("sip_messages")
    with op.batch_alter_table("check_subjects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_subjects_check_pk"))

    op.drop_table("check_subjects")
    with op.batch_alter_table("call_legs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_legs_call_pk"))

    op.drop_table("call_legs")
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.drop_index("ix_recordings_run_call")

    op.drop_table("recordings")
    op.drop_table("evidence_files")
    op.drop_table("check_results")
    op.drop_table("calls")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_runs_target"))
        batch_op.drop_index(batch_op.f("ix_runs_started_at"))

    op.drop_table("runs")
