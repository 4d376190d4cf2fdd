"""ccinspect.rundir: the one place report.json is read back from a run directory."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ccinspect.core.rundoc import RunDocumentError, RunStatus
from ccinspect.rundir import load_run, read_header, read_raw

SAMPLE = Path(__file__).parent / "report" / "data" / "sample-run"


@pytest.fixture
def run(tmp_path: Path) -> Path:
    target = tmp_path / "20261129-160729-ba14"
    shutil.copytree(SAMPLE, target)
    return target


def _drop_call(run: Path, key: str) -> None:
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    report["facts"]["calls"] = [c for c in report["facts"]["calls"] if c["key"] != key]
    (run / "report.json").write_text(json.dumps(report), encoding="utf-8")


def test_loads_the_sample_run_through_a_symlink(run: Path) -> None:
    """runs/latest is followed; the document is the one report.json holds."""
    (run.parent / "latest").symlink_to(run.name)
    loaded = load_run(run.parent / "latest")
    assert loaded.path == run.resolve() and loaded.added == 0
    assert loaded.document.run_id == run.name and loaded.document.status is RunStatus.COMPLETE


def test_calls_only_in_call_files_are_added_last(run: Path) -> None:
    """A call written to calls/ but not yet to report.json is added after the others."""
    keys = [c.key for c in load_run(run).document.facts.calls]
    assert "dnc-1" in keys and (run / "calls" / "dnc-1.json").is_file()
    _drop_call(run, "dnc-1")
    loaded = load_run(run)
    assert [c.key for c in loaded.document.facts.calls] == [*(k for k in keys if k != "dnc-1"), "dnc-1"]
    assert loaded.added == 1
    assert read_raw(run).data["facts"]["calls"][-1]["key"] == "dnc-1"


def test_a_bad_call_file_is_named_with_its_key_path(run: Path) -> None:
    """A calls/*.json that does not hold a call names that file and the key."""
    file = sorted((run / "calls").glob("*.json"))[0]
    data = json.loads(file.read_text(encoding="utf-8"))
    data["fact"]["purpose"] = "gossip"
    file.write_text(json.dumps(data), encoding="utf-8")
    _drop_call(run, data["fact"]["key"])
    with pytest.raises(RunDocumentError) as caught:
        load_run(run)
    assert caught.value.file == str(file) and caught.value.key == "fact.purpose"


def test_missing_or_foreign_directories_are_refused(tmp_path: Path) -> None:
    """No directory, no report.json, not JSON, another schema: each says so, naming the place."""
    with pytest.raises(RunDocumentError, match="does not exist"):
        load_run(tmp_path / "nope")
    with pytest.raises(RunDocumentError, match=r"no report\.json") as caught:
        read_header(tmp_path)
    assert "report.json" in caught.value.message_zh and "runs/latest" in caught.value.hint
    (tmp_path / "report.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(RunDocumentError, match="not valid JSON"):
        load_run(tmp_path)
    (tmp_path / "report.json").write_text('{"schema": "other/1", "run_id": "r"}', encoding="utf-8")
    with pytest.raises(RunDocumentError, match="schema 'other/1'") as caught:
        load_run(tmp_path)
    assert caught.value.file == str(tmp_path.resolve() / "report.json")
    assert read_header(tmp_path).schema == "other/1"
