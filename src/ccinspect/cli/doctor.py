"""``ccinspect doctor``: is this machine ready for ``make demo``? (the probes and the verdict are
:mod:`ccinspect.doctor`; this module runs them through :func:`ccinspect.cli.aio.run`)."""

from __future__ import annotations

import argparse

from ccinspect.cli import aio

__all__ = ["cmd_doctor", "register", "run_doctor"]


def run_doctor(json: bool) -> int:
    """Run the doctor (``json``: print one JSON document instead of text); return 0 when ready
    for ``make demo``, 2 otherwise. Must not be called from a running event loop."""
    from ccinspect import doctor
    from ccinspect.demo.doctor import probe_demo  # the demo's probe: loaded lazily, the CLI only

    return aio.run(doctor.doctor(as_json=json, demo_probe=probe_demo))


def cmd_doctor(args: argparse.Namespace) -> int:
    """The ``doctor`` command."""
    return run_doctor(args.json)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``doctor`` to ``sub``."""
    doctor = sub.add_parser("doctor", help="is this machine ready for make demo? / 本机能否运行 make demo")
    doctor.add_argument("--json", action="store_true", help="print one JSON document")
    doctor.set_defaults(func=cmd_doctor)
