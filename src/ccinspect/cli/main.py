"""The ``ccinspect`` command line: the parser, :func:`main`, and the one place errors are printed.

Each command group lives in its own module (:mod:`.run`, :mod:`.checks`, :mod:`.demo`,
:mod:`.doctor`, :mod:`.report` for report/bundle/verify, :mod:`.store` for runs/show/compare/
import, :mod:`.nightly`); each has a ``register(subparsers)``. Every async command runs through
:func:`ccinspect.cli.aio.run`, the only function that creates an event loop.

A command returns its exit code or raises :class:`~ccinspect.errors.CcinspectError`; :func:`main`
catches that once, prints :meth:`~ccinspect.errors.CcinspectError.render` (English, Chinese, the
next step) and exits with the error's ``exit_code``. Exit codes: see :mod:`ccinspect.errors`
(0 success; 1 a check failed; 2 could not do what was asked; 130/143 stopped by SIGINT/SIGTERM).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ccinspect import __version__
from ccinspect.cli import aio, checks, demo, doctor, nightly, report, run, store
from ccinspect.cli.common import err, print_error
from ccinspect.errors import CcinspectError

__all__ = ["build_parser", "dispatch", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: every command group registered on one parser."""
    parser = argparse.ArgumentParser(
        prog="ccinspect",
        description="On-site inspection simulator for call-center platforms "
        "(呼叫中心业务现场核查演练): seats, caller-ID screening and passthrough, recordings, complaints.",
    )
    parser.add_argument("--version", action="version", version=f"ccinspect {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (demo, run, checks, doctor, store, report, nightly):
        group.register(sub)
    return parser


def dispatch(args: argparse.Namespace) -> int:
    """Run the parsed command; a :class:`CcinspectError` is printed here and becomes its exit code."""
    try:
        return int(args.func(args))
    except CcinspectError as exc:
        return print_error(exc)


def _setup_logging() -> None:
    """Library logs (pjsip's included) stay out of the terminal unless they are errors; the run
    directory keeps pjsip's full log."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.ERROR)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])


def main(argv: Sequence[str] | None = None) -> int:
    """The ``ccinspect`` console script: parse, run, print any error; returns the exit code."""
    aio.install()
    _setup_logging()
    args = build_parser().parse_args(argv)
    try:
        return dispatch(args)
    except KeyboardInterrupt as exc:
        code = aio.exit_code_of(exc)
        err.print(f"interrupted / 已中断 (exit {code})")
        return code
