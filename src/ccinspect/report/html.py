"""Rendering a run to an HTML evidence report (Jinja2, autoescape on everywhere).

Output goes to ``<run dir>/report/`` unless ``out`` says otherwise: ``report-zh.html`` (masked),
``report-zh-unmasked.html``, ``report-zh-self-contained.html``; linked files under ``assets/``
beside it (see :mod:`.assets`). Every write is atomic (temporary file, then rename).
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from ccinspect.report.assets import Assets
from ccinspect.report.i18n import Catalogue, Lang
from ccinspect.report.rundir import RunReport, open_run
from ccinspect.report.view import DETAIL_LIMIT, build_view

__all__ = ["default_html_path", "render_html", "render_loaded", "template_env"]

_TEMPLATES = Path(__file__).parent / "templates"


def template_env() -> jinja2.Environment:
    """The report's Jinja2 environment: autoescape on for every template, undefined is an error."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )


def default_html_path(run_path: Path, lang: Lang, *, unmask: bool, self_contained: bool) -> Path:
    """Where :func:`render_html` writes when no ``out`` is given."""
    suffix = ("-unmasked" if unmask else "") + ("-self-contained" if self_contained else "")
    return run_path / "report" / f"report-{lang}{suffix}.html"


def render_loaded(
    run: RunReport,
    out: Path,
    *,
    lang: Lang = "zh",
    self_contained: bool = False,
    detail_limit: int = DETAIL_LIMIT,
    print_mode: bool = False,
) -> Path:
    """Render an already loaded run to ``out``; assets go to ``out``'s folder (unless inline)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    catalogue = Catalogue(lang)
    assets = Assets(out.parent, inline=self_contained)
    view = build_view(run, catalogue, assets, detail_limit=detail_limit, print_mode=print_mode)
    html = template_env().get_template("report.html.j2").render(r=view, t=catalogue, none=None)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    return out


def render_html(
    run_dir: str | Path,
    *,
    lang: Lang = "zh",
    unmask: bool = False,
    self_contained: bool = False,
    out: str | Path | None = None,
    detail_limit: int = DETAIL_LIMIT,
) -> Path:
    """Render the run at ``run_dir`` (``runs/latest`` works) to HTML and return the file's path.

    Chinese by default; public callers' numbers masked unless ``unmask``; with ``self_contained``
    the CSS, pictures and audio are embedded as ``data:`` URIs so the one file can be handed over.
    Runs with more than ``detail_limit`` calls draw waveforms only for failing calls and the first
    ``detail_limit`` (every call is still listed with its ladder and audio).
    Raises :class:`~ccinspect.report.errors.RunDirError` for a missing or invalid run directory.
    """
    run = open_run(run_dir, unmask=unmask)
    target = (
        Path(out)
        if out is not None
        else default_html_path(run.path, lang, unmask=unmask, self_contained=self_contained)
    )
    return render_loaded(run, target, lang=lang, self_contained=self_contained, detail_limit=detail_limit)
