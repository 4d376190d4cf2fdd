"""Settings of the demo complaint service, validated once when they are built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ccinspect.demo.complaints.db import database_url

DEFAULT_REPLY_DAYS = 15
"""The regulator's limit: a complaint must be answered within 15 days of being made."""


def utc_now() -> datetime:
    """The real clock: the current time as an aware UTC datetime."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    """How to run the complaint service.

    ``database`` is a SQLite file path or any SQLAlchemy URL. ``reply_days`` sets each new ticket's
    reply deadline (existing tickets keep the deadline they were created with). ``token``, when
    set, is the bearer token the API demands (see ``app.py`` for the exempt routes). ``clock``
    returns the current aware time; tests inject one to age tickets.
    """

    database: str
    reply_days: int = DEFAULT_REPLY_DAYS
    token: str | None = field(default=None, repr=False)
    clock: Callable[[], datetime] = utc_now

    def __post_init__(self) -> None:
        if not self.database:
            raise ValueError("database must be a SQLite file path or an SQLAlchemy URL")
        if self.reply_days < 1:
            raise ValueError(f"reply_days must be at least 1, got {self.reply_days}")
        if self.token is not None and not self.token.strip():
            raise ValueError("token must not be empty; leave it unset to disable authentication")

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL of the database."""
        return database_url(self.database)
