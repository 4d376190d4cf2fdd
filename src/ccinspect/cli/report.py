"""The evidence commands: ``report``, ``bundle`` and ``verify``.

* ``ccinspect report RUN_DIR`` renders a stored run to HTML, PDF, JUnit XML and the screenshots
  appendix (screenshots.pdf) and prints where each file went, one per line; exit 0 when every
  file was written, 2 when the run directory is missing or invalid, the appendix was asked of a
  run without screenshots, or a PDF could not be printed (a
  :class:`~ccinspect.report.ReportError` saying why and what to do).
* ``ccinspect bundle RUN`` zips a run's evidence with a SHA-256 manifest and records the
  manifest's hash in the run store.
* ``ccinspect verify BUNDLE`` re-hashes a bundle: exit 0 intact, 1 altered (each changed file
  named), 2 unreadable.

Errors (:class:`~ccinspect.report.ReportError`, :class:`~ccinspect.bundle.BundleError`,
:class:`~ccinspect.store.StoreError`) are raised to :func:`ccinspect.cli.main.main`, which prints
them in English and Chinese with the next step.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ccinspect.cli.common import DB_HELP, err, open_run_store, out, store_url_given
from ccinspect.errors import EXIT_FAIL, EXIT_OK

__all__ = ["cmd_bundle", "cmd_report", "cmd_verify", "register"]


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
    """Add ``report``, ``bundle`` and ``verify`` to ``subparsers`` (from
    ``ArgumentParser.add_subparsers``); returns the ``report`` parser."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "report",
        help="render a run as an evidence report (HTML, PDF, JUnit, screenshots) / 生成核查报告",
        description="Render a stored run (e.g. runs/latest) as an HTML evidence report, a PDF of it "
        "(headless Chromium), JUnit XML, and the appendix of the web console's screenshots "
        "(screenshots.pdf, bilingual). Public callers' numbers are masked unless --unmask. "
        "Files go to RUN_DIR/report/. Exit 0: written; 2: not a valid run directory, no "
        "screenshots for the appendix, or the PDF failed.",
    )
    parser.add_argument("run_dir", metavar="RUN_DIR", help="run directory, e.g. runs/latest")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="report language (default zh)")
    parser.add_argument(
        "--format",
        dest="formats",
        type=_formats,
        default=["html"],
        metavar="LIST",
        help="comma-separated: html, pdf, junit, screenshots (default html)",
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

    sub = subparsers
    bundle = sub.add_parser(
        "bundle",
        help="write a run's evidence bundle / 生成证据包",
        description="Zip a run's report, calls, evidence and recordings with a SHA-256 "
        "manifest, and record the manifest's hash in the run store.",
    )
    bundle.add_argument(
        "run", metavar="RUN", help="a run directory, or a stored run's id, prefix or 'latest'"
    )
    bundle.add_argument(
        "--out", metavar="FILE", help="where to write the zip (default runs/<run-id>.evidence.zip)"
    )
    bundle.add_argument("--db", metavar="URL", help=DB_HELP)
    bundle.set_defaults(func=cmd_bundle)

    verify = sub.add_parser(
        "verify",
        help="check an evidence bundle for tampering / 校验证据包",
        description="Re-hash every file of an evidence bundle against its manifest and the "
        "run store. Exit 0 intact, 1 altered (each changed file named), 2 unreadable.",
    )
    verify.add_argument("bundle", metavar="BUNDLE", help="the .zip written by `ccinspect bundle`")
    verify.add_argument("--db", metavar="URL", help=DB_HELP)
    verify.set_defaults(func=cmd_verify)

    return parser


def cmd_report(args: argparse.Namespace) -> int:
    """Run the ``report`` command; returns the exit code (see the module doc)."""
    from ccinspect.report import render_all

    written = render_all(
        args.run_dir,
        langs=(args.lang,),
        formats=args.formats,
        unmask=args.unmask,
        self_contained=args.self_contained,
        timeout=args.timeout,
    )
    for kind, path in written:
        print(f"{kind}: {path}")
    return EXIT_OK


# -- bundle ----------------------------------------------------------------------------------------


def _run_dir_for(args: argparse.Namespace) -> tuple[Path, str | None]:
    """The run directory to bundle: RUN itself when it is a directory, else the stored run's."""
    from ccinspect.store import StoreError

    candidate = Path(args.run)
    if candidate.is_dir():
        return candidate.resolve(), None
    with open_run_store(args.db) as store:
        detail = store.get_run(store.resolve(args.run))
    if detail.run.run_dir is None or not Path(detail.run.run_dir).is_dir():
        raise StoreError(
            f"the run directory of {detail.run.run_id} ({detail.run.run_dir}) no longer exists",
            f"运行 {detail.run.run_id} 的运行目录（{detail.run.run_dir}）已不存在",
            hint="give the run directory's current path instead: `ccinspect bundle PATH/TO/RUN`",
        )
    return Path(detail.run.run_dir), detail.run.run_id


def _not_recorded(why: str, run_dir: Path) -> int:
    err.print(
        f"note: {why}: the manifest hash was not recorded / 清单摘要未保存\n"
        f"next: `ccinspect import {run_dir}`, then bundle again",
        markup=False,
        soft_wrap=True,
    )
    return EXIT_OK


def cmd_bundle(args: argparse.Namespace) -> int:
    """Write a run's evidence bundle and record its manifest hash in the store."""
    from ccinspect.bundle import make_bundle
    from ccinspect.store import RunNotFound, StoreError

    run_dir, _ = _run_dir_for(args)
    dest = Path(args.out) if args.out else run_dir.parent / f"{run_dir.name}.evidence.zip"
    info = make_bundle(run_dir, dest)
    size = info.path.stat().st_size
    out.print(
        f"bundle 证据包: {info.path} ({len(info.files)} files, {size / 1e6:.1f} MB)\n"
        f"run 运行: {info.run_id}\nmanifest SHA-256 清单摘要: {info.manifest_sha256}",
        soft_wrap=True,
    )
    if not store_url_given(args.db):
        return _not_recorded("no run store was found / 未找到运行记录库", run_dir)
    try:
        with open_run_store(args.db) as store:
            store.record_bundle(info.run_id, info.manifest_sha256, info.path.resolve(), info.files)
    except RunNotFound:
        return _not_recorded(f"run {info.run_id} is not in the run store / 运行不在记录库中", run_dir)
    except StoreError:
        err.print(
            "the bundle was written, but its manifest hash could not be recorded / "
            "证据包已生成，但清单摘要未能保存",
            markup=False,
        )
        raise
    return EXIT_OK


# -- verify ----------------------------------------------------------------------------------------


def cmd_verify(args: argparse.Namespace) -> int:
    """Check a bundle: exit 0 intact, 1 altered (each changed file named), 2 unreadable."""
    from ccinspect.bundle import read_manifest, verify_bundle
    from ccinspect.store import RunNotFound

    bundle = Path(args.bundle)
    expected_sha: str | None = None
    expected_files: dict[str, str] | None = None
    notes: list[str] = []
    manifest = read_manifest(bundle)
    if store_url_given(args.db):
        with open_run_store(args.db) as store:
            try:
                run = store.get_run(manifest.run_id)
            except RunNotFound:
                notes.append(
                    f"run {manifest.run_id} is not in the run store: checked against the bundle's "
                    "own manifest only / 记录库中无此运行，仅按包内清单核对"
                )
            else:
                expected_sha = run.run.bundle_sha256
                if expected_sha is None:
                    notes.append(
                        "no bundle hash recorded for this run: checked against the bundle's own "
                        "manifest only / 此运行未记录证据包摘要，仅按包内清单核对"
                    )
                else:
                    expected_files = {e.path: e.sha256 for e in run.evidence}
    else:
        notes.append(
            "no run store found: checked against the bundle's own manifest only / "
            "未找到运行记录库，仅按包内清单核对"
        )
    result = verify_bundle(bundle, expected_sha, expected_files)
    for note in notes:
        err.print(f"note: {note}", markup=False, soft_wrap=True)
    if result.ok:
        out.print(
            f"[green]intact 完好[/green]: {bundle} — run {result.run_id}, {result.files_checked} files "
            f"re-hashed, manifest SHA-256 {result.manifest_sha256}"
            + (" matches the run store / 与记录库一致" if expected_sha else ""),
            soft_wrap=True,
        )
        return EXIT_OK
    lines = [f"[bold red]ALTERED 已被改动[/bold red]: {bundle} (run {result.run_id})"]
    if not result.manifest_ok:
        lines.append(
            "  MANIFEST.json differs from the one recorded when the bundle was made / "
            f"清单与生成时记录的不一致: recorded {expected_sha}, found {result.manifest_sha256}"
        )
    lines += [f"  changed 内容被改动: {name}" for name in result.changed]
    lines += [f"  missing 缺失: {name}" for name in result.missing]
    lines += [f"  added 多出: {name}" for name in result.extra]
    lines.append(
        "next: do not use this bundle as evidence; make a new one from the run directory with "
        "`ccinspect bundle RUN` / 请勿使用此证据包，请重新生成"
    )
    out.print("\n".join(lines), soft_wrap=True, highlight=False)
    return EXIT_FAIL
