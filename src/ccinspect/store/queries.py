"""Reading the run store: lists, one run in detail, run references, comparisons. Sessions in, dataclasses out.

A ``running`` run is reported as ``interrupted`` once its recorder is known to be gone
(:func:`effective_status`); nothing here writes.
"""

from __future__ import annotations

import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ccinspect.core.compare import RunComparison, diff_runs
from ccinspect.core.facts import CallFact, RecordingFact
from ccinspect.core.rundoc import RunStatus
from ccinspect.core.verdict import CheckResult, Verdict
from ccinspect.store.errors import AmbiguousRun, RunNotFound
from ccinspect.store.liveness import liveness
from ccinspect.store.mapping import call_fact, call_summary, check_result, recording_fact
from ccinspect.store.models import CallRow, CheckRow, LegRow, RecordingRow, RunRow
from ccinspect.store.results import (
    EvidenceFile,
    Liveness,
    RunDetail,
    RunSummary,
)

#: A run recorded on another host is taken as interrupted when nothing was recorded for this long.
STALE_AFTER_S = 3600.0
LATEST = "latest"


def is_stale(row: RunRow, *, older_than_s: float = STALE_AFTER_S, now: float | None = None) -> bool:
    """True for a ``running`` run whose recorder is gone.

    Gone means: on this host, the recording process no longer exists (or its pid now belongs to
    another process), or no process was ever recorded (an imported run); on another host, which
    cannot be checked from here, nothing was recorded for ``older_than_s`` seconds.
    """
    if row.status is not RunStatus.RUNNING:
        return False
    state = liveness(row.recorder_host, row.recorder_pid, row.recorder_started)
    if state is Liveness.GONE:
        return True
    if state is Liveness.UNKNOWN:
        return (now if now is not None else time.time()) - row.updated_at >= older_than_s
    return False


def effective_status(row: RunRow) -> RunStatus:
    """The stored status, with a stale ``running`` run reported as ``interrupted``."""
    return RunStatus.INTERRUPTED if is_stale(row) else row.status


def _counts(session: Session, run_pks: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    if not run_pks:
        return {}, {}
    calls = {
        pk: n
        for pk, n in session.execute(
            select(CallRow.run_pk, func.count()).where(CallRow.run_pk.in_(run_pks)).group_by(CallRow.run_pk)
        )
    }
    failed = {
        pk: n
        for pk, n in session.execute(
            select(CheckRow.run_pk, func.count())
            .where(CheckRow.run_pk.in_(run_pks), CheckRow.verdict == Verdict.FAIL)
            .group_by(CheckRow.run_pk)
        )
    }
    return calls, failed


def summary(row: RunRow, calls: int, checks_failed: int) -> RunSummary:
    """A run row as a :class:`RunSummary` (status made effective)."""
    return RunSummary(
        run_id=row.run_id,
        status=effective_status(row),
        stored_status=row.status,
        started_at=row.started_at,
        finished_at=row.finished_at,
        updated_at=row.updated_at,
        target=row.target,
        scenario=row.scenario,
        overall=row.overall,
        ccinspect_version=row.ccinspect_version,
        run_dir=row.run_dir,
        bundle_sha256=row.bundle_sha256,
        bundle_path=row.bundle_path,
        error=row.error,
        recorder_host=row.recorder_host,
        recorder_pid=row.recorder_pid,
        calls=calls,
        checks_failed=checks_failed,
    )


def list_runs(session: Session, limit: int, target: str | None) -> tuple[RunSummary, ...]:
    """Up to ``limit`` runs, newest first (by start time, then run id), of ``target`` if given."""
    stmt = select(RunRow).order_by(RunRow.started_at.desc(), RunRow.run_id.desc()).limit(max(limit, 0))
    if target is not None:
        stmt = stmt.where(RunRow.target == target)
    rows = session.scalars(stmt).all()
    calls, failed = _counts(session, [r.id for r in rows])
    return tuple(summary(r, calls.get(r.id, 0), failed.get(r.id, 0)) for r in rows)


def run_row(session: Session, run_id: str) -> RunRow:
    """The row of run ``run_id`` (exact id); raises :class:`RunNotFound`."""
    row = session.scalar(select(RunRow).where(RunRow.run_id == run_id))
    if row is None:
        raise RunNotFound(
            f"no run {run_id!r} in the run store",
            f"运行记录库中没有运行 {run_id!r}",
            hint="list the runs with `ccinspect runs`, or load a run directory with `ccinspect import DIR`",
        )
    return row


def resolve(session: Session, ref: str) -> str:
    """The run id ``ref`` designates: an exact id, a unique prefix, or ``latest`` (newest start).

    Raises :class:`RunNotFound` or :class:`AmbiguousRun`.
    """
    if ref == LATEST:
        newest = session.scalar(
            select(RunRow.run_id).order_by(RunRow.started_at.desc(), RunRow.run_id.desc())
        )
        if newest is None:
            raise RunNotFound(
                "the run store holds no runs yet",
                "运行记录库中还没有任何运行",
                hint="run `ccinspect run`, or load an existing run directory with `ccinspect import DIR`",
            )
        return newest
    if session.scalar(select(RunRow.run_id).where(RunRow.run_id == ref)) is not None:
        return ref
    escaped = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    matches = session.scalars(
        select(RunRow.run_id)
        .where(RunRow.run_id.like(escaped + "%", escape="\\"))
        .order_by(RunRow.started_at.desc(), RunRow.run_id.desc())
    ).all()
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise AmbiguousRun(ref, tuple(matches))
    raise RunNotFound(
        f"no run id starts with {ref!r}",
        f"没有以 {ref!r} 开头的运行编号",
        hint="list the runs with `ccinspect runs`",
    )


def _checks(session: Session, run_pk: int) -> tuple[CheckResult, ...]:
    rows = session.scalars(
        select(CheckRow)
        .where(CheckRow.run_pk == run_pk)
        .order_by(CheckRow.position)
        .options(selectinload(CheckRow.subjects))
    ).all()
    return tuple(check_result(r) for r in rows)


def _call_rows(session: Session, run_pk: int) -> list[CallRow]:
    return list(
        session.scalars(
            select(CallRow)
            .where(CallRow.run_pk == run_pk)
            .order_by(CallRow.position)
            .options(selectinload(CallRow.legs).selectinload(LegRow.messages))
        ).all()
    )


def get_run(session: Session, run_id: str) -> RunDetail:
    """Run ``run_id`` with its checks and subjects, its calls summarised, and its evidence files."""
    row = run_row(session, run_id)
    calls = _call_rows(session, row.id)
    checks = _checks(session, row.id)
    recordings = session.scalar(select(func.count()).where(RecordingRow.run_pk == row.id)) or 0
    failed = sum(1 for c in checks if c.verdict is Verdict.FAIL)
    return RunDetail(
        run=summary(row, len(calls), failed),
        checks=checks,
        calls=tuple(call_summary(c) for c in calls),
        recordings=recordings,
        evidence=tuple(EvidenceFile(e.path, e.size, e.sha256) for e in row.evidence),
    )


def get_calls(session: Session, run_id: str) -> tuple[CallFact, ...]:
    """Every call of run ``run_id`` as the :class:`CallFact` recorded, in recording order."""
    return tuple(call_fact(c) for c in _call_rows(session, run_row(session, run_id).id))


def get_recordings(session: Session, run_id: str) -> tuple[RecordingFact, ...]:
    """The recording facts of run ``run_id``, in recording order."""
    row = run_row(session, run_id)
    rows = session.scalars(
        select(RecordingRow).where(RecordingRow.run_pk == row.id).order_by(RecordingRow.position)
    ).all()
    return tuple(recording_fact(r) for r in rows)


def compare(session: Session, run_a: str, run_b: str) -> RunComparison:
    """How run ``run_b`` differs from run ``run_a`` (:func:`ccinspect.core.compare.diff_runs`)."""
    a, b = run_row(session, run_a), run_row(session, run_b)
    return diff_runs(
        _checks(session, a.id),
        _checks(session, b.id),
        run_a=a.run_id,
        run_b=b.run_id,
        overall_a=a.overall,
        overall_b=b.overall,
    )
