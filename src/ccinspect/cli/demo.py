"""``ccinspect demo up|down|status|logs|purge``: the demo call-center PBX.

The demo package is imported only when the command runs (the product never imports it at
module level). A ``ValueError`` from the demo's config parsers is the user's argument or file
being wrong: translated here, once, into a :class:`~ccinspect.cli.common.UsageError`.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from rich.table import Table

from ccinspect import paths
from ccinspect.cli.common import UsageError, out, progress
from ccinspect.errors import EXIT_ERROR, EXIT_OK, CcinspectError

__all__ = ["cmd_demo", "register"]


def _backend(name: str) -> Any:
    if name == "docker":
        from ccinspect.demo.pbx.docker import DockerBackend

        return DockerBackend(progress=progress)
    from ccinspect.demo.pbx.rootfs import RootfsBackend

    return RootfsBackend(progress=progress)


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
    """Run one ``demo`` action; returns the exit code (errors are raised as CcinspectError)."""
    try:
        return _demo(args)
    except CcinspectError:
        raise
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def _demo(args: argparse.Namespace) -> int:
    if getattr(args, "platform", "a") == "b":
        return _demo_b(args)
    from ccinspect.demo.pbx import config as democonfig
    from ccinspect.demo.pbx import purge

    backend = _backend(args.backend)
    if args.demo_cmd == "up":
        started = time.monotonic()
        cfg = democonfig.load(Path(args.config_dir) if args.config_dir else paths.asterisk_config_dir())
        sip = democonfig.HostPort.parse(args.sip_bind, default_port=5060) if args.sip_bind else None
        trunk = democonfig.HostPort.parse(args.trunk, default_port=5070) if args.trunk else None
        status = backend.up(cfg, sip=sip, trunk=trunk, timeout=args.timeout or 60.0)
        _print_status(status, args.json)
        progress(f"demo PBX up in {time.monotonic() - started:.1f} s")
        return EXIT_OK
    if args.demo_cmd == "down":
        done = backend.down()
        progress("; ".join(done) if done else "the demo PBX was not running")
        return EXIT_OK
    if args.demo_cmd == "status":
        status = backend.status()
        _print_status(status, args.json)
        return EXIT_OK if status.healthy else EXIT_ERROR
    if args.demo_cmd == "logs":
        print(backend.logs(lines=args.lines))
        return EXIT_OK
    if args.demo_cmd == "purge":
        cfg = democonfig.load(Path(args.config_dir) if args.config_dir else paths.asterisk_config_dir())
        policy = cfg.retention
        if args.days is not None:
            policy = democonfig.Retention(days=args.days, force=args.force)
        result = purge.purge(backend.recording_dir, policy)
        progress(
            f"deleted {len(result.deleted)} recordings older than {result.days} days; kept {result.kept}"
        )
        return EXIT_OK
    return EXIT_ERROR


def _print_status_b(status: object, as_json: bool) -> None:
    from ccinspect.demo.platform_b.status import PlatformBStatus

    assert isinstance(status, PlatformBStatus)
    if as_json:
        print(status.to_json())
        return

    def ok(flag: bool) -> str:
        return "ok" if flag else "NOT OK"

    table = Table(title="ccinspect demo platform B / 演示呼叫中心 B", show_header=False)
    table.add_row("running 运行", "yes" if status.running else "no")
    if status.running:
        table.add_row("Kamailio (edge)", f"{status.kamailio_sip} ({ok(status.kamailio_ok)})")
        table.add_row(
            "Asterisk", f"{status.asterisk_version} {status.asterisk_sip} ({ok(status.asterisk_ok)})"
        )
        table.add_row("PostgreSQL", f"127.0.0.1:5442 ({ok(status.db_ok)})")
        console = ok(status.console_ok) if status.console_enabled else "not started (--no-console)"
        table.add_row("console 控制台", f"{status.console_url} ({console})")
        table.add_row("agents 坐席", ", ".join(status.agents))
        table.add_row("registered 已注册", ", ".join(status.registered_agents) or "none")
        table.add_row("carrier 运营商中继", status.carrier)
        table.add_row("recordings 录音", status.recording_root)
        table.add_row("config 配置", status.config_dir)
    for problem in status.problems:
        table.add_row("[red]problem 问题[/red]", problem)
    out.print(table)


def _demo_b(args: argparse.Namespace) -> int:
    """Platform B: Kamailio + Asterisk 16 + PostgreSQL + the vendor console."""
    from ccinspect.demo.platform_b import config as bconfig
    from ccinspect.demo.platform_b.backend import PlatformB

    backend = PlatformB(progress=progress)
    if args.demo_cmd == "up":
        cfg = bconfig.load(Path(args.config_dir) if args.config_dir else None)
        status = backend.up(cfg, timeout=args.timeout or 90.0, console=not args.no_console)
        _print_status_b(status, args.json)
        return EXIT_OK
    if args.demo_cmd == "down":
        done = backend.down()
        progress("; ".join(done) if done else "platform B was not running")
        return EXIT_OK
    if args.demo_cmd == "status":
        status = backend.status()
        _print_status_b(status, args.json)
        return EXIT_OK if status.healthy else EXIT_ERROR
    if args.demo_cmd == "logs":
        print(backend.logs(lines=args.lines))
        return EXIT_OK
    raise UsageError(f"`ccinspect demo {args.demo_cmd}` exists only for platform A (--platform a)")


def _platform_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--platform",
        choices=("a", "b"),
        default="a",
        help="a: the Asterisk 22 demo (default); b: the vendor-style demo "
        "(Kamailio 5.6, Asterisk 16, PostgreSQL, web console on 127.0.0.1:8180)",
    )


def _backend_arg(p: argparse.ArgumentParser) -> None:
    _platform_arg(p)
    p.add_argument(
        "--backend",
        choices=("rootfs", "docker"),
        default="rootfs",
        help="rootfs: a Debian sid root filesystem run with chroot (default, needs root); "
        "docker: docker compose (needs a Docker engine)",
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``demo`` and its actions to ``sub``."""
    demo = sub.add_parser(
        "demo",
        help="run the demo call-center PBX (Asterisk 22) / 演示呼叫中心",
        description="Build, start, inspect and stop the demo call-center PBX: Asterisk 22 with 5 seats, "
        "a temporary trunk, recordings, caller screening and a complaint line.",
    )
    demo_sub = demo.add_subparsers(dest="demo_cmd", required=True, metavar="ACTION")

    up = demo_sub.add_parser("up", help="start the demo PBX (builds the root filesystem once)")
    _backend_arg(up)
    up.add_argument(
        "--config-dir",
        metavar="DIR",
        help="config to use (default: docker/asterisk; with --platform b: docker/platform-b)",
    )
    up.add_argument("--sip-bind", metavar="HOST:PORT", help="SIP address of the PBX (default 127.0.0.1:5060)")
    up.add_argument("--trunk", metavar="HOST:PORT", help="trunk simulator address (default 127.0.0.1:5070)")
    up.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="S",
        help="readiness bound (default 60 s; platform B: 90 s)",
    )
    up.add_argument(
        "--no-console",
        action="store_true",
        help="platform B only: start without the vendor console (creates the cdr table itself)",
    )
    up.add_argument("--json", action="store_true", help="print the status as JSON")

    down = demo_sub.add_parser("down", help="stop the demo PBX and unmount")
    _backend_arg(down)
    st = demo_sub.add_parser("status", help="show the demo PBX's status (exit 0 only when healthy)")
    _backend_arg(st)
    st.add_argument("--json", action="store_true", help="print JSON")
    logs = demo_sub.add_parser("logs", help="show the tails of the demo PBX's logs")
    _backend_arg(logs)
    logs.add_argument("-n", "--lines", type=int, default=40, help="lines of Asterisk's log (default 40)")
    pg = demo_sub.add_parser("purge", help="delete recordings older than the retention policy")
    _backend_arg(pg)
    pg.add_argument("--config-dir", metavar="DIR", help="read retention.conf from here")
    pg.add_argument("--days", type=int, help="override the policy's days")
    pg.add_argument("--force", action="store_true", help="allow fewer than 30 days (fault injection)")
    demo.set_defaults(func=cmd_demo)
