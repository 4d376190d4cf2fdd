"""`ccinspect report RUN_DIR`: the command as the CLI parses and runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccinspect.cli.main import build_parser, dispatch

from .builders import copy_sample


def run_cli(*argv: str) -> int:
    return dispatch(build_parser().parse_args(list(argv)))


def test_report_command_writes_and_prints_where(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`report RUN --format html,junit --lang en` exits 0 and prints one line per file written."""
    run = copy_sample(tmp_path)
    assert run_cli("report", str(run), "--format", "html,junit", "--lang", "en") == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"html: {run / 'report' / 'report-en.html'}", f"junit: {run / 'report' / 'junit.xml'}"]


def test_self_contained_and_unmask_flags_reach_the_renderer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--self-contained --unmask writes the one-file, full-number report."""
    run = copy_sample(tmp_path)
    assert run_cli("report", str(run), "--self-contained", "--unmask") == 0
    assert (
        capsys.readouterr().out.strip()
        == f"html: {run / 'report' / 'report-zh-unmasked-self-contained.html'}"
    )


def test_missing_or_invalid_run_dir_exits_2_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run directory that does not exist, or has no report.json, exits 2 and says why."""
    assert run_cli("report", str(tmp_path / "runs" / "latest")) == 2
    assert "does not exist" in capsys.readouterr().err
    assert run_cli("report", str(tmp_path)) == 2
    assert "no report.json" in capsys.readouterr().err


def test_unknown_format_is_refused_by_the_parser(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--format with an unknown name is a usage error (exit 2) naming the allowed formats."""
    with pytest.raises(SystemExit) as exc:
        run_cli("report", str(tmp_path), "--format", "html,docx")
    assert exc.value.code == 2
    assert "choose from html, pdf, junit" in capsys.readouterr().err
