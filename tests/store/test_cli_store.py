"""The store commands end to end in a subprocess: output and exit codes (0 ok, 1 finding, 2 could not)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ccinspect.bundle import make_bundle
from ccinspect.store import open_store
from tests.store.conftest import SAMPLE_RUN_ID
from tests.store.test_bundle import flip_one_byte, rewrite

REPO = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``ccinspect <args>`` (the store commands) and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "ccinspect.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )


def test_import_runs_and_show(db_url: str, sample_run: Path, tmp_path: Path) -> None:
    """import exits 0; runs and show (by id, prefix or 'latest') print the run; an unknown run exits 2
    with a bilingual message and the next step."""
    done = cli("import", str(sample_run), "--db", db_url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert SAMPLE_RUN_ID in done.stdout
    runs = cli("runs", "--db", db_url, "--json", cwd=tmp_path)
    assert runs.returncode == 0
    [listed] = json.loads(runs.stdout)
    assert (listed["run_id"], listed["status"], listed["overall"]) == (SAMPLE_RUN_ID, "complete", "pass")
    shown = cli("show", "latest", "--db", db_url, "--json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    detail = json.loads(shown.stdout)
    assert detail["run"]["run_id"] == SAMPLE_RUN_ID and len(detail["checks"]) == 13
    text = cli("show", "20261129-16", "--db", db_url, "--lang", "en", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert "核查结果" in text.stdout and "seats.registered" in text.stdout and "inbound-1" in text.stdout
    missing = cli("show", "1999", "--db", db_url, cwd=tmp_path)
    assert missing.returncode == 2
    assert "error:" in missing.stderr and "错误" in missing.stderr and "next:" in missing.stderr


def test_bundle_and_verify_exit_codes(db_url: str, sample_run: Path, tmp_path: Path) -> None:
    """bundle records the manifest hash; verify exits 0 when intact, 1 naming each altered file (also when
    the manifest was rewritten to match), 2 when the file is no bundle at all."""
    with open_store(db_url) as store:
        store.import_run_dir(sample_run)
    made = cli("bundle", "latest", "--db", db_url, "--out", str(tmp_path / "b.zip"), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    ok = cli("verify", str(tmp_path / "b.zip"), "--db", db_url, cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "intact" in ok.stdout and "matches the run store" in ok.stdout

    rewrite(tmp_path / "b.zip", tmp_path / "t.zip", flip_one_byte("evidence/calls/agent1/leg00003-out.wav"))
    altered = cli("verify", str(tmp_path / "t.zip"), "--db", db_url, cwd=tmp_path)
    assert altered.returncode == 1
    assert (
        "ALTERED" in altered.stdout
        and "changed 内容被改动: evidence/calls/agent1/leg00003-out.wav" in altered.stdout
    )

    (sample_run / "evidence" / "pjsip.log").write_text("rewritten\n", encoding="utf-8")
    make_bundle(sample_run, tmp_path / "forged.zip")  # altered file, manifest rewritten to match
    caught = cli("verify", str(tmp_path / "forged.zip"), "--db", db_url, cwd=tmp_path)
    assert caught.returncode == 1
    assert "MANIFEST.json differs" in caught.stdout and "evidence/pjsip.log" in caught.stdout

    (tmp_path / "junk.zip").write_bytes(b"junk")
    junk = cli("verify", str(tmp_path / "junk.zip"), "--db", db_url, cwd=tmp_path)
    assert junk.returncode == 2 and "not a readable zip" in junk.stderr


def test_unreachable_store_exits_2_with_the_url_and_next_step(tmp_path: Path) -> None:
    """A database that cannot be reached is exit 2, naming it (password masked) and saying what to do."""
    done = cli("runs", "--db", "postgresql+psycopg://u:pw@127.0.0.1:1/x?connect_timeout=3", cwd=tmp_path)
    assert done.returncode == 2
    assert "127.0.0.1:1" in done.stderr and ":pw@" not in done.stderr and "next:" in done.stderr
