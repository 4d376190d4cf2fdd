"""Comparing two runs (pure): one rule for "worse" (:func:`ccinspect.core.verdict.regressed`).

:func:`diff_runs` is the detailed view (``ccinspect compare``, the nightly job's lines): every
check whose verdict changed, appeared or disappeared, with the subjects that changed.
:func:`compare` classifies the check-level verdicts of two runs for alerts:

Verdicts are ordered FAIL > ERROR > PASS > SKIP (:attr:`~ccinspect.core.verdict.Verdict.rank`).
Comparing the previous run's ``(check_id, verdict)`` pairs with the current run's:

* **regression**: the verdict rose in that order and is now FAIL or ERROR (PASS→FAIL,
  PASS→ERROR, ERROR→FAIL, SKIP→FAIL, SKIP→ERROR), or a check that did not exist before FAILs;
* **fix**: FAIL or ERROR before, PASS now;
* **unchanged**: the same verdict;
* **changed**: any other transition (FAIL→ERROR, PASS→SKIP, SKIP→PASS, FAIL→SKIP …): worth
  showing, not worth an alert;
* **added** / **removed**: checks only in the current / previous run (a new FAIL is a
  regression instead of added).

A check id listed twice in one run is combined with :func:`~ccinspect.core.verdict.aggregate`
(the worst verdict wins), so per-subject lists may be passed as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ccinspect.core.verdict import CheckResult, Verdict, aggregate, regressed

__all__ = [
    "Change",
    "CheckChange",
    "Comparison",
    "RunComparison",
    "SubjectChange",
    "compare",
    "diff_runs",
]


@dataclass(frozen=True, slots=True)
class Change:
    """One check's verdict in the previous and the current run (None: not in that run)."""

    check_id: str
    previous: Verdict | None
    current: Verdict | None


@dataclass(frozen=True, slots=True)
class Comparison:
    """Every check of either run in exactly one list, each sorted by check id."""

    regressions: tuple[Change, ...]
    fixes: tuple[Change, ...]
    unchanged: tuple[Change, ...]
    changed: tuple[Change, ...]
    added: tuple[Change, ...]
    removed: tuple[Change, ...]

    @property
    def regressed_ids(self) -> tuple[str, ...]:
        """The ids of the regressed checks."""
        return tuple(c.check_id for c in self.regressions)


_BAD = (Verdict.FAIL, Verdict.ERROR)


def _combined(pairs: Iterable[tuple[str, Verdict]]) -> dict[str, Verdict]:
    grouped: dict[str, list[Verdict]] = {}
    for check_id, verdict in pairs:
        if not isinstance(verdict, Verdict):
            raise TypeError(f"verdict of {check_id!r} must be a Verdict, got {verdict!r}")
        grouped.setdefault(check_id, []).append(verdict)
    return {check_id: aggregate(verdicts) for check_id, verdicts in grouped.items()}


def _kind(previous: Verdict | None, current: Verdict | None) -> str:
    if regressed(previous, current):
        return "regressions"
    if previous is None:
        return "added"
    if current is None:
        return "removed"
    if previous is current:
        return "unchanged"
    if previous in _BAD and current is Verdict.PASS:
        return "fixes"
    return "changed"


def compare(previous: Iterable[tuple[str, Verdict]], current: Iterable[tuple[str, Verdict]]) -> Comparison:
    """Classify every check of the two runs (see the module docstring)."""
    before, after = _combined(previous), _combined(current)
    lists: dict[str, list[Change]] = {
        k: [] for k in ("regressions", "fixes", "unchanged", "changed", "added", "removed")
    }
    for check_id in sorted(set(before) | set(after)):
        change = Change(check_id, before.get(check_id), after.get(check_id))
        lists[_kind(change.previous, change.current)].append(change)
    return Comparison(**{k: tuple(v) for k, v in lists.items()})


@dataclass(frozen=True, slots=True)
class SubjectChange:
    """One subject of a check whose verdict differs; None where the subject is absent."""

    subject: str
    before: Verdict | None
    after: Verdict | None


@dataclass(frozen=True, slots=True)
class CheckChange:
    """One check whose verdict differs between two runs; None where the check is absent."""

    check_id: str
    before: Verdict | None
    after: Verdict | None
    subjects: tuple[SubjectChange, ...]

    @property
    def regressed(self) -> bool:
        """True when the later run is worse (e.g. PASS → FAIL, or a check newly failing)."""
        return regressed(self.before, self.after)


@dataclass(frozen=True, slots=True)
class RunComparison:
    """How run ``run_b`` differs from run ``run_a`` check by check.

    ``changed`` lists the checks whose verdict changed, appeared or disappeared (in ``run_b``'s
    order, then those only in ``run_a``), each with its subjects whose verdict changed;
    ``shifted`` the checks whose verdict stayed the same while some subjects' verdicts changed
    (still FAIL, but another seat now fails); ``unchanged`` the ids of the others.
    ``overall_before`` / ``overall_after`` are the two runs' overall verdicts.
    """

    run_a: str
    run_b: str
    overall_before: Verdict | None
    overall_after: Verdict | None
    changed: tuple[CheckChange, ...]
    shifted: tuple[CheckChange, ...]
    unchanged: tuple[str, ...]

    @property
    def regressions(self) -> tuple[CheckChange, ...]:
        """The changes that made things worse."""
        return tuple(c for c in self.changed if c.regressed)


def diff_runs(
    before_checks: Sequence[CheckResult],
    after_checks: Sequence[CheckResult],
    *,
    run_a: str,
    run_b: str,
    overall_a: Verdict | None,
    overall_b: Verdict | None,
) -> RunComparison:
    """How run ``run_b`` differs from run ``run_a``, check by check and subject by subject."""
    before = {c.check_id: c for c in before_checks}
    after = {c.check_id: c for c in after_checks}
    order = list(after) + [cid for cid in before if cid not in after]
    changed: list[CheckChange] = []
    shifted: list[CheckChange] = []
    unchanged: list[str] = []
    for cid in order:
        old, new = before.get(cid), after.get(cid)
        old_v = old.verdict if old else None
        new_v = new.verdict if new else None
        change = CheckChange(cid, old_v, new_v, _subject_changes(old, new))
        if old_v is not new_v:
            changed.append(change)
        elif change.subjects:
            shifted.append(change)
        else:
            unchanged.append(cid)
    return RunComparison(run_a, run_b, overall_a, overall_b, tuple(changed), tuple(shifted), tuple(unchanged))


def _subject_changes(old: CheckResult | None, new: CheckResult | None) -> tuple[SubjectChange, ...]:
    before = {s.subject: s.verdict for s in (old.subjects if old else ())}
    after = {s.subject: s.verdict for s in (new.subjects if new else ())}
    names = list(after) + [n for n in before if n not in after]
    return tuple(
        SubjectChange(n, before.get(n), after.get(n)) for n in names if before.get(n) is not after.get(n)
    )
