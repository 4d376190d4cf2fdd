"""The console's database access (synchronous; the app calls it through ``asyncio.to_thread``).

Schema: ``metadata.create_all`` plus a version row in ``settings`` (no Alembic: the console owns
four small tables and version 1 is the only one). An existing ``cdr`` table (say, made from
Asterisk's reference schema) gets the contract's custom columns added when it lacks them.
Every connection has a connect timeout and a statement timeout; every database error leaves
as :class:`DatabaseUnavailable`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Row, and_, create_engine, func, or_, select, text, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from .beijing import beijing_date
from .models import (
    CUSTOM_CDR_COLUMNS,
    RETENTION_KEY,
    SCHEMA_VERSION,
    VERSION_KEY,
    ConsoleBase,
    SettingRow,
    UserRow,
    WorkOrderRow,
    cdr,
)
from .records import CallQuery, CallRecord, DatabaseUnavailable, OrderStatus, User, WorkOrder

ORDER_PREFIX = "GD"
ANSWERED = "ANSWERED"


def redacted(dsn: str) -> str:
    """``dsn`` with its password masked, for logs."""
    try:
        return make_url(dsn).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparsable database URL>"


def _recorded() -> ColumnElement[bool]:
    return and_(cdr.c.record_file.is_not(None), cdr.c.record_file != "")


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _call(row: Row[tuple[object, ...]]) -> CallRecord:
    m = row._mapping
    return CallRecord(
        call_id=str(m["uniqueid"]),
        call_date=m["calldate"],
        clid=str(m["clid"] or ""),
        src=str(m["src"] or ""),
        dst=str(m["dst"] or ""),
        disposition=str(m["disposition"] or ""),
        duration=int(m["duration"] or 0),
        billsec=int(m["billsec"] or 0),
        screen_result=str(m["screen_result"] or ""),
        agent_id=str(m["agent_id"] or ""),
        record_file=str(m["record_file"] or ""),
    )


def _order(row: WorkOrderRow) -> WorkOrder:
    return WorkOrder(
        order_no=row.order_no,
        call_id=row.call_id,
        phone=row.phone,
        call_time=row.call_time,
        created_at=row.created_at,
        deadline=row.deadline,
        record_file=row.record_file,
        status=OrderStatus(row.status),
    )


class ConsoleStore:
    """Synchronous, thread-safe access to the console's tables."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def connect(cls, dsn: str, *, timeout: float) -> ConsoleStore:
        """An engine on ``dsn`` whose connects and statements are bounded by ``timeout`` seconds.

        Nothing is opened yet: call :meth:`ensure_schema` (which may raise DatabaseUnavailable).
        """
        bound = max(1, round(timeout))
        try:
            engine = create_engine(
                dsn,
                pool_pre_ping=True,
                pool_size=4,
                max_overflow=4,
                pool_timeout=timeout,
                connect_args={
                    "connect_timeout": bound,
                    "options": f"-c statement_timeout={bound * 1000}",
                },
            )
        except (ArgumentError, SQLAlchemyError, ImportError) as exc:
            raise DatabaseUnavailable(
                f"cannot use database URL {redacted(dsn)}: {exc}",
                f"无法使用数据库地址 {redacted(dsn)}：{exc}",
            ) from exc
        return cls(engine)

    def close(self) -> None:
        """Release every pooled connection."""
        self._engine.dispose()

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except SQLAlchemyError as exc:
            raise DatabaseUnavailable(
                f"could not {doing}: {exc}", f"数据库操作失败（{doing}）：{exc}"
            ) from exc

    # --- schema and health ----------------------------------------------------------------

    def ensure_schema(self, *, retention_default_days: int) -> None:
        """Create missing tables, add missing custom cdr columns, record the schema version and
        the default retention (an existing retention setting is kept)."""
        with self._errors("create the schema"), self._engine.begin() as conn:
            ConsoleBase.metadata.create_all(conn)
            if conn.dialect.name == "postgresql":
                for name, sql_type in CUSTOM_CDR_COLUMNS.items():
                    conn.execute(text(f"ALTER TABLE cdr ADD COLUMN IF NOT EXISTS {name} {sql_type}"))
        with self._errors("write the schema version"), self._sessions.begin() as session:
            session.merge(SettingRow(key=VERSION_KEY, value=str(SCHEMA_VERSION)))
            if session.get(SettingRow, RETENTION_KEY) is None:
                session.add(SettingRow(key=RETENTION_KEY, value=str(retention_default_days)))

    def ping(self) -> None:
        """Raise DatabaseUnavailable unless the database answers ``SELECT 1``."""
        with self._errors("reach the database"), self._engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    # --- users and settings ---------------------------------------------------------------

    def put_user(self, username: str, password_hash: str, *, now: datetime) -> None:
        """Create the account or replace its password hash."""
        with self._errors("store the account"), self._sessions.begin() as session:
            row = session.scalar(select(UserRow).where(UserRow.username == username))
            if row is None:
                session.add(
                    UserRow(username=username, password_hash=password_hash, role="admin", updated_at=now)
                )
            else:
                row.password_hash = password_hash
                row.updated_at = now

    def get_user(self, username: str) -> User | None:
        with self._errors("read the account"), self._sessions() as session:
            row = session.scalar(select(UserRow).where(UserRow.username == username))
            return None if row is None else User(row.username, row.password_hash, row.role)

    def retention_days(self) -> int:
        """The recording retention setting, in days."""
        with self._errors("read the retention setting"), self._sessions() as session:
            row = session.get(SettingRow, RETENTION_KEY)
            if row is None:
                raise DatabaseUnavailable("the retention setting is missing", "缺少录音保存期限设置")
            return int(row.value)

    def set_retention_days(self, days: int) -> None:
        with self._errors("store the retention setting"), self._sessions.begin() as session:
            session.merge(SettingRow(key=RETENTION_KEY, value=str(days)))

    # --- calls ----------------------------------------------------------------------------

    def search_calls(self, query: CallQuery) -> list[CallRecord]:
        """cdr rows matching ``query``, newest first (at most ``query.limit``)."""
        stmt = select(cdr).order_by(cdr.c.calldate.desc()).limit(query.limit)
        if query.phone:
            pattern = _like(query.phone)
            stmt = stmt.where(or_(cdr.c.src.like(pattern, escape="\\"), cdr.c.dst.like(pattern, escape="\\")))
        if query.start is not None:
            stmt = stmt.where(cdr.c.calldate >= query.start)
        if query.end is not None:
            stmt = stmt.where(cdr.c.calldate <= query.end)
        if query.recorded:
            stmt = stmt.where(_recorded())
        with self._errors("search calls"), self._engine.connect() as conn:
            return [_call(row) for row in conn.execute(stmt)]

    def get_call(self, call_id: str) -> CallRecord | None:
        """The cdr row of ``call_id`` (the recorded one, then the newest, when several share it)."""
        stmt = select(cdr).where(cdr.c.uniqueid == call_id).order_by(cdr.c.calldate.desc())
        with self._errors("read a call"), self._engine.connect() as conn:
            calls = [_call(row) for row in conn.execute(stmt)]
        recorded = [c for c in calls if c.has_recording]
        chosen = recorded or calls
        return chosen[0] if chosen else None

    # --- work orders ----------------------------------------------------------------------

    def sync_orders(
        self, complaint_number: str, *, now: datetime, reply_within: timedelta, include_phone: bool
    ) -> list[WorkOrder]:
        """Make a work order from every answered, recorded call to ``complaint_number`` that has
        none yet; numbers are ``GD`` + the Beijing date of ``now`` + a 4-digit daily sequence."""
        done = select(WorkOrderRow.call_id)
        calls = (
            select(cdr)
            .where(cdr.c.disposition == ANSWERED, cdr.c.dst == complaint_number, _recorded())
            .where(cdr.c.uniqueid != "", cdr.c.uniqueid.not_in(done))
            .order_by(cdr.c.calldate)
        )
        prefix = ORDER_PREFIX + beijing_date(now)
        created: list[WorkOrderRow] = []
        with self._errors("create work orders"), self._sessions.begin() as session:
            rows = [_call(row) for row in session.execute(calls)]
            if not rows:
                return []
            last = session.scalar(
                select(func.max(WorkOrderRow.order_no)).where(WorkOrderRow.order_no.like(prefix + "%"))
            )
            sequence = int(last[len(prefix) :]) if last else 0
            seen: set[str] = set()
            for call in rows:
                if call.call_id in seen:
                    continue
                seen.add(call.call_id)
                sequence += 1
                row = WorkOrderRow(
                    order_no=f"{prefix}{sequence:04d}",
                    call_id=call.call_id,
                    phone=call.src if include_phone else "",
                    call_time=call.call_date,
                    created_at=now,
                    deadline=now + reply_within,
                    record_file=call.record_file,
                    status=OrderStatus.PENDING.value,
                )
                session.add(row)
                created.append(row)
        return [_order(row) for row in created]

    def list_orders(
        self, *, phone: str = "", since: datetime | None = None, limit: int = 1000
    ) -> list[WorkOrder]:
        """Work orders, newest first; ``phone`` matches part of the number, ``since`` is inclusive."""
        stmt = (
            select(WorkOrderRow).order_by(WorkOrderRow.created_at.desc(), WorkOrderRow.id.desc()).limit(limit)
        )
        if phone:
            stmt = stmt.where(WorkOrderRow.phone.like(_like(phone), escape="\\"))
        if since is not None:
            stmt = stmt.where(WorkOrderRow.created_at >= since)
        with self._errors("list work orders"), self._sessions() as session:
            return [_order(row) for row in session.scalars(stmt)]

    # --- retention ------------------------------------------------------------------------

    def clear_recordings_before(self, cutoff: datetime) -> list[str]:
        """Clear ``record_file`` on every row older than ``cutoff``; the paths it held."""
        old = _recorded(), cdr.c.calldate < cutoff
        with self._errors("clear old recordings"), self._engine.begin() as conn:
            paths = [
                str(p)
                for p in conn.execute(select(cdr.c.record_file).where(*old).with_for_update()).scalars()
            ]
            conn.execute(update(cdr).where(*old).values(record_file=None))
        return paths

    def referenced_files(self) -> set[str]:
        """Every record_file still referenced by a cdr row."""
        with self._errors("list referenced recordings"), self._engine.connect() as conn:
            return {str(p) for p in conn.execute(select(cdr.c.record_file).where(_recorded())).scalars()}
