"""The ``ccinspect`` command line. Async commands run through :func:`ccinspect.interrupt.run`.

Exit codes: 0 success; 1 a check failed (a finding about the platform); 2 ccinspect could not
do what was asked (PBX unreachable, bad arguments, wrong scenario or target file).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rich.table import Table

from ccinspect import __version__, interrupt, paths
from ccinspect.cliutil import as_given, err, out, repo_file, run_store_url

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_ERROR = 2


def _progress(message: str) -> None:
    err.print(f"[dim]{time.strftime('%H:%M:%S')}[/dim] {message}")


def _demo_backend(name: str) -> object:
    if name == "docker":
        from ccinspect.demo.pbx.docker import DockerBackend

        return DockerBackend(progress=_progress)
    from ccinspect.demo.pbx.rootfs import RootfsBackend

    return RootfsBackend(progress=_progress)


def _print_status(status: object, as_json: bool) -> None:
    from ccinspect.demo.pbx.status import DemoStatus

    assert isinstance(status, DemoStatus)
    if as_json:
        print(status.to_json())
        return
    table = Table(title="ccinspect demo PBX / 演示呼叫中心", show_header=False)
    table.add_row("running 运行", "yes" if status.running else "no")
    table.add_row("backend 后端", status.backend)
    if status.running:
        table.add_row("Asterisk", status.asterisk_version)
        table.add_row("SIP", f"{status.sip} ({'answers' if status.sip_ok else 'NO ANSWER'})")
        table.add_row("seats 坐席", ", ".join(status.seats))
        table.add_row("registered 已注册", ", ".join(status.registered_seats) or "none")
        table.add_row("trunk 临时中继", status.trunk)
        table.add_row("ARI", f"{status.ari_url} ({'ok' if status.ari_ok else 'NOT OK'})")
        table.add_row(
            "complaints 投诉", f"{status.complaints_url} ({'ok' if status.complaints_ok else 'NOT OK'})"
        )
        table.add_row("config 配置", status.config_dir)
    for problem in status.problems:
        table.add_row("[red]problem 问题[/red]", problem)
    out.print(table)


def cmd_demo(args: argparse.Namespace) -> int:
    from ccinspect.demo.pbx import config as democonfig
    from ccinspect.demo.pbx import purge
    from ccinspect.demo.pbx.errors import DemoError

    backend = _demo_backend(args.backend)
    try:
        if args.demo_cmd == "up":
            started = time.monotonic()
            cfg = democonfig.load(Path(args.config_dir) if args.config_dir else paths.asterisk_config_dir())
            sip = democonfig.HostPort.parse(args.sip_bind, default_port=5060) if args.sip_bind else None
            trunk = democonfig.HostPort.parse(args.trunk, default_port=5070) if args.trunk else None
            status = backend.up(cfg, sip=sip, trunk=trunk, timeout=args.timeout)  # type: ignore[attr-defined]
            _print_status(status, args.json)
            _progress(f"demo PBX up in {time.monotonic() - started:.1f} s")
            return EXIT_OK
        if args.demo_cmd == "down":
            done = backend.down()  # type: ignore[attr-defined]
            _progress("; ".join(done) if done else "the demo PBX was not running")
            return EXIT_OK
        if args.demo_cmd == "status":
            status = backend.status()  # type: ignore[attr-defined]
            _print_status(status, args.json)
            return EXIT_OK if status.healthy else EXIT_ERROR
        if args.demo_cmd == "logs":
            print(backend.logs(lines=args.lines))  # type: ignore[attr-defined]
            return EXIT_OK
        if args.demo_cmd == "purge":
            cfg = democonfig.load(Path(args.config_dir) if args.config_dir else paths.asterisk_config_dir())
            policy = cfg.retention
            if args.days is not None:
                policy = democonfig.Retention(days=args.days, force=args.force)
            result = purge.purge(backend.recording_dir, policy)  # type: ignore[attr-defined]
            _progress(
                f"deleted {len(result.deleted)} recordings older than {result.days} days; kept {result.kept}"
            )
            return EXIT_OK
    except DemoError as exc:
        err.print(exc.render(), markup=False, soft_wrap=True)
        return EXIT_ERROR
    except ValueError as exc:
        err.print(f"error: {exc}", markup=False)
        return EXIT_ERROR
    return EXIT_ERROR


def cmd_run(args: argparse.Namespace) -> int:
    from ccinspect.core.scenario import ScenarioFileError, load_scenario, load_target
    from ccinspect.runner.console import ConsoleProgress, verdict_table
    from ccinspect.runner.run import RunError, run_inspection
    from ccinspect.store import StoreError, open_store

    scenario_path = Path(args.scenario) if args.scenario else repo_file("scenarios", "onsite-jiangsu.yaml")
    target_path = Path(args.target) if args.target else repo_file("scenarios", "targets", "demo.yaml")
    store = None
    try:
        scenario = load_scenario(scenario_path)
        target = load_target(target_path)
        if not args.no_store:
            store = open_store(run_store_url(args.db, Path(args.out)))
        progress = ConsoleProgress(err)
        err.print(
            f"[bold]{scenario.title.zh}[/bold] / {scenario.title.en}\n"
            f"scenario 场景: {scenario_path}   target 目标: {target_path}",
            highlight=False,
        )
        outcome = interrupt.run(
            run_inspection(
                scenario,
                target,
                out_root=Path(args.out),
                progress=progress,
                scenario_file=as_given(scenario_path),
                target_file=as_given(target_path),
                store=store,
            ),
            on_signal=_progress,
        )
    except StoreError as exc:
        err.print(exc.render(), markup=False, soft_wrap=True)
        return EXIT_ERROR
    except ScenarioFileError as exc:
        err.print(f"error: {exc}", markup=False, soft_wrap=True)
        return EXIT_ERROR
    except RunError as exc:
        err.print(f"error: {exc.message}\n错误：{exc.message_zh}", markup=False, soft_wrap=True)
        if exc.hint:
            err.print(f"next: {exc.hint}", markup=False, soft_wrap=True)
        return EXIT_ERROR
    finally:
        if store is not None:
            store.close()
    out.print(verdict_table(outcome.results, lang=args.lang))
    verdict_zh = {"pass": "通过", "fail": "不通过", "error": "无法完成检查", "skip": "未检查"}[
        outcome.verdict.value
    ]
    out.print(
        f"overall 总结论: [bold]{outcome.verdict.value.upper()} {verdict_zh}[/bold]   "
        f"run {outcome.run_id} in {outcome.seconds:.1f} s   report: {outcome.path / 'report.json'}",
        highlight=False,
    )
    if outcome.error:
        err.print(f"the run stopped early: {outcome.error}", markup=False)
    return outcome.exit_code


def cmd_checks(args: argparse.Namespace) -> int:
    from ccinspect.core.catalog import CATALOG

    table = Table(title="ccinspect checks / 检查项目录")
    table.add_column("id", no_wrap=True)
    table.add_column("requirements", no_wrap=True)
    table.add_column("title 名称")
    for check in CATALOG:
        spec = check.spec
        table.add_row(spec.id, ", ".join(spec.requirements), f"{spec.title.zh}\n{spec.title.en}")
    out.print(table)
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    from ccinspect.demo.doctor import run_doctor

    return run_doctor(args.json)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ccinspect",
        description="On-site inspection simulator for call-center platforms "
        "(呼叫中心业务现场核查演练): seats, caller-ID screening and passthrough, recordings, complaints.",
    )
    parser.add_argument("--version", action="version", version=f"ccinspect {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="run the demo call-center PBX (Asterisk 22) / 演示呼叫中心",
        description="Build, start, inspect and stop the demo call-center PBX: Asterisk 22 with 5 seats, "
        "a temporary trunk, recordings, caller screening and a complaint line.",
    )
    demo_sub = demo.add_subparsers(dest="demo_cmd", required=True, metavar="ACTION")

    def backend_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--backend",
            choices=("rootfs", "docker"),
            default="rootfs",
            help="rootfs: a Debian sid root filesystem run with chroot (default, needs root); "
            "docker: docker compose (needs a Docker engine)",
        )

    up = demo_sub.add_parser("up", help="start the demo PBX (builds the root filesystem once)")
    backend_arg(up)
    up.add_argument("--config-dir", metavar="DIR", help="Asterisk config to use (default: docker/asterisk)")
    up.add_argument("--sip-bind", metavar="HOST:PORT", help="SIP address of the PBX (default 127.0.0.1:5060)")
    up.add_argument("--trunk", metavar="HOST:PORT", help="trunk simulator address (default 127.0.0.1:5070)")
    up.add_argument("--timeout", type=float, default=60.0, metavar="S", help="readiness bound (default 60 s)")
    up.add_argument("--json", action="store_true", help="print the status as JSON")

    down = demo_sub.add_parser("down", help="stop the demo PBX and unmount")
    backend_arg(down)
    st = demo_sub.add_parser("status", help="show the demo PBX's status (exit 0 only when healthy)")
    backend_arg(st)
    st.add_argument("--json", action="store_true", help="print JSON")
    logs = demo_sub.add_parser("logs", help="show the tails of the demo PBX's logs")
    backend_arg(logs)
    logs.add_argument("-n", "--lines", type=int, default=40, help="lines of Asterisk's log (default 40)")
    pg = demo_sub.add_parser("purge", help="delete recordings older than the retention policy")
    backend_arg(pg)
    pg.add_argument("--config-dir", metavar="DIR", help="read retention.conf from here")
    pg.add_argument("--days", type=int, help="override the policy's days")
    pg.add_argument("--force", action="store_true", help="allow fewer than 30 days (fault injection)")
    demo.set_defaults(func=cmd_demo)

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
    run.set_defaults(func=cmd_run)

    checks = sub.add_parser("checks", help="list the check catalogue / 检查项目录")
    checks.set_defaults(func=cmd_checks)

    doctor = sub.add_parser("doctor", help="is this machine ready for make demo? / 本机能否运行 make demo")
    doctor.add_argument("--json", action="store_true", help="print one JSON document")
    doctor.set_defaults(func=cmd_doctor)

    from ccinspect import cli_nightly, cli_report, cli_store

    cli_store.register(sub)
    cli_report.register(sub)
    cli_nightly.register(sub)
    return parser


def _setup_logging() -> None:
    """Library logs (pjsip's included) stay out of the terminal unless they are errors; the run
    directory keeps pjsip's full log."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.ERROR)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])


def main(argv: Sequence[str] | None = None) -> int:
    interrupt.install()
    _setup_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt as exc:
        code = interrupt.exit_code_of(exc)
        err.print(f"interrupted / 已中断 (exit {code})")
        return code


if __name__ == "__main__":
    sys.exit(main())
