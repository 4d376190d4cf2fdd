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
    from ccinspect.demo.pbx import config as democonfig
    from ccinspect.demo.pbx import purge

    backend = _backend(args.backend)
    if args.demo_cmd == "up":
        started = time.monotonic()
        cfg = democonfig.load(Path(args.config_dir) if args.config_dir else paths.asterisk_config_dir())
        sip = democonfig.HostPort.parse(args.sip_bind, default_port=5060) if args.sip_bind else None
        trunk = democonfig.HostPort.parse(args.trunk, default_port=5070) if args.trunk else None
        status = backend.up(cfg, sip=sip, trunk=trunk, timeout=args.timeout)
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


def _backend_arg(p: argparse.ArgumentParser) -> None:
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
    up.add_argument("--config-dir", metavar="DIR", help="Asterisk config to use (default: docker/asterisk)")
    up.add_argument("--sip-bind", metavar="HOST:PORT", help="SIP address of the PBX (default 127.0.0.1:5060)")
    up.add_argument("--trunk", metavar="HOST:PORT", help="trunk simulator address (default 127.0.0.1:5070)")
    up.add_argument("--timeout", type=float, default=60.0, metavar="S", help="readiness bound (default 60 s)")
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
