"""The screenshots appendix: a run's web-console screenshots as one printable PDF.

``ccinspect report RUN_DIR --format screenshots`` writes ``<run dir>/report/screenshots.pdf``
(``screenshots-unmasked.pdf`` with ``--unmask``): a cover page (系统功能截图 / System function
screenshots, run id, platform under test, date, a list of the figures), then the screenshots
numbered 图 1 / Figure 1 …, each with its caption in Chinese and English, the call it is about, and
a failed step marked with its error; at most two on an A4 page, each scaled to fit its half of the
page (never cut off); a portrait screenshot (a whole long page) gets a page of its own. The
appendix is bilingual whatever ``--lang`` says.

The page is rendered with Jinja2 (autoescape on) beside the PDF with the images embedded as
``data:`` URIs, printed by headless Chromium (:mod:`.pdf`) and removed. Captions and errors are
masked like the rest of the report; the pictures themselves cannot be, and the cover says so.
A run without screenshots raises :class:`~ccinspect.report.errors.NoScreenshotsError`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ccinspect.report.assets import Assets
from ccinspect.report.errors import NoScreenshotsError
from ccinspect.report.html import template_env
from ccinspect.report.i18n import Catalogue
from ccinspect.report.pdf import DEFAULT_TIMEOUT_S, chromium_path, print_to_pdf
from ccinspect.report.rundir import RunReport, open_run
from ccinspect.report.shots import Shots, ShotView

__all__ = [
    "ERROR_MAX",
    "PER_PAGE",
    "default_screenshots_path",
    "render_screenshots",
    "require_screenshots",
    "write_screenshots",
]

#: Screenshots on one A4 page.
PER_PAGE = 2
#: A failed step's error is cut to this many characters in print (report.json and the HTML
#: report have it whole); a browser's error with its call log would push the picture off the page.
ERROR_MAX = 300


def default_screenshots_path(run_path: Path, *, unmask: bool) -> Path:
    """Where the appendix goes: ``<run dir>/report/screenshots[-unmasked].pdf``."""
    return run_path / "report" / f"screenshots{'-unmasked' if unmask else ''}.pdf"


def require_screenshots(run: RunReport) -> None:
    """Raise :class:`NoScreenshotsError` when the run took no web-console screenshots."""
    if not run.info.facts.screenshots:
        raise NoScreenshotsError(str(run.path))


def _portrait(image: Path | None) -> bool:
    """True for a PNG taller than it is wide (its IHDR says; anything else counts as landscape)."""
    if image is None:
        return False
    try:
        with image.open("rb") as f:
            head = f.read(24)
    except OSError:
        return False
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return False
    return int.from_bytes(head[20:24], "big") > int.from_bytes(head[16:20], "big")


def _sheets(shots: list[ShotView], files: dict[str, Path]) -> list[tuple[list[ShotView], int]]:
    """Shots grouped into pages, each with how many empty half-page slots it keeps (so the last
    half-filled page keeps its picture half-page sized): two a page in order, a portrait
    screenshot alone on a whole page."""
    sheets: list[tuple[list[ShotView], int]] = []
    filling: list[ShotView] | None = None
    for shot in shots:
        if _portrait(files.get(shot.file)):
            sheets.append(([shot], 0))
            filling = None
        elif filling is not None and len(filling) < PER_PAGE:
            filling.append(shot)
        else:
            filling = [shot]
            sheets.append((filling, -1))
    return [(page, PER_PAGE - len(page) if empty < 0 else empty) for page, empty in sheets]


def _cut(text: str | None) -> str | None:
    if text is None or len(text) <= ERROR_MAX:
        return text
    return text[: ERROR_MAX - 1] + "…"


def render_page(run: RunReport, report_dir: Path) -> str:
    """The appendix as one HTML page (images inline), ready to print."""
    zh, en = Catalogue("zh"), Catalogue("en")
    views = Shots(run, zh, Assets(report_dir, inline=True), {}).views
    shots = [replace(view, error=_cut(view.error)) for view in views]
    info = run.info
    target = " — ".join(p for p in (info.target.name, info.target.description) if p)
    return (
        template_env()
        .get_template("screenshots.html.j2")
        .render(
            zh=zh,
            en=en,
            run_id=info.run_id or run.path.name,
            target=target,
            date=zh.when(info.started_at),
            masked=not run.unmasked,
            shots=shots,
            sheets=_sheets(shots, run.screenshot_files),
        )
    )


def write_screenshots(run: RunReport, target: Path, *, timeout: float = DEFAULT_TIMEOUT_S) -> Path:
    """Print the appendix of a loaded run to ``target`` (via a page beside it, removed after)."""
    require_screenshots(run)
    target.parent.mkdir(parents=True, exist_ok=True)
    page = target.parent / f".print-{target.stem}.html"
    try:
        page.write_text(render_page(run, target.parent), encoding="utf-8")
        return print_to_pdf(page, target, timeout=timeout)
    finally:
        page.unlink(missing_ok=True)


def render_screenshots(
    run_dir: str | Path,
    *,
    unmask: bool = False,
    timeout: float = DEFAULT_TIMEOUT_S,
    out: str | Path | None = None,
) -> Path:
    """Print the screenshots appendix of the run at ``run_dir`` and return the PDF's path.

    Raises :class:`~ccinspect.report.errors.RunDirError` for a bad run directory,
    :class:`NoScreenshotsError` for a run without screenshots, and
    :class:`~ccinspect.report.errors.PdfError` when Chromium is missing, fails or times out.
    """
    chromium_path()  # fail early, before loading and rendering, when Chromium is missing
    run = open_run(run_dir, unmask=unmask)
    target = Path(out) if out is not None else default_screenshots_path(run.path, unmask=unmask)
    return write_screenshots(run, target, timeout=timeout)
