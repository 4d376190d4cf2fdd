"""The complaint tables (SQLAlchemy models), shared by the store and its Alembic migrations.

Ticket numbers start at :data:`~.tickets.FIRST_TICKET_NUMBER`: PostgreSQL gets an identity column
starting there, MySQL/MariaDB a table ``AUTO_INCREMENT``, and SQLite an ``AUTOINCREMENT`` table
whose ``sqlite_sequence`` row is seeded when the table is created (the initial migration repeats
that seed, see :func:`seed_sqlite_sequence`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    event,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ccinspect.store.models import NAMING_CONVENTION, enum_column

from .tickets import CALLER_MAX, CHANNEL_ID_MAX, CHANNEL_MAX, FIRST_TICKET_NUMBER, RECORDING_MAX, TicketState

VERSION_TABLE = "ccinspect_complaints_version"
"""Alembic's version table of the complaint store (the run store keeps its own)."""


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC out. SQLite/MySQL hold naive UTC; PostgreSQL timestamptz."""

    impl = DateTime(timezone=True)
    cache_ok = True
    _NAIVE_UTC_DIALECTS = frozenset({"sqlite", "mysql", "mariadb"})

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: the complaint store takes aware datetimes")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name in self._NAIVE_UTC_DIALECTS else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _state_column_type(name: str) -> Enum:
    """A VARCHAR + CHECK state column; ``name`` keeps each CHECK constraint name unique."""
    return enum_column(TicketState, name)


class ComplaintBase(DeclarativeBase):
    """Declarative base of the complaint tables, with Alembic-friendly constraint names."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TicketRow(ComplaintBase):
    __tablename__ = "complaint_tickets"
    __table_args__ = (
        Index("ix_complaint_tickets_state_deadline", "state", "reply_deadline"),
        {"sqlite_autoincrement": True, "mysql_auto_increment": str(FIRST_TICKET_NUMBER)},
    )

    id: Mapped[int] = mapped_column(Integer, Identity(start=FIRST_TICKET_NUMBER), primary_key=True)
    caller_number: Mapped[str] = mapped_column(String(CALLER_MAX), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    call_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recording: Mapped[str | None] = mapped_column(String(RECORDING_MAX))
    channel_id: Mapped[str | None] = mapped_column(String(CHANNEL_ID_MAX))
    channel: Mapped[str] = mapped_column(String(CHANNEL_MAX), default="phone")
    summary: Mapped[str | None] = mapped_column(Text)
    state: Mapped[TicketState] = mapped_column(_state_column_type("state"))
    reply_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    history: Mapped[list[HistoryRow]] = relationship(
        order_by="HistoryRow.id", cascade="all, delete-orphan", lazy="selectin"
    )


class HistoryRow(ComplaintBase):
    __tablename__ = "complaint_ticket_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("complaint_tickets.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[TicketState | None] = mapped_column(_state_column_type("from_state"))
    to_state: Mapped[TicketState] = mapped_column(_state_column_type("to_state"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    reply: Mapped[str | None] = mapped_column(Text)


def seed_sqlite_sequence(_table: object, connection: Connection, **_kw: object) -> None:
    """Make SQLite's first ticket 100001: AUTOINCREMENT counts on from ``sqlite_sequence``.

    Other dialects need nothing here (they use the Identity / AUTO_INCREMENT options above).
    An Alembic migration creating the table on SQLite must run the same insert.
    """
    if connection.dialect.name == "sqlite":
        connection.execute(
            text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
            {"name": TicketRow.__tablename__, "seq": FIRST_TICKET_NUMBER - 1},
        )


event.listen(TicketRow.__table__, "after_create", seed_sqlite_sequence)
