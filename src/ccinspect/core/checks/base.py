"""What every check shares: the policy it judges against and its identity card.

* :class:`CheckContext`: the policy from the scenario and target files (numbers, lists, limits,
  tolerances), built by :func:`ccinspect.core.scenario.build_context`. It holds no secrets.
* :class:`CheckSpec`: a check's stable id, requirement ids, bilingual title and description,
  with builders for its result; :class:`Check` pairs a spec with its pure function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ccinspect.core.checks.observe import ScreeningObservation
from ccinspect.core.facts import CallPurpose, RecordingSource, RunFacts, seat_agent
from ccinspect.core.numbers import (
    OutboundCallerIdPolicy,
    ScreeningAction,
    ScreeningPolicy,
    normalise_number,
    same_number,
    screen_inbound,
)
from ccinspect.core.verdict import CheckResult, SubjectResult, Text, Verdict, conclude

__all__ = [
    "Check",
    "CheckContext",
    "CheckFunction",
    "CheckSpec",
    "ScreeningExpectation",
    "SeatRef",
]


@dataclass(frozen=True, slots=True)
class SeatRef:
    """A seat the scenario uses: its id in the target file and its SIP username."""

    id: str
    username: str
    #: The name the seat presents (the target's ``display_name``), if any.
    display_name: str | None = None

    @property
    def agent(self) -> str:
        """The agent name facts use for this seat (``"seat 8003"``)."""
        return seat_agent(self.id)

    @property
    def name(self) -> str:
        """How reports name it (the same text as :attr:`agent`)."""
        return seat_agent(self.id)


@dataclass(frozen=True, slots=True)
class ScreeningExpectation:
    """What screening must do with one test calling number (R3).

    ``number`` is as the scenario wrote it ('' for an absent number); ``action`` PASS (reach a
    seat unflagged), FLAG (reach a seat with a reason token, or be refused) or REJECT (refused
    with 4xx/6xx before any seat). ``tokens`` are the reason tokens accepted for FLAG (empty:
    any token other than ``pass``).
    """

    number: str
    action: ScreeningAction
    tokens: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CheckContext:
    """The policy checks judge against (scenario + target), with documented defaults.

    * ``seats``: the seats the scenario uses, in order; ``min_seats``: R20's minimum (5).
    * ``access_number`` / ``complaint_number`` / ``fixed_line``: the platform's numbers.
    * ``allocated`` / ``allow_95_outbound``: what outbound may present (R1, R4).
    * ``blacklist``: inbound callers the platform must refuse (R3); ``do_not_call``: numbers no
      INVITE may reach (R14); ``dnc_tested``: the DNC numbers the scenario dials.
    * ``screening``: the expected outcome per screening test number (R3);
      ``screening_observe``: how the platform shows its verdict (the target's
      ``screening.observe``; empty when it declares none).
    * ``forged_caller_ids``: what seats try to present in FORGED_CALLER_ID calls.
    * ``require_pai``: outbound INVITEs must carry P-Asserted-Identity (carrier rule, default off).
    * ``recording_tolerance_s``: allowed recording-length mismatch (2 s);
      ``recording_exclude``: call purposes not expected to have a full-call recording
      (the complaint line records only the message); ``recording_interface``: how recordings
      are reached (None when the target declares none); ``recording_stereo``: the parties
      (``caller``/``agent``) on the left and right channel of two-channel recordings, as the
      target's ``recordings.stereo`` declares them (None: no layout declared).
    * ``retention_days``: the minimum retention (30); ``complaint_reply_days``: the maximum reply
      deadline (15); ``complaint_time_tolerance_s``: how far a ticket's creation time may lie
      outside its call; ``access_refusal_statuses``: what counts as refusing a fetch (401/403).
    """

    seats: tuple[SeatRef, ...] = ()
    min_seats: int = 5
    access_number: str = ""
    complaint_number: str | None = None
    fixed_line: str | None = None
    allocated: frozenset[str] = frozenset()
    allow_95_outbound: bool = False
    blacklist: frozenset[str] = frozenset()
    do_not_call: frozenset[str] = frozenset()
    dnc_tested: tuple[str, ...] = ()
    screening: tuple[ScreeningExpectation, ...] = ()
    screening_observe: tuple[ScreeningObservation, ...] = ()
    forged_caller_ids: tuple[str, ...] = ()
    require_pai: bool = False
    recording_tolerance_s: float = 2.0
    recording_exclude: frozenset[CallPurpose] = field(
        default_factory=lambda: frozenset({CallPurpose.COMPLAINT})
    )
    recording_interface: RecordingSource | None = None
    recording_stereo: tuple[str, str] | None = None
    retention_days: int = 30
    complaint_reply_days: int = 15
    complaint_time_tolerance_s: float = 120.0
    access_refusal_statuses: frozenset[int] = frozenset({401, 403})

    def outbound_policy(self) -> OutboundCallerIdPolicy:
        """The outbound caller-ID policy (allocated list normalised)."""
        return OutboundCallerIdPolicy(self.allocated, allow_95_outbound=self.allow_95_outbound)

    def example_caller_id(self) -> str:
        """An allocated number that may be presented outbound, for remedies ('' if none)."""
        policy = self.outbound_policy()
        usable = sorted(n for n in policy.allocated if policy.evaluate(n).ok)
        return usable[0] if usable else ""

    def seat(self, seat_id: str) -> SeatRef | None:
        """The seat with id ``seat_id``, or None."""
        return next((s for s in self.seats if s.id == seat_id), None)

    def is_do_not_call(self, number: str | None) -> bool:
        """True when ``number`` (any written form) is on the do-not-call list."""
        return any(same_number(number, n) for n in self.do_not_call)

    def expectation_for(self, number: str | None) -> ScreeningExpectation:
        """The scenario's expectation for a test number, else what the screening rules imply.

        Explicit expectations match by exact text first (so '' and 'anonymous' stay apart), then
        by normalised number. Without one, :func:`ccinspect.core.numbers.screen_inbound` with
        this context's blacklist decides (its reason token is then the only one accepted).
        """
        text = number or ""
        for exp in self.screening:
            if exp.number == text:
                return exp
        national = normalise_number(text)
        for exp in self.screening:
            if national and normalise_number(exp.number) == national:
                return exp
        derived = screen_inbound(text, ScreeningPolicy(blacklist=self.blacklist))
        tokens = frozenset() if derived.action is ScreeningAction.PASS else {derived.header_value}
        return ScreeningExpectation(text, derived.action, frozenset(tokens))


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """A check's identity: stable id, requirement ids, title and one-line description."""

    id: str
    requirements: tuple[str, ...]
    title: Text
    description: Text

    def conclude(
        self,
        subjects: Sequence[SubjectResult],
        *,
        pass_reason: Text,
        empty_reason: Text | None = None,
        empty_verdict: Verdict = Verdict.SKIP,
        evidence_used: Text | None = None,
    ) -> CheckResult:
        """This check's result from its subjects; see :func:`ccinspect.core.verdict.conclude`."""
        return conclude(
            self.id,
            self.requirements,
            self.title,
            subjects,
            pass_reason=pass_reason,
            empty_reason=empty_reason,
            empty_verdict=empty_verdict,
            evidence_used=evidence_used,
        )

    def skip(self, reason: Text) -> CheckResult:
        """SKIP: not asked for, or not applicable; ``reason`` says which."""
        return CheckResult(self.id, self.requirements, self.title, Verdict.SKIP, reason)

    def error(self, cause: Text) -> CheckResult:
        """ERROR: ccinspect could not check; ``cause`` says why."""
        return CheckResult(self.id, self.requirements, self.title, Verdict.ERROR, cause)


CheckFunction = Callable[[RunFacts, CheckContext], CheckResult]


@dataclass(frozen=True, slots=True)
class Check:
    """A catalogue entry: the spec and the pure function that judges a run."""

    spec: CheckSpec
    run: CheckFunction

    @property
    def id(self) -> str:
        """The stable check id (``"callerid.outbound_allocated"``)."""
        return self.spec.id

    def __call__(self, facts: RunFacts, ctx: CheckContext) -> CheckResult:
        """Judge ``facts`` under ``ctx``; pure, never does I/O."""
        return self.run(facts, ctx)
