"""The report in a real browser (Debian's headless Chromium) and as a PDF (pdftoppm renders it).

Chromium and poppler-utils are installed by `make install`; these tests fail (never skip) when
they are missing, saying so.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from ccinspect.core.facts import CallPurpose
from ccinspect.core.verdict import Text, Verdict, failed
from ccinspect.report import PdfError, render_html, render_pdf
from ccinspect.report.pdf import chromium_command, chromium_path, print_to_pdf, run_chromium

from .builders import check, copy_sample, simple_call, write_run


def dump_dom(page: Path, *, width: int = 1280) -> str:
    """The DOM Chromium builds from ``page`` after loading it (scripts run)."""
    with tempfile.TemporaryDirectory() as profile:
        args = chromium_command(
            chromium_path(),
            Path(profile),
            f"--window-size={width},900",
            "--virtual-time-budget=3000",
            "--dump-dom",
            page.resolve().as_uri(),
        )
        result = run_chromium(args, 90.0)
    assert result.returncode == 0, result.stderr[-500:]
    return result.stdout.decode("utf-8")


def tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is missing: install Debian's poppler-utils (make install)"
    return found


def test_chromium_builds_the_verdict_table_ladder_and_audio(tmp_path: Path) -> None:
    """In Chromium's DOM the check table, a ladder SVG with arrows, audio elements and the
    waveform pictures are all there."""
    run = copy_sample(tmp_path)
    dom = dump_dom(render_html(run, lang="en"))
    assert '<table class="checks">' in dom and "callerid.outbound_allocated" in dom
    assert re.search(r'<svg class="ladder"[^>]*>', dom) and ">180 Ringing<" in dom
    assert dom.count("<audio ") >= 6 and '<svg class="wave"' in dom


def test_hostile_values_do_not_widen_the_page(tmp_path: Path) -> None:
    """A 10 kB unbroken subject and evidence value and a 10 kB header wrap: the page is no wider
    than the window (ladders scroll inside their own box)."""
    call = simple_call("c-1", CallPurpose.INBOUND, t0=1.9e9)
    subject = failed(
        "X" * 10240, Text("Y" * 10240, "Y" * 10240), Text("Z" * 5000, "Z" * 5000), "c-1", "E" * 10240
    )
    run = write_run(
        tmp_path / "run",
        calls=[call],
        checks=[check("x.y", Verdict.FAIL, [subject])],
        media={},
        overall=Verdict.FAIL,
    )
    page = render_html(run, lang="en")
    probe = page.with_name("probe.html")
    probe.write_text(
        page.read_text(encoding="utf-8").replace(
            "</body>",
            "<script>document.body.dataset.sw = document.documentElement.scrollWidth;</script></body>",
        ),
        encoding="utf-8",
    )
    dom = dump_dom(probe, width=1280)
    width = int(re.search(r'data-sw="(\d+)"', dom).group(1))  # type: ignore[union-attr]
    assert width <= 1280


def test_pdf_is_printed_paginated_and_renders(tmp_path: Path) -> None:
    """render_pdf prints an A4 PDF whose pages pdftoppm renders; the Chinese text is embedded
    as text (fonts present), each call starts a page, and the print page is cleaned up."""
    run = copy_sample(tmp_path)
    pdf = render_pdf(run, lang="zh", unmask=False, timeout=120)
    assert pdf == run / "report" / "report-zh.pdf"
    info = subprocess.run([tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert pages >= 4
    assert "(A4)" in info
    subprocess.run(
        [tool("pdftoppm"), "-r", "30", "-png", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "p")],
        check=True,
        timeout=60,
    )
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == 2 and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    text = subprocess.run(
        [tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "总体结论" in text and "13800138000" not in text
    page_starts = [page.strip().splitlines()[0] for page in text.split("\f") if page.strip()]
    assert any(line.startswith("呼叫 inbound-1") for line in page_starts)
    assert any(line.startswith("呼叫 dnc-1") for line in page_starts)
    assert not list((run / "report").glob(".print-*"))


def test_missing_chromium_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without chromium on PATH render_pdf raises PdfError telling how to install it."""
    run = copy_sample(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(PdfError, match=re.escape("install Debian's chromium: make install")):
        render_pdf(run, lang="zh", unmask=False, timeout=10)


def test_printing_is_bounded_by_the_timeout(tmp_path: Path) -> None:
    """A print that takes longer than the timeout is stopped and reported, not waited for."""
    page = tmp_path / "p.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(PdfError, match=r"did not finish printing within 0\.05 s"):
        print_to_pdf(page, tmp_path / "p.pdf", timeout=0.05)
    assert not (tmp_path / "p.pdf").exists()
