"""Commands over stored runs: ``runs``, ``show``, ``compare``, ``import``.

:func:`register` adds them to ``ccinspect``'s sub-commands. Exit codes as everywhere in
ccinspect: 0 success; 1 a finding (``compare``: the later run regressed); 2 ccinspect could not
do what was asked (database unreachable, run not found): a
:class:`~ccinspect.store.StoreError`, raised to :func:`ccinspect.cli.main.main`, which prints it
in English and Chinese with the next step. The store (SQLAlchemy) is imported only when a
command runs.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from ccinspect.cli.common import DB_HELP, err, open_run_store, out, print_error
from ccinspect.core.verdict import Verdict
from ccinspect.errors import EXIT_FAIL, EXIT_OK

if TYPE_CHECKING:
    from ccinspect.core.compare import RunComparison
    from ccinspect.store import RunDetail, RunSummary

__all__ = ["register"]

_STATUS_ZH = {"running": "进行中", "complete": "已完成", "interrupted": "已中断", "error": "出错"}
_VERDICT_STYLE = {"pass": "green", "fail": "bold red", "error": "yellow", "skip": "dim"}


def _when(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp)) if stamp is not None else "-"


def _verdict(value: str | None) -> str:
    if value is None:
        return "-"
    style = _VERDICT_STYLE[value]
    return f"[{style}]{value} {Verdict(value).label.zh}[/{style}]"


def _status(value: str) -> str:
    style = {"running": "cyan", "interrupted": "yellow", "error": "yellow"}.get(value, "")
    text = f"{value} {_STATUS_ZH[value]}"
    return f"[{style}]{text}[/{style}]" if style else text


def _print_json(value: Any) -> None:
    from ccinspect.runner.output import to_jsonable

    print(json.dumps(to_jsonable(value), ensure_ascii=False, indent=1))


# -- runs ------------------------------------------------------------------------------------------


def cmd_runs(args: argparse.Namespace) -> int:
    """List stored runs, newest first; runs whose recorder died are marked interrupted first."""
    from ccinspect.store import StoreError

    with open_run_store(args.db) as store:
        try:
            store.mark_stale_interrupted()
        except StoreError as exc:  # a read-only database still lists; the status is computed
            err.print(f"note: could not mark interrupted runs: {exc}", markup=False)
        runs = store.list_runs(args.limit, target=args.target)
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
    with open_run_store(args.db) as store:
        detail = store.get_run(store.resolve(args.run))
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
    with open_run_store(args.db) as store:
        comparison = store.compare(store.resolve(args.run_a), store.resolve(args.run_b))
    if args.json:
        _print_json(comparison)
    else:
        _print_comparison(comparison)
    return EXIT_FAIL if comparison.regressions else EXIT_OK


def _print_comparison(c: RunComparison) -> None:
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
    with open_run_store(args.db) as store:
        for run_dir in args.run_dirs:
            try:
                r = store.import_run_dir(Path(run_dir))
            except StoreError as exc:  # say so and go on with the other directories
                code = print_error(exc)
                continue
            out.print(
                f"imported 已导入 {r.run_id}: {_status(r.status.value)}, "
                f"verdict 结论 {_verdict(r.overall.value if r.overall else None)}, {r.calls} calls 通话, "
                f"into {store.url}"
            )
    return code


# -- wiring ----------------------------------------------------------------------------------------


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``runs``, ``show``, ``compare`` and ``import`` to ``sub``."""
    runs = sub.add_parser(
        "runs",
        help="list stored runs / 运行记录",
        description="List stored runs, newest first. Runs whose recording process is gone "
        "are marked interrupted.",
    )
    runs.add_argument("--db", metavar="URL", help=DB_HELP)
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
    show.add_argument("--db", metavar="URL", help=DB_HELP)
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
    compare.add_argument("--db", metavar="URL", help=DB_HELP)
    compare.add_argument("--json", action="store_true", help="print JSON")
    compare.set_defaults(func=cmd_compare)

    imp = sub.add_parser(
        "import",
        help="load run directories into the run store / 导入运行",
        description="Load existing run directories (report.json, calls/) into the run store. "
        "Importing the same directory again changes nothing.",
    )
    imp.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="a directory under runs/")
    imp.add_argument("--db", metavar="URL", help=DB_HELP)
    imp.set_defaults(func=cmd_import)
