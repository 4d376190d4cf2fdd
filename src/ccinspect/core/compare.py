"""Regressions between two runs: which checks got worse, which were fixed (pure).

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

from collections.abc import Iterable
from dataclasses import dataclass

from ccinspect.core.verdict import Verdict, aggregate, regressed

__all__ = ["Change", "Comparison", "compare"]


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
