"""``ccinspect run``: rehearse the inspection against a platform over real SIP calls.

Exit 0 every check passed, 1 a check failed (a finding), 2 the run could not be carried out or a
file is wrong (raised as :class:`~ccinspect.errors.CcinspectError`; the CLI prints it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ccinspect.cli import aio
from ccinspect.cli.common import as_given, err, out, progress, repo_file, run_store_url

__all__ = ["cmd_run", "register"]


def cmd_run(args: argparse.Namespace) -> int:
    """Load the files, run the inspection, print the verdict table; returns the exit code."""
    from ccinspect.core.scenario import load_scenario, load_target
    from ccinspect.runner.console import ConsoleProgress, verdict_table
    from ccinspect.runner.manual import Asker, FileAsker, InteractiveAsker, NoAsker
    from ccinspect.runner.run import run_inspection
    from ccinspect.store import open_store

    scenario_path = Path(args.scenario) if args.scenario else repo_file("scenarios", "onsite-jiangsu.yaml")
    target_path = Path(args.target) if args.target else repo_file("scenarios", "targets", "demo.yaml")
    store = None
    try:
        scenario = load_scenario(scenario_path)
        target = load_target(target_path)
        console = ConsoleProgress(err)
        asker: Asker
        if args.answers:
            asker = FileAsker(Path(args.answers), note=console.note)  # a wrong file stops here
        elif sys.stdin.isatty():
            asker = InteractiveAsker()
        else:
            asker = NoAsker()
        if not args.no_store:
            store = open_store(run_store_url(args.db, Path(args.out)))
        err.print(
            f"[bold]{scenario.title.zh}[/bold] / {scenario.title.en}\n"
            f"scenario 场景: {scenario_path}   target 目标: {target_path}",
            highlight=False,
        )
        outcome = aio.run(
            run_inspection(
                scenario,
                target,
                out_root=Path(args.out),
                progress=console,
                scenario_file=as_given(scenario_path),
                target_file=as_given(target_path),
                store=store,
                asker=asker,
            ),
            on_signal=progress,
        )
    finally:
        if store is not None:
            store.close()
    out.print(verdict_table(outcome.results, lang=args.lang))
    label = outcome.verdict.label
    out.print(
        f"overall 总结论: [bold]{label.en} {label.zh}[/bold]   "
        f"run {outcome.run_id} in {outcome.seconds:.1f} s   report: {outcome.path / 'report.json'}",
        highlight=False,
    )
    if outcome.error:
        err.print(f"the run stopped early: {outcome.error}", markup=False)
    return outcome.exit_code


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``run`` to ``sub``."""
    run = sub.add_parser(
        "run",
        help="rehearse the inspection against a platform / 现场核查演练",
        description="Run an inspection scenario against a target platform over real SIP calls. "
        "Exit 0: every check passed; 1: a check failed (a finding); 2: the run could not be carried out.",
    )
    run.add_argument(
        "--scenario", metavar="FILE", help="scenario file (default scenarios/onsite-jiangsu.yaml)"
    )
    run.add_argument("--target", metavar="FILE", help="target file (default scenarios/targets/demo.yaml)")
    run.add_argument("--out", metavar="DIR", default="runs", help="where run directories go (default runs/)")
    run.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the verdict table")
    run.add_argument(
        "--db", metavar="URL", help="run store (SQLAlchemy URL; default CCINSPECT_DB or OUT/ccinspect.sqlite)"
    )
    run.add_argument("--no-store", action="store_true", help="do not record the run in the run store")
    run.add_argument(
        "--answers",
        metavar="FILE",
        help="the operator's answers (YAML) for what the target leaves to a person "
        "(complaints.kind: manual, screening.observe: manual); read again until each answer is "
        "there or timeouts.manual expires, so it may be filled in during the run; see "
        "scenarios/answers-example.yaml. Without it, a terminal run asks on the terminal "
        "/ 操作员答复文件（YAML），可在运行中填写",
    )
    run.set_defaults(func=cmd_run)
