"""What the run store returns: plain frozen dataclasses and enums, never ORM objects.

Times are wall-clock epoch seconds, as in :mod:`ccinspect.core.facts`. Check results come back
as the core's own :class:`~ccinspect.core.verdict.CheckResult`, and calls as
:class:`~ccinspect.core.facts.CallFact` (see :meth:`RunStore.get_calls`), equal to what was
recorded.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ccinspect.core.facts import CallPurpose, LegRole
from ccinspect.core.rundoc import RunStatus
from ccinspect.core.verdict import CheckResult, Verdict, regressed


class Liveness(enum.Enum):
    """Whether the process that records a run is still there."""

    ALIVE = "alive"  # same host, the process exists and is the one that started the run
    GONE = "gone"  # same host and the process is gone (or its pid was reused), or no process known
    UNKNOWN = "unknown"  # another host: cannot be told from here


@dataclass(frozen=True, slots=True)
class RunSummary:
    """One run as listed.

    ``status`` is what was stored, except that a ``running`` run whose recorder is gone (see
    :class:`Liveness`) is reported as ``INTERRUPTED``; ``stored_status`` keeps the stored value.
    ``bundle_sha256`` is the SHA-256 of the evidence bundle's MANIFEST.json, when one was made.
    """

    run_id: str
    status: RunStatus
    stored_status: RunStatus
    started_at: float
    finished_at: float | None
    updated_at: float
    target: str
    scenario: str
    overall: Verdict | None
    ccinspect_version: str
    run_dir: str | None
    bundle_sha256: str | None
    bundle_path: str | None
    error: str | None
    recorder_host: str | None
    recorder_pid: int | None
    calls: int
    checks_failed: int


@dataclass(frozen=True, slots=True)
class LegSummary:
    """One leg of a stored call, without its SIP messages."""

    agent: str
    role: LegRole
    final_status: int | None
    final_reason: str
    answered: bool
    far_found: bool | None
    error: str | None


@dataclass(frozen=True, slots=True)
class CallSummary:
    """One stored call: what was dialled, when, and how each leg ended."""

    key: str
    purpose: CallPurpose
    requested_number: str
    caller_number_sent: str | None
    started_at: float
    ended_at: float | None
    harness_error: str | None
    legs: tuple[LegSummary, ...]
    messages: int


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """One file of a run directory: path relative to it (``/``-separated), size, SHA-256 hex."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class RunDetail:
    """A run with its checks (and their subjects), a summary of its calls and its evidence files."""

    run: RunSummary
    checks: tuple[CheckResult, ...]
    calls: tuple[CallSummary, ...]
    recordings: int
    evidence: tuple[EvidenceFile, ...]


@dataclass(frozen=True, slots=True)
class SubjectChange:
    """One subject of a check whose verdict differs; None where the subject is absent."""

    subject: str
    before: Verdict | None
    after: Verdict | None


@dataclass(frozen=True, slots=True)
class CheckChange:
    """One check whose verdict differs between two runs; None where the check is absent."""

    check_id: str
    before: Verdict | None
    after: Verdict | None
    subjects: tuple[SubjectChange, ...]

    @property
    def regressed(self) -> bool:
        """True when the later run is worse (e.g. PASS → FAIL, or a check newly failing)."""
        return _worse(self.after, self.before)


@dataclass(frozen=True, slots=True)
class Comparison:
    """How run ``run_b`` differs from run ``run_a`` check by check.

    ``changed`` lists the checks whose verdict changed, appeared or disappeared (in ``run_b``'s
    order, then those only in ``run_a``), each with its subjects whose verdict changed;
    ``shifted`` the checks whose verdict stayed the same while some subjects' verdicts changed
    (still FAIL, but another seat now fails); ``unchanged`` the ids of the others.
    ``overall_before`` / ``overall_after`` are the two runs' overall verdicts.
    """

    run_a: str
    run_b: str
    overall_before: Verdict | None
    overall_after: Verdict | None
    changed: tuple[CheckChange, ...]
    shifted: tuple[CheckChange, ...]
    unchanged: tuple[str, ...]

    @property
    def regressions(self) -> tuple[CheckChange, ...]:
        """The changes that made things worse."""
        return tuple(c for c in self.changed if c.regressed)


def _worse(after: Verdict | None, before: Verdict | None) -> bool:
    return regressed(before, after)
