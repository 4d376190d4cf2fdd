"""Opening the run store: URL resolution, engine, migrations to head, sessions, error translation.

``open_store(url)`` is the only way in. It connects, upgrades the schema to the newest migration
(Alembic, configured here in code: no alembic.ini is needed) and returns a :class:`RunStore`.
The store is synchronous and thread-safe; async callers wrap calls in ``asyncio.to_thread``.
Every SQLAlchemy/Alembic/driver exception is translated here into a
:class:`~ccinspect.store.errors.StoreUnavailable` saying what failed, on which database
(password masked), and what to do.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from ccinspect.store.errors import StoreUnavailable
from ccinspect.store.migrate import Migrations
from ccinspect.store.migrations import HEAD
from ccinspect.store.models import VERSION_TABLE

#: Environment variable naming the store when ``--db`` is not given.
ENV_VAR = "CCINSPECT_DB"
#: The default store: a SQLite file next to the run directories.
DEFAULT_SQLITE = Path("runs") / "ccinspect.sqlite"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_HINT_URL = (
    "check the database URL given with --db or $CCINSPECT_DB "
    "(e.g. sqlite:///runs/ccinspect.sqlite or postgresql+psycopg://user@host/db)"
)


def resolve_url(db: str | None = None) -> str:
    """The store's SQLAlchemy URL: ``db``, else ``$CCINSPECT_DB``, else ``runs/ccinspect.sqlite``.

    Anything without ``://`` is a SQLite file path, made absolute.
    """
    value = db or os.environ.get(ENV_VAR) or str(DEFAULT_SQLITE)
    if "://" in value:
        return value
    path = Path(value).expanduser().resolve()
    return URL.create("sqlite", database=str(path)).render_as_string(hide_password=False)


def redacted(url: str) -> str:
    """``url`` with its password masked, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparsable database URL>"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for other databases and in-memory SQLite."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def describe(exc: BaseException) -> str:
    """A database error in one line: the driver's own message, without SQLAlchemy's links."""
    cause = getattr(exc, "orig", None) or exc
    lines = [ln.strip() for ln in str(cause).splitlines() if ln.strip() and "sqlalche.me" not in ln]
    return f"{cause.__class__.__name__}: {' '.join(lines)}"


def _sqlite_on_connect(dbapi_connection: DBAPIConnection, _record: object) -> None:
    """Foreign keys on (SQLite leaves them off), WAL so a reader never blocks the recorder."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            file = sqlite_path(url)
            if file is None:
                # One shared connection, or every thread would see its own empty database.
                return _listen(
                    create_engine(parsed, poolclass=StaticPool, connect_args={"check_same_thread": False})
                )
            file.parent.mkdir(parents=True, exist_ok=True)
            return _listen(create_engine(parsed, connect_args={"timeout": 30, "check_same_thread": False}))
        return create_engine(parsed, pool_pre_ping=True)
    except ImportError as exc:
        raise StoreUnavailable(
            f"no database driver for {redacted(url)}: {exc}",
            f"缺少 {redacted(url)} 的数据库驱动：{exc}",
            hint="for PostgreSQL use postgresql+psycopg://… (psycopg 3 is installed by `make install`)",
        ) from exc
    except (ArgumentError, SQLAlchemyError, ValueError, OSError) as exc:
        raise StoreUnavailable(
            f"cannot use the database URL {redacted(url)}: {describe(exc)}",
            f"无法使用数据库地址 {redacted(url)}：{describe(exc)}",
            hint=_HINT_URL,
        ) from exc


def _listen(engine: Engine) -> Engine:
    event.listen(engine, "connect", _sqlite_on_connect)
    return engine


#: The run store's migrations (``store/migrations/``, version table ``ccinspect_store_version``).
MIGRATIONS = Migrations(MIGRATIONS_DIR, VERSION_TABLE)


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Any:
    """An Alembic ``Config`` for the store's migrations (see :meth:`Migrations.config`)."""
    return MIGRATIONS.config(connection, url)


def upgrade_to_head(engine: Engine) -> None:
    """Apply every migration not yet applied (a no-op when the schema is at head)."""
    MIGRATIONS.upgrade_to_head(engine)


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None before the first migration)."""
    return MIGRATIONS.current_revision(engine)


def head_revision() -> str:
    """The newest migration shipped with this version of ccinspect."""
    return MIGRATIONS.head_revision()


class Database:
    """An engine, its sessions, and the translation of database errors (the store's plumbing)."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        # SQLite has one writer at a time: serialise this process's writers instead of racing.
        self._write_lock = threading.Lock() if engine.dialect.name == "sqlite" else None

    @contextmanager
    def errors(self, doing: str, doing_zh: str) -> Iterator[None]:
        """Translate SQLAlchemy errors raised inside into :class:`StoreUnavailable`."""
        try:
            yield
        except SQLAlchemyError as exc:
            raise StoreUnavailable(
                f"could not {doing} in {redacted(self.url)}: {describe(exc)}",
                f"无法在 {redacted(self.url)} 中{doing_zh}：{describe(exc)}",
                hint="check that the database is reachable and not full; " + _HINT_URL,
            ) from exc

    @contextmanager
    def reading(self, doing: str, doing_zh: str) -> Iterator[Session]:
        """A session for queries."""
        with self.errors(doing, doing_zh), self.sessions() as session:
            yield session

    @contextmanager
    def writing(self, doing: str, doing_zh: str) -> Iterator[Session]:
        """A session in a transaction, committed on success, rolled back on any exception."""
        lock: AbstractContextManager[object] = self._write_lock or nullcontext()
        with self.errors(doing, doing_zh), lock, self.sessions.begin() as session:
            yield session

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()


def _stamped_revision(engine: Engine) -> str | None:
    """The revision in the version table, read without Alembic (None when there is none)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()  # noqa: S608 -- a constant table name


def _migrate(engine: Engine, resolved: str) -> None:
    from alembic.util import CommandError

    try:
        upgrade_to_head(engine)
    except CommandError as exc:
        raise StoreUnavailable(
            f"cannot migrate the run store {redacted(resolved)}: {exc}",
            f"无法升级运行记录库 {redacted(resolved)}：{exc}",
            hint="a newer ccinspect may have written this database; upgrade ccinspect or use another --db",
        ) from exc


def open_database(url: str | None = None) -> Database:
    """Connect to ``url`` (see :func:`resolve_url`) and upgrade its schema to head.

    A store already at :data:`~ccinspect.store.migrations.HEAD` is opened without loading Alembic.
    """
    resolved = resolve_url(url)
    engine = _engine(resolved)
    try:
        if _stamped_revision(engine) != HEAD:
            _migrate(engine, resolved)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreUnavailable(
            f"cannot open or migrate the run store {redacted(resolved)}: {describe(exc)}",
            f"无法打开或升级运行记录库 {redacted(resolved)}：{describe(exc)}",
            hint="check that the database server runs and the URL is right; " + _HINT_URL,
        ) from exc
    except StoreUnavailable:
        engine.dispose()
        raise
    return Database(resolved, engine)
