"""Loading an existing run directory into the run store (``ccinspect import RUN_DIR``).

Reads the run directory with the one reader of run documents (:mod:`ccinspect.rundir`): a call
written to calls/ but not yet into report.json (the run was killed between phases) is imported
too. Every file of the run directory that a bundle would hold is hashed as the run's evidence.

Idempotent: the run's earlier record, if any, is replaced in one transaction, keeping only the
bundle hash already recorded for it. A run another live process on this host is recording right
now is refused.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, select

from ccinspect.bundle import run_files
from ccinspect.core.rundoc import RunDocumentError, RunStatus
from ccinspect.core.verdict import Verdict
from ccinspect.rundir import load_run
from ccinspect.store import queries
from ccinspect.store.db import Database
from ccinspect.store.errors import RunDirInvalid, StoreError
from ccinspect.store.liveness import liveness
from ccinspect.store.models import RunRow
from ccinspect.store.results import Liveness, RunSummary
from ccinspect.store.writes import put_call, put_checks, put_evidence, put_recordings


def import_run_dir(db: Database, path: Path) -> RunSummary:
    """Load run directory ``path`` into the run store on ``db`` (see the module docstring).

    Raises :class:`~ccinspect.store.errors.RunDirInvalid` naming the file and key that is wrong,
    or :class:`~ccinspect.store.errors.StoreError`.
    """
    try:
        run = load_run(path)
    except RunDocumentError as exc:
        raise RunDirInvalid(exc.message, exc.message_zh, hint=exc.hint) from exc
    doc, run_dir = run.document, run.path
    run_id, status, started_at, finished_at = doc.run_id, doc.status, doc.started_at, doc.finished_at
    # Calls only calls/*.json held are kept in the order they were made.
    kept = len(doc.facts.calls) - run.added
    calls = [*doc.facts.calls[:kept], *sorted(doc.facts.calls[kept:], key=lambda c: c.started_at)]
    checks, recordings = doc.checks, doc.facts.recordings
    try:
        files = run_files(run_dir)
    except OSError as exc:
        raise RunDirInvalid(
            f"cannot read a file of {run_dir}: {exc}",
            f"无法读取 {run_dir} 中的文件：{exc}",
            hint="check the permissions of the run directory",
        ) from exc
    last_seen = max([started_at, finished_at or 0.0, *(c.ended_at or c.started_at for c in calls)])

    with db.writing("import a run", "导入运行") as session:
        old = session.scalar(select(RunRow).where(RunRow.run_id == run_id))
        bundle = (old.bundle_sha256, old.bundle_path) if old is not None else (None, None)
        if (
            old is not None
            and old.status is RunStatus.RUNNING
            and (liveness(old.recorder_host, old.recorder_pid, old.recorder_started) is Liveness.ALIVE)
        ):
            raise StoreError(
                f"run {run_id} is being recorded right now by pid {old.recorder_pid}; "
                "it cannot be imported over it",
                f"运行 {run_id} 正在由进程 {old.recorder_pid} 记录，不能导入覆盖",
                hint="wait until that run has finished; it is then already in the store",
            )
        session.execute(delete(RunRow).where(RunRow.run_id == run_id))
        row = RunRow(
            run_id=run_id,
            status=status,
            started_at=started_at,
            finished_at=finished_at,
            updated_at=last_seen,
            target=doc.target.name,
            scenario=doc.scenario.name,
            overall=doc.overall,
            ccinspect_version=doc.ccinspect_version,
            run_dir=str(run_dir),
            bundle_sha256=bundle[0],
            bundle_path=bundle[1],
            error=doc.error,
            recorder_host=None,
            recorder_pid=None,
            recorder_started=None,
        )
        session.add(row)
        session.flush()
        for fact in calls:
            put_call(session, row, fact)
        put_recordings(session, row, recordings)
        put_checks(session, row, checks)
        put_evidence(session, row, files)
        session.flush()
        failed = sum(1 for c in checks if c.verdict is Verdict.FAIL)
        return queries.summary(row, len(calls), failed)
