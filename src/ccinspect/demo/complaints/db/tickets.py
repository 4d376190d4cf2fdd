"""Complaint tickets of the demo complaint service: states, rules, errors and plain results.

Nothing here touches the database: :mod:`.store` returns these frozen dataclasses and raises these
errors, so nothing outside ``db/`` sees an ORM object or a SQLAlchemy exception.

Promises:

* Ticket numbers start at 100001 and are never reused, so they read well with ``SayDigits``.
* Every datetime going in must be timezone-aware; every datetime coming out is aware UTC.
* States move forward only (open → acknowledged → resolved, or open → resolved); resolved is final
  and needs a reply text.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

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
