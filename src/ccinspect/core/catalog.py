"""The catalogue of checks: every check ccinspect knows, in report order, and how to run them.

``CATALOG`` is what ``ccinspect checks`` lists (id, requirements, title, one-line description in
English and Chinese). :func:`run_checks` judges one run's facts with the selected checks; a check
not selected is reported as SKIP with that reason, so a report always shows the whole catalogue.
"""

from __future__ import annotations

from collections.abc import Collection

from ccinspect.core.checks import archive, audio, callerid, complaint, dnc, recording, screening, seats
from ccinspect.core.checks.base import Check, CheckContext
from ccinspect.core.facts import RunFacts
from ccinspect.core.verdict import CheckResult, Text, Verdict, aggregate

__all__ = ["CATALOG", "check_ids", "find_check", "overall", "run_checks"]

CATALOG: tuple[Check, ...] = (
    *seats.CHECKS,
    *callerid.CHECKS,
    *screening.CHECKS,
    *audio.CHECKS,
    *recording.CHECKS,
    *archive.CHECKS,
    *complaint.CHECKS,
    *dnc.CHECKS,
)

_BY_ID = {c.id: c for c in CATALOG}
if len(_BY_ID) != len(CATALOG):  # pragma: no cover - a programming error caught at import
    raise RuntimeError("duplicate check id in the catalogue")


def check_ids() -> tuple[str, ...]:
    """Every check id, in catalogue order."""
    return tuple(_BY_ID)


def find_check(check_id: str) -> Check | None:
    """The check with this id, or None."""
    return _BY_ID.get(check_id)


def run_checks(
    facts: RunFacts, ctx: CheckContext, selected: Collection[str] | None = None
) -> tuple[CheckResult, ...]:
    """Judge ``facts`` with every catalogue check, in catalogue order.

    Checks not in ``selected`` (None: all) are SKIP, "not selected by the scenario". A check that
    raises is a bug in ccinspect, not a finding: it becomes ERROR naming the exception, so one
    faulty check cannot hide the others' verdicts.
    """
    results: list[CheckResult] = []
    for check in CATALOG:
        if selected is not None and check.id not in selected:
            results.append(check.spec.skip(Text("not selected by the scenario", "场景未选择此项检查")))
            continue
        try:
            results.append(check(facts, ctx))
        except Exception as exc:  # noqa: BLE001 -- a check bug must not hide the other verdicts
            results.append(
                check.spec.error(
                    Text(
                        f"internal error in check {check.id}: {exc!r}",
                        f"检查 {check.id} 内部错误：{exc!r}",
                    )
                )
            )
    return tuple(results)


def overall(results: Collection[CheckResult]) -> Verdict:
    """The run's verdict: :func:`ccinspect.core.verdict.aggregate` of the checks' verdicts."""
    return aggregate(r.verdict for r in results)
