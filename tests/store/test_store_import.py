"""Importing existing run directories: the sample real run, idempotence, killed runs, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ccinspect.core.verdict import Verdict
from ccinspect.store import RunDirInvalid, RunStatus, RunStore
from tests.store.conftest import SAMPLE_RUN_ID
from tests.store.samples import sample_calls


def test_import_loads_the_real_sample_run(store: RunStore, sample_run: Path) -> None:
    """report.json's run, 13 checks with subjects, calls, recordings and hashed files land in the store."""
    summary = store.import_run_dir(sample_run)
    assert (summary.run_id, summary.status, summary.overall) == (
        SAMPLE_RUN_ID,
        RunStatus.COMPLETE,
        Verdict.PASS,
    )
    assert (summary.target, summary.scenario, summary.calls) == ("demo", "onsite-jiangsu", 3)
    detail = store.get_run(SAMPLE_RUN_ID)
    assert len(detail.checks) == 13 and detail.checks[0].check_id == "seats.registered"
    assert detail.checks[0].subjects[1].evidence == ("REGISTER → 200 OK",)
    assert "坐席" in detail.checks[0].title.zh
    assert list(store.get_calls(SAMPLE_RUN_ID)) == sample_calls(sample_run)
    assert detail.recordings == 2  # the do-not-call call was never answered, so never recorded
    assert {e.path for e in detail.evidence} == {
        "report.json",
        "calls/inbound-1.json",
        "calls/dnc-1.json",
        "evidence/pjsip.log",
        "evidence/calls/agent1/leg00003-out.wav",
        "recordings/20261129-160730_in_13800138000_950512_1795968450-3.wav",
    }
    assert detail.run.run_dir == str(sample_run.resolve())


def test_import_is_idempotent_and_keeps_the_bundle_hash(store: RunStore, sample_run: Path) -> None:
    """Importing the same directory twice leaves the same content, and a recorded bundle hash stays."""
    store.import_run_dir(sample_run)
    first = store.get_run(SAMPLE_RUN_ID)
    store.record_bundle(SAMPLE_RUN_ID, "ab" * 32, sample_run.parent / "b.zip", [])
    store.import_run_dir(sample_run)
    again = store.get_run(SAMPLE_RUN_ID)
    assert len(store.list_runs()) == 1
    assert (again.checks, again.calls, again.evidence) == (first.checks, first.calls, first.evidence)
    assert again.run.bundle_sha256 == "ab" * 32


def test_import_of_a_killed_run_takes_calls_missing_from_report(store: RunStore, sample_run: Path) -> None:
    """A run killed between phases (report.json 'running', a call only in calls/) is imported whole and
    listed as interrupted."""
    report_path = sample_run / "report.json"
    report = json.loads(report_path.read_text(encoding="utf-8"))
    report["status"], report["finished_at"], report["checks"], report["overall"] = "running", None, [], None
    report["facts"]["calls"] = [c for c in report["facts"]["calls"] if c["key"] != "dnc-1"]
    report_path.write_text(json.dumps(report), encoding="utf-8")
    summary = store.import_run_dir(sample_run)
    assert summary.stored_status is RunStatus.RUNNING and summary.status is RunStatus.INTERRUPTED
    assert [c.key for c in store.get_calls(SAMPLE_RUN_ID)] == ["inbound-1", "outbound-8001", "dnc-1"]
    assert store.mark_stale_interrupted() == (SAMPLE_RUN_ID,)


def test_import_names_the_file_and_key_that_is_wrong(store: RunStore, sample_run: Path) -> None:
    """A malformed report is refused with the file, the key path and the bad value; nothing is stored."""
    report_path = sample_run / "report.json"
    report = json.loads(report_path.read_text(encoding="utf-8"))
    report["facts"]["calls"][1]["legs"][0]["role"] = "bystander"
    report_path.write_text(json.dumps(report), encoding="utf-8")
    with pytest.raises(RunDirInvalid) as caught:
        store.import_run_dir(sample_run)
    assert "facts.calls[1].legs[0].role" in caught.value.message and "bystander" in caught.value.message
    assert str(report_path) in caught.value.message
    assert store.list_runs() == ()


def test_import_refuses_a_directory_without_report(store: RunStore, tmp_path: Path) -> None:
    """A directory with no report.json is not a run directory, said in both languages with the next step."""
    with pytest.raises(RunDirInvalid) as caught:
        store.import_run_dir(tmp_path)
    assert "report.json" in caught.value.message and "report.json" in caught.value.message_zh
    assert "runs/latest" in caught.value.hint
