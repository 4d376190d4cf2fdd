"""Commands over stored runs: ``runs``, ``show``, ``compare``, ``import``, ``bundle``, ``verify``.

:func:`register` adds them to ``ccinspect``'s sub-commands. Exit codes as everywhere in
ccinspect: 0 success; 1 a finding (``verify``: the bundle was altered; ``compare``: the later run
regressed); 2 ccinspect could not do what was asked (database unreachable, run not found,
unreadable bundle). Every error says what failed, where, and what to do next, in English and
Chinese. The store (SQLAlchemy) is imported only when a command runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from ccinspect.cliutil import err, out

if TYPE_CHECKING:
    from ccinspect.store import RunDetail, RunStore, RunSummary
    from ccinspect.store.results import Comparison

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


_STATUS_ZH = {"running": "进行中", "complete": "已完成", "interrupted": "已中断", "error": "出错"}
_VERDICT_ZH = {"pass": "通过", "fail": "不通过", "error": "无法检查", "skip": "跳过"}
_VERDICT_STYLE = {"pass": "green", "fail": "bold red", "error": "yellow", "skip": "dim"}
_DB_HELP = "run store: an SQLAlchemy URL or a SQLite file (default $CCINSPECT_DB, else runs/ccinspect.sqlite)"


def _when(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp)) if stamp is not None else "-"


def _verdict(value: str | None) -> str:
    if value is None:
        return "-"
    style = _VERDICT_STYLE[value]
    return f"[{style}]{value} {_VERDICT_ZH[value]}[/{style}]"


def _status(value: str) -> str:
    style = {"running": "cyan", "interrupted": "yellow", "error": "yellow"}.get(value, "")
    text = f"{value} {_STATUS_ZH[value]}"
    return f"[{style}]{text}[/{style}]" if style else text


def _print_json(value: Any) -> None:
    from ccinspect.runner.output import to_jsonable

    print(json.dumps(to_jsonable(value), ensure_ascii=False, indent=1))


def _fail(exc: Exception) -> int:
    """Print a StoreError/BundleError (bilingual, with the next step) and return exit 2."""
    render = getattr(exc, "render", None)
    err.print(render() if callable(render) else f"error: {exc}", markup=False, soft_wrap=True)
    return EXIT_ERROR


def _open(db: str | None) -> RunStore:
    from ccinspect.store import open_store

    return open_store(db)


# -- runs ------------------------------------------------------------------------------------------


def cmd_runs(args: argparse.Namespace) -> int:
    """List stored runs, newest first; runs whose recorder died are marked interrupted first."""
    from ccinspect.store import StoreError

    try:
        with _open(args.db) as store:
            try:
                store.mark_stale_interrupted()
            except StoreError as exc:  # a read-only database still lists; the status is computed
                err.print(f"note: could not mark interrupted runs: {exc}", markup=False)
            runs = store.list_runs(args.limit, target=args.target)
    except StoreError as exc:
        return _fail(exc)
    if args.json:
        _print_json(list(runs))
        return EXIT_OK
    out.print(_runs_table(runs))
    if not runs:
        err.print(
            "no runs yet / 暂无运行记录: `ccinspect run`, or `ccinspect import runs/<id>`", markup=False
        )
    return EXIT_OK


def _runs_table(runs: tuple[RunSummary, ...]) -> Table:
    table = Table(title="stored runs / 运行记录", expand=False)
    for heading in (
        "run 运行",
        "started 开始",
        "status 状态",
        "verdict 结论",
        "target 目标",
        "scenario 场景",
        "calls 通话",
        "failed 不通过",
        "bundle 证据包",
    ):
        table.add_column(heading, no_wrap=heading.startswith(("run", "started")))
    for r in runs:
        table.add_row(
            r.run_id,
            _when(r.started_at),
            _status(r.status.value),
            _verdict(r.overall.value if r.overall else None),
            escape(r.target),
            escape(r.scenario),
            str(r.calls),
            str(r.checks_failed),
            r.bundle_sha256[:12] if r.bundle_sha256 else "-",
        )
    return table


# -- show ------------------------------------------------------------------------------------------


def cmd_show(args: argparse.Namespace) -> int:
    """Show one run: its record, the verdict table and its calls."""
    from ccinspect.store import StoreError

    try:
        with _open(args.db) as store:
            detail = store.get_run(store.resolve(args.run))
    except StoreError as exc:
        return _fail(exc)
    if args.json:
        _print_json(detail)
        return EXIT_OK
    _print_detail(detail, args.lang)
    return EXIT_OK


def _print_detail(detail: RunDetail, lang: str) -> None:
    from ccinspect.runner.console import verdict_table

    r = detail.run
    head = Table(title=f"run 运行 {r.run_id}", show_header=False)
    status = _status(r.status.value)
    if r.status is not r.stored_status:
        status += f" (recorded as {r.stored_status.value}; its recorder is gone / 记录进程已不存在)"
    rows = [
        ("status 状态", status),
        ("verdict 总结论", _verdict(r.overall.value if r.overall else None)),
        ("started 开始", _when(r.started_at)),
        ("finished 结束", _when(r.finished_at)),
        ("target 目标", escape(r.target)),
        ("scenario 场景", escape(r.scenario)),
        ("calls 通话", f"{len(detail.calls)} ({detail.recordings} recordings 录音)"),
        ("ccinspect", r.ccinspect_version),
        ("run dir 运行目录", escape(r.run_dir or "-")),
        ("evidence 证据文件", f"{len(detail.evidence)} files"),
        ("bundle 证据包", f"{r.bundle_path}\nmanifest SHA-256 {r.bundle_sha256}" if r.bundle_sha256 else "-"),
    ]
    if r.recorder_pid is not None:
        rows.append(("recorder 记录进程", f"pid {r.recorder_pid} on {r.recorder_host}"))
    if r.error:
        rows.append(("[yellow]error 错误[/yellow]", escape(r.error)))
    for name, value in rows:
        head.add_row(name, value)
    out.print(head)
    if detail.checks:
        out.print(verdict_table(detail.checks, lang=lang))
    calls = Table(title="calls / 通话", expand=False)
    for heading in ("call 通话", "purpose 类型", "dialled 被叫", "caller 主叫", "legs 各方"):
        calls.add_column(heading, no_wrap=not heading.startswith("legs"))
    for c in detail.calls:
        legs = [
            f"{escape(leg.agent)} ({leg.role.value}): {leg.final_status or '-'} {escape(leg.final_reason)}"
            + (" answered" if leg.answered else "")
            + ("" if leg.far_found is None else (" audio ok" if leg.far_found else " [red]no audio[/red]"))
            for leg in c.legs
        ]
        if c.harness_error:
            legs.append(f"[yellow]{escape(c.harness_error)}[/yellow]")
        calls.add_row(
            c.key,
            c.purpose.value,
            c.requested_number,
            "-" if c.caller_number_sent is None else c.caller_number_sent or "'' (absent 无)",
            "\n".join(legs),
        )
    out.print(calls)


# -- compare ---------------------------------------------------------------------------------------


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare two runs check by check; exit 1 when the later run regressed."""
    from ccinspect.store import StoreError

    try:
        with _open(args.db) as store:
            comparison = store.compare(store.resolve(args.run_a), store.resolve(args.run_b))
    except StoreError as exc:
        return _fail(exc)
    if args.json:
        _print_json(comparison)
    else:
        _print_comparison(comparison)
    return EXIT_FAIL if comparison.regressions else EXIT_OK


def _print_comparison(c: Comparison) -> None:
    table = Table(title=f"{c.run_a} → {c.run_b}: changed checks / 结论变化的检查项")
    for heading in ("check 检查项", "before 之前", "after 之后", "subjects 对象"):
        table.add_column(heading)
    for change in (*c.changed, *c.shifted):
        subjects = [
            f"{s.subject}: {s.before.value if s.before else '-'} → {s.after.value if s.after else '-'}"
            for s in change.subjects
        ]
        table.add_row(
            change.check_id,
            _verdict(change.before.value if change.before else None),
            _verdict(change.after.value if change.after else None),
            "\n".join(subjects),
        )
    out.print(table)
    out.print(
        f"overall 总结论: {_verdict(c.overall_before.value if c.overall_before else None)} → "
        f"{_verdict(c.overall_after.value if c.overall_after else None)}   "
        f"{len(c.changed)} changed 变化, {len(c.regressions)} worse 变差, {len(c.unchanged)} unchanged 未变"
    )


# -- import ----------------------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace) -> int:
    """Load run directories into the store (idempotent); exit 2 if any could not be loaded."""
    from ccinspect.store import StoreError

    code = EXIT_OK
    try:
        with _open(args.db) as store:
            for run_dir in args.run_dirs:
                try:
                    r = store.import_run_dir(Path(run_dir))
                except StoreError as exc:
                    code = _fail(exc)
                    continue
                out.print(
                    f"imported 已导入 {r.run_id}: {_status(r.status.value)}, "
                    f"verdict 结论 {_verdict(r.overall.value if r.overall else None)}, {r.calls} calls 通话, "
                    f"into {store.url}"
                )
    except StoreError as exc:
        return _fail(exc)
    return code


# -- bundle ----------------------------------------------------------------------------------------


def _run_dir_for(args: argparse.Namespace) -> tuple[Path, str | None]:
    """The run directory to bundle: RUN itself when it is a directory, else the stored run's."""
    from ccinspect.store import StoreError

    candidate = Path(args.run)
    if candidate.is_dir():
        return candidate.resolve(), None
    with _open(args.db) as store:
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
    from ccinspect.bundle import BundleError, make_bundle
    from ccinspect.store import RunNotFound, StoreError

    try:
        run_dir, _ = _run_dir_for(args)
        dest = Path(args.out) if args.out else run_dir.parent / f"{run_dir.name}.evidence.zip"
        info = make_bundle(run_dir, dest)
    except (StoreError, BundleError) as exc:
        return _fail(exc)
    size = info.path.stat().st_size
    out.print(
        f"bundle 证据包: {info.path} ({len(info.files)} files, {size / 1e6:.1f} MB)\n"
        f"run 运行: {info.run_id}\nmanifest SHA-256 清单摘要: {info.manifest_sha256}",
        soft_wrap=True,
    )
    if not _store_url_given(args.db):
        return _not_recorded("no run store was found / 未找到运行记录库", run_dir)
    try:
        with _open(args.db) as store:
            store.record_bundle(info.run_id, info.manifest_sha256, info.path.resolve(), info.files)
    except RunNotFound:
        return _not_recorded(f"run {info.run_id} is not in the run store / 运行不在记录库中", run_dir)
    except StoreError as exc:
        err.print(
            "the bundle was written, but its manifest hash could not be recorded / "
            "证据包已生成，但清单摘要未能保存",
            markup=False,
        )
        return _fail(exc)
    return EXIT_OK


# -- verify ----------------------------------------------------------------------------------------


def _store_url_given(db: str | None) -> bool:
    """Whether a store should be consulted: one was named, or the default file exists."""
    from ccinspect.store.db import ENV_VAR, resolve_url, sqlite_path

    if db or os.environ.get(ENV_VAR):
        return True
    path = sqlite_path(resolve_url(None))
    return path is not None and path.is_file()


def cmd_verify(args: argparse.Namespace) -> int:
    """Check a bundle: exit 0 intact, 1 altered (each changed file named), 2 unreadable."""
    from ccinspect.bundle import BundleError, read_manifest, verify_bundle
    from ccinspect.store import RunNotFound, StoreError

    bundle = Path(args.bundle)
    expected_sha: str | None = None
    expected_files: dict[str, str] | None = None
    notes: list[str] = []
    try:
        manifest = read_manifest(bundle)
        if _store_url_given(args.db):
            with _open(args.db) as store:
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
    except (StoreError, BundleError) as exc:
        return _fail(exc)
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


# -- wiring ----------------------------------------------------------------------------------------


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``runs``, ``show``, ``compare``, ``import``, ``bundle`` and ``verify`` to ``sub``."""
    runs = sub.add_parser(
        "runs",
        help="list stored runs / 运行记录",
        description="List stored runs, newest first. Runs whose recording process is gone "
        "are marked interrupted.",
    )
    runs.add_argument("--db", metavar="URL", help=_DB_HELP)
    runs.add_argument("--limit", type=int, default=20, metavar="N", help="how many runs (default 20)")
    runs.add_argument("--target", metavar="NAME", help="only runs against this target")
    runs.add_argument("--json", action="store_true", help="print JSON")
    runs.set_defaults(func=cmd_runs)

    show = sub.add_parser(
        "show",
        help="show one stored run / 查看运行",
        description="Show a stored run: its record, the verdict of every check and its calls.",
    )
    show.add_argument("run", metavar="RUN", help="run id, a unique prefix of one, or 'latest'")
    show.add_argument("--db", metavar="URL", help=_DB_HELP)
    show.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the verdict table")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=cmd_show)

    compare = sub.add_parser(
        "compare",
        help="compare two runs' verdicts / 比较两次运行",
        description="Which checks changed verdict from RUN_A to RUN_B. "
        "Exit 1 when RUN_B is worse on any check.",
    )
    compare.add_argument("run_a", metavar="RUN_A", help="the earlier run (id, prefix or 'latest')")
    compare.add_argument("run_b", metavar="RUN_B", help="the later run (id, prefix or 'latest')")
    compare.add_argument("--db", metavar="URL", help=_DB_HELP)
    compare.add_argument("--json", action="store_true", help="print JSON")
    compare.set_defaults(func=cmd_compare)

    imp = sub.add_parser(
        "import",
        help="load run directories into the run store / 导入运行",
        description="Load existing run directories (report.json, calls/) into the run store. "
        "Importing the same directory again changes nothing.",
    )
    imp.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="a directory under runs/")
    imp.add_argument("--db", metavar="URL", help=_DB_HELP)
    imp.set_defaults(func=cmd_import)

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
    bundle.add_argument("--db", metavar="URL", help=_DB_HELP)
    bundle.set_defaults(func=cmd_bundle)

    verify = sub.add_parser(
        "verify",
        help="check an evidence bundle for tampering / 校验证据包",
        description="Re-hash every file of an evidence bundle against its manifest and the "
        "run store. Exit 0 intact, 1 altered (each changed file named), 2 unreadable.",
    )
    verify.add_argument("bundle", metavar="BUNDLE", help="the .zip written by `ccinspect bundle`")
    verify.add_argument("--db", metavar="URL", help=_DB_HELP)
    verify.set_defaults(func=cmd_verify)


def main(argv: list[str] | None = None) -> int:
    """Run these commands on their own (``python -m ccinspect.cli_store``), as ``ccinspect`` would."""
    parser = argparse.ArgumentParser(
        prog="ccinspect", description="ccinspect's stored runs and evidence bundles"
    )
    register(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
