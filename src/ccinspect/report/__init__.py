"""Reports of a stored run: HTML evidence report, PDF, JUnit XML (report.json stays as written).

Public API (each takes a run directory such as ``runs/latest`` and returns where it wrote):

* :func:`render_html` — the evidence report: verdicts, checks and subjects, per call the
  caller-identity headers, a SIP ladder, audio players and waveforms. Chinese by default
  (``lang="en"`` for English), public numbers masked unless ``unmask``, ``self_contained``
  embeds everything in one file.
* :func:`render_pdf` — the same report printed by headless Chromium (A4, one call per page).
* :func:`render_junit` — one testcase per check and subject.
* :func:`render_screenshots` — the appendix of the web console's screenshots (screenshots.pdf:
  numbered, captioned in Chinese and English, two to an A4 page).
* :func:`render_all` — several formats and languages from one load of the run.

Errors: :class:`RunDirError` (not a valid run directory), :class:`PdfError` (Chromium
missing, failed or timed out) and :class:`NoScreenshotsError` (the appendix of a run that took
no screenshots). Everything is rendered with Jinja2 autoescape on; nothing a
platform sent is marked safe. The layout of report.json is documented in docs/report.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ccinspect.report.appendix import (
    default_screenshots_path,
    render_screenshots,
    require_screenshots,
    write_screenshots,
)
from ccinspect.report.errors import NoScreenshotsError, PdfError, ReportError, RunDirError
from ccinspect.report.html import default_html_path, render_html, render_loaded
from ccinspect.report.i18n import LANGS, Lang
from ccinspect.report.junit import default_junit_path, render_junit, write_junit
from ccinspect.report.pdf import DEFAULT_TIMEOUT_S, chromium_path, default_pdf_path, render_pdf, write_pdf
from ccinspect.report.rundir import open_run
from ccinspect.report.view import DETAIL_LIMIT

__all__ = [
    "FORMATS",
    "LANGS",
    "NoScreenshotsError",
    "PdfError",
    "ReportError",
    "RunDirError",
    "render_all",
    "render_html",
    "render_junit",
    "render_pdf",
    "render_screenshots",
]

FORMATS = ("html", "pdf", "junit", "screenshots")


def render_all(
    run_dir: str | Path,
    *,
    langs: Iterable[Lang] = ("zh",),
    formats: Iterable[str] = FORMATS,
    unmask: bool = False,
    self_contained: bool = False,
    timeout: float = DEFAULT_TIMEOUT_S,
    detail_limit: int = DETAIL_LIMIT,
) -> list[tuple[str, Path]]:
    """Render ``formats`` (html, pdf, junit, screenshots) in each of ``langs``; returns
    ``(format, path)`` pairs.

    The run is loaded once. JUnit and the screenshots appendix are language-neutral (both
    languages in each) and are written once. An unknown format or language raises ``ValueError``
    before anything is written; a bad run directory raises :class:`RunDirError`; a missing
    Chromium raises :class:`PdfError` and a run without screenshots (when the appendix is asked
    for) :class:`NoScreenshotsError`, both before anything is written; a failed print raises
    :class:`PdfError` after the HTML and JUnit files.
    """
    wanted = list(dict.fromkeys(formats))
    languages = list(dict.fromkeys(langs))
    unknown = [f for f in wanted if f not in FORMATS] + [str(lang) for lang in languages if lang not in LANGS]
    if unknown:
        raise ValueError(
            f"unknown format or language: {', '.join(unknown)} "
            f"(formats: {', '.join(FORMATS)}; languages: {', '.join(LANGS)})"
        )
    if "pdf" in wanted or "screenshots" in wanted:
        chromium_path()  # say Chromium is missing before writing anything
    run = open_run(run_dir, unmask=unmask)
    if "screenshots" in wanted:
        require_screenshots(run)  # likewise a run without screenshots
    written: list[tuple[str, Path]] = []
    for lang in languages:
        if "html" in wanted:
            out = default_html_path(run.path, lang, unmask=unmask, self_contained=self_contained)
            written.append(
                (
                    "html",
                    render_loaded(
                        run, out, lang=lang, self_contained=self_contained, detail_limit=detail_limit
                    ),
                )
            )
    if "junit" in wanted:
        written.append(("junit", write_junit(run, default_junit_path(run.path, unmask=unmask))))
    if "pdf" in wanted:
        for lang in languages:
            target = default_pdf_path(run.path, lang, unmask=unmask)
            written.append(
                ("pdf", write_pdf(run, target, lang=lang, timeout=timeout, detail_limit=detail_limit))
            )
    if "screenshots" in wanted:
        target = default_screenshots_path(run.path, unmask=unmask)
        written.append(("screenshots", write_screenshots(run, target, timeout=timeout)))
    return written
