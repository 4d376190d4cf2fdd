"""Joining a scenario and a target: the checks' policy, and the calls the scenario asks for.

* :func:`build_context` → :class:`CheckContext`. Mistakes only visible when both files are read
  together (a seat the target lacks, a selected check whose inputs are missing, a plan larger
  than ``max_calls``) raise :class:`ScenarioFileError` naming the file and key to fix.
* :func:`plan_calls` → the calls a run places, in order, with their keys. The runner follows it,
  so that facts and policy agree on what was tested.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import cycle, islice

from ccinspect.core.checks.base import CheckContext, ScreeningExpectation, SeatRef
from ccinspect.core.facts import CallPurpose, RecordingSource
from ccinspect.core.numberplan import dial_forms
from ccinspect.core.numbers import ScreeningAction, ScreeningPolicy, same_number, screen_inbound
from ccinspect.core.scenario.errors import ScenarioFileError, did_you_mean
from ccinspect.core.scenario.observe import screening_observations
from ccinspect.core.scenario.script import Scenario, ScreeningCase
from ccinspect.core.scenario.sources import SqlRecordings
from ccinspect.core.scenario.target import SeatSpec, SimulatedTrunk, Target
from ccinspect.core.verdict import Text

__all__ = ["PlannedCall", "build_context", "plan_calls"]


@dataclass(frozen=True, slots=True)
class PlannedCall:
    """One call a run places.

    ``key`` becomes :attr:`CallFact.key`; ``seat`` is the seat id placing it (None when the trunk
    side calls); ``dial`` the number dialled; ``caller`` the calling number the originator
    presents (the injected caller on trunk-side calls, the forged number on forged calls; None:
    the agent's own identity); ``designated`` the seat asked to answer an inbound call.
    """

    key: str
    purpose: CallPurpose
    seat: str | None
    dial: str
    caller: str | None
    #: The seat asked to answer this (inbound) call; the others let it ring. None: any seat.
    designated: str | None = None


def _seats(scenario: Scenario, target: Target) -> tuple[SeatSpec, ...]:
    by_id = {s.id: s for s in target.seats}
    if scenario.seats is None:
        return tuple(target.seats)
    chosen: list[SeatSpec] = []
    for i, seat_id in enumerate(scenario.seats):
        if seat_id not in by_id:
            raise ScenarioFileError(
                scenario.source,
                f"seats[{i}]",
                Text(
                    f"seat {seat_id!r} is not in target {target.source}",
                    f"坐席 {seat_id!r} 不在目标文件 {target.source} 中",
                ),
                did_you_mean(seat_id, list(by_id)),
            )
        chosen.append(by_id[seat_id])
    return tuple(chosen)


def _dnc_numbers(scenario: Scenario, target: Target) -> tuple[str, ...]:
    if scenario.dnc.numbers is None:
        return tuple(target.numbers.do_not_call)
    listed = target.numbers.do_not_call
    for i, number in enumerate(scenario.dnc.numbers):
        if not any(same_number(number, n) for n in listed):
            raise ScenarioFileError(
                scenario.source,
                f"dnc.numbers[{i}]",
                Text(
                    f"{number} is not on the target's do-not-call list (numbers.do_not_call)",
                    f"{number} 不在目标文件的拒绝呼叫名单（numbers.do_not_call）中",
                ),
                ", ".join(listed) or "(the target's list is empty)",
            )
    return tuple(scenario.dnc.numbers)


def _require_inputs(scenario: Scenario, target: Target, selected: set[str]) -> None:
    """Raise when a selected check lacks what it needs from either file."""
    s, t = scenario.source, target.source
    inbound, outbound = scenario.inbound is not None, scenario.outbound is not None
    recordings = target.recordings is not None
    numbers = target.numbers
    needs: list[tuple[str, bool, str, str]] = [
        ("inbound.each_seat", inbound, s, "inbound"),
        ("callerid.inbound_passthrough", inbound, s, "inbound"),
        ("outbound.each_seat", outbound, s, "outbound"),
        ("callerid.outbound_allocated", outbound, s, "outbound"),
        ("callerid.screening", bool(scenario.screening.cases), s, "screening.cases"),
        ("outbound.dnc", bool(_dnc_numbers(scenario, target)), t, "numbers.do_not_call"),
        ("complaint.flow", target.complaints is not None, t, "complaints"),
        ("complaint.flow", numbers.complaint_number is not None, t, "numbers.complaint_number"),
        *((c, recordings, t, "recordings") for c in sorted(selected) if c.startswith("recording.")),
    ]
    for check_id, present, file, key in needs:
        if check_id in selected and not present:
            raise ScenarioFileError(
                file,
                key,
                Text(
                    f"check {check_id} is selected but {key} is missing or empty",
                    f"已选择检查项 {check_id}，但 {key} 缺失或为空",
                ),
                f"fill in {key}, or list {check_id} under checks.exclude in {s}",
            )
    if scenario.inbound is not None and scenario.inbound.dial == "fixed_line" and not numbers.fixed_line:
        raise ScenarioFileError(
            t,
            "numbers.fixed_line",
            Text(
                "inbound.dial is fixed_line but the target has no fixed line",
                "inbound.dial 为 fixed_line，但目标文件没有固定电话号码",
            ),
            "numbers.fixed_line, or inbound.dial: access_number",
        )


def _check_reject_cases(scenario: Scenario, target: Target) -> None:
    """A case expected to be refused must be on the target's blacklist, or it proves nothing."""
    blacklist = target.numbers.blacklisted_callers
    for i, case in enumerate(scenario.screening.cases):
        if case.expect == "reject" and not any(same_number(case.number, b) for b in blacklist):
            raise ScenarioFileError(
                scenario.source,
                f"screening.cases[{i}].number",
                Text(
                    f"{case.number or '(no number)'} is expected to be refused but is not on the "
                    f"target's blacklist (numbers.blacklisted_callers in {target.source})",
                    f"{case.number or '（无号码）'} 预期被拒绝，但不在目标文件的黑名单"
                    "（numbers.blacklisted_callers）中",
                ),
                ", ".join(blacklist) or "(the target's blacklist is empty)",
            )


def _expectation(case: ScreeningCase, blacklist: tuple[str, ...]) -> ScreeningExpectation:
    if case.expect is None:
        derived = screen_inbound(case.number, ScreeningPolicy(blacklist=frozenset(blacklist)))
        tokens = () if derived.action is ScreeningAction.PASS else (derived.header_value,)
        return ScreeningExpectation(case.number, derived.action, frozenset(tokens))
    return ScreeningExpectation(case.number, ScreeningAction(case.expect), frozenset(case.reasons))


def _screening_numbers(scenario: Scenario, target: Target) -> list[str]:
    """The numbers the screening calls present: every case's, then the other written forms
    (``screening.reject_forms``) of each case the platform must refuse."""
    cases = scenario.screening.cases
    numbers = [case.number for case in cases]
    blacklist = target.numbers.blacklisted_callers
    for case in cases:
        if _expectation(case, blacklist).action is not ScreeningAction.REJECT:
            continue
        for _, text in dial_forms(case.number, scenario.screening.reject_forms):
            if text not in numbers:
                numbers.append(text)
    return numbers


def plan_calls(scenario: Scenario, target: Target) -> tuple[PlannedCall, ...]:
    """The calls a run places, in order.

    * ``inbound-1`` … ``inbound-N``: the trunk side dials ``inbound.dial`` once per seat, callers
      taken from ``inbound.callers`` in turn (which seat answers is the platform's choice).
    * ``outbound-<seat>``: each seat dials ``outbound.destinations`` in turn (in public-line mode
      the destination is the public line's number).
    * ``forged-1`` …: seats in turn dial the first destination presenting each forged caller ID.
    * ``screen-1`` …: the trunk dials the access number once per screening case, then once per
      other written form (``screening.reject_forms``) of each case that must be refused.
    * ``dnc-1`` …: seats in turn dial each do-not-call number in each of ``dnc.forms`` it has
      (national, +86, 0086, a fixed line without its 0; only when ``outbound.dnc`` runs).
    * ``complaint``: the trunk side dials the complaint number (only when ``complaint.flow`` runs),
      presenting ``complaint.caller`` (default: the first inbound caller).
    """
    seats = [s.id for s in _seats(scenario, target)]
    selected = set(scenario.selected_checks())
    numbers = target.numbers
    public = None if isinstance(target.trunk, SimulatedTrunk) else target.trunk.public_number
    calls: list[PlannedCall] = []
    if scenario.inbound is not None:
        dial = numbers.fixed_line if scenario.inbound.dial == "fixed_line" else None
        callers = islice(cycle(scenario.inbound.callers), len(seats))
        designated = scenario.inbound.answer == "designated"
        for i, (caller, seat) in enumerate(zip(callers, seats, strict=False), 1):
            calls.append(
                PlannedCall(
                    f"inbound-{i}",
                    CallPurpose.INBOUND,
                    None,
                    dial or numbers.access_number,
                    caller,
                    designated=seat if designated else None,
                )
            )
    if scenario.outbound is not None:
        dests = cycle([public] if public else scenario.outbound.destinations)
        for seat, dest in zip(seats, dests, strict=False):
            calls.append(PlannedCall(f"outbound-{seat}", CallPurpose.OUTBOUND, seat, dest, None))
        first = public or scenario.outbound.destinations[0]
        for i, (forged, seat) in enumerate(
            zip(scenario.outbound.forged_caller_ids, cycle(seats), strict=False), 1
        ):
            calls.append(PlannedCall(f"forged-{i}", CallPurpose.FORGED_CALLER_ID, seat, first, forged))
    for i, number in enumerate(_screening_numbers(scenario, target), 1):
        calls.append(PlannedCall(f"screen-{i}", CallPurpose.SCREENING, None, numbers.access_number, number))
    if "outbound.dnc" in selected:
        dials = [
            text for n in _dnc_numbers(scenario, target) for _, text in dial_forms(n, scenario.dnc.forms)
        ]
        for i, (number, seat) in enumerate(zip(dials, cycle(seats), strict=False), 1):
            calls.append(PlannedCall(f"dnc-{i}", CallPurpose.DNC, seat, number, None))
    if "complaint.flow" in selected and numbers.complaint_number is not None:
        first_caller = scenario.inbound.callers[0] if scenario.inbound is not None else None
        complaint_caller = public or scenario.complaint.caller or first_caller
        calls.append(
            PlannedCall("complaint", CallPurpose.COMPLAINT, None, numbers.complaint_number, complaint_caller)
        )
    return tuple(calls)


def _interface(target: Target) -> RecordingSource | None:
    """How recordings are fetched: a ``sql`` lookup fetches from its ``root`` directory or over
    its ``download`` URL, so it is judged as a directory or an HTTP interface."""
    rec = target.recordings
    if rec is None:
        return None
    if isinstance(rec, SqlRecordings):
        return RecordingSource.DIRECTORY if rec.root else RecordingSource.HTTP
    return RecordingSource(rec.kind)


def build_context(scenario: Scenario, target: Target) -> CheckContext:
    """The checks' policy from a scenario and a target; raise :class:`ScenarioFileError`.

    Raises when a scenario seat is not in the target, a selected check lacks its inputs (e.g.
    ``callerid.screening`` without ``screening.cases``, ``complaint.flow`` without a complaints
    section), a DNC number to dial is not on the target's list, a screening case expected to be
    refused is not on the target's blacklist, or the plan exceeds ``max_calls``.
    """
    seats = _seats(scenario, target)
    selected = set(scenario.selected_checks())
    _require_inputs(scenario, target, selected)
    _check_reject_cases(scenario, target)
    planned = plan_calls(scenario, target)
    if scenario.max_calls is not None and len(planned) > scenario.max_calls:
        raise ScenarioFileError(
            scenario.source,
            "max_calls",
            Text(
                f"the scenario would place {len(planned)} calls, more than max_calls ({scenario.max_calls})",
                f"该场景将发起 {len(planned)} 通呼叫，超过 max_calls（{scenario.max_calls}）",
            ),
            "fewer seats, callers, forged caller IDs or screening cases, or a larger max_calls",
        )
    numbers = target.numbers
    rec = target.recordings
    return CheckContext(
        seats=tuple(SeatRef(s.id, s.username, s.display_name) for s in seats),
        min_seats=scenario.min_seats,
        access_number=numbers.access_number,
        complaint_number=numbers.complaint_number,
        fixed_line=numbers.fixed_line,
        allocated=frozenset(numbers.allocated),
        allow_95_outbound=numbers.allow_95_outbound,
        blacklist=frozenset(numbers.blacklisted_callers),
        do_not_call=frozenset(numbers.do_not_call),
        dnc_tested=_dnc_numbers(scenario, target) if "outbound.dnc" in selected else (),
        screening=tuple(_expectation(c, numbers.blacklisted_callers) for c in scenario.screening.cases),
        screening_observe=screening_observations(target),
        forged_caller_ids=tuple(scenario.outbound.forged_caller_ids) if scenario.outbound else (),
        require_pai=scenario.caller_id.require_pai,
        recording_tolerance_s=scenario.recording.tolerance_s,
        recording_exclude=frozenset(scenario.recording.exclude_purposes),
        recording_interface=_interface(target),
        recording_stereo=(rec.stereo.left, rec.stereo.right) if rec is not None and rec.stereo else None,
        retention_days=scenario.retention.days,
        complaint_reply_days=scenario.complaint.reply_days,
        complaint_time_tolerance_s=scenario.complaint.time_tolerance_s,
    )
