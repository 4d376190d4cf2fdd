"""Designated answering without a PBX: batches, bounds and who is told to answer."""

from __future__ import annotations

from typing import Any, cast

from ccinspect.core.facts import CallPurpose
from ccinspect.core.scenario import PlannedCall
from ccinspect.runner.answering import answer_bound, call_batches, designation
from ccinspect.sip import Agent


def _inbound(i: int, seat: str | None) -> PlannedCall:
    return PlannedCall(f"inbound-{i}", CallPurpose.INBOUND, None, "950512", "13800138000", designated=seat)


class _Seat:
    """Records what it was told (the only thing designation() calls)."""

    def __init__(self) -> None:
        self.told: list[tuple[bool | None, int | None]] = []

    def designate(self, answers: bool | None, *, decline: int | None = None) -> None:
        self.told.append((answers, decline))


def test_designated_calls_go_one_at_a_time_and_others_stay_batched() -> None:
    """Designated inbound calls are placed alone; undesignated ones keep their batches."""
    plan = [_inbound(i, f"800{i}") for i in range(1, 4)] + [
        PlannedCall(f"screen-{i}", CallPurpose.SCREENING, None, "950512", "12345") for i in range(1, 4)
    ]
    assert [[c.key for c in b] for b in call_batches(plan, CallPurpose.INBOUND, 5)] == [
        ["inbound-1"],
        ["inbound-2"],
        ["inbound-3"],
    ]
    assert [len(b) for b in call_batches(plan, CallPurpose.SCREENING, 5)] == [3]


def test_answer_bound_grows_by_a_ring_timeout_per_other_seat() -> None:
    """A designated call may wait for the platform to try every other seat first."""
    assert answer_bound(25.0, _inbound(1, "8001"), ring_timeout_s=8.0, seats=5) == 57.0
    assert answer_bound(25.0, _inbound(1, None), ring_timeout_s=8.0, seats=5) == 25.0


def test_only_the_designated_seat_answers_and_all_are_reset() -> None:
    """The designated seat is told to answer, the others to ring (or decline); afterwards all
    go back to normal, also when the batch fails."""
    seats = {s: _Seat() for s in ("8001", "8002", "8003")}
    agents = cast(dict[str, Agent], seats)
    try:
        with designation(agents, [_inbound(1, "8002")], decline=603) as chosen:
            assert chosen == "8002"
            raise RuntimeError("batch failed")
    except RuntimeError:
        pass
    assert seats["8002"].told == [(True, 603), (None, None)]
    assert seats["8001"].told == [(False, 603), (None, None)]


def test_an_unregistered_designated_seat_leaves_answering_as_usual() -> None:
    """When the designated seat is not registered, no seat is held back."""
    seats: dict[str, Any] = {"8001": _Seat()}
    with designation(seats, [_inbound(1, "8005")], decline=None) as chosen:
        assert chosen is None
    assert seats["8001"].told == []
