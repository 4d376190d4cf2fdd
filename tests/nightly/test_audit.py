"""The recording-store audit's verdict (pure, known answers) and the whole pipeline on a small store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from ccinspect.core.audit import GapReason, audit
from ccinspect.core.auditcheck import CHECK_ID, audit_check, audit_unavailable
from ccinspect.core.cdrfacts import seat_pattern_for
from ccinspect.core.verdict import Text, Verdict
from ccinspect.platform.cdr import ANSWERED, CdrProblem, CdrRow
from ccinspect.platform.recstore import audit_directory_store
from ccinspect.platform.wavprobe import ProbeStatus, RecordingInfo
from tests.nightly.wavs import RATE, pcm16_wav, tone

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
#: The seats of these tests' platform, as a target's seats give them (audit.seat_pattern default).
SEATS = seat_pattern_for(["8001", "8002", "8003", "8004", "8005"])


def row(
    uid: str,
    *,
    ago_h: float = 5.0,
    billsec: float = 30.0,
    recording: str | None = "rec",
    seat: str = "8001",
    disposition: str = ANSWERED,
    direction: str = "out",
    line: int = 1,
) -> CdrRow:
    """An outbound call from ``seat`` that started ``ago_h`` hours before NOW."""
    return CdrRow(
        source="cdr.json",
        line=line,
        uniqueid=uid,
        start=NOW - timedelta(hours=ago_h),
        disposition=disposition,
        billsec=billsec,
        channel=f"PJSIP/{seat}-00000001",
        dstchannel="PJSIP/trunk-00000002",
        direction=direction,
        recording=recording,
    )


def info(
    name: str = "rec", duration: float | None = 30.0, *, loudest: float | None = -20.0, **kw: object
) -> RecordingInfo:
    """A probe result: OK, ``duration`` long, loudest window at ``loudest`` dBFS."""
    fields: dict[str, object] = {
        "status": ProbeStatus.OK,
        "duration_s": duration,
        "loudest_window_dbfs": loudest,
        "windows": 8,
        **kw,
    }
    return RecordingInfo(name, f"/rec/{name}.wav", **fields)  # type: ignore[arg-type]


def run(rows: list[CdrRow], infos: list[RecordingInfo], **kw: object):  # type: ignore[no-untyped-def]
    """audit() with the defaults these tests use (30 days, ± 2 s, NOW, the seats 8001-8005)."""
    options: dict[str, object] = {"days": 30, "tolerance_s": 2.0, "now": NOW, "seat_pattern": SEATS, **kw}
    return audit(rows, {i.name: i for i in infos}, **options)  # type: ignore[arg-type]


def test_a_complete_recording_passes() -> None:
    """An answered call with a decodable, audible recording of its length is no gap: PASS."""
    result = run([row("1")], [info()])
    assert result.gaps == ()
    assert (result.totals.audited, result.totals.ok, result.verdict) == (1, 1, Verdict.PASS)


@pytest.mark.parametrize(
    ("call", "probe", "reason", "detail"),
    [
        (row("1", recording=None), None, GapReason.NOT_LINKED, "the CDR links no recording"),
        (row("1"), None, GapReason.MISSING, "recording rec is not in the store"),
        (row("1"), info(status=ProbeStatus.VANISHED), GapReason.MISSING, "recording rec is not in the store"),
        (
            row("1"),
            info(duration=None, status=ProbeStatus.UNDECODABLE, detail="/rec/rec.wav: not a RIFF/WAVE file"),
            GapReason.UNDECODABLE,
            "recording rec cannot be decoded: /rec/rec.wav: not a RIFF/WAVE file",
        ),
        (
            row("1", billsec=30),
            info(duration=27.9),
            GapReason.LENGTH_MISMATCH,
            "recording rec is 27.9 s long but the call was billed 30 s (± 2 s)",
        ),
        (
            row("1", billsec=30),
            info(duration=32.5),
            GapReason.LENGTH_MISMATCH,
            "recording rec is 32.5 s long but the call was billed 30 s (± 2 s)",
        ),
        (
            row("1"),
            info(loudest=-70.0),
            GapReason.SILENT,
            "recording rec is silent in all 8 sampled windows (loudest -70 dBFS)",
        ),
        (
            row("1"),
            info(loudest=-120.0, scanned=True, windows=120),
            GapReason.SILENT,
            "recording rec is silent throughout: all 120 windows measured (loudest -120 dBFS)",
        ),
    ],
)
def test_each_kind_of_gap(call: CdrRow, probe: RecordingInfo | None, reason: GapReason, detail: str) -> None:
    """Each kind of gap is found with its reason and an explanation quoting the evidence: FAIL."""
    result = run([call], [probe] if probe else [])
    (gap,) = result.gaps
    assert (gap.reason, gap.detail.en, gap.uniqueid, gap.seat) == (reason, detail, "1", "8001")
    assert gap.detail.zh
    assert result.verdict is Verdict.FAIL
    assert result.totals.count(reason) == 1


def test_both_lengths_are_kept_on_a_length_mismatch() -> None:
    """A length gap carries the recording's length and the billed seconds as numbers too."""
    (gap,) = run([row("1", billsec=60)], [info(duration=12.0)]).gaps
    assert (gap.recording_s, gap.billsec) == (12.0, 60.0)


@pytest.mark.parametrize(("length", "gap"), [(28.0, False), (32.0, False), (27.99, True), (32.01, True)])
def test_tolerance_is_inclusive(length: float, gap: bool) -> None:
    """Exactly ± 2 s from billsec is within tolerance; anything beyond is a mismatch."""
    assert bool(run([row("1", billsec=30)], [info(duration=length)]).gaps) is gap


def test_length_is_judged_before_silence() -> None:
    """A recording both too short and silent is reported once, as a length mismatch."""
    (gap,) = run([row("1")], [info(duration=3.0, loudest=-90.0)]).gaps
    assert gap.reason is GapReason.LENGTH_MISMATCH


def test_message_recordings_may_be_shorter_than_the_call() -> None:
    """The complaint line records the message, not the call: shorter is fine, longer is not;
    a silent message is the caller's choice, not a gap."""
    shorter = run([row("1", billsec=20, direction="complaint")], [info(duration=8.0)])
    longer = run([row("1", billsec=20, direction="complaint")], [info(duration=25.0)])
    silent = run([row("1", billsec=20, direction="complaint")], [info(duration=0.5, loudest=-120.0)])
    assert shorter.gaps == ()
    assert longer.gaps[0].detail.en.startswith("message recording rec is 25.0 s long")
    assert silent.gaps == ()  # a caller who said nothing


def test_only_answered_calls_in_the_window_are_judged() -> None:
    """Unanswered calls, calls older than N days or in the future, and 0 s calls are not judged."""
    rows = [
        row("in", ago_h=1),
        row("unanswered", disposition="NO ANSWER", recording=None),
        row("old", ago_h=30 * 24 + 1),
        row("edge", ago_h=30 * 24),
        row("future", ago_h=-1),
        row("zero", billsec=0, recording=None),
    ]
    result = run(rows, [info()])
    t = result.totals
    assert (t.rows, t.in_window, t.answered, t.too_short, t.audited, t.ok) == (6, 4, 3, 1, 2, 2)


def test_days_and_seats_are_counted_with_empty_days_listed() -> None:
    """Gaps are counted per day (in the audit's zone) and per seat; days without calls appear."""
    rows = [
        row("a", ago_h=1, seat="8001"),
        row("b", ago_h=1.5, seat="8002", recording="missing"),
        row("c", ago_h=49, seat="8002", recording=None),
    ]
    result = run(rows, [info()], days=3, tz=ZoneInfo("Asia/Shanghai"))
    assert [(d.key, d.audited, d.gaps) for d in result.by_day] == [
        ("2026-11-27", 0, 0),
        ("2026-11-28", 1, 1),
        ("2026-11-29", 0, 0),
        ("2026-11-30", 2, 1),
    ]
    seat_8002 = result.by_seat[1]
    assert (seat_8002.key, seat_8002.audited, seat_8002.ok, seat_8002.gaps) == ("8002", 2, 0, 2)
    assert seat_8002.by_reason == ((GapReason.NOT_LINKED, 1), (GapReason.MISSING, 1))
    assert [s.key for s in result.by_seat] == ["8001", "8002"]


def test_a_recording_ccinspect_could_not_read_is_unchecked_not_a_gap() -> None:
    """An unreadable recording is the harness's problem: ERROR, not FAIL; a gap still wins."""
    unreadable = info(status=ProbeStatus.UNREADABLE, duration=None, detail="/rec/rec.wav: not probed in time")
    result = run([row("1")], [unreadable])
    assert (result.totals.unchecked, result.totals.gaps, result.verdict) == (1, 0, Verdict.ERROR)
    assert result.unchecked[0].detail.en == "/rec/rec.wav: not probed in time"
    assert run([row("1"), row("2", recording=None)], [unreadable]).verdict is Verdict.FAIL


def test_cdr_problems_count_only_at_or_after_the_window() -> None:
    """Unreadable CDR lines older than the window's first row cannot hide its calls; later ones do."""
    rows = [row("1", line=10), row("2", line=12)]
    old = CdrProblem("cdr.json", 3, Text("x", "x"))
    inside = CdrProblem("cdr.json", 11, Text("y", "y"))
    assert run(rows, [info()], cdr_problems=[old]).verdict is Verdict.PASS
    result = run(rows, [info()], cdr_problems=[old, inside])
    assert (result.totals.cdr_problems, result.verdict) == (1, Verdict.ERROR)


def test_nothing_answered_is_skip() -> None:
    """With no answered call in the window there is nothing to judge: SKIP."""
    assert run([], []).verdict is Verdict.SKIP


def test_naive_now_is_refused() -> None:
    """``now`` without a zone would shift the window silently: refused."""
    with pytest.raises(ValueError, match="timezone-aware"):
        run([], [], now=datetime(2026, 11, 30))


def test_the_check_has_one_subject_per_seat_and_one_remedy_per_gap_kind() -> None:
    """``nightly.recording_store`` (R5): FAIL per seat with counts and an example; remedies deduplicated."""
    rows = [
        row("a", seat="8001", recording=None),
        row("b", seat="8002", recording=None),
        row("c", seat="8003"),
    ]
    check = audit_check(run(rows, [info()]))
    assert (check.check_id, check.requirements, check.verdict) == (CHECK_ID, ("R5",), Verdict.FAIL)
    assert [(s.subject, s.verdict) for s in check.subjects] == [
        ("seat 8001", Verdict.FAIL),
        ("seat 8002", Verdict.FAIL),
        ("seat 8003", Verdict.PASS),
    ]
    assert check.subjects[0].reason.en == (
        "1 of 1 answered calls lack a usable recording (not linked 1);"
        " e.g. call a: the CDR links no recording"
    )
    assert check.remedy is not None
    assert check.remedy.en == "Record every answered call and write the recording's name into its CDR."


def test_the_check_passes_skips_and_errors() -> None:
    """PASS names the count and the window; no calls is SKIP; an audit that could not run is ERROR."""
    assert audit_check(run([row("1")], [info()])).reason.en == (
        "All 1 answered calls of the last 30 days have a complete recording."
    )
    assert audit_check(run([], [])).verdict is Verdict.SKIP
    down = audit_unavailable(Text("cannot read the CDR file /x", "无法读取话单文件 /x"))
    assert (down.check_id, down.verdict) == (CHECK_ID, Verdict.ERROR)


# --- the pipeline on a real (small) store ----------------------------------------------------------------


def _store(tmp_path: Path) -> tuple[Path, Path, dict[str, GapReason]]:
    """A directory with one good recording and one of each defect, and the CDR that links them."""
    rec = tmp_path / "recording"
    rec.mkdir()
    good = tone(10.0)
    pcm16_wav(rec / "good.wav", good)
    pcm16_wav(rec / "short.wav", tone(4.0))
    pcm16_wav(rec / "silent.wav", np.zeros(10 * RATE))
    pcm16_wav(rec / "truncated.wav", tone(3.0), declared_frames=10 * RATE)
    (rec / "garbage.wav").write_bytes(b"\x00" * 500)
    (rec / "notes.txt").write_text("not audio")
    expected = {
        "short": GapReason.LENGTH_MISMATCH,
        "silent": GapReason.SILENT,
        "truncated": GapReason.UNDECODABLE,
        "garbage": GapReason.UNDECODABLE,
        "missing": GapReason.MISSING,
        "unlinked": GapReason.NOT_LINKED,
    }
    lines = []
    for i, name in enumerate(["good", *expected]):
        start = NOW - timedelta(days=1, minutes=i)
        lines.append(
            json.dumps(
                {
                    "start": f"{start:%Y-%m-%dT%H:%M:%S%z}",
                    "disposition": "ANSWERED",
                    "billsec": 10,
                    "uniqueid": name,
                    "channel": f"PJSIP/800{i % 5 + 1}-0000000{i}",
                    "recording": "" if name == "unlinked" else name,
                }
            )
        )
    lines.insert(0, "old garbage line")  # before the window's first row: cannot hide its calls
    lines.append("garbage line")
    cdr = tmp_path / "cdr.json"
    cdr.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cdr, rec, expected


@pytest.mark.parametrize("workers", [0, 2])
def test_the_pipeline_finds_every_kind_of_gap_in_a_synthetic_store(tmp_path: Path, workers: int) -> None:
    """CDR file + recording directory → exactly the injected gaps, in-process and in a worker pool."""
    cdr, rec, expected = _store(tmp_path)
    result = audit_directory_store(
        cdr, rec, now=NOW, days=30, workers=workers, chunk_size=1, seat_pattern=SEATS
    )
    assert {g.uniqueid: g.reason for g in result.gaps} == expected
    assert (result.totals.audited, result.totals.ok, result.totals.cdr_problems) == (7, 1, 1)
    assert result.verdict is Verdict.FAIL
    truncated = next(g for g in result.gaps if g.uniqueid == "truncated")
    assert "truncated: the header declares 10.0 s of audio, the file holds 3.0 s" in truncated.detail.en
