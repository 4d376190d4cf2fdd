"""Caller-ID rules for call centers: outbound presentation (R1, R3, R4) and inbound screening (R3).

Pure logic on :class:`ParsedNumber` values. This module is the public face of the number rules: it
re-exports everything in :mod:`ccinspect.core.numberplan` (parsing, comparison, masking, the
number-plan notes on where ``phonenumbers`` and ``domain.md`` differ), so callers import from here.

* :class:`OutboundCallerIdPolicy` / :func:`evaluate_outbound_caller_id`: the caller ID on an
  outbound INVITE must be allocated to the enterprise, present, never 400/700, and 95/96 only with
  a filed outbound commitment. Every applicable reason is reported, in English and Chinese.
* :class:`ScreeningPolicy` / :func:`screen_inbound`: the default 主叫号码甄别 rules a scenario
  expects when it lists no case, down to the reason token (``ScreeningReason.header_value``).
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from ccinspect.core.numberplan import (
    ANONYMOUS_TOKENS,
    BilingualCode,
    NumberKind,
    ParsedNumber,
    Problem,
    coerce_number,
    is_reserved_955,
    mask_number,
    normalise_number,
    parse_number,
    same_number,
)

__all__ = [
    "ANONYMOUS_TOKENS",
    "BilingualCode",
    "CallerIdFinding",
    "NumberKind",
    "OutboundCallerIdPolicy",
    "OutboundReason",
    "ParsedNumber",
    "Problem",
    "ScreeningAction",
    "ScreeningPolicy",
    "ScreeningReason",
    "ScreeningResult",
    "coerce_number",
    "evaluate_outbound_caller_id",
    "is_reserved_955",
    "mask_number",
    "normalise_number",
    "parse_number",
    "same_number",
    "screen_inbound",
]


def _normalised_config_numbers(numbers: Iterable[str], what: str) -> frozenset[str]:
    """Normalise configured numbers; a config entry that is not a number is the user's mistake."""
    result: set[str] = set()
    for entry in numbers:
        parsed = parse_number(entry)
        if not parsed.is_valid:
            detail = ", ".join(p.value for p in parsed.problems)
            raise ValueError(f"{what}: {entry!r} is not a valid number ({detail})")
        result.add(parsed.national)
    return frozenset(result)


# ---------------------------------------------------------------- outbound caller ID (R1, R3, R4)


class OutboundReason(BilingualCode):
    """Why an outbound caller ID is refused."""

    ABSENT = "absent"
    MALFORMED = "malformed"
    FOREIGN = "foreign"
    NUMBER_400 = "number-400"
    NUMBER_700 = "number-700"
    SERVICE_NUMBER_INBOUND_ONLY = "service-inbound-only"
    NOT_ALLOCATED = "not-allocated"

    def _texts(self) -> tuple[str, str]:
        return _OUTBOUND_TEXTS[self]


@dataclass(frozen=True, slots=True)
class CallerIdFinding:
    """Verdict on one presented caller ID: ``ok`` exactly when ``reasons`` is empty."""

    presented: ParsedNumber
    reasons: tuple[OutboundReason, ...]

    @property
    def ok(self) -> bool:
        """True when the caller ID may be presented."""
        return not self.reasons


@dataclass(frozen=True, slots=True)
class OutboundCallerIdPolicy:
    """Which numbers a platform may present on outbound calls.

    ``allocated`` is normalised on construction (any written form may be given); an entry that is
    not a valid number raises ``ValueError``. ``allow_95_outbound`` records a filed outbound
    commitment for the 95/96 access numbers (R4); without it they are inbound-only.
    """

    allocated: frozenset[str]
    allow_95_outbound: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "allocated", _normalised_config_numbers(self.allocated, "allocated numbers"))

    def evaluate(self, presented: ParsedNumber | str | None) -> CallerIdFinding:
        """Judge one caller ID; all applicable reasons are listed, in a fixed order."""
        number = coerce_number(presented)
        if number.kind is NumberKind.ABSENT:
            return CallerIdFinding(number, (OutboundReason.ABSENT,))
        by_kind = {
            NumberKind.INVALID: OutboundReason.MALFORMED,
            NumberKind.INTERNATIONAL: OutboundReason.FOREIGN,
            NumberKind.NUMBER_400: OutboundReason.NUMBER_400,
            NumberKind.NUMBER_700: OutboundReason.NUMBER_700,
        }
        reasons: list[OutboundReason] = []
        if number.kind in by_kind:
            reasons.append(by_kind[number.kind])
        service = number.kind in (NumberKind.SERVICE_95, NumberKind.SERVICE_96)
        if service and not self.allow_95_outbound:
            reasons.append(OutboundReason.SERVICE_NUMBER_INBOUND_ONLY)
        if number.national not in self.allocated:
            reasons.append(OutboundReason.NOT_ALLOCATED)
        return CallerIdFinding(number, tuple(reasons))


def evaluate_outbound_caller_id(
    presented: ParsedNumber | str | None,
    allocated: Collection[str],
    *,
    allow_95_outbound: bool = False,
) -> CallerIdFinding:
    """Judge a caller ID against an allocated list; see :class:`OutboundCallerIdPolicy`."""
    policy = OutboundCallerIdPolicy(frozenset(allocated), allow_95_outbound=allow_95_outbound)
    return policy.evaluate(presented)


# ---------------------------------------------------------------- inbound screening (R3)


class ScreeningAction(enum.Enum):
    """What screening does with an inbound call."""

    PASS = "pass"  # noqa: S105 -- a screening verdict, not a password
    FLAG = "flag"
    REJECT = "reject"


class ScreeningReason(BilingualCode):
    """Why; the value is the scenario's reason token (``absent``, ``malformed``…)."""

    OK = "pass"
    ABSENT = "absent"
    MALFORMED = "malformed"
    BLACKLISTED = "blacklisted"
    INTERNATIONAL_FORMAT = "intl-format"
    FOREIGN = "foreign"

    def _texts(self) -> tuple[str, str]:
        return _SCREENING_TEXTS[self]

    @property
    def header_value(self) -> str:
        """The reason token as scenarios write it (target files map a platform's own values to it)."""
        return str(self.value)

    @classmethod
    def from_header(cls, value: str | None) -> ScreeningReason | None:
        """The reason for a header token (trimmed, case-insensitive), or None if unknown."""
        token = (value or "").strip().lower()
        return next((r for r in cls if r.value == token), None)


@dataclass(frozen=True, slots=True)
class ScreeningPolicy:
    """Calling-number screening settings (主叫号码甄别), normalised on construction.

    ``blacklist`` may be given in any written form; an entry that is not a valid number raises
    ``ValueError``. ``accept_short_codes`` False flags 1xxxx short codes as malformed callers.
    """

    blacklist: frozenset[str] = frozenset()
    treat_international_format_as_flag: bool = True
    domestic_trunk: bool = True
    accept_short_codes: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "blacklist", _normalised_config_numbers(self.blacklist, "blacklist"))


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """Outcome of screening one inbound number; ``problems`` are the parse problems behind it."""

    number: ParsedNumber
    action: ScreeningAction
    reason: ScreeningReason

    @property
    def header_value(self) -> str:
        """The reason token the platform is expected to show."""
        return self.reason.header_value

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The parse problems of the screened number."""
        return self.number.problems


def screen_inbound(parsed: ParsedNumber | str | None, policy: ScreeningPolicy) -> ScreeningResult:
    """Screen an inbound calling number; the first matching rule wins.

    1. absent or anonymous → FLAG ``absent``;  2. on the blacklist → REJECT ``blacklisted``;
    3. malformed (or a short code when not accepted) → FLAG ``malformed``;
    4. foreign country code → FLAG ``foreign``;
    5. ``+86``/``0086`` form on a domestic trunk (when so configured) → FLAG ``intl-format``;
    6. otherwise PASS ``pass``. Rule 5 flags the call only: the number still normalises to the
    same national form and must be passed through unchanged.
    """
    n = coerce_number(parsed)
    flag, reason = ScreeningAction.FLAG, ScreeningReason.OK
    if n.kind is NumberKind.ABSENT:
        reason = ScreeningReason.ABSENT
    elif n.national in policy.blacklist:
        flag, reason = ScreeningAction.REJECT, ScreeningReason.BLACKLISTED
    elif n.kind is NumberKind.INVALID or (n.kind is NumberKind.SHORT and not policy.accept_short_codes):
        reason = ScreeningReason.MALFORMED
    elif n.kind is NumberKind.INTERNATIONAL:
        reason = ScreeningReason.FOREIGN
    elif n.international_form and policy.domestic_trunk and policy.treat_international_format_as_flag:
        reason = ScreeningReason.INTERNATIONAL_FORMAT
    else:
        flag = ScreeningAction.PASS
    return ScreeningResult(n, flag, reason)


# ---------------------------------------------------------------- message catalogue

_OUTBOUND_TEXTS: dict[OutboundReason, tuple[str, str]] = {
    OutboundReason.ABSENT: ("Outbound caller ID absent or hidden", "外显主叫号码缺失或被隐藏"),
    OutboundReason.MALFORMED: ("Outbound caller ID malformed", "外显主叫号码格式错误"),
    OutboundReason.FOREIGN: ("Outbound caller ID is a foreign number", "外显主叫号码为境外号码"),
    OutboundReason.NUMBER_400: (
        "A 400 number must never be the outbound caller ID",
        "400号码不得作为外显主叫号码",
    ),
    OutboundReason.NUMBER_700: (
        "A 700 privacy number must never be a call-center caller ID",
        "700号码不得作为呼叫中心外显主叫号码",
    ),
    OutboundReason.SERVICE_NUMBER_INBOUND_ONLY: (
        "95/96 access numbers are inbound-only without a filed outbound commitment",
        "未备案外呼承诺的95/96号码仅限呼入",
    ),
    OutboundReason.NOT_ALLOCATED: (
        "Outbound caller ID is not a number allocated to the enterprise",
        "外显主叫号码不是本企业获配号码",
    ),
}

_SCREENING_TEXTS: dict[ScreeningReason, tuple[str, str]] = {
    ScreeningReason.OK: ("Calling number passed screening", "主叫号码甄别通过"),
    ScreeningReason.ABSENT: ("Calling number absent or withheld", "主叫号码缺失"),
    ScreeningReason.MALFORMED: ("Calling number malformed", "号码格式错误"),
    ScreeningReason.BLACKLISTED: ("Calling number is blacklisted", "主叫号码在黑名单中"),
    ScreeningReason.INTERNATIONAL_FORMAT: (
        "International-format number on a domestic trunk (possible fake +86 call)",
        "国内中继收到国际格式号码（疑似虚假+86来电）",
    ),
    ScreeningReason.FOREIGN: ("Calling number has a foreign country code", "境外号码来电"),
}
