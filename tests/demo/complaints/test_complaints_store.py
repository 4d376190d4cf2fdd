"""The complaint store on its own: numbering, UTC handling, transition rules, statistics."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ccinspect.demo.complaints.db import (
    ComplaintStore,
    InvalidTransition,
    NewTicket,
    ReplyRequired,
    StoreUnavailable,
    TicketNotFound,
    TicketQuery,
    TicketState,
    check_transition,
    database_url,
)

T0 = datetime(2025, 6, 1, 9, 30, tzinfo=UTC)
FIFTEEN_DAYS = timedelta(days=15)
OPEN, ACK, RESOLVED = TicketState.OPEN, TicketState.ACKNOWLEDGED, TicketState.RESOLVED


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ComplaintStore]:
    s = ComplaintStore.open(database_url(str(tmp_path / "store.sqlite")))
    yield s
    s.close()


def test_numbers_start_at_100001_and_continue_after_reopening(tmp_path: Path) -> None:
    """Ticket numbers begin at 100001 and a reopened database carries on from the last one."""
    url = database_url(str(tmp_path / "n.sqlite"))
    first = ComplaintStore.open(url)
    ids = [first.create_ticket(NewTicket("1"), now=T0, reply_within=FIFTEEN_DAYS).id]
    ids.append(first.create_ticket(NewTicket("2"), now=T0, reply_within=FIFTEEN_DAYS).id)
    first.close()
    again = ComplaintStore.open(url)
    ids.append(again.create_ticket(NewTicket("3"), now=T0, reply_within=FIFTEEN_DAYS).id)
    again.close()
    assert ids == [100001, 100002, 100003]


def test_datetimes_go_in_aware_and_come_out_utc(store: ComplaintStore) -> None:
    """Aware times are stored as the same instant and read back as UTC; naive ones are refused."""
    beijing = timezone(timedelta(hours=8))
    call = datetime(2025, 6, 1, 17, 0, tzinfo=beijing)
    ticket = store.create_ticket(
        NewTicket("1", call_time=call), now=T0.astimezone(beijing), reply_within=FIFTEEN_DAYS
    )
    read = store.get_ticket(ticket.id)
    assert read.call_time == call
    assert read.call_time.tzinfo is UTC
    assert read.created_at == T0
    assert read.created_at.tzinfo is UTC
    assert read.reply_deadline == T0 + FIFTEEN_DAYS
    with pytest.raises(StoreUnavailable):
        store.create_ticket(NewTicket("1"), now=T0.replace(tzinfo=None), reply_within=FIFTEEN_DAYS)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (OPEN, ACK, True),
        (OPEN, RESOLVED, True),
        (ACK, RESOLVED, True),
        (OPEN, OPEN, False),
        (ACK, OPEN, False),
        (ACK, ACK, False),
        (RESOLVED, OPEN, False),
        (RESOLVED, ACK, False),
        (RESOLVED, RESOLVED, False),
    ],
)
def test_only_forward_transitions(current: TicketState, target: TicketState, allowed: bool) -> None:
    """States only move forward; resolved is final."""
    if allowed:
        check_transition(current, target, has_reply=True)
    else:
        with pytest.raises(InvalidTransition):
            check_transition(current, target, has_reply=True)


def test_resolving_needs_a_reply() -> None:
    """Resolving without any reply text is refused."""
    with pytest.raises(ReplyRequired):
        check_transition(ACK, RESOLVED, has_reply=False)
    check_transition(OPEN, ACK, has_reply=False)


def test_transition_errors_leave_the_ticket_unchanged(store: ComplaintStore) -> None:
    """A refused transition records nothing; an unknown ticket is TicketNotFound."""
    ticket = store.create_ticket(NewTicket("1"), now=T0, reply_within=FIFTEEN_DAYS)
    with pytest.raises(ReplyRequired):
        store.transition(ticket.id, RESOLVED, reply="  ", now=T0)
    assert store.get_ticket(ticket.id) == ticket
    with pytest.raises(TicketNotFound):
        store.transition(100999, ACK, reply=None, now=T0)
    with pytest.raises(TicketNotFound):
        store.get_ticket(100999)


def test_reply_stats_buckets_add_up(store: ComplaintStore) -> None:
    """Each complaint in the window lands in exactly one reply bucket."""
    ids = [store.create_ticket(NewTicket(str(i)), now=T0, reply_within=FIFTEEN_DAYS).id for i in range(5)]
    store.transition(ids[0], RESOLVED, reply="ok", now=T0 + timedelta(days=15))  # exactly in time
    store.transition(ids[1], ACK, reply="受理", now=T0 + timedelta(days=1))
    store.transition(ids[2], RESOLVED, reply="late", now=T0 + timedelta(days=15, seconds=1))
    store.transition(ids[3], ACK, reply=None, now=T0 + timedelta(days=1))
    window = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    mid = store.reply_stats(*window, now=T0 + timedelta(days=10))
    later = store.reply_stats(*window, now=T0 + timedelta(days=20))
    assert (mid.replied_in_time, mid.replied_late, mid.unreplied_overdue, mid.pending) == (
        2,
        1,
        0,
        2,
    )
    assert (later.replied_in_time, later.replied_late, later.unreplied_overdue, later.pending) == (
        2,
        1,
        2,
        0,
    )
    assert later.complaints == 5
    assert later.reply_rate == pytest.approx(0.4)


def test_memory_database_is_shared_across_threads() -> None:
    """An in-memory SQLite URL works from worker threads (one shared connection)."""
    memory = ComplaintStore.open("sqlite://")
    memory.create_ticket(NewTicket("1"), now=T0, reply_within=FIFTEEN_DAYS)
    counts: list[int] = []
    worker = threading.Thread(target=lambda: counts.append(memory.count()))
    worker.start()
    worker.join(timeout=10)
    assert counts == [1]
    page = memory.list_tickets(TicketQuery(), now=T0)
    assert page.total == 1
    assert page.tickets[0].id == 100001
    memory.close()


def test_unusable_database_is_store_unavailable(tmp_path: Path) -> None:
    """A database that cannot be opened is reported as StoreUnavailable, not a library error."""
    with pytest.raises(StoreUnavailable):
        ComplaintStore.open(database_url(str(tmp_path / "missing-dir" / "x.sqlite")))
    with pytest.raises(StoreUnavailable):
        ComplaintStore.open("nosuchdialect://x")


def test_database_url_accepts_paths_and_urls(tmp_path: Path) -> None:
    """A bare path becomes an absolute sqlite URL; a URL is used as given."""
    assert database_url("sqlite:///rel.db") == "sqlite:///rel.db"
    assert database_url(str(tmp_path / "a b.db")) == f"sqlite:///{tmp_path / 'a b.db'}"


def test_a_database_made_before_migrations_is_stamped_and_upgraded(tmp_path: Path) -> None:
    """Tables made by create_all (the service before it had migrations) are taken as the initial
    revision, then upgraded; a new database is migrated from nothing."""
    from sqlalchemy import create_engine

    from ccinspect.demo.complaints.db import migrate
    from ccinspect.demo.complaints.db.models import ComplaintBase

    old = create_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    ComplaintBase.metadata.create_all(old)
    assert migrate.current_revision(old) is None
    migrate.upgrade_to_head(old)
    assert migrate.current_revision(old) == migrate.head_revision()
    new = create_engine(f"sqlite:///{tmp_path / 'new.sqlite'}")
    migrate.upgrade_to_head(new)
    assert migrate.current_revision(new) == migrate.head_revision()
    old.dispose()
    new.dispose()
