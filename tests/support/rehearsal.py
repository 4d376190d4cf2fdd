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
