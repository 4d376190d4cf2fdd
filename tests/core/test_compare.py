"""Regression comparison between two runs' verdicts (pure, known answers)."""

from __future__ import annotations

import pytest

from ccinspect.core.compare import Change, compare
from ccinspect.core.verdict import Verdict

P, F, E, S = Verdict.PASS, Verdict.FAIL, Verdict.ERROR, Verdict.SKIP


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        (P, F, "regressions"),
        (P, E, "regressions"),
        (E, F, "regressions"),
        (S, F, "regressions"),
        (S, E, "regressions"),
        (F, P, "fixes"),
        (E, P, "fixes"),
        (P, P, "unchanged"),
        (F, F, "unchanged"),
        (F, E, "changed"),
        (P, S, "changed"),
        (S, P, "changed"),
        (F, S, "changed"),
    ],
)
def test_each_transition_lands_in_one_list(before: Verdict, after: Verdict, kind: str) -> None:
    """Every verdict transition is classified by the FAIL > ERROR > PASS > SKIP order."""
    result = compare([("c", before)], [("c", after)])
    lists = {
        k: getattr(result, k) for k in ("regressions", "fixes", "unchanged", "changed", "added", "removed")
    }
    assert lists[kind] == (Change("c", before, after),)
    assert sum(len(v) for v in lists.values()) == 1


def test_new_fail_is_a_regression_new_pass_or_error_is_added() -> None:
    """A check absent before that FAILs now is a regression; a new PASS or ERROR is only added."""
    result = compare([], [("a", F), ("b", P), ("c", E)])
    assert result.regressions == (Change("a", None, F),)
    assert result.added == (Change("b", None, P), Change("c", None, E))
    assert result.regressed_ids == ("a",)


def test_checks_gone_from_the_current_run_are_removed() -> None:
    """A check only in the previous run is listed as removed, not as a fix."""
    assert compare([("gone", F)], []).removed == (Change("gone", F, None),)


def test_repeated_ids_take_the_worst_verdict_and_output_is_sorted() -> None:
    """Duplicate ids combine worst-first; every list is sorted by check id."""
    result = compare([("z", P), ("a", P), ("a", P)], [("z", P), ("z", F), ("a", E)])
    assert result.regressions == (Change("a", P, E), Change("z", P, F))


def test_a_verdict_that_is_not_a_verdict_is_rejected() -> None:
    """Strings are not silently compared as verdicts."""
    with pytest.raises(TypeError, match="'x'"):
        compare([("x", "pass")], [])  # type: ignore[list-item]
