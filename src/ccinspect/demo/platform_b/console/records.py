"""What the console's store hands out: frozen dataclasses, never ORM rows, and its errors."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from ccinspect.errors import CcinspectError, Kind


class ConsoleError(CcinspectError):
    """The console could not do its job (database unreachable at start, bad schema)."""

    kind = Kind.HARNESS


class DatabaseUnavailable(ConsoleError):
    """A database call failed or timed out; the console answers 503 and retries later."""


class OrderStatus(enum.StrEnum):
    """The state of a work order (工单状态)."""

    PENDING = "pending"
    PROCESSING = "processing"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One ``cdr`` row, as the pages and the API show it (``call_id`` is Asterisk's uniqueid)."""

    call_id: str
    call_date: datetime
    clid: str
    src: str
    dst: str
    disposition: str
    duration: int
    billsec: int
    screen_result: str
    agent_id: str
    record_file: str

    @property
    def has_recording(self) -> bool:
        return self.record_file != ""


@dataclass(frozen=True, slots=True)
class CallQuery:
    """A search over the cdr table: ``phone`` matches the caller or the callee exactly;
    ``start``/``end`` are inclusive aware bounds; ``recorded`` keeps rows with a record_file."""

    phone: str = ""
    start: datetime | None = None
    end: datetime | None = None
    recorded: bool = False
    limit: int = 1000


@dataclass(frozen=True, slots=True)
class WorkOrder:
    """A complaint work order (投诉工单) made from a recorded call to the complaint line."""

    order_no: str
    call_id: str
    phone: str
    call_time: datetime
    created_at: datetime
    deadline: datetime
    record_file: str
    status: OrderStatus


@dataclass(frozen=True, slots=True)
class User:
    """A console account."""

    username: str
    password_hash: str
    role: str
