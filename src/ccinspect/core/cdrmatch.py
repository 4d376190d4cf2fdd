"""Which of the platform's CDR rows is which test call (pure: no I/O, no clock).

The platform writes its own call detail records; the runner reads the rows of the run's window
(:mod:`ccinspect.platform.cdrsource`) and this module pairs them with the calls it placed:

* **time**: the row's start lies within the call's start … end, widened by a tolerance (the
  platform's clock and ours differ a little; a row written at answer time starts later);
* **numbers**: the row's ``src`` is the calling number the call sent (both absent counts), or,
  for calls a seat placed, the seat's id or SIP username or the number the carrier side was
  presented; the row's ``dst`` is the number dialled (or, for calls a seat answered, that seat);
* **agent**: a row naming an agent that is the seat that answered (or placed) the call.

Each candidate pair scores one point per matching side; pairs are taken best first (score, then
the smallest start-time difference), and each call gets at most one row and each row at most one
call, so two calls close in time never share a record.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from ccinspect.core.facts import CallFact, CdrFact, LegRole, is_trunk_side, seat_id_of
from ccinspect.core.numbers import NumberKind, coerce_number, same_number
from ccinspect.core.sipheaders import parse_sip_message

__all__ = [
    "DEFAULT_TOLERANCE_S",
    "CdrRecord",
    "awaiting",
    "cdr_facts",
    "cdr_window",
    "match_cdrs",
]

DEFAULT_TOLERANCE_S = 5.0
"""How far outside a call's start … end its CDR row may start (clock difference, set-up)."""


@dataclass(frozen=True, slots=True)
class CdrRecord:
    """One CDR row as read through the target's field map (``cdr.fields``).

    ``started_at`` is epoch seconds (None when the row has no readable time: it then matches no
    call); the other values are the platform's text, None when absent.
    """

    started_at: float | None
    src: str | None = None
    dst: str | None = None
    disposition: str | None = None
    screening: str | None = None
    recording: str | None = None
    record_id: str | None = None
    agent: str | None = None


@dataclass(frozen=True, slots=True)
class _Sides:
    """What a call's row may carry: calling identities, dialled identities, agents."""

    src_numbers: tuple[str, ...]
    src_names: frozenset[str]
    src_absent: bool
    dst_numbers: tuple[str, ...]
    dst_names: frozenset[str]
    agents: frozenset[str]


def _names(seat: str | None, seat_names: Mapping[str, Collection[str]]) -> frozenset[str]:
    if seat is None:
        return frozenset()
    return frozenset({seat, *seat_names.get(seat, ())})


def _presented(call: CallFact) -> tuple[str, ...]:
    """The numbers the carrier side was shown on a seat's call (From, then PAI)."""
    found: list[str] = []
    for leg in call.legs:
        if leg.role is LegRole.CALLEE and is_trunk_side(leg.agent) and leg.invite is not None:
            identity = parse_sip_message(leg.invite).identity()
            for addr in (identity.from_, *identity.pai):
                if addr is not None and addr.uri.number:
                    found.append(addr.uri.number)
    return tuple(found)


def _sides(call: CallFact, seat_names: Mapping[str, Collection[str]]) -> _Sides:
    caller = next((leg for leg in call.legs if leg.role is LegRole.CALLER), None)
    caller_seat = seat_id_of(caller.agent) if caller is not None else None
    callee_seats = [seat_id_of(leg.agent) for leg in call.legs if leg.role is LegRole.CALLEE and leg.answered]
    answered_seat = next((s for s in callee_seats if s is not None), None)
    sent = call.caller_number_sent
    src_numbers = tuple(n for n in (sent,) if n) + (_presented(call) if caller_seat else ())
    return _Sides(
        src_numbers=src_numbers,
        src_names=_names(caller_seat, seat_names),
        src_absent=sent is not None and coerce_number(sent).kind is NumberKind.ABSENT,
        dst_numbers=(call.requested_number,) if call.requested_number else (),
        dst_names=_names(answered_seat, seat_names),
        agents=_names(caller_seat, seat_names) | _names(answered_seat, seat_names),
    )


def _plain(value: str | None) -> str:
    return (value or "").strip()


def _score(sides: _Sides, row: CdrRecord) -> int:
    src, dst, agent = _plain(row.src), _plain(row.dst), _plain(row.agent)
    src_ok = (
        any(same_number(src, n) or src == n for n in sides.src_numbers)
        or src in sides.src_names
        or (sides.src_absent and coerce_number(src).kind is NumberKind.ABSENT)
    )
    dst_ok = bool(dst) and (
        any(same_number(dst, n) or dst == n for n in sides.dst_numbers) or dst in sides.dst_names
    )
    if not (src_ok or dst_ok):
        return 0
    return int(src_ok) + int(dst_ok) + int(bool(agent) and agent in sides.agents)


def _in_time(call: CallFact, row: CdrRecord, tolerance_s: float) -> bool:
    if row.started_at is None:
        return False
    end = call.ended_at if call.ended_at is not None else call.started_at
    return call.started_at - tolerance_s <= row.started_at <= max(end, call.started_at) + tolerance_s


def match_cdrs(
    calls: Sequence[CallFact],
    rows: Sequence[CdrRecord],
    *,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
    seat_names: Mapping[str, Collection[str]] | None = None,
) -> dict[str, CdrRecord]:
    """Each call's CDR row (call key → row), for the calls a row was found for.

    ``seat_names`` maps a seat id to the other names the platform may write for it (its SIP
    username, an extension). See the module docstring for the rules; the result never gives one
    row to two calls, and is the same whatever the order of ``rows``.
    """
    names = seat_names or {}
    candidates: list[tuple[int, float, int, int]] = []
    for ci, call in enumerate(calls):
        sides = _sides(call, names)
        for ri, row in enumerate(rows):
            if not _in_time(call, row, tolerance_s):
                continue
            score = _score(sides, row)
            if score:
                assert row.started_at is not None  # _in_time
                candidates.append((-score, abs(row.started_at - call.started_at), ci, ri))
    candidates.sort(key=lambda c: (c[0], c[1], c[2], _row_order(rows[c[3]]), c[3]))
    taken_calls: set[int] = set()
    taken_rows: set[int] = set()
    matched: dict[str, CdrRecord] = {}
    for _score_neg, _delta, ci, ri in candidates:
        if ci in taken_calls or ri in taken_rows:
            continue
        taken_calls.add(ci)
        taken_rows.add(ri)
        matched[calls[ci].key] = rows[ri]
    return matched


def _row_order(row: CdrRecord) -> tuple[str, str, str]:
    """A stable order between rows equally good for a call (so the input order does not matter)."""
    return (_plain(row.record_id), _plain(row.src), _plain(row.dst))


def cdr_window(
    calls: Sequence[CallFact], tolerance_s: float = DEFAULT_TOLERANCE_S
) -> tuple[float, float] | None:
    """The time window whose rows can match ``calls`` (None without calls)."""
    if not calls:
        return None
    start = min(c.started_at for c in calls) - tolerance_s
    end = max(max(c.started_at, c.ended_at or c.started_at) for c in calls) + tolerance_s
    return start, end


def awaiting(calls: Sequence[CallFact], matched: Mapping[str, CdrRecord]) -> tuple[CallFact, ...]:
    """The answered calls that have no row yet: the platform writes a CDR at hang-up at the
    latest, so their rows may still be on the way."""
    return tuple(
        c
        for c in calls
        if c.key not in matched and c.harness_error is None and any(leg.answered for leg in c.legs)
    )


def cdr_facts(
    calls: Sequence[CallFact], matched: Mapping[str, CdrRecord], *, missing: str
) -> tuple[CdrFact, ...]:
    """One :class:`CdrFact` per call: its row's values, or ``error`` = ``missing`` without one."""
    facts: list[CdrFact] = []
    for call in calls:
        row = matched.get(call.key)
        if row is None:
            facts.append(CdrFact(call.key, None, None, None, None, None, error=missing))
            continue
        facts.append(
            CdrFact(
                call.key,
                row.src,
                row.dst,
                row.disposition,
                row.screening,
                row.recording,
                started_at=row.started_at,
                record_id=row.record_id,
                agent=row.agent,
            )
        )
    return tuple(facts)
