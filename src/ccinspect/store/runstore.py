"""The run store: every stored rehearsal with its checks, calls and evidence files.

Open it with :func:`open_store`; record a run as it happens with
:class:`~ccinspect.store.recorder.RunRecorder`; load old run directories with
:meth:`RunStore.import_run_dir`. Every method is synchronous, thread-safe and returns plain
frozen dataclasses (never ORM objects); every failure is a
:class:`~ccinspect.store.errors.StoreError` saying what failed, where, and what to do next.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select

from ccinspect.bundle import BundleFile
from ccinspect.core.compare import RunComparison
from ccinspect.core.facts import CallFact, RecordingFact
from ccinspect.core.rundoc import RunStatus
from ccinspect.store import queries
from ccinspect.store.db import Database, open_database, redacted
from ccinspect.store.importer import import_run_dir
from ccinspect.store.models import RunRow
from ccinspect.store.results import EvidenceFile, RunDetail, RunSummary
from ccinspect.store.writes import put_evidence


class RunStore:
    """Queries and maintenance over one database (see the module docstring)."""

    def __init__(self, database: Database) -> None:
        self.db = database

    @property
    def url(self) -> str:
        """The database URL, password masked."""
        return redacted(self.db.url)

    @property
    def dialect(self) -> str:
        """``sqlite``, ``postgresql``, …"""
        return self.db.engine.dialect.name

    def close(self) -> None:
        """Release the database connections."""
        self.db.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- queries ---------------------------------------------------------------------------------
    def list_runs(self, limit: int = 20, target: str | None = None) -> tuple[RunSummary, ...]:
        """Up to ``limit`` runs, newest first, only those of target ``target`` when given.

        A ``running`` run whose recorder is gone is listed as interrupted (``stored_status``
        keeps what the database holds; :meth:`mark_stale_interrupted` writes it).
        """
        with self.db.reading("list runs", "列出运行") as session:
            return queries.list_runs(session, limit, target)

    def resolve(self, ref: str) -> str:
        """The run id for ``ref``: an exact run id, a unique prefix of one, or ``latest``.

        Raises :class:`~ccinspect.store.errors.RunNotFound` or
        :class:`~ccinspect.store.errors.AmbiguousRun`.
        """
        with self.db.reading("look up a run", "查找运行") as session:
            return queries.resolve(session, ref)

    def get_run(self, run_id: str) -> RunDetail:
        """Run ``run_id`` (exact id, see :meth:`resolve`) with checks, subjects, calls summary
        and evidence files; raises :class:`~ccinspect.store.errors.RunNotFound`."""
        with self.db.reading("read a run", "读取运行") as session:
            return queries.get_run(session, run_id)

    def get_calls(self, run_id: str) -> tuple[CallFact, ...]:
        """Run ``run_id``'s calls, each equal to the :class:`CallFact` recorded, in recording order."""
        with self.db.reading("read a run's calls", "读取运行的通话") as session:
            return queries.get_calls(session, run_id)

    def get_recordings(self, run_id: str) -> tuple[RecordingFact, ...]:
        """Run ``run_id``'s recording facts, as recorded."""
        with self.db.reading("read a run's recordings", "读取运行的录音") as session:
            return queries.get_recordings(session, run_id)

    def compare(self, run_a: str, run_b: str) -> RunComparison:
        """Which checks changed verdict from run ``run_a`` to run ``run_b`` (exact ids)."""
        with self.db.reading("compare two runs", "比较两次运行") as session:
            return queries.compare(session, run_a, run_b)

    # -- maintenance -----------------------------------------------------------------------------
    def mark_stale_interrupted(
        self, older_than_s: float = queries.STALE_AFTER_S, *, now: float | None = None
    ) -> tuple[str, ...]:
        """Mark ``running`` runs whose recorder is gone as ``interrupted``; return their ids.

        Gone: on this host the recording process no longer exists (or its pid was reused), or no
        process was recorded; on another host, nothing was recorded for ``older_than_s`` seconds.
        The finish time becomes the last time anything was recorded, and the error says why.
        """
        now = now if now is not None else time.time()
        marked: list[str] = []
        with self.db.writing("mark interrupted runs", "标记中断的运行") as session:
            rows = session.scalars(select(RunRow).where(RunRow.status == RunStatus.RUNNING)).all()
            for row in rows:
                if not queries.is_stale(row, older_than_s=older_than_s, now=now):
                    continue
                who = f"pid {row.recorder_pid} on {row.recorder_host}" if row.recorder_pid else "no recorder"
                since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(row.updated_at))
                row.status = RunStatus.INTERRUPTED
                row.finished_at = row.updated_at
                row.error = row.error or (
                    f"the recording process ({who}) is gone; nothing recorded since {since} / "
                    f"记录进程已不存在，运行已中断（最后记录于 {since}）"
                )
                marked.append(row.run_id)
        return tuple(marked)

    def record_bundle(
        self, run_id: str, manifest_sha256: str, path: Path, files: Sequence[BundleFile]
    ) -> None:
        """Keep the evidence bundle's manifest hash and path, and its files as the run's evidence.

        Called after :func:`ccinspect.bundle.make_bundle`; ``ccinspect verify`` later checks a
        bundle's manifest against this hash and its members against these files.
        """
        with self.db.writing("record the bundle", "记录证据包") as session:
            row = queries.run_row(session, run_id)
            row.bundle_sha256 = manifest_sha256
            row.bundle_path = str(path)
            put_evidence(session, row, files)

    def evidence(self, run_id: str) -> tuple[EvidenceFile, ...]:
        """The evidence files recorded for run ``run_id`` (path, size, SHA-256), sorted by path."""
        return self.get_run(run_id).evidence

    def import_run_dir(self, path: Path) -> RunSummary:
        """Load an existing run directory (its report.json and calls/) into the store.

        Idempotent: importing the same directory again leaves the same content. See
        :func:`ccinspect.store.importer.import_run_dir`.
        """
        return import_run_dir(self.db, Path(path))


def open_store(url: str | None = None) -> RunStore:
    """Open the run store at ``url`` and upgrade its schema to the newest migration.

    ``url``: any SQLAlchemy URL (``postgresql+psycopg://user@host/db``) or a SQLite file path;
    None means ``$CCINSPECT_DB``, else ``runs/ccinspect.sqlite`` (created with its folder).
    Raises :class:`~ccinspect.store.errors.StoreUnavailable`.
    """
    return RunStore(open_database(url))
