"""Recording a run into the store while it happens, one commit per step.

The runner calls, in order (each from a worker thread: ``await asyncio.to_thread(...)``)::

    recorder = RunRecorder(store)
    recorder.start(run_id, target, scenario, run_dir, started_at)   # the run exists, 'running'
    recorder.call(fact)            # once per finished call: committed at once
    recorder.recordings(facts)     # the platform's recordings, when fetched
    recorder.checks(results, overall)
    recorder.finish(status, error, finished_at)   # 'complete' | 'interrupted' | 'error'

A process killed midway leaves the run ``running`` with every call committed so far, and its
pid, host and process start time; the store then reports it interrupted (see
:meth:`~ccinspect.store.runstore.RunStore.mark_stale_interrupted`). Every write also refreshes
the run's heartbeat (``updated_at``).

With ``on_error`` set, a failing write is handed to it once and the recorder stops writing: the
run itself goes on, its run directory stays complete, and ``ccinspect import DIR`` loads it later.
Without ``on_error`` the :class:`~ccinspect.store.errors.StoreError` is raised to the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ccinspect import __version__
from ccinspect.bundle import BundleFile, run_files
from ccinspect.core.facts import CallFact, RecordingFact
from ccinspect.core.rundoc import RunStatus
from ccinspect.core.verdict import CheckResult, Verdict
from ccinspect.store.errors import StoreError
from ccinspect.store.liveness import ProcessIdentity, current_identity
from ccinspect.store.models import RunRow
from ccinspect.store.runstore import RunStore
from ccinspect.store.writes import put_call, put_checks, put_evidence, put_recordings, touch

_FINAL = (RunStatus.COMPLETE, RunStatus.INTERRUPTED, RunStatus.ERROR)


class RunRecorder:
    """Writes one run into a :class:`RunStore` step by step (see the module docstring)."""

    def __init__(
        self,
        store: RunStore,
        *,
        on_error: Callable[[StoreError], None] | None = None,
        identity: ProcessIdentity | None = None,
    ) -> None:
        self.store = store
        self.on_error = on_error
        self.identity = identity or current_identity()
        self.run_id: str | None = None
        self.run_dir: Path | None = None
        self.failed: StoreError | None = None

    @contextmanager
    def _step(self, doing: str, doing_zh: str) -> Iterator[tuple[Session, RunRow] | None]:
        """A transaction on this run's row; yields None when recording has been given up."""
        if self.run_id is None:
            raise RuntimeError("RunRecorder.start() must be called first")
        if self.failed is not None:
            yield None
            return
        yielded = False
        try:
            with self.store.db.writing(doing, doing_zh) as session:
                row = session.scalar(select(RunRow).where(RunRow.run_id == self.run_id))
                if row is None:
                    raise StoreError(
                        f"run {self.run_id} vanished from the run store while it was being recorded",
                        f"运行 {self.run_id} 在记录过程中从运行记录库中消失",
                        hint="someone deleted it; load the run directory afterwards with `ccinspect import`",
                    )
                yielded = True
                yield session, row
                touch(row)
        except StoreError as exc:
            self._give_up(exc)
            if not yielded:
                yield None

    def _give_up(self, exc: StoreError) -> None:
        if self.on_error is None:
            raise exc
        self.failed = exc
        self.on_error(exc)

    def start(
        self,
        run_id: str,
        target: str,
        scenario: str,
        run_dir: Path | str | None,
        started_at: float,
        *,
        ccinspect_version: str = __version__,
    ) -> None:
        """Create the run as ``running`` (replacing any earlier record of the same id), with this
        process's host, pid and start time so others can tell whether it is still alive."""
        self.run_id = run_id
        self.run_dir = Path(run_dir) if run_dir is not None else None
        ident = self.identity
        try:
            with self.store.db.writing("start recording a run", "开始记录运行") as session:
                session.execute(delete(RunRow).where(RunRow.run_id == run_id))
                session.add(
                    RunRow(
                        run_id=run_id,
                        status=RunStatus.RUNNING,
                        started_at=started_at,
                        finished_at=None,
                        updated_at=time.time(),
                        target=target,
                        scenario=scenario,
                        overall=None,
                        ccinspect_version=ccinspect_version,
                        run_dir=str(self.run_dir.resolve()) if self.run_dir is not None else None,
                        recorder_host=ident.host,
                        recorder_pid=ident.pid,
                        recorder_started=ident.started,
                    )
                )
        except StoreError as exc:
            self._give_up(exc)

    def call(self, fact: CallFact) -> None:
        """Commit one finished call with its legs and SIP messages (a repeated key replaces it)."""
        with self._step(f"record call {fact.key}", f"记录通话 {fact.key}") as step:
            if step is not None:
                put_call(step[0], step[1], fact)

    def recordings(self, facts: Sequence[RecordingFact]) -> None:
        """Commit the platform's recording facts (replacing any recorded before)."""
        with self._step("record the recordings", "记录录音") as step:
            if step is not None:
                put_recordings(step[0], step[1], facts)

    def checks(self, results: Sequence[CheckResult], overall: Verdict | None) -> None:
        """Commit the check results (replacing any recorded before) and the overall verdict."""
        with self._step("record the check results", "记录检查结果") as step:
            if step is not None:
                put_checks(step[0], step[1], results)
                step[1].overall = overall

    def finish(
        self, status: RunStatus | str, error: str | None = None, finished_at: float | None = None
    ) -> None:
        """Close the run: final status, error text, finish time, and the run directory's files
        hashed as its evidence. Call it after the final report.json is written."""
        final = RunStatus(status)
        if final not in _FINAL:
            raise ValueError(
                f"finish() needs a final status {[s.value for s in _FINAL]}, not {final.value!r}"
            )
        files = self._hash_run_dir()
        with self._step("finish recording the run", "结束记录运行") as step:
            if step is not None:
                session, row = step
                row.status = final
                row.error = error
                row.finished_at = finished_at if finished_at is not None else time.time()
                if files is not None:
                    put_evidence(session, row, files)

    def _hash_run_dir(self) -> tuple[BundleFile, ...] | None:
        if self.run_dir is None or not self.run_dir.is_dir() or self.failed is not None:
            return None
        try:
            return run_files(self.run_dir)
        except OSError:
            return None  # a file vanished while hashing: the bundle step hashes again
