"""The demo complaint service's database access: open (migrated to head), create, list, change.

The store is synchronous. The aiohttp service calls it through ``asyncio.to_thread``; writes on
SQLite are serialised by a lock so two threads never race for the database write lock. The schema
is Alembic's (:mod:`.migrate`): :meth:`ComplaintStore.open` upgrades the database to head.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, case, create_engine, event, func, select
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.elements import ColumnElement

from .migrate import upgrade_to_head
from .models import HistoryRow, TicketRow
from .tickets import (
    NewTicket,
    ReplyStats,
    StateChange,
    StoreUnavailable,
    Ticket,
    TicketNotFound,
    TicketPage,
    TicketQuery,
    TicketState,
    check_transition,
)


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
        """Connect to ``url`` (any SQLAlchemy URL) and migrate its complaint tables to head."""
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
        with store._errors("migrate the complaint tables"):
            upgrade_to_head(engine)
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
