"""The run store's tables (SQLAlchemy 2 typed models). Only ``store/`` sees these classes.

Every child row belongs to one run and is deleted with it (``ON DELETE CASCADE``, and the ORM
cascade). Times are epoch seconds in double precision, exactly as the facts hold them, so a
stored call reads back equal to the :class:`~ccinspect.core.facts.CallFact` recorded. Raw SIP
text is kept verbatim. Enum columns are VARCHAR + CHECK (portable, readable in plain SQL).

The schema is created and changed only by the migrations in ``store/migrations/``; a change here
needs a new migration (see docs/store.md).
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Double,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ccinspect.core.facts import CallPurpose, LegRole, MessageDirection, RecordingSource
from ccinspect.core.rundoc import RunStatus
from ccinspect.core.verdict import Verdict

#: Alembic's version table for the run store (the complaint store keeps its own tables).
VERSION_TABLE = "ccinspect_store_version"

ID_MAX = 64
NAME_MAX = 200
PATH_MAX = 1024


#: Stable constraint names, so that migrations can refer to them (shared by the demo's tables).
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def enum_column(cls: type[enum.Enum], name: str, length: int = 16) -> Enum:
    """A VARCHAR + CHECK column holding the enum's values; ``name`` names the CHECK constraint."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
        create_constraint=True,
    )


class RunBase(DeclarativeBase):
    """Declarative base of the run tables, with stable constraint names for migrations."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {float: Double(), str: Text()}


class RunRow(RunBase):
    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(String(ID_MAX), unique=True)
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus, "status"))
    started_at: Mapped[float] = mapped_column(index=True)
    finished_at: Mapped[float | None]
    updated_at: Mapped[float]
    target: Mapped[str] = mapped_column(String(NAME_MAX), index=True)
    scenario: Mapped[str] = mapped_column(String(NAME_MAX))
    overall: Mapped[Verdict | None] = mapped_column(enum_column(Verdict, "overall", 8))
    ccinspect_version: Mapped[str] = mapped_column(String(ID_MAX))
    run_dir: Mapped[str | None]
    bundle_sha256: Mapped[str | None] = mapped_column(String(64))
    bundle_path: Mapped[str | None]
    error: Mapped[str | None]
    recorder_host: Mapped[str | None] = mapped_column(String(255))
    recorder_pid: Mapped[int | None] = mapped_column(Integer)
    recorder_started: Mapped[float | None]

    checks: Mapped[list[CheckRow]] = relationship(
        order_by="CheckRow.position", cascade="all, delete-orphan", passive_deletes=True
    )
    calls: Mapped[list[CallRow]] = relationship(
        order_by="CallRow.position", cascade="all, delete-orphan", passive_deletes=True
    )
    recordings: Mapped[list[RecordingRow]] = relationship(
        order_by="RecordingRow.position", cascade="all, delete-orphan", passive_deletes=True
    )
    evidence: Mapped[list[EvidenceRow]] = relationship(
        order_by="EvidenceRow.path", cascade="all, delete-orphan", passive_deletes=True
    )


class CheckRow(RunBase):
    __tablename__ = "check_results"
    __table_args__ = (UniqueConstraint("run_pk", "check_id", name="uq_check_results_run_check"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_pk: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    check_id: Mapped[str] = mapped_column(String(ID_MAX))
    requirements: Mapped[list[str]] = mapped_column(JSON)
    title_en: Mapped[str]
    title_zh: Mapped[str]
    verdict: Mapped[Verdict] = mapped_column(enum_column(Verdict, "verdict", 8))
    reason_en: Mapped[str]
    reason_zh: Mapped[str]
    remedy_en: Mapped[str | None]
    remedy_zh: Mapped[str | None]
    evidence_used_en: Mapped[str | None]
    evidence_used_zh: Mapped[str | None]

    subjects: Mapped[list[SubjectRow]] = relationship(
        order_by="SubjectRow.position", cascade="all, delete-orphan", passive_deletes=True
    )


class SubjectRow(RunBase):
    __tablename__ = "check_subjects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_pk: Mapped[int] = mapped_column(ForeignKey("check_results.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str]
    verdict: Mapped[Verdict] = mapped_column(enum_column(Verdict, "verdict", 8))
    reason_en: Mapped[str]
    reason_zh: Mapped[str]
    remedy_en: Mapped[str | None]
    remedy_zh: Mapped[str | None]
    evidence: Mapped[list[str]] = mapped_column(JSON)


class CallRow(RunBase):
    __tablename__ = "calls"
    __table_args__ = (UniqueConstraint("run_pk", "key", name="uq_calls_run_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_pk: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(ID_MAX))
    purpose: Mapped[CallPurpose] = mapped_column(enum_column(CallPurpose, "purpose", 32))
    requested_number: Mapped[str] = mapped_column(String(ID_MAX))
    caller_number_sent: Mapped[str | None] = mapped_column(String(ID_MAX))
    started_at: Mapped[float]
    ended_at: Mapped[float | None]
    harness_error: Mapped[str | None]

    legs: Mapped[list[LegRow]] = relationship(
        order_by="LegRow.position", cascade="all, delete-orphan", passive_deletes=True
    )


class LegRow(RunBase):
    __tablename__ = "call_legs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_pk: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    agent: Mapped[str] = mapped_column(String(ID_MAX))
    role: Mapped[LegRole] = mapped_column(enum_column(LegRole, "role", 8))
    sip_call_id: Mapped[str] = mapped_column(String(255))
    final_status: Mapped[int | None] = mapped_column(Integer)
    final_reason: Mapped[str]
    answered: Mapped[bool] = mapped_column(Boolean(create_constraint=False))
    connected_at: Mapped[float | None]
    disconnected_at: Mapped[float | None]
    invite: Mapped[str | None]
    # AudioFact, flattened: all None when the leg has no audio analysis.
    own_fingerprint: Mapped[int | None] = mapped_column(Integer)
    far_fingerprint: Mapped[int | None] = mapped_column(Integer)
    far_found: Mapped[bool | None] = mapped_column(Boolean(create_constraint=False))
    far_level_dbfs: Mapped[float | None]
    far_delay_s: Mapped[float | None]
    silence_share: Mapped[float | None]
    audio_duration_s: Mapped[float | None]
    rtcp_loss: Mapped[float | None]
    rtcp_jitter_ms: Mapped[float | None]
    error: Mapped[str | None]

    messages: Mapped[list[MessageRow]] = relationship(
        order_by="MessageRow.position", cascade="all, delete-orphan", passive_deletes=True
    )


class MessageRow(RunBase):
    __tablename__ = "sip_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    leg_pk: Mapped[int] = mapped_column(ForeignKey("call_legs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    at: Mapped[float]
    direction: Mapped[MessageDirection] = mapped_column(enum_column(MessageDirection, "direction", 8))
    agent: Mapped[str] = mapped_column(String(ID_MAX))
    text: Mapped[str]


class RecordingRow(RunBase):
    __tablename__ = "recordings"
    __table_args__ = (Index("ix_recordings_run_call", "run_pk", "call_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_pk: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    call_key: Mapped[str] = mapped_column(String(ID_MAX))
    name: Mapped[str | None]
    source: Mapped[RecordingSource] = mapped_column(enum_column(RecordingSource, "source", 16))
    fetched: Mapped[bool] = mapped_column(Boolean(create_constraint=False))
    fetch_status: Mapped[int | None] = mapped_column(Integer)
    duration_s: Mapped[float | None]
    expected_duration_s: Mapped[float | None]
    fingerprints: Mapped[list[list[Any]]] = mapped_column(JSON)
    decode_error: Mapped[str | None]
    error: Mapped[str | None]


class EvidenceRow(RunBase):
    __tablename__ = "evidence_files"
    __table_args__ = (UniqueConstraint("run_pk", "path", name="uq_evidence_files_run_path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_pk: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(PATH_MAX))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
