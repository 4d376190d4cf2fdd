"""The console's tables. ``cdr`` is exactly the contract's columns (what Asterisk 16's cdr_pgsql
fills, plus ``screen_result``, ``agent_id`` and ``record_file`` from CDR variables): a Core table
with no primary key, like Asterisk's own schema. The console's own tables are ORM models.

cdr_pgsql reads the table's columns at load time and inserts only the ones it has values for, so
every standard column is NOT NULL with a server default, as in Asterisk's reference schema.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SCHEMA_VERSION = 1
"""Bumped with every schema change; stored in ``settings`` under :data:`VERSION_KEY`."""
VERSION_KEY = "schema_version"
RETENTION_KEY = "recording_retention_days"

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}


class ConsoleBase(DeclarativeBase):
    """Declarative base of the console's tables (the cdr table shares its metadata)."""

    metadata = MetaData(naming_convention=NAMING)


def _text(name: str, length: int) -> Column[str]:
    return Column(name, String(length), nullable=False, server_default=text("''"))


def _int(name: str) -> Column[int]:
    return Column(name, Integer, nullable=False, server_default=text("0"))


CUSTOM_CDR_COLUMNS = {
    "screen_result": "VARCHAR(32)",
    "agent_id": "VARCHAR(32)",
    "record_file": "VARCHAR(255)",
}
"""Columns beyond Asterisk's standard ones (added to an existing cdr table that lacks them)."""

cdr = Table(
    "cdr",
    ConsoleBase.metadata,
    Column("calldate", DateTime(timezone=True), nullable=False, server_default=func.now()),
    _text("clid", 80),
    _text("src", 80),
    _text("dst", 80),
    _text("dcontext", 80),
    _text("channel", 80),
    _text("dstchannel", 80),
    _text("lastapp", 80),
    _text("lastdata", 80),
    _int("duration"),
    _int("billsec"),
    _text("disposition", 45),
    _int("amaflags"),
    _text("accountcode", 80),
    _text("uniqueid", 150),
    _text("userfield", 255),
    _text("linkedid", 150),
    _text("peeraccount", 80),
    _int("sequence"),
    Column("screen_result", String(32)),
    Column("agent_id", String(32)),
    Column("record_file", String(255)),
    Index("ix_cdr_calldate", "calldate"),
    Index("ix_cdr_src", "src"),
    Index("ix_cdr_dst", "dst"),
    Index("ix_cdr_uniqueid", "uniqueid"),
)


class WorkOrderRow(ConsoleBase):
    __tablename__ = "work_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_no: Mapped[str] = mapped_column(String(20), unique=True)
    call_id: Mapped[str] = mapped_column(String(150), unique=True)
    phone: Mapped[str] = mapped_column(String(80), index=True)
    call_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    record_file: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), server_default=text("'pending'"))


class SettingRow(ConsoleBase):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class UserRow(ConsoleBase):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), server_default=text("'admin'"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
