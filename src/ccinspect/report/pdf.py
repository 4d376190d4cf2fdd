"""Printing the evidence report to PDF with headless Chromium (Debian's ``chromium`` package).

The HTML is rendered in print mode (every collapsible section open, audio players replaced by
their file names by the print stylesheet, each call on its own page) next to the final PDF,
printed, and removed. Chromium runs with a throw-away profile, no network features, in its own
process group; when ``timeout`` passes, that group is killed and :class:`PdfError` says so.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ccinspect.report.errors import PdfError
from ccinspect.report.html import render_loaded
from ccinspect.report.i18n import Lang
from ccinspect.report.rundir import RunReport, open_run
from ccinspect.report.view import DETAIL_LIMIT

__all__ = [
    "CHROMIUM_NAMES",
    "INSTALL_HINT",
    "chromium_path",
    "default_pdf_path",
    "print_to_pdf",
    "render_pdf",
    "write_pdf",
]

CHROMIUM_NAMES = ("chromium", "chromium-browser")
INSTALL_HINT = "install Debian's chromium: make install"
DEFAULT_TIMEOUT_S = 120.0


def chromium_path() -> str:
    """The Chromium executable on PATH; :class:`PdfError` with the install hint when there is none."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(
        f"Chromium is not installed (looked for {', '.join(CHROMIUM_NAMES)} on PATH): {INSTALL_HINT}"
    )


def chromium_command(executable: str, profile: Path, *extra: str) -> list[str]:
    """The headless Chromium command line the report uses (no sandbox, no network features)."""
    return [
        executable,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--mute-audio",
        f"--user-data-dir={profile}",
        *extra,
    ]


def run_chromium(args: list[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
    """Run Chromium with ``args`` (from :func:`chromium_command`) within ``timeout`` seconds.

    Chromium starts helper processes; on timeout the whole process group it leads is killed.
    """
    with subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True
    ) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise PdfError(f"Chromium did not finish printing within {timeout:g} s") from exc
        return subprocess.CompletedProcess(args, proc.returncode, out, err)


def print_to_pdf(html: Path, pdf: Path, *, timeout: float = DEFAULT_TIMEOUT_S) -> Path:
    """Print local HTML file ``html`` to ``pdf`` (A4, no browser header or footer)."""
    executable = chromium_path()
    pdf.parent.mkdir(parents=True, exist_ok=True)
    tmp = pdf.with_name(pdf.name + ".tmp")
    tmp.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="ccinspect-chromium-") as profile:
        args = chromium_command(
            executable,
            Path(profile),
            "--no-pdf-header-footer",
            f"--print-to-pdf={tmp}",
            html.resolve().as_uri(),
        )
        result = run_chromium(args, timeout)
    if result.returncode != 0 or not tmp.is_file() or tmp.read_bytes()[:5] != b"%PDF-":
        tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        tmp.unlink(missing_ok=True)
        raise PdfError(f"Chromium could not print {html} (exit {result.returncode}): {' | '.join(tail)}")
    tmp.replace(pdf)
    return pdf


def default_pdf_path(run_path: Path, lang: Lang, *, unmask: bool) -> Path:
    """Where :func:`render_pdf` writes: ``<run dir>/report/report-<lang>[-unmasked].pdf``."""
    return run_path / "report" / f"report-{lang}{'-unmasked' if unmask else ''}.pdf"


def render_pdf(
    run_dir: str | Path,
    *,
    lang: Lang = "zh",
    unmask: bool = False,
    timeout: float = DEFAULT_TIMEOUT_S,
    out: str | Path | None = None,
    detail_limit: int = DETAIL_LIMIT,
) -> Path:
    """Render the run at ``run_dir`` to a paginated PDF (same content as the HTML) and return its path.

    Raises :class:`~ccinspect.report.errors.RunDirError` for a bad run directory and
    :class:`PdfError` when Chromium is missing ("install Debian's chromium: make install"),
    fails, or takes longer than ``timeout`` seconds.
    """
    chromium_path()  # fail early, before loading and rendering, when Chromium is missing
    run = open_run(run_dir, unmask=unmask)
    target = Path(out) if out is not None else default_pdf_path(run.path, lang, unmask=unmask)
    return write_pdf(run, target, lang=lang, timeout=timeout, detail_limit=detail_limit)


def write_pdf(
    run: RunReport, target: Path, *, lang: Lang, timeout: float, detail_limit: int = DETAIL_LIMIT
) -> Path:
    """Print a loaded run to ``target`` (via a print-mode HTML page beside it, removed after)."""
    page = target.parent / f".print-{target.stem}.html"
    try:
        render_loaded(run, page, lang=lang, detail_limit=detail_limit, print_mode=True)
        return print_to_pdf(page, target, timeout=timeout)
    finally:
        page.unlink(missing_ok=True)
