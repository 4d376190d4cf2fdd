"""Read-only SQL queries against a platform's database, as a target file describes it
(:class:`~ccinspect.core.scenario.access.SqlAccess`).

The one module outside ``store/`` that uses SQLAlchemy (import-linter allows exactly this one):
a query with bound parameters, run in a worker thread, bounded by ``timeout_s``, rows returned as
plain dicts. Any database error becomes an :class:`~ccinspect.platform.errors.AdapterError`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from ccinspect.core.scenario.access import SqlAccess
from ccinspect.platform.errors import AdapterError

__all__ = ["query_rows"]


def _engine(spec: SqlAccess) -> sa.Engine:
    try:
        url = make_url(spec.url)
    except ArgumentError as exc:
        raise AdapterError(f"database URL {spec.url!r} is invalid: {exc}", "数据库 URL 无效") from None
    if spec.password is not None:
        url = url.set(password=spec.password.get_secret_value())
    args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        args = {"connect_timeout": max(1, int(spec.timeout_s))}
    return sa.create_engine(url, connect_args=args, poolclass=sa.NullPool)


def _run(spec: SqlAccess, query: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    engine = _engine(spec)
    try:
        with engine.connect() as conn:
            result = conn.execute(sa.text(query), dict(params))
            return [dict(row._mapping) for row in result]
    finally:
        engine.dispose()


async def query_rows(
    spec: SqlAccess, query: str, params: Mapping[str, Any], *, what: str
) -> list[dict[str, Any]]:
    """Rows of ``query`` with ``params``; AdapterError naming ``what`` and the database when it
    fails or takes longer than the section's ``timeout_s``."""
    where = make_url(spec.url).render_as_string(hide_password=True) if "://" in spec.url else spec.url
    try:
        async with asyncio.timeout(spec.timeout_s * 2):
            return await asyncio.to_thread(_run, spec, query, params)
    except TimeoutError:
        raise AdapterError(
            f"{what}: database {where} did not answer within {spec.timeout_s * 2:g} s",
            f"{what}：数据库 {where} 在 {spec.timeout_s * 2:g} 秒内无响应",
        ) from None
    except (SQLAlchemyError, OSError, ImportError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise AdapterError(
            f"{what}: query on {where} failed: {first}",
            f"{what}：在 {where} 上查询失败：{first}",
        ) from exc
