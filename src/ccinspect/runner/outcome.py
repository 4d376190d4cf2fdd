"""What a run gathers while it goes, and what it ends with (the outcome and its exit code)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ccinspect.core.facts import (
    AccessControlFact,
    CallFact,
    CdrFact,
    ComplaintBacklogFact,
    ManualAnswerFact,
    RecordingFact,
    RegistrationFact,
    RetentionFact,
    RunFacts,
    ScreenshotFact,
    SipMessageFact,
    TicketFact,
    WebReadingFact,
)
from ccinspect.core.rundoc import RunStatus
from ccinspect.core.verdict import CheckResult, Verdict

__all__ = ["EXIT_ERROR", "EXIT_FAIL", "EXIT_PASS", "Gathered", "RunOutcome", "exit_code_for"]

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


@dataclass
class RunOutcome:
    """What a run produced: where, its verdict, the checks and the exit code."""

    run_id: str
    path: Path
    status: RunStatus
    verdict: Verdict
    results: tuple[CheckResult, ...]
    exit_code: int
    error: str | None = None
    seconds: float = 0.0


@dataclass
class Gathered:
    """The facts of a run so far; each phase adds to it, :meth:`facts` freezes a copy."""

    registrations: list[RegistrationFact] = field(default_factory=list)
    calls: list[CallFact] = field(default_factory=list)
    stray: list[SipMessageFact] = field(default_factory=list)
    recordings: list[RecordingFact] = field(default_factory=list)
    retention: RetentionFact | None = None
    access: list[AccessControlFact] = field(default_factory=list)
    tickets: list[TicketFact] = field(default_factory=list)
    backlog: ComplaintBacklogFact | None = None
    cdrs: list[CdrFact] = field(default_factory=list)
    answers: list[ManualAnswerFact] = field(default_factory=list)
    screenshots: list[ScreenshotFact] = field(default_factory=list)
    web_readings: list[WebReadingFact] = field(default_factory=list)

    def facts(self) -> RunFacts:
        return RunFacts(
            registrations=tuple(self.registrations),
            calls=tuple(self.calls),
            recordings=tuple(self.recordings),
            retention=self.retention,
            access=tuple(self.access),
            tickets=tuple(self.tickets),
            cdrs=tuple(self.cdrs),
            answers=tuple(self.answers),
            stray_trunk_invites=tuple(self.stray),
            complaint_backlog=self.backlog,
            screenshots=tuple(self.screenshots),
            web_readings=tuple(self.web_readings),
        )


def exit_code_for(verdict: Verdict) -> int:
    """0 when everything passed (or was skipped), 1 on any FAIL, 2 when something could not be checked."""
    return {Verdict.PASS: EXIT_PASS, Verdict.SKIP: EXIT_PASS, Verdict.FAIL: EXIT_FAIL}.get(
        verdict, EXIT_ERROR
    )
