"""Complaint replies (R10): no ticket may wait more than 15 days for a reply; yearly figures.

Pure part (unit-tested without HTTP):

* :func:`parse_ticket_page` / :func:`parse_stats`: the complaint API's JSON into
  :class:`TicketView` / :class:`YearlyStats`, raising :class:`SlaDataError` naming the field.
* :func:`unreplied_overdue`: tickets with no reply ``reply_days`` after creation, callers masked
  (:func:`~ccinspect.core.numbers.mask_number`), oldest first.
* :func:`yearly_stats`: complaints created in a calendar year and the reply rate, with the
  demo service's definitions (``/api/stats``): replied in time, replied late, unreplied and
  overdue, pending; reply rate = replied in time / complaints.
* :func:`sla_check`: the figures as the check ``nightly.complaint_sla``.

The deadline is always the policy's (``created_at + reply_days``, 15 days by default), never the
deadline a platform writes on its tickets: a platform configured for 30 days gets no grace.

The I/O part, :func:`ccinspect.platform.complaints.gather_sla`, asks the API and returns
:class:`SlaFacts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ccinspect.core.numbers import mask_number
from ccinspect.core.verdict import CheckResult, SubjectResult, Text, conclude, errored, failed, passed
from ccinspect.errors import CcinspectError, Kind

__all__ = [
    "CHECK_ID",
    "DEFAULT_REPLY_DAYS",
    "OverdueTicket",
    "SlaDataError",
    "SlaFacts",
    "TicketView",
    "YearlyStats",
    "parse_stats",
    "parse_ticket_page",
    "sla_check",
    "unreplied_overdue",
    "yearly_stats",
]

CHECK_ID = "nightly.complaint_sla"
DEFAULT_REPLY_DAYS = 15
PAGE_LIMIT = 500
"""The API's largest page."""
OPEN_STATES = ("open", "acknowledged")  # resolved tickets always carry a reply
_SHOWN = 5


class SlaDataError(CcinspectError, ValueError):
    """The complaint API answered with JSON we cannot use; the message names the field
    (English text only)."""

    kind = Kind.PLATFORM


@dataclass(frozen=True, slots=True)
class TicketView:
    """What the SLA needs of a ticket. Times are aware UTC; ``caller_number`` is unmasked here
    and never leaves this module unmasked."""

    id: int
    caller_number: str
    created_at: datetime
    state: str
    replied_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OverdueTicket:
    """A ticket without a reply past the deadline: ``caller`` is masked, ``age_days`` since creation."""

    id: int
    caller: str
    created_at: datetime
    age_days: float
    state: str


@dataclass(frozen=True, slots=True)
class YearlyStats:
    """Complaints created in ``year`` and how they were replied to (every complaint in one bucket)."""

    year: int
    complaints: int
    replied_in_time: int
    replied_late: int
    unreplied_overdue: int
    pending: int

    @property
    def reply_rate(self) -> float | None:
        """Share replied within the deadline; None when there were no complaints."""
        return self.replied_in_time / self.complaints if self.complaints else None


# --- parsing ------------------------------------------------------------------------------------


def _time(obj: Mapping[str, object], name: str, *, required: bool) -> datetime | None:
    value = obj.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise SlaDataError(f"ticket field {name} must be an ISO 8601 time, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise SlaDataError(f"ticket field {name} is not an ISO 8601 time: {value!r}") from None
    if parsed.tzinfo is None:
        raise SlaDataError(f"ticket field {name} has no UTC offset: {value!r}")
    return parsed.astimezone(UTC)


def _ticket(obj: object) -> TicketView:
    if not isinstance(obj, dict):
        raise SlaDataError(f"a ticket must be a JSON object, got {type(obj).__name__}")
    ticket_id, caller, state = obj.get("id"), obj.get("caller_number"), obj.get("state")
    if not isinstance(ticket_id, int) or isinstance(ticket_id, bool):
        raise SlaDataError(f"ticket field id must be an integer, got {ticket_id!r}")
    if not isinstance(caller, str) or not isinstance(state, str):
        raise SlaDataError(f"ticket {ticket_id}: caller_number and state must be strings")
    created = _time(obj, "created_at", required=True)
    assert created is not None  # required=True never returns None
    return TicketView(ticket_id, caller, created, state, _time(obj, "replied_at", required=False))


def parse_ticket_page(payload: object) -> tuple[tuple[TicketView, ...], int]:
    """``GET /api/tickets``'s body → (tickets, total matching the filters)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("tickets"), list):
        raise SlaDataError("a ticket page must be an object with a tickets list")
    total = payload.get("total")
    if not isinstance(total, int) or isinstance(total, bool):
        raise SlaDataError(f"ticket page field total must be an integer, got {total!r}")
    return tuple(_ticket(t) for t in payload["tickets"]), total


def parse_stats(payload: object) -> YearlyStats:
    """``GET /api/stats?year=YYYY``'s body → :class:`YearlyStats`."""
    if not isinstance(payload, dict):
        raise SlaDataError("stats must be a JSON object")
    names = ("year", "complaints", "replied_within_deadline", "replied_late", "unreplied_overdue", "pending")
    values: list[int] = []
    for name in names:
        value = payload.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise SlaDataError(f"stats field {name} must be a non-negative integer, got {value!r}")
        values.append(value)
    stats = YearlyStats(*values)
    if sum(values[2:]) != stats.complaints:
        raise SlaDataError(f"stats buckets add up to {sum(values[2:])}, not to complaints {stats.complaints}")
    return stats


# --- figures --------------------------------------------------------------------------------------


def unreplied_overdue(
    tickets: Iterable[TicketView], *, now: datetime, reply_days: float = DEFAULT_REPLY_DAYS
) -> tuple[OverdueTicket, ...]:
    """Tickets with no reply more than ``reply_days`` after creation at ``now``, oldest first.

    A ticket listed twice (two queries overlapping) appears once.
    """
    limit = timedelta(days=reply_days)
    seen: dict[int, OverdueTicket] = {}
    for t in tickets:
        if t.replied_at is None and now - t.created_at > limit and t.id not in seen:
            age = (now - t.created_at).total_seconds() / 86400
            seen[t.id] = OverdueTicket(t.id, mask_number(t.caller_number), t.created_at, age, t.state)
    return tuple(sorted(seen.values(), key=lambda o: (o.created_at, o.id)))


def yearly_stats(
    tickets: Iterable[TicketView],
    *,
    year: int,
    now: datetime,
    reply_days: float = DEFAULT_REPLY_DAYS,
    tz: str = "UTC",
) -> YearlyStats:
    """Complaints created in calendar ``year`` (in ``tz``) and how they were replied to at ``now``."""
    zone = ZoneInfo(tz)
    start = datetime(year, 1, 1, tzinfo=zone)
    end = datetime(year + 1, 1, 1, tzinfo=zone)
    limit = timedelta(days=reply_days)
    in_time = late = overdue = pending = 0
    for t in tickets:
        if not start <= t.created_at < end:
            continue
        deadline = t.created_at + limit
        if t.replied_at is not None:
            in_time += t.replied_at <= deadline
            late += t.replied_at > deadline
        elif now > deadline:
            overdue += 1
        else:
            pending += 1
    return YearlyStats(year, in_time + late + overdue + pending, in_time, late, overdue, pending)


@dataclass(frozen=True, slots=True)
class SlaFacts:
    """What the nightly run learnt about complaints.

    ``overdue`` is None when the tickets could not be listed (``tickets_error`` says why);
    ``overdue_complete`` is False when there were more old open tickets than the pages read
    (the list is then a lower bound). ``stats`` is None when the yearly figures could not be
    read (``stats_error``).
    """

    as_of: datetime
    reply_days: float
    overdue: tuple[OverdueTicket, ...] | None
    stats: YearlyStats | None
    overdue_complete: bool = True
    tickets_error: Text | None = None
    stats_error: Text | None = None

    @property
    def errors(self) -> tuple[Text, ...]:
        """Every problem met, tickets first."""
        return tuple(e for e in (self.tickets_error, self.stats_error) if e is not None)


def sla_check(facts: SlaFacts) -> CheckResult:
    """``nightly.complaint_sla`` (R10): FAIL when a ticket waits past the deadline; the yearly
    figures are a second subject, PASS when obtained (informational) and ERROR when not."""
    days = f"{facts.reply_days:g}"
    subjects: list[SubjectResult] = []
    not_queried = Text("not queried", "未查询")
    if facts.overdue is None:
        subjects.append(errored("unreplied tickets", facts.tickets_error or not_queried))
    elif facts.overdue:
        count = f"{len(facts.overdue)}" + ("" if facts.overdue_complete else "+")
        shown = "; ".join(f"#{o.id} {o.caller or '-'} {o.age_days:.0f} d" for o in facts.overdue[:_SHOWN])
        subjects.append(
            failed(
                "unreplied tickets",
                Text(
                    f"{count} complaints have had no reply for more than {days} days: {shown}",
                    f"{count} 件投诉超过 {days} 天未答复：{shown}",
                ),
                Text(
                    f"Reply to every complaint within {days} days, or the user may appeal to the regulator.",
                    f"每件投诉须在 {days} 天内答复，否则用户可向管理部门申诉。",
                ),
                *(f"ticket {o.id}" for o in facts.overdue[:_SHOWN]),
            )
        )
    elif not facts.overdue_complete:
        subjects.append(errored("unreplied tickets", facts.tickets_error or not_queried))
    else:
        subjects.append(
            passed(
                "unreplied tickets",
                Text(f"no complaint waits more than {days} days", f"没有超过 {days} 天未答复的投诉"),
            )
        )
    if facts.stats is None:
        subjects.append(errored("yearly figures", facts.stats_error or not_queried))
    else:
        s = facts.stats
        rate = "n/a" if s.reply_rate is None else f"{100 * s.reply_rate:.1f} %"
        subjects.append(
            passed(
                f"yearly figures {s.year}",
                Text(
                    f"{s.year}: {s.complaints} complaints, {rate} replied within the deadline "
                    f"({s.replied_late} late, {s.unreplied_overdue} unreplied and overdue,"
                    f" {s.pending} pending)",
                    f"{s.year} 年：投诉 {s.complaints} 件，按期答复率 {rate}"
                    f"（逾期答复 {s.replied_late} 件，逾期未答复 {s.unreplied_overdue} 件，"
                    f"处理中 {s.pending} 件）",
                ),
            )
        )
    return conclude(
        CHECK_ID,
        ("R10",),
        Text("Complaints answered within 15 days", "投诉 15 日内答复"),
        subjects,
        pass_reason=Text(
            f"No complaint waits more than {days} days for a reply.", f"没有超过 {days} 天未答复的投诉。"
        ),
    )
