"""``ccinspect report RUN_DIR``: render a stored run to HTML, PDF and JUnit XML.

Wiring: ``cli.build_parser`` calls :func:`register` with its subparsers; the parser it adds
sets ``func`` to :func:`cmd_report`, which returns the exit code: 0 when every file was
written, 2 when the run directory is missing or invalid, or a PDF could not be printed (the
message says why and what to install). Where each file went is printed, one per line.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["cmd_report", "register"]

EXIT_OK = 0
EXIT_ERROR = 2


def _formats(value: str) -> list[str]:
    from ccinspect.report import FORMATS

    wanted = [v.strip().lower() for v in value.split(",") if v.strip()]
    unknown = [v for v in wanted if v not in FORMATS]
    if not wanted or unknown:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(unknown) or value!r}; "
            f"choose from {', '.join(FORMATS)} (comma-separated)"
        )
    return wanted


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``report`` command to ``subparsers`` (from ``ArgumentParser.add_subparsers``)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "report",
        help="render a run as an evidence report (HTML, PDF, JUnit) / 生成核查报告",
        description="Render a stored run (e.g. runs/latest) as an HTML evidence report, a PDF of it "
        "(headless Chromium) and JUnit XML. Public callers' numbers are masked unless --unmask. "
        "Files go to RUN_DIR/report/. Exit 0: written; 2: not a valid run directory, or the PDF failed.",
    )
    parser.add_argument("run_dir", metavar="RUN_DIR", help="run directory, e.g. runs/latest")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="report language (default zh)")
    parser.add_argument(
        "--format",
        dest="formats",
        type=_formats,
        default=["html"],
        metavar="LIST",
        help="comma-separated: html, pdf, junit (default html)",
    )
    parser.add_argument(
        "--self-contained",
        action="store_true",
        help="embed stylesheet, pictures and audio in the HTML file (one file to hand over)",
    )
    parser.add_argument(
        "--unmask", action="store_true", help="show public callers' numbers in full (internal use only)"
    )
    parser.add_argument(
        "--timeout", type=float, default=120.0, metavar="S", help="bound on printing the PDF (default 120 s)"
    )
    parser.set_defaults(func=cmd_report)
    return parser


def cmd_report(args: argparse.Namespace) -> int:
    """Run the ``report`` command; returns the exit code (see the module doc)."""
    from ccinspect.report import ReportError, render_all

    try:
        written = render_all(
            args.run_dir,
            langs=(args.lang,),
            formats=args.formats,
            unmask=args.unmask,
            self_contained=args.self_contained,
            timeout=args.timeout,
        )
    except ReportError as exc:
        print(f"ccinspect report: {exc.message}", file=sys.stderr)
        return EXIT_ERROR
    for kind, path in written:
        print(f"{kind}: {path}")
    return EXIT_OK
