"""``ccinspect checks``: the check catalogue with the requirement each check covers."""

from __future__ import annotations

import argparse

from rich.table import Table

from ccinspect.cli.common import out
from ccinspect.errors import EXIT_OK

__all__ = ["cmd_checks", "register"]


def cmd_checks(args: argparse.Namespace) -> int:
    """Print the catalogue; always exit 0."""
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


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``checks`` to ``sub``."""
    checks = sub.add_parser("checks", help="list the check catalogue / 检查项目录")
    checks.set_defaults(func=cmd_checks)
