"""Scenario files: the inspector's script (seats, calls, numbers, checks, timeouts, tolerances)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, PrivateAttr, model_validator
from pydantic.dataclasses import dataclass

from ccinspect.core.catalog import check_ids
from ccinspect.core.facts import CallPurpose
from ccinspect.core.scenario.errors import FileProblem, did_you_mean
from ccinspect.core.scenario.fields import AnyNumber, Model, Name, Number, Seconds

__all__ = [
    "CallerIdPolicy",
    "CheckId",
    "CheckSelection",
    "ComplaintPlan",
    "DncPlan",
    "InboundPlan",
    "OutboundPlan",
    "RecordingPolicy",
    "RetentionPolicy",
    "Scenario",
    "ScreeningCase",
    "ScreeningPlan",
    "Timeouts",
    "Title",
]


class Title(Model):
    """A title in both languages."""

    zh: str
    en: str


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Timeouts:
    """Every wait's bound, in seconds.

    A pydantic dataclass rather than a model: ``register`` would shadow ``BaseModel.register``.
    """

    register: Seconds = 10.0
    answer: Seconds = 15.0
    hold: Seconds = 4.0
    call_setup: Seconds = 10.0
    recording_fetch: Seconds = 20.0
    complaint: Seconds = 40.0
    #: How long the runner waits for the operator's answer to each question it asks by hand
    #: (``complaints.kind: manual``, ``screening.observe: manual``), interactively or in the
    #: ``--answers`` file; no answer within it is an ERROR for that check.
    manual: Seconds = 300.0


class InboundPlan(Model):
    """Inbound calls: the trunk dials ``dial`` once per seat, callers cycled in order."""

    dial: Literal["access_number", "fixed_line"] = "access_number"
    callers: Annotated[tuple[Number, ...], Field(min_length=1)]
    #: ``designated``: as on site, each inbound call is for one seat: only that seat answers,
    #: the others let it ring (or ``decline`` it with that status), one call at a time;
    #: ``first``: every seat answers whatever reaches it, calls placed at once.
    answer: Literal["designated", "first"] = "designated"
    decline: Annotated[int, Field(ge=400, le=699)] | None = None


class OutboundPlan(Model):
    """Outbound calls: each seat dials a destination (cycled); forged caller IDs tried once each."""

    destinations: Annotated[tuple[Number, ...], Field(min_length=1)]
    forged_caller_ids: tuple[AnyNumber, ...] = ()


class CallerIdPolicy(Model):
    """Carrier rules on outbound caller ID (not law; default off)."""

    require_pai: bool = False


class ScreeningCase(Model):
    """One screening test number; ``expect`` omitted → what the screening rules imply."""

    number: AnyNumber
    expect: Literal["pass", "flag", "reject"] | None = None
    reasons: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _reasons_need_flag(self) -> ScreeningCase:
        if self.reasons and self.expect != "flag":
            raise FileProblem(
                "reasons are only allowed with expect: flag",
                "只有 expect: flag 时才能填写 reasons",
                "expect: flag",
                "reasons",
            )
        return self


DialForm = Literal["national", "+86", "0086", "no-trunk-prefix"]
#: Every written form a number may be dialled or presented in.
ALL_FORMS: tuple[DialForm, ...] = ("national", "+86", "0086", "no-trunk-prefix")


class ScreeningPlan(Model):
    """Calling-number screening cases (R3). A case the platform must refuse (a blacklisted
    caller) is also presented in each other form of ``reject_forms`` it has: a platform that
    refuses 17000000000 but lets +8617000000000 through is found."""

    cases: tuple[ScreeningCase, ...] = ()
    reject_forms: tuple[DialForm, ...] = ALL_FORMS


class DncPlan(Model):
    """Do-not-call numbers to dial (None → every number on the target's list), each in every
    written form of ``forms`` it has (a platform must refuse the number however it is dialled:
    national, ``+86``, ``0086``, and a fixed line without its trunk prefix 0)."""

    numbers: tuple[Number, ...] | None = None
    forms: Annotated[tuple[DialForm, ...], Field(min_length=1)] = (
        "national",
        "+86",
        "0086",
        "no-trunk-prefix",
    )


#: Well-known default accounts an interface must not let in ("user:password"; R8).
DEFAULT_ACCOUNTS = ("admin:admin", "admin:123456", "admin:password", "root:root", "asterisk:asterisk")


class RecordingPolicy(Model):
    """Recording length tolerance, call purposes without a full-call recording, and the
    well-known ``default_accounts`` (``user:password``) tried on the recording interface."""

    tolerance_s: Annotated[float, Field(ge=0, le=60)] = 2.0
    exclude_purposes: tuple[CallPurpose, ...] = (CallPurpose.COMPLAINT,)
    default_accounts: tuple[Annotated[str, Field(pattern=r"^[^:]+:.*$")], ...] = DEFAULT_ACCOUNTS

    def accounts(self) -> tuple[tuple[str, str], ...]:
        """``default_accounts`` as (user, password) pairs."""
        return tuple((a.split(":", 1)[0], a.split(":", 1)[1]) for a in self.default_accounts)


class RetentionPolicy(Model):
    """Minimum recording retention (R5)."""

    days: Annotated[int, Field(ge=1)] = 30


class ComplaintPlan(Model):
    """The complaint call (R9, R10); ``caller`` defaults to the first inbound caller."""

    caller: Number | None = None
    message_s: Seconds = 6.0
    reply_days: Annotated[int, Field(ge=1)] = 15
    time_tolerance_s: Annotated[float, Field(ge=0)] = 120.0


def _known_check(value: str) -> str:
    ids = list(check_ids())
    if value not in ids:
        raise FileProblem(f"unknown check id {value!r}", f"未知的检查项 {value!r}", did_you_mean(value, ids))
    return value


CheckId = Annotated[str, AfterValidator(_known_check)]


class CheckSelection(Model):
    """Which checks run: ``include`` (None: the whole catalogue) minus ``exclude``."""

    include: tuple[CheckId, ...] | None = None
    exclude: tuple[CheckId, ...] = ()


class Scenario(Model):
    """An inspection script; see ``scenarios/onsite-jiangsu.yaml`` for every key, commented."""

    name: Name
    title: Title
    description: str | None = None
    seats: tuple[Name, ...] | None = None
    min_seats: Annotated[int, Field(ge=1)] = 5
    max_calls: Annotated[int, Field(ge=1)] | None = None
    timeouts: Timeouts = Timeouts()
    inbound: InboundPlan | None = None
    outbound: OutboundPlan | None = None
    caller_id: CallerIdPolicy = CallerIdPolicy()
    screening: ScreeningPlan = ScreeningPlan()
    dnc: DncPlan = DncPlan()
    recording: RecordingPolicy = RecordingPolicy()
    retention: RetentionPolicy = RetentionPolicy()
    complaint: ComplaintPlan = ComplaintPlan()
    checks: CheckSelection = CheckSelection()
    _source: str = PrivateAttr(default="<scenario>")

    def selected_checks(self) -> tuple[str, ...]:
        """The check ids this scenario runs, in catalogue order."""
        chosen = set(self.checks.include) if self.checks.include is not None else set(check_ids())
        return tuple(i for i in check_ids() if i in chosen and i not in self.checks.exclude)

    @property
    def source(self) -> str:
        """The file this scenario was loaded from."""
        return self._source
