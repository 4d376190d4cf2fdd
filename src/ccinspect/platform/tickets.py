"""The complaint call's ticket, whatever the ticket system (``complaints.kind``): the runner's one
entry point.

* ``demo-api``: the ccinspect demo complaint service (:mod:`ccinspect.platform.complaints`,
  unchanged), with its overdue backlog;
* ``rest`` / ``sql``: a search the target file describes (:mod:`ccinspect.platform.ticketsearch`);
  no backlog (a generic ticket search says nothing about other tickets' replies);
* ``manual``: nothing here: the operator answers (:mod:`ccinspect.runner.manual`).

Which ticket is the call's (rest and sql): one the search did not list before the call
(:func:`existing_ticket_ids`), created at or after the call's start less the scenario's
``complaint.time_tolerance_s``, carrying the caller's number in any written form
(:func:`~ccinspect.core.numbers.same_number`). The search is polled every second until such a
ticket appears or ``bound_s`` (the scenario's ``timeouts.complaint``) expires. When none does but
exactly one new ticket appeared in the window, without or with another caller number, that one
is taken after a few seconds so the check can say what is wrong with it (a platform that drops
or rewrites the caller's number) instead of reporting no ticket at all.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace

from ccinspect.core.facts import CallFact, ComplaintBacklogFact, TicketFact
from ccinspect.core.numbers import same_number
from ccinspect.core.scenario import Target
from ccinspect.core.scenario.sources import DemoApiComplaints, RestComplaints, SqlComplaints, WebComplaints
from ccinspect.platform import complaints
from ccinspect.platform.errors import AdapterError
from ccinspect.platform.recordings import RecordingStore
from ccinspect.platform.ticketrec import verify_ticket_recording
from ccinspect.platform.ticketsearch import TicketFieldError, TicketRecord, rest_tickets, sql_tickets
from ccinspect.platform.web.session import ConsoleSession
from ccinspect.platform.web.tickets import show_ticket, web_tickets

__all__ = ["existing_ticket_ids", "pick_ticket", "ticket_facts"]

#: Seconds between two searches while waiting for the ticket.
POLL_S = 1.0
#: How long a ticket that only fits by time (another or no caller number) is watched for a
#: better one before it is taken.
SETTLE_S = 5.0

Search = Callable[[str, float], Awaitable[list[TicketRecord]]]


def _search(target: Target, console: ConsoleSession | None = None) -> Search | None:
    spec = target.complaints
    if isinstance(spec, WebComplaints) and console is not None:
        session = console

        async def by_web(caller: str, since: float) -> list[TicketRecord]:
            return await web_tickets(session, caller=caller, since=since)

        return by_web
    if isinstance(spec, RestComplaints):
        rest = spec

        async def by_rest(caller: str, since: float) -> list[TicketRecord]:
            return await rest_tickets(rest, caller=caller, since=since)

        return by_rest
    if isinstance(spec, SqlComplaints):
        sql = spec

        async def by_sql(caller: str, since: float) -> list[TicketRecord]:
            return await sql_tickets(sql, caller=caller, since=since)

        return by_sql
    return None


async def existing_ticket_ids(
    target: Target, *, caller: str, since: float, console: ConsoleSession | None = None
) -> set[str] | None:
    """Ids of the tickets the system lists before the complaint call, searched as for the
    call's own ticket (``caller``, ``since``); None when they cannot be listed (or no system)."""
    if isinstance(target.complaints, DemoApiComplaints):
        return await complaints.existing_ticket_ids(target)
    search = _search(target, console)
    if search is None:
        return None
    try:
        return {r.id for r in await search(caller, since)}
    except AdapterError:
        return None


def pick_ticket(
    records: list[TicketRecord], *, caller: str, since: float, known_before: set[str] | None
) -> tuple[TicketRecord | None, bool]:
    """(the call's ticket, whether it carries the caller's number) among ``records``.

    New tickets are those not in ``known_before`` created at or after ``since`` (one without a
    creation time counts only when the list before the call was read). The first new ticket
    with the caller's number wins; else the only new ticket, if exactly one; else none.
    """
    known = known_before or set()
    new = [
        r
        for r in records
        if r.id not in known and (r.created >= since if r.created is not None else known_before is not None)
    ]
    exact = next((r for r in new if r.caller and same_number(r.caller, caller)), None)
    if exact is not None:
        return exact, True
    return (new[0], False) if len(new) == 1 else (None, False)


def _fact(call: CallFact, record: TicketRecord) -> TicketFact:
    days = None
    if record.created is not None and record.deadline is not None:
        days = (record.deadline - record.created) / 86400
    return TicketFact(
        call_key=call.key,
        found=True,
        ticket_id=record.id,
        caller_number=record.caller,
        created_at=record.created,
        recording=record.recording,
        reply_deadline_days=days,
    )


async def _poll(
    search: Search, call: CallFact, *, bound_s: float, tolerance_s: float, known_before: set[str] | None
) -> TicketFact:
    caller = call.caller_number_sent or ""
    since = call.started_at - tolerance_s
    found: TicketRecord | None = None
    seen_at: float | None = None
    error: str | None = None
    try:
        async with asyncio.timeout(bound_s):
            while True:
                try:
                    records = await search(caller, since)
                    error = None
                except TicketFieldError as exc:
                    # The target file does not describe this answer: waiting will not fix it.
                    return TicketFact(call.key, False, None, None, None, None, None, error=exc.message)
                except AdapterError as exc:
                    error = exc.message
                    records = []
                if not error:
                    found, exact = pick_ticket(records, caller=caller, since=since, known_before=known_before)
                    if exact:
                        break
                    seen_at = (seen_at or time.monotonic()) if found is not None else None
                    if seen_at is not None and time.monotonic() - seen_at >= min(SETTLE_S, bound_s / 4):
                        break
                await asyncio.sleep(POLL_S)
    except TimeoutError:
        pass
    if found is not None:
        return _fact(call, found)
    return TicketFact(call.key, False, None, None, None, None, None, error=error)


async def ticket_facts(
    target: Target,
    call: CallFact | None,
    *,
    bound_s: float,
    tolerance_s: float,
    known_before: set[str] | None = None,
    console: ConsoleSession | None = None,
    store: RecordingStore | None = None,
) -> tuple[list[TicketFact], ComplaintBacklogFact | None]:
    """The complaint call's ticket fact and, where the system tells, the overdue backlog; the
    ticket's linked recording is listened to (:mod:`.ticketrec`, through ``store`` or
    ``console``).

    Empty for ``manual`` (the operator's answer makes the fact) and when there is no complaint
    call or system. A system that cannot be read within ``bound_s`` gives a fact with ``error``.
    """
    facts, backlog = await _ticket_facts(
        target, call, bound_s=bound_s, tolerance_s=tolerance_s, known_before=known_before, console=console
    )
    return [
        await verify_ticket_recording(f, call, target, store=store, console=console) for f in facts
    ], backlog


async def _ticket_facts(
    target: Target,
    call: CallFact | None,
    *,
    bound_s: float,
    tolerance_s: float,
    known_before: set[str] | None,
    console: ConsoleSession | None,
) -> tuple[list[TicketFact], ComplaintBacklogFact | None]:
    spec = target.complaints
    if spec is None or call is None:
        return [], None
    if isinstance(spec, DemoApiComplaints):
        facts, backlog = await complaints.ticket_facts(
            target, call, bound_s=bound_s, tolerance_s=tolerance_s, known_before=known_before
        )
        return [replace(f, via="api") for f in facts], backlog
    search = _search(target, console)
    if search is None:
        return [], None
    fact = await _poll(search, call, bound_s=bound_s, tolerance_s=tolerance_s, known_before=known_before)
    if console is None or not isinstance(spec, WebComplaints):
        return [replace(fact, via="api")], None
    fact = replace(fact, via="web")
    if fact.found and fact.ticket_id:
        try:
            shot = await show_ticket(
                console, call_key=call.key, caller=call.caller_number_sent or "", ticket_id=fact.ticket_id
            )
        except AdapterError:
            shot = None  # the failed step left its own screenshot; the ticket itself was read
        fact = replace(fact, screenshot=shot)
    return [fact], None
