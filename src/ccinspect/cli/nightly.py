"""``ccinspect nightly``: the nightly job (scenario run, retention canaries, comparison, alerts).

See :mod:`ccinspect.nightly.job`. Exit 0 all good, 1 a FAIL, a regression or a missing/altered
canary, 2 could not run (a wrong file or ``--now``, the run store unreachable: raised as
:class:`~ccinspect.errors.CcinspectError` and printed by :func:`ccinspect.cli.main.main`).
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path

from ccinspect.cli import aio
from ccinspect.cli.common import UsageError, as_given, err, out, repo_file, run_store_url
from ccinspect.core.verdict import Verdict

__all__ = ["parse_now", "register"]

#: Environment variable holding the job's clock (ISO 8601), for tests and replays.
NOW_ENV = "CCINSPECT_NOW"


def parse_now(value: str | None) -> float:
    """Epoch seconds of ``value`` (ISO 8601; without a zone it is UTC), or the real clock when None.

    Raises :class:`~ccinspect.cli.common.UsageError` (a ``ValueError``) with a bilingual
    message for anything else.
    """
    if not value:
        return datetime.now(UTC).timestamp()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(
            f"--now / ${NOW_ENV}: {value!r} is not an ISO 8601 time (e.g. 2026-11-30T02:00:00+08:00)",
            f"--now / ${NOW_ENV}：{value!r} 不是 ISO 8601 时间",
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def cmd_nightly(args: argparse.Namespace) -> int:
    """Run the nightly job and print what it found; returns the exit code."""

    from ccinspect.core.scenario import load_scenario, load_target
    from ccinspect.nightly.job import NightlyOptions, nightly
    from ccinspect.runner.console import ConsoleProgress, verdict_table
    from ccinspect.store import open_store

    scenario_path = Path(args.scenario) if args.scenario else repo_file("scenarios", "nightly.yaml")
    target_path = Path(args.target) if args.target else repo_file("scenarios", "targets", "demo.yaml")
    now = parse_now(args.now or os.environ.get(NOW_ENV))
    scenario = load_scenario(scenario_path)
    target = load_target(target_path)
    out_root = Path(args.out)
    store = open_store(run_store_url(args.db, out_root))
    opts = NightlyOptions(
        out_root=out_root,
        now=now,
        retention_days=args.retention_days,
        reencodes=args.platform_reencodes,
        alert_webhook=args.alert_webhook,
        metrics_file=Path(args.metrics) if args.metrics else None,
        bound_s=args.timeout,
        scenario_file=as_given(scenario_path),
        target_file=as_given(target_path),
    )
    err.print(
        f"[bold]{scenario.title.zh}[/bold] / {scenario.title.en}   clock 时钟: "
        f"{datetime.fromtimestamp(now, UTC).isoformat()}",
        highlight=False,
    )
    try:
        result = aio.run(
            nightly(scenario, target, store, opts, progress=ConsoleProgress(err)),
            on_signal=lambda m: err.print(m, markup=False),
        )
    finally:
        store.close()
    if result.run is not None:
        out.print(verdict_table(result.run.results, lang=args.lang))
    for line in result.lines:
        out.print(f"{line.en}\n  {line.zh}", markup=False, highlight=False, soft_wrap=True)
    fail, error = Verdict.FAIL.label, Verdict.ERROR.label
    word = {0: "OK 正常", 1: f"{fail.en} {fail.zh}", 2: f"{error.en} {error.zh}"}.get(result.exit_code, "?")
    out.print(f"nightly 夜间巡检: {word}   run {result.run_id or '-'}", highlight=False)
    return result.exit_code


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``nightly`` to ``sub``."""
    p = sub.add_parser(
        "nightly",
        help="nightly production check with retention canaries / 夜间巡检",
        description="Run the nightly scenario, keep one recording as tonight's canary, prove the "
        "canaries that reached the retention period, compare with the previous nightly run. "
        "Exit 0 good, 1 failure or regression, 2 could not run.",
    )
    p.add_argument("--scenario", metavar="FILE", help="scenario file (default scenarios/nightly.yaml)")
    p.add_argument("--target", metavar="FILE", help="target file (default scenarios/targets/demo.yaml)")
    p.add_argument("--db", metavar="URL", help="run store (default $CCINSPECT_DB, else OUT/ccinspect.sqlite)")
    p.add_argument("--out", default="runs", metavar="DIR", help="where run directories go (default runs)")
    p.add_argument(
        "--retention-days",
        type=float,
        default=30.0,
        metavar="N",
        help="prove canaries this many days old (default 30, the regulator's minimum)",
    )
    p.add_argument(
        "--platform-reencodes",
        action="store_true",
        help="the platform rewrites stored recordings: accept other bytes when fingerprints and length hold",
    )
    p.add_argument("--alert-webhook", metavar="URL", help="POST an alert (JSON) on failure or regression")
    p.add_argument("--metrics", metavar="FILE", help="write Prometheus metrics (textfile collector)")
    p.add_argument("--now", metavar="ISO8601", help=f"the job's clock (default ${NOW_ENV}, else now)")
    p.add_argument(
        "--timeout", type=float, default=1800.0, metavar="S", help="bound of the whole job (default 1800 s)"
    )
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the verdict table")
    p.set_defaults(func=cmd_nightly)
