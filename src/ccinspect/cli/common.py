"""What every ``ccinspect`` command shares: the consoles, printing an error, default files and
the run store URL."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from ccinspect import paths
from ccinspect.errors import CcinspectError, Kind

if TYPE_CHECKING:
    from ccinspect.store import RunStore

#: ``--db`` help of the commands over stored runs.
DB_HELP = "run store: an SQLAlchemy URL or a SQLite file (default $CCINSPECT_DB, else runs/ccinspect.sqlite)"

# Not a terminal (CI, a pipe): wide enough that tables are not cut.
err = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 160)
out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


class UsageError(CcinspectError, ValueError):
    """A command-line argument (or the environment variable standing in for one) is wrong."""

    kind = Kind.USER


def print_error(exc: CcinspectError) -> int:
    """Print ``exc`` for the user (both languages, the next step) and return its exit code.

    :func:`ccinspect.cli.main.main` does this for every error a command raises; a command calls
    it itself only when it carries on after an error (``import`` of several directories).
    """
    err.print(exc.render(), markup=False, soft_wrap=True)
    return exc.exit_code


def progress(message: str) -> None:
    """A time-stamped progress line on stderr."""
    err.print(f"[dim]{time.strftime('%H:%M:%S')}[/dim] {message}")


def repo_file(*parts: str) -> Path:
    """A file shipped in the checkout (scenarios, targets), else relative to the working directory."""
    return (paths.repo_root() or Path.cwd()).joinpath(*parts)


def as_given(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it (how reports name files)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def run_store_url(db: str | None, out_root: Path) -> str | None:
    """The run store: ``--db``, else ``$CCINSPECT_DB`` (None: the store reads it itself), else
    OUT/ccinspect.sqlite."""
    if db is not None:
        return db
    if os.environ.get("CCINSPECT_DB"):
        return None
    return f"sqlite:///{(out_root / 'ccinspect.sqlite').resolve()}"


def open_run_store(db: str | None) -> RunStore:
    """The run store named by ``--db`` (None: ``$CCINSPECT_DB``, else the default file); imports
    SQLAlchemy only now."""
    from ccinspect.store import open_store

    return open_store(db)


def store_url_given(db: str | None) -> bool:
    """Whether a store should be consulted: one was named, or the default file exists."""
    from ccinspect.store.db import ENV_VAR, resolve_url, sqlite_path

    if db or os.environ.get(ENV_VAR):
        return True
    path = sqlite_path(resolve_url(None))
    return path is not None and path.is_file()
