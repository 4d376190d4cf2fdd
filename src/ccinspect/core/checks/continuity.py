"""Continuity of a recording: each party heard throughout it, not only somewhere in it (R5, R6).

Each leg plays its fingerprint over and over for the whole call, so in a complete recording the
fingerprint's occurrences follow each other all the way from start to end. A stretch of the
recording where a party's fingerprint is not heard, longer than one sequence plus the tolerance,
means that party's audio was lost there: a recorder that drops one direction after a while, or
keeps writing silence after it stopped recording the call.

The tolerance is the scenario's ``recording.tolerance_s`` or :data:`RELATIVE_TOLERANCE` of the
recording's length, whichever is more (a long call may start or end a little later than its
recording). Pure: reads the occurrence times the analysis recorded in the facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ccinspect.core.facts import LegFact, RecordingFact
from ccinspect.core.verdict import Text

__all__ = ["RELATIVE_TOLERANCE", "Gap", "allowed_gap_s", "continuity_problems", "uncovered"]

#: Share of the recording's length a gap may also reach (besides the absolute tolerance).
RELATIVE_TOLERANCE = 0.05


@dataclass(frozen=True, slots=True)
class Gap:
    """A stretch of the recording (seconds from its start) where a fingerprint is not heard."""

    start_s: float
    end_s: float

    @property
    def length_s(self) -> float:
        return self.end_s - self.start_s


def uncovered(offsets: Sequence[float], sequence_s: float, duration_s: float) -> list[Gap]:
    """The stretches of ``0 … duration_s`` no occurrence (``offset … offset + sequence_s``) covers."""
    gaps: list[Gap] = []
    cursor = 0.0
    for start in sorted(offsets):
        if start > cursor:
            gaps.append(Gap(cursor, min(start, duration_s)))
        cursor = max(cursor, start + sequence_s)
    if duration_s > cursor:
        gaps.append(Gap(cursor, duration_s))
    return [g for g in gaps if g.length_s > 0]


def allowed_gap_s(sequence_s: float, duration_s: float, tolerance_s: float) -> float:
    """The longest stretch without a party's fingerprint a complete recording may have: one
    sequence (the one cut by the start or the end) plus the tolerance."""
    return sequence_s + max(tolerance_s, RELATIVE_TOLERANCE * duration_s)


def continuity_problems(rec: RecordingFact, legs: Sequence[LegFact], tolerance_s: float) -> list[Text]:
    """For each party in ``legs`` heard in ``rec`` at all: its longest gap, when too long.

    A party never heard is not judged here (the recording lacks it altogether, said elsewhere);
    nothing is judged without the analysis' occurrence times or the recording's length.
    """
    if rec.sequence_s is None or not rec.duration_s or not rec.occurrences:
        return []
    occurrences = dict(rec.occurrences)
    duration = rec.duration_s
    limit = allowed_gap_s(rec.sequence_s, duration, tolerance_s)
    found: list[Text] = []
    for leg in legs:
        if leg.audio is None:
            continue
        offsets = occurrences.get(leg.audio.own_fingerprint) or ()
        if not offsets:
            continue
        worst = max(uncovered(offsets, rec.sequence_s, duration), key=lambda g: g.length_s, default=None)
        if worst is None or worst.length_s <= limit:
            continue
        where = (
            f"from {worst.start_s:.1f} s to the end ({duration:.1f} s)"
            if worst.end_s >= duration
            else f"from {worst.start_s:.1f} s to {worst.end_s:.1f} s"
        )
        where_zh = (
            f"自 {worst.start_s:.1f} 秒至结束（{duration:.1f} 秒）"
            if worst.end_s >= duration
            else f"自 {worst.start_s:.1f} 秒至 {worst.end_s:.1f} 秒"
        )
        found.append(
            Text(
                f"recording {rec.name} loses {leg.agent}'s audio {where} "
                f"(a gap of {worst.length_s:.1f} s; at most {limit:.1f} s allowed)",
                f"录音 {rec.name} 中 {leg.agent} 的声音{where_zh}中断（{worst.length_s:.1f} 秒；"
                f"最多允许 {limit:.1f} 秒）",
            )
        )
    return found
