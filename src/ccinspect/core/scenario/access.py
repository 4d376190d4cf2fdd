"""Shared pieces of the target file's adapter sections: HTTP auth, SQL sources, time fields.

These are data only: how a platform's interface is reached and how its fields are read. The
readers that use them live in :mod:`ccinspect.platform`.
"""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from ccinspect.core.scenario.errors import FileProblem
from ccinspect.core.scenario.fields import Credentials, Model, Url

__all__ = ["HttpAccess", "SqlAccess", "TimeSpec"]


class TimeSpec(Model):
    """How a platform writes a time: ``format`` is ``iso`` (ISO 8601), ``epoch`` (seconds),
    ``epoch_ms`` or a ``strftime`` pattern such as ``%Y-%m-%d %H:%M:%S``; ``timezone`` (IANA
    name) applies to times written without a zone. Always explicit: a platform in Beijing time
    writes ``timezone: Asia/Shanghai``."""

    format: str = "iso"
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise FileProblem(
                f"unknown time zone {value!r}",
                f"未知时区 {value!r}",
                "an IANA time zone name such as Asia/Shanghai or UTC",
            ) from None
        return value


class HttpAccess(Credentials):
    """An HTTP interface: base ``url`` and how to authenticate.

    ``auth``: ``none``; ``basic`` (``username`` + the password); ``bearer`` (the password is the
    token, sent as ``Authorization: Bearer …``); ``header`` (the password sent in ``header``).
    The secret comes from ``password_env`` or ``password_file`` (or ``password`` for demos).
    """

    url: Url
    auth: Literal["none", "basic", "bearer", "header"] = "basic"
    username: str | None = None
    header: str = "X-Api-Key"
    timeout_s: Annotated[float, Field(gt=0, le=300)] = 10.0


class SqlAccess(Credentials):
    """A database the platform writes: an SQLAlchemy ``url`` without the password (e.g.
    ``postgresql+psycopg://reader@db.example.com:5432/callcenter``), the password from
    ``password_env``/``password_file``; ``timezone`` for timestamps stored without a zone."""

    url: str
    timezone: str = "UTC"
    timeout_s: Annotated[float, Field(gt=0, le=300)] = 10.0

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if "://" not in value:
            raise FileProblem(
                f"{value!r} is not a database URL",
                f"{value!r} 不是数据库 URL",
                "dialect+driver://user@host:port/database, e.g. postgresql+psycopg://reader@host/cc",
            )
        return value
