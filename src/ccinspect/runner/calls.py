"""Placing the scenario's calls in batches and turning each batch into call facts.

A batch places its calls concurrently (each from its own originating agent), holds every
answered call for the scenario's hold time so fingerprints flow both ways, hangs up, then
collects the legs that arrived at our callee agents and links them to the calls that caused them.
Every wait is bounded; a cancelled batch hangs up what it started.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from ccinspect.core.facts import CallFact, CallPurpose, LegFact, LegRole
from ccinspect.core.rundoc import MediaRef
from ccinspect.core.scenario import PlannedCall
from ccinspect.runner.legs import Origin, analyse_leg, leg_fact, link_callee_legs
from ccinspect.sip import (
    Agent,
    CallerId,
    CallFailedError,
    CallHandle,
    CallRecord,
    CallState,
    CallTimeoutError,
    SipError,
)


@dataclass(frozen=True)
class CallSpec:
    """How to place one planned call: who dials, what identity it presents, how long it holds."""

    planned: PlannedCall
    origin: Agent
    caller_id: CallerId | None
    hold_s: float
    answer_timeout_s: float
    dtmf: str = ""
    dtmf_after_s: float = 0.0


@dataclass
class Placed:
    """What happened to one call we placed (before linking)."""

    spec: CallSpec
    stimulus: int | None
    started_at: float
    record: CallRecord | None = None
    failed_status: int | None = None
    failed_reason: str = ""
    harness_error: str | None = None
    ended_at: float | None = None


async def place(spec: CallSpec, stimulus: int) -> Placed:
    """Place one call, hold it, hang up; never raises for a platform's refusal (that is a fact)."""
    placed = Placed(spec=spec, stimulus=stimulus, started_at=time.time())
    handle: CallHandle | None = None
    try:
        handle = await spec.origin.call(
            spec.planned.dial,
            timeout=spec.answer_timeout_s,
            caller_id=spec.caller_id,
            stimulus_leg_id=stimulus,
        )
        if spec.dtmf:
            await asyncio.sleep(spec.dtmf_after_s)
            await handle.send_dtmf(spec.dtmf)
        await asyncio.sleep(spec.hold_s)
        placed.record = await handle.hangup()
    except CallTimeoutError as exc:
        placed.failed_status, placed.failed_reason = exc.status, "not answered in time"
        placed.record = exc.record
    except CallFailedError as exc:
        placed.failed_status, placed.failed_reason = exc.status, exc.reason or ""
        placed.record = exc.record
    except SipError as exc:
        placed.harness_error = f"{exc.message} / {exc.message_zh}"
    except asyncio.CancelledError:
        if handle is not None:
            handle.hangup_soon()
        raise
    placed.ended_at = time.time()
    return placed


async def drain_incoming(agents: Sequence[Agent], *, settle_s: float = 0.2) -> list[CallHandle]:
    """Every incoming leg waiting at ``agents`` (each waits ``settle_s`` for a late one)."""

    async def one(agent: Agent) -> list[CallHandle]:
        handles: list[CallHandle] = []
        while True:
            try:
                handles.append(await agent.next_incoming(timeout=settle_s))
            except SipError:
                return handles

    found = await asyncio.gather(*(one(a) for a in agents))
    return [h for group in found for h in group]


async def _sealed(handle: CallHandle, bound: float) -> CallRecord | None:
    try:
        return await handle.wait_disconnected(timeout=bound)
    except SipError:
        handle.hangup_soon()
        try:
            return await handle.wait_disconnected(timeout=3)
        except SipError:
            return None


def leg_media(records: Sequence[tuple[CallRecord, LegRole]]) -> list[MediaRef]:
    return [
        MediaRef(r.agent, role.value, str(r.recording) if r.recording else None, r.stimulus_leg_id)
        for r, role in records
    ]


async def run_batch(
    specs: Sequence[CallSpec],
    *,
    callee_agents: Sequence[Agent],
    next_stimulus: Callable[[], int],
    link_by: str,
    on_call: Callable[[CallFact, list[MediaRef]], Awaitable[None]] | None = None,
) -> tuple[list[CallFact], list[CallRecord]]:
    """Place ``specs`` concurrently; return their facts and the callee legs nobody claimed.

    ``link_by`` is "from" (calls into the platform: the seat saw the caller's number) or "ruri"
    (calls out of it: the trunk saw the dialled number).
    """
    # Legs that arrived after an earlier batch was collected belong to no call of this one, but
    # they are evidence (e.g. an INVITE that reached the trunk late): they are returned unclaimed.
    late = await drain_incoming(callee_agents, settle_s=0.05)
    placed = await asyncio.gather(*(place(spec, next_stimulus()) for spec in specs))
    handles = await drain_incoming(callee_agents)
    late_records = [r for r in await asyncio.gather(*(_sealed(h, 10.0) for h in late)) if r is not None]
    records = [r for r in await asyncio.gather(*(_sealed(h, 10.0) for h in handles)) if r is not None]
    origins = [
        Origin(
            p.spec.planned.key,
            p.stimulus,
            p.spec.planned.caller if link_by == "from" else p.spec.planned.dial,
            p.started_at,
        )
        for p in placed
    ]
    links = await link_callee_legs(records, origins, number_of=link_by)
    callee_by_key: dict[str, list[CallRecord]] = {}
    unclaimed: list[CallRecord] = list(late_records)
    for i, record in enumerate(records):
        key = links.get(i)
        (callee_by_key.setdefault(key, []) if key else unclaimed).append(record)
    facts: list[CallFact] = []
    for p in placed:
        callees = callee_by_key.get(p.spec.planned.key, [])
        fact = await call_fact(p, callees)
        facts.append(fact)
        if on_call is not None:
            mine = ([(p.record, LegRole.CALLER)] if p.record is not None else []) + [
                (c, LegRole.CALLEE) for c in callees
            ]
            await on_call(fact, leg_media(mine))
    return facts, unclaimed


def _connected_s(record: CallRecord) -> float:
    """How long a leg stayed connected (0 if it never was)."""
    states = [c for c in record.timeline if c.state is CallState.CONFIRMED]
    if not states:
        return 0.0
    return record.timeline[-1].at.monotonic - states[0].at.monotonic


def taking_leg(callees: Sequence[CallRecord]) -> CallRecord | None:
    """The callee leg that took the call: of those that answered, the one connected longest (a
    queue ringing several seats keeps one and hangs up on the others that answered too)."""
    answered = [c for c in callees if c.answered]
    return max(answered, key=_connected_s, default=None)


async def call_fact(p: Placed, callees: Sequence[CallRecord]) -> CallFact:
    """The fact of one placed call with its linked callee legs, audio analysed both ways."""
    legs: list[LegFact] = []
    answered_callee = taking_leg(callees)
    if p.record is not None:
        far = answered_callee.stimulus_leg_id if answered_callee is not None else None
        legs.append(leg_fact(p.record, LegRole.CALLER, audio=await analyse_leg(p.record, far)))
    for callee in callees:
        far = p.stimulus if callee is answered_callee else None
        legs.append(leg_fact(callee, LegRole.CALLEE, audio=await analyse_leg(callee, far)))
    harness = p.harness_error
    if p.record is None and harness is None and p.failed_status is None:
        harness = "the call left no record / 呼叫未留下记录"
    if p.record is None and p.failed_status is not None:
        # The engine refused or timed out without a sealed leg: keep the status as a leg fact.
        legs.insert(
            0,
            LegFact(
                agent=p.spec.origin.name,
                role=LegRole.CALLER,
                sip_call_id="",
                final_status=p.failed_status,
                final_reason=p.failed_reason,
                answered=False,
                connected_at=None,
                disconnected_at=None,
                invite=None,
            ),
        )
    return CallFact(
        key=p.spec.planned.key,
        purpose=p.spec.planned.purpose,
        legs=tuple(legs),
        requested_number=p.spec.planned.dial,
        caller_number_sent=p.spec.planned.caller,
        started_at=p.started_at,
        ended_at=p.ended_at,
        harness_error=harness,
    )


def not_placed(planned: PlannedCall, cause: str) -> CallFact:
    """The fact of a call that could not be placed at all (``cause`` says why)."""
    now = time.time()
    return CallFact(
        planned.key, planned.purpose, (), planned.dial, planned.caller, now, now, harness_error=cause
    )


def purpose_batches(
    planned: Sequence[PlannedCall], purpose: CallPurpose, size: int
) -> list[list[PlannedCall]]:
    """The planned calls of one purpose, split into batches of at most ``size``."""
    calls = [c for c in planned if c.purpose is purpose]
    step = max(1, size)
    return [calls[i : i + step] for i in range(0, len(calls), step)]
