"""The recording-store audit as the check ``nightly.recording_store`` (R5), for the run store.

:func:`audit_check` turns an :class:`~ccinspect.core.audit.AuditResult` into a
:class:`~ccinspect.core.verdict.CheckResult` with one subject per seat (FAIL with the counts by
reason and an example, ERROR when recordings could not be read, PASS) and one for the CDR file
when lines in the window could not be read; the remedy has one sentence per kind of gap found.
:func:`audit_unavailable` is the check when the audit could not run at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ccinspect.core.audit import AuditResult, Gap, GapCount, GapReason, Unchecked
from ccinspect.core.verdict import (
    CheckResult,
    SubjectResult,
    Text,
    Verdict,
    conclude,
    errored,
    failed,
    join_texts,
    passed,
)

__all__ = ["CHECK_ID", "REQUIREMENTS", "TITLE", "audit_check", "audit_unavailable"]

CHECK_ID = "nightly.recording_store"
REQUIREMENTS = ("R5",)
TITLE = Text("Recording store: every answered call recorded", "录音存储：每个接通的通话都有完整录音")
_EXAMPLES = 5
_REMEDIES = {
    GapReason.NOT_LINKED: Text(
        "Record every answered call and write the recording's name into its CDR.",
        "对每个接通的通话录音，并在话单中记录录音文件名。",
    ),
    GapReason.MISSING: Text(
        "Keep every recording at least 30 days: check the recording path, disk space and the purge job.",
        "所有录音至少保存 30 天：检查录音路径、磁盘空间和清理任务。",
    ),
    GapReason.UNDECODABLE: Text(
        "Check the recorder and the storage: recordings must be complete files in a playable format.",
        "检查录音程序和存储：录音文件必须完整且格式可播放。",
    ),
    GapReason.LENGTH_MISMATCH: Text(
        "Record from answer to hang-up (MixMonitor option b) and look for recordings cut short.",
        "从接通录到挂机（MixMonitor 的 b 选项），并排查被截断的录音。",
    ),
    GapReason.SILENT: Text(
        "Check that both parties' audio reaches the recorder (mixing, codec, NAT).",
        "检查双方的语音是否都进入录音（混音、编解码、NAT）。",
    ),
}


def _reason_counts(count: GapCount) -> Text:
    parts = [Text(f"{r.label.en} {n}", f"{r.label.zh} {n}") for r, n in count.by_reason]
    return join_texts(parts, ", ", "，")


def _seat_subject(count: GapCount, gaps: Sequence[Gap], unchecked: Sequence[Unchecked]) -> SubjectResult:
    subject = f"seat {count.key}" if count.key != "trunk" else "trunk (no seat)"
    if count.gaps:
        first = gaps[0]
        reason = (
            Text(
                f"{count.gaps} of {count.audited} answered calls lack a usable recording (",
                f"{count.audited} 个接通的通话中有 {count.gaps} 个没有可用录音（",
            )
            + _reason_counts(count)
            + Text(f"); e.g. call {first.uniqueid}: ", f"）；例如通话 {first.uniqueid}：")
            + first.detail
        )
        remedies = [_REMEDIES[r] for r, _ in count.by_reason]
        evidence = tuple(g.recording or g.uniqueid for g in gaps[:_EXAMPLES])
        return failed(subject, reason, join_texts(remedies), *evidence)
    if count.unchecked:
        first_unchecked = unchecked[0]
        return errored(
            subject,
            Text(
                f"{count.unchecked} of {count.audited} recordings could not be read,"
                f" e.g. {first_unchecked.detail.en}",
                f"{count.audited} 个录音中有 {count.unchecked} 个无法读取，例如 {first_unchecked.detail.zh}",
            ),
            *(u.recording for u in unchecked[:_EXAMPLES]),
        )
    return passed(
        subject,
        Text(
            f"all {count.audited} answered calls have a complete recording",
            f"全部 {count.audited} 个接通的通话都有完整录音",
        ),
    )


def audit_check(result: AuditResult) -> CheckResult:
    """The audit as a check (``nightly.recording_store``, R5): one subject per seat, plus the
    CDR file when lines in the window could not be read."""
    subjects = [
        _seat_subject(
            count,
            [g for g in result.gaps if g.seat == count.key],
            [u for u in result.unchecked if u.seat == count.key],
        )
        for count in result.by_seat
    ]
    if result.totals.cdr_problems:
        first = result.cdr_problems[0] if result.cdr_problems else None
        subjects.append(
            errored(
                "CDR",
                Text(
                    f"{result.totals.cdr_problems} CDR lines in the window could not be read;"
                    " their calls were not audited"
                    + (f" (first: {first.source}:{first.line}: {first.message.en})" if first else ""),
                    f"窗口内有 {result.totals.cdr_problems} 行话单无法读取，相应通话未被核查"
                    + (f"（首个：{first.source}:{first.line}：{first.message.zh}）" if first else ""),
                ),
            )
        )
    days = (result.window_end - result.window_start).total_seconds() / 86400
    check = conclude(
        CHECK_ID,
        REQUIREMENTS,
        TITLE,
        subjects,
        pass_reason=Text(
            f"All {result.totals.audited} answered calls of the last {days:g} days"
            " have a complete recording.",
            f"最近 {days:g} 天全部 {result.totals.audited} 个接通的通话都有完整录音。",
        ),
        empty_reason=Text(
            f"No answered call in the last {days:g} days: nothing to audit.",
            f"最近 {days:g} 天没有接通的通话，无可核查的录音。",
        ),
    )
    if not result.totals.by_reason:
        return check
    # One remedy per kind of gap, whichever seats it was found on.
    return replace(check, remedy=join_texts([_REMEDIES[r] for r, _ in result.totals.by_reason]))


def audit_unavailable(cause: Text) -> CheckResult:
    """The audit's check when it could not run at all (CDR or directory unreadable): ERROR."""
    return CheckResult(CHECK_ID, REQUIREMENTS, TITLE, Verdict.ERROR, cause)
