"""What every ``ccinspect`` command shares: the consoles, default files and the run store URL."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rich.console import Console

from ccinspect import paths

# Not a terminal (CI, a pipe): wide enough that tables are not cut.
err = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 160)
out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


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
