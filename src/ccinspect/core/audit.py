"""The recording-store audit (R5): every answered call of the last N days has a usable recording.

:func:`audit` is a pure function of CDR rows and probe results (no files, no clock). For each
answered call that started in ``[now - days, now)`` it asks, in this order, and reports the first
gap found:

1. ``NOT_LINKED``: the CDR names no recording;
2. ``MISSING``: the named recording is not in the store;
3. ``UNDECODABLE``: the file is there but is not a decodable recording (truncated, bad header);
4. ``LENGTH_MISMATCH``: its length differs from the call's ``billsec`` by more than
   ``tolerance_s`` (both lengths are reported). Calls whose ``direction`` is a *message*
   direction (the complaint line records the caller's message, not the call) only fail when the
   recording is longer than the call;
5. ``SILENT``: every window measured is below ``silence_dbfs`` (the probe measures the whole
   recording before a file whose sampled windows all sound silent may be called so). Not for
   message recordings: a caller who leaves no message records silence legitimately.

Answered calls shorter than ``min_billsec`` have nothing to record and are counted, not judged.
A recording ccinspect could not read is *unchecked* (an ERROR, not a finding). Gaps are counted
per day (in ``tz``) and per seat (:func:`~ccinspect.platform.cdr.seat_of`).
:func:`ccinspect.core.auditcheck.audit_check` turns the result into a check result.
"""

from __future__ import annotations

import enum
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from ccinspect.core.cdrfacts import (
    CdrProblem,
    CdrRow,
    ProbeStatus,
    RecordingInfo,
    seat_of,
)
from ccinspect.core.verdict import Text, Verdict

__all__ = [
    "DEFAULT_MIN_BILLSEC",
    "DEFAULT_SILENCE_DBFS",
    "DEFAULT_TOLERANCE_S",
    "AuditResult",
    "AuditTotals",
    "Gap",
    "GapCount",
    "GapReason",
    "Unchecked",
    "audit",
]

DEFAULT_TOLERANCE_S = 2.0
"""Allowed difference between a recording's length and the call's billsec (domain.md R5)."""
DEFAULT_SILENCE_DBFS = -55.0
"""A sampled window below this level is silence (G.711 idle noise is about -70 dBFS)."""
DEFAULT_MIN_BILLSEC = 1.0
"""Answered calls shorter than this have nothing to record (the demo bills 0 s hang-ups)."""


class GapReason(enum.Enum):
    """Why an answered call has no usable recording (in the order they are tested)."""

    NOT_LINKED = "not-linked"
    MISSING = "missing"
    UNDECODABLE = "undecodable"
    LENGTH_MISMATCH = "length-mismatch"
    SILENT = "silent"

    @property
    def label(self) -> Text:
        """Short bilingual name, for counts."""
        return _LABELS[self]


_LABELS = {
    GapReason.NOT_LINKED: Text("not linked", "未关联录音"),
    GapReason.MISSING: Text("missing", "录音缺失"),
    GapReason.UNDECODABLE: Text("undecodable", "无法解码"),
    GapReason.LENGTH_MISMATCH: Text("length mismatch", "时长不符"),
    GapReason.SILENT: Text("silent", "静音"),
}


@dataclass(frozen=True, slots=True)
class Gap:
    """One answered call without a usable recording.

    ``day`` is the call's date (ISO, in the audit's time zone); ``recording_s`` the recording's
    length when known; ``detail`` the bilingual explanation quoting both lengths where relevant;
    ``source``/``line`` locate its CDR row.
    """

    uniqueid: str
    day: str
    seat: str
    start: datetime
    billsec: float
    recording: str | None
    reason: GapReason
    recording_s: float | None
    detail: Text
    source: str
    line: int


@dataclass(frozen=True, slots=True)
class Unchecked:
    """An answered call whose recording ccinspect could not read; ``detail`` names the file."""

    uniqueid: str
    day: str
    seat: str
    recording: str
    detail: Text


@dataclass(frozen=True, slots=True)
class GapCount:
    """Counts for one day or one seat: answered calls judged, fine, gaps (by reason), unchecked."""

    key: str
    audited: int
    ok: int
    gaps: int
    unchecked: int
    by_reason: tuple[tuple[GapReason, int], ...] = ()

    def count(self, reason: GapReason) -> int:
        """Gaps of one reason."""
        return dict(self.by_reason).get(reason, 0)


@dataclass(frozen=True, slots=True)
class AuditTotals:
    """Totals over the window.

    ``rows`` CDR rows given; ``in_window`` rows that started in the window; ``answered`` those
    answered; ``too_short`` answered but shorter than ``min_billsec`` (not judged); ``audited``
    answered calls judged; ``ok`` + ``gaps`` + ``unchecked`` == ``audited``; ``cdr_problems``
    unreadable CDR lines at or after the window's first row (or file-level problems).
    """

    rows: int
    in_window: int
    answered: int
    too_short: int
    audited: int
    ok: int
    gaps: int
    unchecked: int
    by_reason: tuple[tuple[GapReason, int], ...]
    cdr_problems: int

    def count(self, reason: GapReason) -> int:
        """Gaps of one reason."""
        return dict(self.by_reason).get(reason, 0)


@dataclass(frozen=True, slots=True)
class AuditResult:
    """Everything the audit found. ``by_day`` lists every day of the window, oldest first (a day
    with no answered call is itself worth seeing); ``by_seat`` the seats met, sorted."""

    window_start: datetime
    window_end: datetime
    tolerance_s: float
    totals: AuditTotals
    by_day: tuple[GapCount, ...]
    by_seat: tuple[GapCount, ...]
    gaps: tuple[Gap, ...]
    unchecked: tuple[Unchecked, ...]
    cdr_problems: tuple[CdrProblem, ...]

    @property
    def verdict(self) -> Verdict:
        """FAIL with any gap; else ERROR with anything unchecked; else PASS; SKIP with nothing judged."""
        if self.totals.gaps:
            return Verdict.FAIL
        if self.totals.unchecked or self.totals.cdr_problems:
            return Verdict.ERROR
        return Verdict.PASS if self.totals.audited else Verdict.SKIP


def _gap_for(
    row: CdrRow,
    info: RecordingInfo | None,
    *,
    tolerance_s: float,
    silence_dbfs: float,
    message: bool,
) -> tuple[GapReason, float | None, Text] | None:
    """The first gap of one answered call, None when its recording is fine (pure)."""
    name = row.recording
    if name is None:
        return GapReason.NOT_LINKED, None, Text("the CDR links no recording", "话单未关联录音")
    if info is None or info.status is ProbeStatus.VANISHED:
        return (
            GapReason.MISSING,
            None,
            Text(f"recording {name} is not in the store", f"录音 {name} 不在录音存储中"),
        )
    if info.status is ProbeStatus.UNDECODABLE or info.duration_s is None:
        why, why_zh = info.detail or "no length", info.detail_zh or info.detail or "无时长"
        return (
            GapReason.UNDECODABLE,
            None,
            Text(f"recording {name} cannot be decoded: {why}", f"录音 {name} 无法解码：{why_zh}"),
        )
    length, billed = info.duration_s, row.billsec
    too_long = length > billed + tolerance_s
    if too_long or (not message and length < billed - tolerance_s):
        what = "message recording" if message else "recording"
        what_zh = "留言录音" if message else "录音"
        return (
            GapReason.LENGTH_MISMATCH,
            length,
            Text(
                f"{what} {name} is {length:.1f} s long but the call was billed {billed:g} s"
                f" (± {tolerance_s:g} s)",
                f"{what_zh} {name} 时长 {length:.1f} 秒，但通话计费时长为 {billed:g} 秒"
                f"（允许 ± {tolerance_s:g} 秒）",
            ),
        )
    loudest = info.loudest_window_dbfs
    if loudest is not None and loudest < silence_dbfs and not message:
        return (
            GapReason.SILENT,
            length,
            Text(
                f"recording {name} is silent throughout: all {info.windows} windows measured"
                f" (loudest {loudest:.0f} dBFS)",
                f"录音 {name} 全程静音：测量的 {info.windows} 个片段均为静音（最高 {loudest:.0f} dBFS）",
            )
            if info.scanned
            else Text(
                f"recording {name} is silent in all {info.windows} sampled windows"
                f" (loudest {loudest:.0f} dBFS)",
                f"录音 {name} 抽样的 {info.windows} 个片段均为静音（最高 {loudest:.0f} dBFS）",
            ),
        )
    return None


class _Tally:
    """Per-key counters (internal)."""

    def __init__(self) -> None:
        self.audited: Counter[str] = Counter()
        self.unchecked: Counter[str] = Counter()
        self.reasons: defaultdict[str, Counter[GapReason]] = defaultdict(Counter)

    def counts(self, keys: Iterable[str]) -> tuple[GapCount, ...]:
        out = []
        for key in keys:
            reasons = self.reasons.get(key, Counter())
            gaps = sum(reasons.values())
            out.append(
                GapCount(
                    key,
                    self.audited[key],
                    self.audited[key] - gaps - self.unchecked[key],
                    gaps,
                    self.unchecked[key],
                    tuple((r, reasons[r]) for r in GapReason if reasons[r]),
                )
            )
        return tuple(out)


def _days(start: datetime, end: datetime, tz: tzinfo) -> list[str]:
    first: date = start.astimezone(tz).date()
    last: date = (end - timedelta(microseconds=1)).astimezone(tz).date()
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def audit(
    cdr_rows: Iterable[CdrRow],
    recordings_info: Mapping[str, RecordingInfo],
    *,
    days: float,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
    now: datetime,
    tz: tzinfo = UTC,
    min_billsec: float = DEFAULT_MIN_BILLSEC,
    silence_dbfs: float = DEFAULT_SILENCE_DBFS,
    message_directions: Collection[str] = ("complaint",),
    seat_pattern: re.Pattern[str] | None = None,
    cdr_problems: Sequence[CdrProblem] = (),
    cdr_problems_in_window: int | None = None,
) -> AuditResult:
    """Judge every answered call that started in ``[now - days, now)`` (see the module docstring).

    ``recordings_info`` maps recording keys to probe results; a key that is absent is a missing
    recording. ``cdr_problems`` are the parser's problems; only those at or after the first
    window row of their file (or file-level ones, line 0) count, since older lines cannot hide
    calls of the window in an append-only CDR; ``cdr_problems_in_window`` is the parser's count
    of those when it kept only some in detail. ``now`` must be timezone-aware.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got {now!r}")
    if days <= 0 or tolerance_s < 0:
        raise ValueError(f"days must be > 0 and tolerance_s >= 0, got {days!r}, {tolerance_s!r}")
    start = now - timedelta(days=days)
    rows = 0
    in_window = answered = too_short = 0
    first_line: dict[str, int] = {}
    gaps: list[Gap] = []
    unchecked: list[Unchecked] = []
    by_day, by_seat = _Tally(), _Tally()
    messages = frozenset(message_directions)
    for row in cdr_rows:
        rows += 1
        if not start <= row.start < now:
            continue
        in_window += 1
        first_line[row.source] = min(first_line.get(row.source, row.line), row.line)
        if not row.answered:
            continue
        answered += 1
        if row.billsec < min_billsec:
            too_short += 1
            continue
        day = row.start.astimezone(tz).date().isoformat()
        seat = seat_of(row, seat_pattern)
        by_day.audited[day] += 1
        by_seat.audited[seat] += 1
        info = recordings_info.get(row.recording) if row.recording else None
        if info is not None and info.status is ProbeStatus.UNREADABLE and row.recording:
            en = info.detail or info.path
            unchecked.append(
                Unchecked(row.uniqueid, day, seat, row.recording, Text(en, info.detail_zh or en))
            )
            by_day.unchecked[day] += 1
            by_seat.unchecked[seat] += 1
            continue
        found = _gap_for(
            row, info, tolerance_s=tolerance_s, silence_dbfs=silence_dbfs, message=row.direction in messages
        )
        if found is None:
            continue
        reason, length, detail = found
        gaps.append(
            Gap(
                row.uniqueid,
                day,
                seat,
                row.start,
                row.billsec,
                row.recording,
                reason,
                length,
                detail,
                row.source,
                row.line,
            )
        )
        by_day.reasons[day][reason] += 1
        by_seat.reasons[seat][reason] += 1
    relevant = tuple(
        p for p in cdr_problems if p.line == 0 or (p.source in first_line and p.line >= first_line[p.source])
    )
    audited = answered - too_short
    reasons = Counter(g.reason for g in gaps)
    totals = AuditTotals(
        rows=rows,
        in_window=in_window,
        answered=answered,
        too_short=too_short,
        audited=audited,
        ok=audited - len(gaps) - len(unchecked),
        gaps=len(gaps),
        unchecked=len(unchecked),
        by_reason=tuple((r, reasons[r]) for r in GapReason if reasons[r]),
        cdr_problems=len(relevant)
        if cdr_problems_in_window is None
        else max(cdr_problems_in_window, len(relevant)),
    )
    return AuditResult(
        window_start=start,
        window_end=now,
        tolerance_s=tolerance_s,
        totals=totals,
        by_day=by_day.counts(_days(start, now, tz)),
        by_seat=by_seat.counts(sorted(set(by_seat.audited))),
        gaps=tuple(sorted(gaps, key=lambda g: (g.start, g.uniqueid))),
        unchecked=tuple(unchecked),
        cdr_problems=relevant,
    )
