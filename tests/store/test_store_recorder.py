"""Recording a run incrementally: one commit per call, a run killed midway, liveness of recorders."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from ccinspect.core.verdict import Verdict
from ccinspect.store import RunRecorder, RunStatus, RunStore, StoreError, open_store
from ccinspect.store.liveness import ProcessIdentity
from tests.store.samples import T0, call, check, recording, sample_calls

REPO = Path(__file__).resolve().parents[2]


def _start(
    store: RunStore,
    run_dir: Path | None = None,
    *,
    on_error: Callable[[StoreError], None] | None = None,
    identity: ProcessIdentity | None = None,
) -> RunRecorder:
    recorder = RunRecorder(store, on_error=on_error, identity=identity)
    recorder.start("20261201-100000-aaaa", "demo", "onsite-jiangsu", run_dir, T0)
    return recorder


def test_each_call_is_committed_as_it_completes(store: RunStore, db_url: str) -> None:
    """After every call() another connection already sees the call, and the run is 'running'."""
    recorder = _start(store)
    with open_store(db_url) as reader:
        assert reader.get_run("20261201-100000-aaaa").run.status is RunStatus.RUNNING
        for n in range(1, 4):
            recorder.call(call(f"inbound-{n}", at=T0 + n))
            assert [c.key for c in reader.get_run("20261201-100000-aaaa").calls] == [
                f"inbound-{i}" for i in range(1, n + 1)
            ]


def test_recorded_calls_read_back_equal(store: RunStore, sample_run: Path) -> None:
    """Calls come back equal to the CallFacts recorded: legs, audio, RTCP, raw SIP text, exact times."""
    facts = [*sample_calls(sample_run), call("odd", audio=False, answered=False, error="seat 8003 不在线")]
    recorder = _start(store)
    for fact in facts:
        recorder.call(fact)
    assert list(store.get_calls("20261201-100000-aaaa")) == facts


def test_a_repeated_call_key_replaces_the_call(store: RunStore) -> None:
    """Recording the same call key twice keeps one call, the later version, in its place."""
    recorder = _start(store)
    recorder.call(call("inbound-1"))
    recorder.call(call("inbound-2"))
    recorder.call(call("inbound-1", answered=False))
    calls = store.get_calls("20261201-100000-aaaa")
    assert [c.key for c in calls] == ["inbound-1", "inbound-2"]
    assert calls[0].legs[0].answered is False


def test_finish_records_checks_verdict_status_and_evidence(store: RunStore, sample_run: Path) -> None:
    """checks() and finish() store the results, the overall verdict, the status and every file's hash."""
    recorder = _start(store, sample_run)
    recorder.call(call("inbound-1"))
    recorder.recordings([recording("inbound-1")])
    results = [
        check("seats.registered", ("seat 8001", Verdict.PASS)),
        check("recording.retention", ("seat 8002", Verdict.FAIL), ("seat 8003", Verdict.ERROR)),
    ]
    recorder.checks(results, Verdict.FAIL)
    recorder.finish("complete", None, T0 + 30)
    detail = store.get_run("20261201-100000-aaaa")
    assert detail.checks == tuple(results)
    assert (detail.run.status, detail.run.overall, detail.run.finished_at) == (
        RunStatus.COMPLETE,
        Verdict.FAIL,
        T0 + 30,
    )
    assert detail.run.checks_failed == 1 and detail.recordings == 1
    assert store.get_recordings("20261201-100000-aaaa") == (recording("inbound-1"),)
    paths = [e.path for e in detail.evidence]
    assert paths == sorted(paths) and "report.json" in paths and "evidence/pjsip.log" in paths
    assert all(len(e.sha256) == 64 for e in detail.evidence)


KILLED = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from ccinspect.store import RunRecorder, open_store
    from tests.store.samples import sample_calls
    url, run_dir = sys.argv[1], Path(sys.argv[2])
    recorder = RunRecorder(open_store(url))
    recorder.start("20261201-110000-dead", "demo", "onsite-jiangsu", run_dir, 1795968449.0)
    for fact in sample_calls(run_dir)[:2]:
        recorder.call(fact)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_a_run_killed_midway_keeps_its_calls_and_shows_interrupted(
    store: RunStore, db_url: str, sample_run: Path
) -> None:
    """A recorder process killed after 2 calls leaves both calls; the run lists as interrupted and
    mark_stale_interrupted() writes that status once."""
    done = subprocess.run(
        [sys.executable, "-c", KILLED, db_url, str(sample_run)],
        cwd=REPO,
        timeout=120,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == -9, done.stderr
    [listed] = store.list_runs()
    assert (listed.run_id, listed.status, listed.stored_status) == (
        "20261201-110000-dead",
        RunStatus.INTERRUPTED,
        RunStatus.RUNNING,
    )
    assert listed.calls == 2 and listed.recorder_pid is not None
    assert [c.key for c in store.get_calls(listed.run_id)] == [c.key for c in sample_calls(sample_run)[:2]]
    assert store.mark_stale_interrupted() == ("20261201-110000-dead",)
    after = store.get_run(listed.run_id).run
    assert after.stored_status is RunStatus.INTERRUPTED and after.error and "gone" in after.error
    assert store.mark_stale_interrupted() == ()


def test_a_live_recorder_is_never_marked_interrupted(store: RunStore) -> None:
    """While this process records, its run stays 'running' whatever the age of its last write."""
    _start(store).call(call("inbound-1"))
    assert store.list_runs()[0].status is RunStatus.RUNNING
    assert store.mark_stale_interrupted(0.0, now=time.time() + 86400) == ()


def test_a_recorder_on_another_host_is_interrupted_only_after_silence(store: RunStore) -> None:
    """Another host's recorder cannot be checked: its run is stale only after older_than_s without writes."""
    _start(store, identity=ProcessIdentity("elsewhere.invalid", 4242, T0)).call(call("inbound-1"))
    assert store.mark_stale_interrupted(3600.0) == ()
    assert store.mark_stale_interrupted(3600.0, now=time.time() + 3601) == ("20261201-100000-aaaa",)


def test_a_recorder_whose_pid_was_reused_counts_as_gone(store: RunStore) -> None:
    """Same host and a live pid, but a different process start time, means the recorder is gone."""
    me = RunRecorder(store).identity
    _start(store, identity=ProcessIdentity(me.host, os.getpid(), me.started - 1000)).call(call("c"))
    assert store.list_runs()[0].status is RunStatus.INTERRUPTED


def test_on_error_gives_up_recording_once_and_keeps_the_run_going(store: RunStore) -> None:
    """With on_error, a failing write is reported once and later writes are skipped, not raised."""
    errors: list[StoreError] = []
    recorder = _start(store, on_error=errors.append)
    with store.db.writing("test", "测试") as session:  # someone deletes the run under the recorder
        from sqlalchemy import delete

        from ccinspect.store.models import RunRow

        session.execute(delete(RunRow))
    recorder.call(call("inbound-1"))
    recorder.checks([], Verdict.PASS)
    recorder.finish("complete")
    assert len(errors) == 1 and "vanished" in errors[0].message
