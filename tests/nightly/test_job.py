"""The nightly job without a PBX: exit codes from run verdicts, regressions and canary proofs, and
the could-not-run path (nothing answers SIP) ending with exit 2 and the attempt stored."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from ccinspect.core.canary import Canary, CanaryIdentity, CanaryJudgement, CanaryStatus, Outcome
from ccinspect.core.compare import CheckChange
from ccinspect.core.verdict import Text, Verdict
from ccinspect.nightly.job import NightlyResult, _exit_code
from ccinspect.runner.run import RunOutcome
from ccinspect.store import RunStatus, open_store

REPO = Path(__file__).resolve().parents[2]
CANARY = Canary(
    1, CanaryIdentity("r", "demo", "k", "x.wav", 1.0, "a" * 64, 1, (1,), 0.0), CanaryStatus.PENDING
)


def _result(
    verdict: Verdict, *outcomes: Outcome, regressed: bool = False, status: str = "complete"
) -> NightlyResult:
    run = RunOutcome("r2", Path("."), RunStatus(status), verdict, (), 0)
    proofs = tuple(CanaryJudgement(CANARY, o, Text("", "")) for o in outcomes)
    changes = (CheckChange("x", Verdict.PASS, Verdict.FAIL if regressed else Verdict.SKIP, ()),)
    return NightlyResult(0, run_id="r2", run=run, proofs=proofs, changes=changes)


def test_exit_codes() -> None:
    """0 when the run passed and every due canary is proven; 1 on a FAIL, a regression or a
    missing/altered canary (even next to an unchecked one); 2 when a canary could not be checked
    or the run did not complete."""
    assert _exit_code(_result(Verdict.PASS, Outcome.PROVEN, Outcome.PROVEN_REENCODED)) == 0
    assert _exit_code(_result(Verdict.PASS, Outcome.MISSING)) == 1
    assert _exit_code(_result(Verdict.PASS, Outcome.UNCHECKED, Outcome.ALTERED)) == 1
    assert _exit_code(_result(Verdict.PASS, regressed=True)) == 1
    assert _exit_code(_result(Verdict.FAIL)) == 1
    assert _exit_code(_result(Verdict.PASS, Outcome.UNCHECKED)) == 2
    assert _exit_code(_result(Verdict.ERROR)) == 2
    assert _exit_code(_result(Verdict.PASS, status="error")) == 2


def test_pbx_down_exits_2_and_records_the_attempt(tmp_path: Path) -> None:
    """A PBX that does not answer SIP: exit 2 within the bound, the attempt stored as an error run."""
    target = tmp_path / "down.yaml"
    src = (REPO / "scenarios" / "targets" / "demo.yaml").read_text(encoding="utf-8")
    target.write_text(src.replace("registrar: 127.0.0.1:5060", "registrar: 127.0.0.1:5999"), encoding="utf-8")
    started = time.monotonic()
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "ccinspect.cli",
            "nightly",
            "--out",
            str(tmp_path / "runs"),
            "--db",
            f"sqlite:///{tmp_path / 'store.sqlite'}",
            "--now",
            "2026-10-30T02:00:00Z",
            "--target",
            str(target),
            "--timeout",
            "60",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )
    output = res.stdout + res.stderr
    assert res.returncode == 2, output[-3000:]
    assert time.monotonic() - started < 90
    assert "could not run" in output and "无法运行" in output
    with open_store(f"sqlite:///{tmp_path / 'store.sqlite'}") as store:
        (run,) = store.list_runs()
    assert run.status is RunStatus.ERROR and run.error and "does not answer" in run.error
