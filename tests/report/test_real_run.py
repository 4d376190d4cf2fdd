"""A real run against the demo PBX, turned into every deliverable: HTML, PDF, JSON, JUnit, bundle."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.support.pbx import DemoPbx

from .test_browser import dump_dom, tool

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ccinspect.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_real_run_produces_report_pdf_junit_and_a_verifiable_bundle(pbx: DemoPbx, tmp_path: Path) -> None:
    """From a real smoke run: report.html (table, ladder, audio in Chromium), report.pdf (pages
    render), report.json, junit.xml, and a bundle that verifies until one byte changes."""
    out = tmp_path / "runs"
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    res = _cli("run", "--scenario", str(ROOT / "scenarios/smoke.yaml"), "--out", str(out), "--db", db)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    run_dir = (out / "latest").resolve()
    assert (run_dir / "report.json").is_file()

    res = _cli("report", str(run_dir), "--format", "html,pdf,junit", "--lang", "zh")
    assert res.returncode == 0, res.stdout + res.stderr
    html = next((run_dir / "report").glob("report-zh.html"))
    pdf = next((run_dir / "report").glob("report-zh.pdf"))
    junit = run_dir / "report" / "junit.xml"
    assert junit.is_file() and "<testsuite" in junit.read_text(encoding="utf-8")

    dom = dump_dom(html)
    assert '<table class="checks">' in dom
    assert re.search(r'<svg class="ladder"[^>]*>', dom)
    assert "<audio " in dom

    pages = subprocess.run(
        [tool("pdftoppm"), "-r", "30", "-png", str(pdf), str(tmp_path / "page")],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert pages.returncode == 0, pages.stderr
    assert list(tmp_path.glob("page*.png")), "the PDF has pages"

    bundle = tmp_path / "evidence.zip"
    res = _cli("bundle", str(run_dir), "--out", str(bundle), "--db", db)
    assert res.returncode == 0, res.stdout + res.stderr
    assert _cli("verify", str(bundle), "--db", db).returncode == 0

    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("report.json"):
                data = data.replace(b'"complete"', b'"completE"', 1)
            dst.writestr(info, data)
    res = _cli("verify", str(tampered), "--db", db)
    assert res.returncode == 1
    assert "report.json" in res.stdout + res.stderr
