"""Who answers an inbound test call: the designated seat, as on site, or whichever seat is first.

On site the inspector asks each agent in turn to take a call over the trunk. In ``designated``
mode (the default; scenario ``inbound.answer``) each inbound call names the seat that must
answer it: the calls go one at a time, that seat answers, the other seats let it ring (or decline
it with the scenario's status), so a queue that rings everyone at once cannot make one quick seat
take every call. The platform may ring the designated seat only after the others timed out, so
the answer bound grows by the target's ``sip.ring_timeout_s`` for every other seat.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence

from ccinspect.core.facts import CallPurpose
from ccinspect.core.scenario import PlannedCall
from ccinspect.runner.calls import purpose_batches
from ccinspect.sip import Agent

__all__ = ["answer_bound", "call_batches", "designation"]


def call_batches(plan: Sequence[PlannedCall], purpose: CallPurpose, size: int) -> list[list[PlannedCall]]:
    """The calls of ``purpose`` in batches of at most ``size``; a designated call goes alone
    (only one call may be ringing when a seat is told "this one is yours")."""
    batches: list[list[PlannedCall]] = []
    for batch in purpose_batches(plan, purpose, size):
        if any(c.designated is not None for c in batch):
            batches.extend([c] for c in batch)
        else:
            batches.append(batch)
    return batches


@contextlib.contextmanager
def designation(
    seats: Mapping[str, Agent], batch: Sequence[PlannedCall], *, decline: int | None
) -> Iterator[str | None]:
    """While placing ``batch``: its designated seat answers, the other seats let the call ring
    (or decline it); yields the designated seat id, or None when the batch designates no
    registered seat (then every seat answers as usual). Seats are back to normal afterwards."""
    wanted = {c.designated for c in batch if c.designated is not None}
    chosen = next((s for s in wanted if s in seats), None)
    if chosen is None:
        yield None
        return
    for seat_id, seat in seats.items():
        seat.designate(seat_id == chosen, decline=decline)
    try:
        yield chosen
    finally:
        for seat in seats.values():
            seat.designate(None)


def answer_bound(base_s: float, planned: PlannedCall, *, ring_timeout_s: float, seats: int) -> float:
    """How long a call may take to be answered: ``base_s``, plus for a designated call one ring
    timeout of the platform for each other seat it may try first."""
    if planned.designated is None:
        return base_s
    return base_s + ring_timeout_s * max(0, seats - 1)
