"""Running the real `ccinspect run` CLI in a child process, as a user does, and reading its report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ONSITE = ROOT / "scenarios" / "onsite-jiangsu.yaml"
DEMO_A = ROOT / "scenarios" / "targets" / "demo.yaml"
DEMO_B = ROOT / "scenarios" / "targets" / "demo-b.yaml"


def run_rehearsal(
    out: Path,
    *,
    target: Path = DEMO_A,
    scenario: Path = ONSITE,
    extra: tuple[str, ...] = (),
    timeout: float = 300,
) -> tuple[int, dict[str, Any], str]:
    """``ccinspect run`` (English output) into ``out``: its exit code, ``report.json`` of the
    run (empty when none was written) and its stdout + stderr. stdin is closed, as in CI."""
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "ccinspect.cli",
            "run",
            "--out",
            str(out),
            "--lang",
            "en",
            "--scenario",
            str(scenario),
            "--target",
            str(target),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    report_file = out / "latest" / "report.json"
    report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.exists() else {}
    return res.returncode, report, res.stdout + res.stderr


def edit_config(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in a config file by ``new`` (a fault injection); fails when the
    file no longer contains ``old``, so a changed config cannot silently disarm the fault."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer contains {old!r}: update this fault"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def assert_found(
    name: str, code: int, report: dict[str, Any], output: str, *, check_id: str, subjects: list[str]
) -> None:
    """The run exited 1 with ``check_id`` FAILing, naming each of ``subjects`` among its failing
    subjects, every one of them with a remedy."""
    assert code == 1, f"{name}: expected exit 1, got {code}\n{output[-3000:]}"
    check = next(c for c in report["checks"] if c["check_id"] == check_id)
    assert check["verdict"] == "fail", f"{name}: {check_id} is {check['verdict']}: {check['reason']['en']}"
    failing = [s for s in check["subjects"] if s["verdict"] == "fail"]
    text = " ".join(s["subject"] + " " + s["reason"]["en"] for s in failing)
    for subject in subjects:
        assert subject in text, f"{name}: {subject!r} not named among the failures: {text}"
    assert all(s.get("remedy") for s in failing), "every failing subject carries a remedy"
