"""The package's shape holds: import contracts (layers, no cycles, the demo outside the product)
and module size. `make lint` checks the contracts too; here a broken one fails `make test`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "ccinspect"
#: "One job per module, modules well under ~500 lines" (STYLE.md).
MAX_LINES = 500


def test_import_contracts_hold() -> None:
    """Every import-linter contract in pyproject.toml is kept."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    res = subprocess.run(
        [str(lint_imports), "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]


def test_no_module_is_over_the_size_limit() -> None:
    """No module of the package grows past MAX_LINES lines: split it by job instead."""
    big = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert big == {}, f"modules over {MAX_LINES} lines: {big}"
