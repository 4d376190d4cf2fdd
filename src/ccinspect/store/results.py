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
from ccinspect.core.verdict import CheckResult, Verdict


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
