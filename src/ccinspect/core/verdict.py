"""Verdicts: what a check concluded, about whom, why, and what to do about it (pure data).

Four outcomes are kept apart, and every one carries its reason:

* ``PASS``  the platform did what the requirement asks, and the evidence shows it.
* ``FAIL``  a finding about the platform under test, with evidence references and a remedy.
* ``ERROR`` ccinspect could not check (a fact is missing, the harness failed); the cause is given.
* ``SKIP``  the scenario did not ask for it, or it does not apply; the reason is given.

A wrong scenario or target file is none of these: it is the user's mistake and is raised as
:class:`ccinspect.core.scenario.ScenarioFileError` before anything runs.

Aggregation (:func:`aggregate`) ranks ``FAIL`` > ``ERROR`` > ``PASS`` > ``SKIP``: a definite
finding matters most, so one failing seat makes the check FAIL even if another seat could not be
checked; otherwise anything unchecked makes it ERROR; a mix of PASS and SKIP is PASS; all SKIP
(or nothing at all) is SKIP.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "CheckResult",
    "SubjectResult",
    "Text",
    "Verdict",
    "aggregate",
    "conclude",
    "errored",
    "failed",
    "join_texts",
    "passed",
    "skipped",
]


class Verdict(enum.Enum):
    """Outcome of a check or of one of its subjects."""

    PASS = "pass"  # noqa: S105 -- a verdict name, not a password
    FAIL = "fail"
    ERROR = "error"
    SKIP = "skip"

    @property
    def rank(self) -> int:
        """Precedence in :func:`aggregate`: higher wins."""
        return _RANK[self]

    @property
    def label(self) -> Text:
        """The verdict's name for people, the one wording used everywhere (terminal, report,
        nightly): PASS 通过, FAIL 不通过, ERROR 无法检查, SKIP 跳过."""
        return _LABELS[self]


_RANK = {Verdict.SKIP: 0, Verdict.PASS: 1, Verdict.ERROR: 2, Verdict.FAIL: 3}


def aggregate(verdicts: Iterable[Verdict]) -> Verdict:
    """Combine verdicts: any FAIL → FAIL; else any ERROR → ERROR; else any PASS → PASS; else SKIP.

    An empty input is SKIP: nothing was judged.
    """
    return max(verdicts, key=lambda v: v.rank, default=Verdict.SKIP)


def regressed(before: Verdict | None, after: Verdict | None) -> bool:
    """True when a check got worse between two runs: it is now FAIL or ERROR and ranks above its
    earlier verdict (SKIP→PASS and FAIL→ERROR are not regressions). A check absent before
    regresses only when it now FAILs; one absent now never does. The one rule for run
    comparison, used by the run store and the nightly job alike.
    """
    if after not in (Verdict.FAIL, Verdict.ERROR):
        return False
    if before is None:
        return after is Verdict.FAIL
    return after.rank > before.rank


@dataclass(frozen=True, slots=True)
class Text:
    """One message in English and Simplified Chinese."""

    en: str
    zh: str

    def __add__(self, other: Text) -> Text:
        """Concatenate both languages (no separator is inserted)."""
        return Text(self.en + other.en, self.zh + other.zh)

    def __str__(self) -> str:
        return f"{self.en} / {self.zh}"


_LABELS = {
    Verdict.PASS: Text("PASS", "通过"),
    Verdict.FAIL: Text("FAIL", "不通过"),
    Verdict.ERROR: Text("ERROR", "无法检查"),
    Verdict.SKIP: Text("SKIP", "跳过"),
}


def join_texts(texts: Sequence[Text], sep_en: str = " ", sep_zh: str = "") -> Text:
    """Join texts with a separator per language (Chinese sentences need none)."""
    return Text(sep_en.join(t.en for t in texts), sep_zh.join(t.zh for t in texts))


@dataclass(frozen=True, slots=True)
class SubjectResult:
    """The verdict on one subject of a check: a seat, a call, a recording, a URL.

    ``subject`` names it the way an operator would ("seat 8003", "call inbound-8003",
    "recording 20260101-101500_in_…wav"). ``reason`` names the subject and quotes the evidence;
    ``remedy`` is set for FAIL; ``evidence`` holds references (call keys, file names, header
    excerpts) a report can link to.
    """

    subject: str
    verdict: Verdict
    reason: Text
    remedy: Text | None = None
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check over one run.

    ``verdict`` is :func:`aggregate` of the subjects' verdicts when there are subjects (a check
    with no subjects states its verdict directly, e.g. SKIP when not selected). ``reason`` is the
    summary an operator reads first; ``remedy`` collects the distinct remedies of failing
    subjects; ``evidence_used`` says which kind of evidence the verdict rests on when a check can
    use more than one (retention: old recordings found, or the declared purge policy).
    """

    check_id: str
    requirements: tuple[str, ...]
    title: Text
    verdict: Verdict
    reason: Text
    remedy: Text | None = None
    subjects: tuple[SubjectResult, ...] = ()
    evidence_used: Text | None = None

    def subjects_with(self, verdict: Verdict) -> tuple[SubjectResult, ...]:
        """The subjects whose verdict is ``verdict``, in order."""
        return tuple(s for s in self.subjects if s.verdict is verdict)

    def subject(self, name: str) -> SubjectResult | None:
        """The subject called ``name``, or None."""
        return next((s for s in self.subjects if s.subject == name), None)


# ---------------------------------------------------------------- concise builders


def passed(subject: str, reason: Text, *evidence: str) -> SubjectResult:
    """A PASS subject."""
    return SubjectResult(subject, Verdict.PASS, reason, None, evidence)


def failed(subject: str, reason: Text, remedy: Text, *evidence: str) -> SubjectResult:
    """A FAIL subject: a finding about the platform always comes with a remedy."""
    return SubjectResult(subject, Verdict.FAIL, reason, remedy, evidence)


def errored(subject: str, cause: Text, *evidence: str) -> SubjectResult:
    """An ERROR subject: ccinspect could not check it; ``cause`` says why."""
    return SubjectResult(subject, Verdict.ERROR, cause, None, evidence)


def skipped(subject: str, reason: Text) -> SubjectResult:
    """A SKIP subject: not applicable to this run."""
    return SubjectResult(subject, Verdict.SKIP, reason)


_MAX_NAMED = 5


def _names(subjects: Sequence[SubjectResult]) -> tuple[str, str]:
    names = [s.subject for s in subjects[:_MAX_NAMED]]
    more = len(subjects) - len(names)
    en = ", ".join(names) + (f" and {more} more" if more else "")
    zh = "、".join(names) + (f" 等 {len(subjects)} 项" if more else "")
    return en, zh


def conclude(
    check_id: str,
    requirements: tuple[str, ...],
    title: Text,
    subjects: Sequence[SubjectResult],
    *,
    pass_reason: Text,
    empty_reason: Text | None = None,
    empty_verdict: Verdict = Verdict.SKIP,
    evidence_used: Text | None = None,
) -> CheckResult:
    """Build a :class:`CheckResult` whose verdict is :func:`aggregate` of ``subjects``.

    The summary names the failing (or, failing none, the unchecked) subjects and repeats the
    first one's reason; a PASS summary is ``pass_reason``. The remedy is every distinct remedy of
    the failing subjects, in order. With no subjects at all the result is ``empty_verdict``
    (SKIP unless the caller says otherwise) with ``empty_reason``.
    """
    if not subjects:
        reason = empty_reason or Text("Nothing to check in this run.", "本次运行没有可检查的对象。")
        return CheckResult(check_id, requirements, title, empty_verdict, reason, None, (), evidence_used)
    verdict = aggregate(s.verdict for s in subjects)
    total = len(subjects)
    if verdict in (Verdict.FAIL, Verdict.ERROR):
        bad = [s for s in subjects if s.verdict is verdict]
        en_names, zh_names = _names(bad)
        first = bad[0]
        if verdict is Verdict.FAIL:
            head = Text(
                f"{len(bad)} of {total} failed ({en_names}). ",
                f"{total} 项中 {len(bad)} 项不通过（{zh_names}）。",
            )
        else:
            head = Text(
                f"{len(bad)} of {total} could not be checked ({en_names}). ",
                f"{total} 项中 {len(bad)} 项无法检查（{zh_names}）。",
            )
        reason = head + Text(f"{first.subject}: ", f"{first.subject}：") + first.reason
    elif verdict is Verdict.PASS:
        skips = sum(1 for s in subjects if s.verdict is Verdict.SKIP)
        reason = pass_reason
        if skips:
            reason = reason + Text(f" ({skips} not applicable)", f"（{skips} 项不适用）")
    else:
        reason = subjects[0].reason
    remedies: list[Text] = []
    for s in subjects:
        if s.verdict is Verdict.FAIL and s.remedy is not None and s.remedy not in remedies:
            remedies.append(s.remedy)
    remedy = join_texts(remedies) if remedies else None
    return CheckResult(check_id, requirements, title, verdict, reason, remedy, tuple(subjects), evidence_used)
