"""Prometheus textfile metrics: built from plain data, written atomically, parsed back."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from ccinspect.core.audit import AuditTotals, GapReason
from ccinspect.core.sla import YearlyStats
from ccinspect.core.verdict import CheckResult, Text, Verdict
from ccinspect.nightly.metrics import (
    MetricsWriteError,
    NightlyMetrics,
    check_metrics,
    render,
    write_metrics,
)

TOTALS = AuditTotals(
    rows=1300,
    in_window=1200,
    answered=1000,
    too_short=2,
    audited=998,
    ok=990,
    gaps=7,
    unchecked=1,
    by_reason=((GapReason.MISSING, 5), (GapReason.SILENT, 2)),
    cdr_problems=0,
)


def full() -> NightlyMetrics:
    """A run with every figure measured."""
    checks = [
        CheckResult("recording.complete", ("R5", "R6"), Text("t", "t"), Verdict.FAIL, Text("r", "r")),
        CheckResult("seats.registered", ("R20",), Text("t", "t"), Verdict.PASS, Text("r", "r")),
    ]
    return NightlyMetrics(
        target="demo",
        finished_at=1796000000.0,
        success=True,
        duration_s=312.5,
        checks=check_metrics(checks),
        calls_placed=6,
        calls_answered=5,
        audit=TOTALS,
        canaries_proven=5,
        canaries_missing=1,
        complaints_overdue=2,
        complaints=YearlyStats(2026, 40, 30, 4, 2, 4),
    )


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a text exposition, keyed by name and sorted labels."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_every_figure_round_trips_through_the_text_format() -> None:
    """Known answers after parsing the exposition back with prometheus_client's parser."""
    got = samples(render(full()))
    t = ("target", "demo")
    assert (
        got[
            (
                "ccinspect_nightly_check_verdict",
                (("check", "recording.complete"), ("requirement", "R5,R6"), t),
            )
        ]
        == 3
    )
    assert (
        got[("ccinspect_nightly_check_verdict", (("check", "seats.registered"), ("requirement", "R20"), t))]
        == 1
    )
    assert got[("ccinspect_nightly_run_duration_seconds", (t,))] == 312.5
    assert got[("ccinspect_nightly_last_run_timestamp_seconds", (t,))] == 1796000000.0
    assert got[("ccinspect_nightly_last_run_success", (t,))] == 1
    assert got[("ccinspect_nightly_calls_placed", (t,))] == 6
    assert got[("ccinspect_nightly_calls_answered", (t,))] == 5
    assert got[("ccinspect_nightly_recordings_audited", (t,))] == 998
    assert got[("ccinspect_nightly_recordings_ok", (t,))] == 990
    assert got[("ccinspect_nightly_recordings_unchecked", (t,))] == 1
    gaps = {dict(k[1])["reason"]: v for k, v in got.items() if k[0] == "ccinspect_nightly_recording_gaps"}
    assert gaps == {"not-linked": 0, "missing": 5, "undecodable": 0, "length-mismatch": 0, "silent": 2}
    assert got[("ccinspect_nightly_canaries_proven", (t,))] == 5
    assert got[("ccinspect_nightly_canaries_missing", (t,))] == 1
    assert got[("ccinspect_nightly_complaints_overdue", (t,))] == 2
    assert got[("ccinspect_nightly_complaints_year", (t, ("year", "2026")))] == 40
    assert got[("ccinspect_nightly_complaint_reply_ratio", (t, ("year", "2026")))] == 0.75


def test_figures_not_measured_are_left_out() -> None:
    """A failed run with nothing measured still says when it ran and that it failed; no fake zeros."""
    got = samples(render(NightlyMetrics(target="demo", finished_at=1.0, success=False, duration_s=3.0)))
    assert {name for name, _ in got} == {
        "ccinspect_nightly_run_duration_seconds",
        "ccinspect_nightly_last_run_timestamp_seconds",
        "ccinspect_nightly_last_run_success",
    }
    assert got[("ccinspect_nightly_last_run_success", (("target", "demo"),))] == 0


def test_the_file_is_replaced_atomically(tmp_path: Path) -> None:
    """write_metrics leaves exactly the target file (no temporary left) holding the new figures."""
    path = tmp_path / "ccinspect_demo.prom"
    path.write_text("old\n")
    write_metrics(path, full())
    assert [p.name for p in tmp_path.iterdir()] == ["ccinspect_demo.prom"]
    assert samples(path.read_text()) == samples(render(full()))


def test_an_unwritable_place_names_the_file(tmp_path: Path) -> None:
    """A missing collector directory is a MetricsWriteError naming the path, in both languages."""
    with pytest.raises(MetricsWriteError, match=r"cannot write metrics to .*missing/x\.prom") as caught:
        write_metrics(tmp_path / "missing" / "x.prom", full())
    assert "无法写入指标文件" in caught.value.message_zh
