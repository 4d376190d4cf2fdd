"""Queries: listing newest first, resolving run references, comparing two runs check by check."""

from __future__ import annotations

import pytest

from ccinspect.core.verdict import CheckResult, Verdict, aggregate
from ccinspect.store import AmbiguousRun, RunNotFound, RunRecorder, RunStore
from tests.store.samples import T0, call, check

P, F, E = Verdict.PASS, Verdict.FAIL, Verdict.ERROR


def _run(
    store: RunStore, run_id: str, start: float, target: str = "demo", checks: tuple[CheckResult, ...] = ()
) -> None:
    recorder = RunRecorder(store)
    recorder.start(run_id, target, "onsite-jiangsu", None, start)
    recorder.call(call("inbound-1", at=start))
    results = list(checks)
    recorder.checks(results, aggregate(c.verdict for c in results) if results else None)
    recorder.finish("complete", None, start + 60)


def test_list_runs_newest_first_with_limit_and_target(store: RunStore) -> None:
    """list_runs orders by start time, newest first, honours limit, and filters by target name."""
    _run(store, "20261201-090000-0001", T0)
    _run(store, "20261201-100000-0002", T0 + 3600, target="acme")
    _run(store, "20261201-110000-0003", T0 + 7200)
    assert [r.run_id for r in store.list_runs()] == [
        "20261201-110000-0003",
        "20261201-100000-0002",
        "20261201-090000-0001",
    ]
    assert [r.run_id for r in store.list_runs(limit=1)] == ["20261201-110000-0003"]
    assert [r.run_id for r in store.list_runs(target="acme")] == ["20261201-100000-0002"]
    assert store.list_runs()[0].calls == 1


def test_resolve_accepts_id_unique_prefix_and_latest(store: RunStore) -> None:
    """A run is named by its id, a unique prefix, or 'latest'; unknown and ambiguous refs are errors."""
    _run(store, "20261201-090000-0001", T0)
    _run(store, "20261201-090000-0002", T0 + 1)
    _run(store, "20261202-090000-0003", T0 + 2)
    assert store.resolve("20261201-090000-0001") == "20261201-090000-0001"
    assert store.resolve("20261202") == "20261202-090000-0003"
    assert store.resolve("latest") == "20261202-090000-0003"
    with pytest.raises(AmbiguousRun) as ambiguous:
        store.resolve("20261201-09")
    assert ambiguous.value.candidates == ("20261201-090000-0002", "20261201-090000-0001")
    with pytest.raises(RunNotFound):
        store.resolve("2025")
    with pytest.raises(RunNotFound):
        store.resolve("2026120_")  # LIKE wildcards in a prefix match only themselves


def test_latest_on_an_empty_store_says_what_to_do(store: RunStore) -> None:
    """'latest' with no runs is RunNotFound whose hint points at run and import."""
    with pytest.raises(RunNotFound) as caught:
        store.resolve("latest")
    assert "ccinspect import" in caught.value.hint


def test_compare_names_checks_that_changed_verdict(store: RunStore) -> None:
    """compare() lists checks whose verdict changed (with their subjects), those whose subjects moved
    under the same verdict, regressions, and the unchanged rest."""
    _run(
        store,
        "a",
        T0,
        checks=(
            check("seats.registered", ("seat 8001", P), ("seat 8002", P)),
            check("outbound.dnc", ("dnc-1", F)),
            check("recording.complete", ("inbound-1", F), ("inbound-2", P)),
            check("complaint.flow", ("complaint", P)),
            check("old.check", ("x", P)),
        ),
    )
    _run(
        store,
        "b",
        T0 + 10,
        checks=(
            check("seats.registered", ("seat 8001", P), ("seat 8002", F)),
            check("outbound.dnc", ("dnc-1", P)),
            check("recording.complete", ("inbound-1", P), ("inbound-2", F)),
            check("complaint.flow", ("complaint", P)),
            check("new.check", ("y", E)),
        ),
    )
    result = store.compare("a", "b")
    changed = {c.check_id: (c.before, c.after) for c in result.changed}
    assert changed == {
        "seats.registered": (P, F),
        "outbound.dnc": (F, P),
        "new.check": (None, E),
        "old.check": (P, None),
    }
    seats = next(c for c in result.changed if c.check_id == "seats.registered")
    assert [(s.subject, s.before, s.after) for s in seats.subjects] == [("seat 8002", P, F)]
    assert [c.check_id for c in result.shifted] == ["recording.complete"]
    # One rule for run comparison (core.verdict.regressed): a check new in the later run regresses
    # only when it FAILs, so the new ERROR is a change, not a regression.
    assert {c.check_id for c in result.regressions} == {"seats.registered"}
    assert result.unchanged == ("complaint.flow",)
    assert (result.overall_before, result.overall_after) == (F, F)
