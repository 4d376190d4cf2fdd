"""Complaint tickets for the demo PBX's complaint line (用户投诉处理): models, rules, queries.

The demo complaint service (``ccinspect.pbx.complaints``) keeps its tickets here. This module owns
the SQLAlchemy models and returns plain frozen dataclasses; nothing outside ``store/`` sees an ORM
object or a SQLAlchemy exception.

Promises:

* Ticket numbers start at 100001 and are never reused, so they read well with ``SayDigits``.
  PostgreSQL gets an identity column starting there, MySQL/MariaDB a table ``AUTO_INCREMENT``, and
  SQLite an ``AUTOINCREMENT`` table whose ``sqlite_sequence`` row is seeded when the table is
  created (an Alembic migration must repeat that seed, see ``_seed_sqlite_sequence``).
* Every datetime going in must be timezone-aware; every datetime coming out is aware UTC.
* States move forward only (open → acknowledged → resolved, or open → resolved); resolved is final
  and needs a reply text.
* The store is synchronous. The aiohttp service calls it through ``asyncio.to_thread``; writes on
  SQLite are serialised by a lock so two threads never race for the database write lock.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

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
    and_,
    case,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.elements import ColumnElement

from ccinspect.errors import CcinspectError, Kind

FIRST_TICKET_NUMBER = 100001
"""The first ticket number handed out; six digits read cleanly with SayDigits."""

# Column sizes, also enforced by the HTTP layer so a too-long value is a 400, not a DB error.
CALLER_MAX = 64
RECORDING_MAX = 255
CHANNEL_ID_MAX = 64
CHANNEL_MAX = 32
TEXT_MAX = 4000


class TicketState(enum.Enum):
    """Where a complaint ticket is in its life. Values are what the API and the database hold."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


_FORWARD: dict[TicketState, tuple[TicketState, ...]] = {
    TicketState.OPEN: (TicketState.ACKNOWLEDGED, TicketState.RESOLVED),
    TicketState.ACKNOWLEDGED: (TicketState.RESOLVED,),
    TicketState.RESOLVED: (),
}


def allowed_transitions(state: TicketState) -> tuple[TicketState, ...]:
    """The states a ticket in ``state`` may move to (forward only; resolved is final)."""
    return _FORWARD[state]


# --- errors -----------------------------------------------------------------------------------


class ComplaintStoreError(CcinspectError):
    """Base class of everything this module raises on purpose (English text only)."""


class StoreUnavailable(ComplaintStoreError):
    """The database could not be opened or a query failed (a harness problem, not the user's)."""


class TicketNotFound(ComplaintStoreError):
    """No ticket has this number."""

    kind = Kind.USER

    def __init__(self, ticket_id: int) -> None:
        super().__init__(f"ticket {ticket_id} not found")
        self.ticket_id = ticket_id


class InvalidTransition(ComplaintStoreError):
    """The requested state change is not a forward transition from the current state."""

    kind = Kind.USER

    def __init__(self, current: TicketState, target: TicketState) -> None:
        super().__init__(f"cannot move a ticket from {current.value} to {target.value}")
        self.current = current
        self.target = target
        self.allowed = allowed_transitions(current)


class ReplyRequired(ComplaintStoreError):
    """A ticket cannot be resolved without a reply text."""

    kind = Kind.USER


def check_transition(current: TicketState, target: TicketState, *, has_reply: bool) -> None:
    """Raise unless ``current`` → ``target`` is allowed; resolving also needs a reply."""
    if target not in allowed_transitions(current):
        raise InvalidTransition(current, target)
    if target is TicketState.RESOLVED and not has_reply:
        raise ReplyRequired("a reply is required to resolve a ticket")


# --- plain results ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewTicket:
    """What a caller (JSON API or the PBX's form post) supplies to open a ticket."""

    caller_number: str
    call_time: datetime | None = None
    recording: str | None = None
    channel_id: str | None = None
    channel: str = "phone"
    summary: str | None = None


@dataclass(frozen=True, slots=True)
class StateChange:
    """One entry of a ticket's history. ``from_state`` is None for the creation entry."""

    from_state: TicketState | None
    to_state: TicketState
    at: datetime
    reply: str | None


@dataclass(frozen=True, slots=True)
class Ticket:
    """A complaint ticket as stored. All datetimes are aware UTC."""

    id: int
    caller_number: str
    created_at: datetime
    call_time: datetime | None
    recording: str | None
    channel_id: str | None
    channel: str
    summary: str | None
    state: TicketState
    reply_deadline: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    reply: str | None
    replied_at: datetime | None
    history: tuple[StateChange, ...]

    def is_overdue(self, now: datetime) -> bool:
        """Overdue means: not resolved, and ``now`` is past the reply deadline."""
        return self.state is not TicketState.RESOLVED and now > self.reply_deadline


@dataclass(frozen=True, slots=True)
class TicketQuery:
    """Filters for listing tickets. ``created_after`` is inclusive, ``created_before`` exclusive."""

    state: TicketState | None = None
    caller: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    overdue: bool | None = None
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class TicketPage:
    """One page of tickets, newest first, and how many match the filters in total."""

    tickets: tuple[Ticket, ...]
    total: int


@dataclass(frozen=True, slots=True)
class ReplyStats:
    """Complaints created in ``[start, end)`` and how they were replied to, as of ``now``.

    Every complaint is in exactly one bucket: replied in time (``replied_at <= reply_deadline``),
    replied late, not replied and past the deadline, or not replied and still within it (pending).
    """

    start: datetime
    end: datetime
    complaints: int
    replied_in_time: int
    replied_late: int
    unreplied_overdue: int
    pending: int

    @property
    def reply_rate(self) -> float | None:
        """Share of complaints replied within the deadline; None when there were none."""
        return self.replied_in_time / self.complaints if self.complaints else None


# --- models -----------------------------------------------------------------------------------


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
    return Enum(
        TicketState,
        name=name,
        native_enum=False,
        length=16,
        values_callable=lambda states: [s.value for s in states],
        validate_strings=True,
        create_constraint=True,
    )


class ComplaintBase(DeclarativeBase):
    """Declarative base of the complaint tables, with Alembic-friendly constraint names."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


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


def _seed_sqlite_sequence(_table: object, connection: Connection, **_kw: object) -> None:
    """Make SQLite's first ticket 100001: AUTOINCREMENT counts on from ``sqlite_sequence``.

    Other dialects need nothing here (they use the Identity / AUTO_INCREMENT options above).
    An Alembic migration creating the table on SQLite must run the same insert.
    """
    if connection.dialect.name == "sqlite":
        connection.execute(
            text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
            {"name": TicketRow.__tablename__, "seq": FIRST_TICKET_NUMBER - 1},
        )


event.listen(TicketRow.__table__, "after_create", _seed_sqlite_sequence)


def _to_ticket(row: TicketRow) -> Ticket:
    return Ticket(
        id=row.id,
        caller_number=row.caller_number,
        created_at=row.created_at,
        call_time=row.call_time,
        recording=row.recording,
        channel_id=row.channel_id,
        channel=row.channel,
        summary=row.summary,
        state=row.state,
        reply_deadline=row.reply_deadline,
        acknowledged_at=row.acknowledged_at,
        resolved_at=row.resolved_at,
        reply=row.reply,
        replied_at=row.replied_at,
        history=tuple(
            StateChange(from_state=h.from_state, to_state=h.to_state, at=h.at, reply=h.reply)
            for h in row.history
        ),
    )


def _has_text(text: str | None) -> bool:
    return text is not None and text.strip() != ""


def database_url(database: str) -> str:
    """``database`` as an SQLAlchemy URL: URLs (anything with ``://``) pass through unchanged,
    anything else is a SQLite file path, made absolute."""
    if "://" in database:
        return database
    path = Path(database).expanduser().resolve()
    return URL.create("sqlite", database=str(path)).render_as_string(hide_password=False)


def redacted_url(url: str) -> str:
    """``url`` with any password masked, for logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparsable database URL>"


# --- the store --------------------------------------------------------------------------------


class ComplaintStore:
    """Synchronous access to the complaint tables. Thread-safe; call it via asyncio.to_thread."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        is_sqlite = engine.dialect.name == "sqlite"
        self._write_lock: threading.Lock | None = threading.Lock() if is_sqlite else None

    @classmethod
    def open(cls, url: str) -> ComplaintStore:
        """Connect to ``url`` (any SQLAlchemy URL) and create the tables if they are missing."""
        try:
            parsed = make_url(url)
            if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
                # One shared connection, or every thread would see its own empty database.
                engine = create_engine(
                    parsed, poolclass=StaticPool, connect_args={"check_same_thread": False}
                )
            else:
                engine = create_engine(parsed)
        except (ArgumentError, SQLAlchemyError, ImportError) as exc:
            raise StoreUnavailable(f"cannot use database URL {url!r}: {exc}") from exc
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_on_connect)
        store = cls(engine)
        with store._errors("create the complaint tables"):
            ComplaintBase.metadata.create_all(engine)
        return store

    def close(self) -> None:
        """Release every pooled connection."""
        self._engine.dispose()

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except SQLAlchemyError as exc:
            raise StoreUnavailable(f"could not {doing}: {exc}") from exc

    def _writing(self) -> AbstractContextManager[object]:
        return self._write_lock if self._write_lock is not None else nullcontext()

    def count(self) -> int:
        """How many tickets exist."""
        with self._errors("count tickets"), self._sessions() as session:
            return session.scalar(select(func.count()).select_from(TicketRow)) or 0

    def create_ticket(self, new: NewTicket, *, now: datetime, reply_within: timedelta) -> Ticket:
        """Open a ticket created at ``now`` with its reply deadline ``now + reply_within``."""
        row = TicketRow(
            caller_number=new.caller_number,
            created_at=now,
            call_time=new.call_time,
            recording=new.recording,
            channel_id=new.channel_id,
            channel=new.channel,
            summary=new.summary,
            state=TicketState.OPEN,
            reply_deadline=now + reply_within,
        )
        row.history.append(HistoryRow(from_state=None, to_state=TicketState.OPEN, at=now))
        with self._errors("create a ticket"), self._writing(), self._sessions.begin() as session:
            session.add(row)
            session.flush()
            return _to_ticket(row)

    def get_ticket(self, ticket_id: int) -> Ticket:
        """The ticket numbered ``ticket_id``; raises TicketNotFound."""
        with self._errors("read a ticket"), self._sessions() as session:
            row = session.get(TicketRow, ticket_id)
            if row is None:
                raise TicketNotFound(ticket_id)
            return _to_ticket(row)

    def list_tickets(self, query: TicketQuery, *, now: datetime) -> TicketPage:
        """Tickets matching ``query``, newest first (``overdue`` is judged at ``now``)."""
        conditions = _conditions(query, now)
        page = (
            select(TicketRow)
            .where(*conditions)
            .order_by(TicketRow.created_at.desc(), TicketRow.id.desc())
            .limit(query.limit)
            .offset(query.offset)
        )
        total = select(func.count()).select_from(TicketRow).where(*conditions)
        with self._errors("list tickets"), self._sessions() as session:
            rows = session.scalars(page).all()
            return TicketPage(
                tickets=tuple(_to_ticket(r) for r in rows),
                total=session.scalar(total) or 0,
            )

    def transition(self, ticket_id: int, target: TicketState, *, reply: str | None, now: datetime) -> Ticket:
        """Move a ticket forward to ``target`` at ``now``, optionally storing a reply.

        The first reply stored sets ``replied_at``; a later reply replaces the text but keeps that
        time. Raises TicketNotFound, InvalidTransition or ReplyRequired.
        """
        reply = reply if _has_text(reply) else None
        with self._errors("change a ticket"), self._writing(), self._sessions.begin() as session:
            row = session.get(TicketRow, ticket_id, with_for_update=True)
            if row is None:
                raise TicketNotFound(ticket_id)
            check_transition(row.state, target, has_reply=_has_text(reply or row.reply))
            row.history.append(HistoryRow(from_state=row.state, to_state=target, at=now, reply=reply))
            row.state = target
            if target is TicketState.ACKNOWLEDGED:
                row.acknowledged_at = now
            elif target is TicketState.RESOLVED:
                row.resolved_at = now
            if reply is not None:
                row.reply = reply
                if row.replied_at is None:
                    row.replied_at = now
            session.flush()
            return _to_ticket(row)

    def reply_stats(self, start: datetime, end: datetime, *, now: datetime) -> ReplyStats:
        """Count complaints created in ``[start, end)`` by how they were replied to."""
        t = TicketRow
        replied = t.replied_at.is_not(None)
        unreplied = t.replied_at.is_(None)

        def bucket(condition: ColumnElement[bool]) -> ColumnElement[int]:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        stmt = select(
            func.count(),
            bucket(and_(replied, t.replied_at <= t.reply_deadline)),
            bucket(and_(replied, t.replied_at > t.reply_deadline)),
            bucket(and_(unreplied, t.reply_deadline < now)),
            bucket(and_(unreplied, t.reply_deadline >= now)),
        ).where(t.created_at >= start, t.created_at < end)
        with self._errors("compute reply statistics"), self._sessions() as session:
            complaints, in_time, late, overdue, pending = session.execute(stmt).one()
        return ReplyStats(
            start=start,
            end=end,
            complaints=int(complaints),
            replied_in_time=int(in_time),
            replied_late=int(late),
            unreplied_overdue=int(overdue),
            pending=int(pending),
        )


def _conditions(query: TicketQuery, now: datetime) -> list[ColumnElement[bool]]:
    t = TicketRow
    conditions: list[ColumnElement[bool]] = []
    if query.state is not None:
        conditions.append(t.state == query.state)
    if query.caller is not None:
        conditions.append(t.caller_number == query.caller)
    if query.created_after is not None:
        conditions.append(t.created_at >= query.created_after)
    if query.created_before is not None:
        conditions.append(t.created_at < query.created_before)
    if query.overdue is True:
        conditions.append(and_(t.state != TicketState.RESOLVED, t.reply_deadline < now))
    elif query.overdue is False:
        conditions.append((t.state == TicketState.RESOLVED) | (t.reply_deadline >= now))
    return conditions


def _sqlite_on_connect(dbapi_connection: DBAPIConnection, _record: object) -> None:
    """Enforce foreign keys on SQLite, which leaves them off by default."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()
