"""Reading a screening call's verdict the ways the target file declares (pure helpers for R3).

Each :class:`~ccinspect.core.checks.observe.ScreeningObservation` is applied to the facts of one
call: a header of the INVITE each seat received, the display names each seat was shown, the
call's CDR, the call's row in the web console, or the operator's answer. Every value read
becomes an evidence line saying where it came from and which reason token it stands for; a
declared observation that could not be read (no CDR row, no answer) is returned as a cause, so
the check can tell "not flagged" from "not known".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ccinspect.core.checks.legs import excerpt, parsed_invite
from ccinspect.core.checks.observe import ObserveKind, ScreeningObservation
from ccinspect.core.facts import CallFact, LegFact, RunFacts
from ccinspect.core.verdict import Text

__all__ = ["SCREENING_TOPIC", "Seen", "observe_screening"]

SCREENING_TOPIC = "screening"
"""The :class:`~ccinspect.core.facts.ManualAnswerFact` topic of screening answers."""


@dataclass(frozen=True, slots=True)
class Seen:
    """What the declared observations showed for one call.

    ``tokens``: the reason tokens seen (deduplicated, in order); ``evidence``: one line per value
    read, with where it came from and what it means; ``missing``: why a declared observation could
    not be read; ``undeclared``: the target declares no observation at all.
    """

    tokens: tuple[str, ...]
    evidence: tuple[str, ...]
    missing: tuple[Text, ...]
    undeclared: bool


def _means(token: str | None) -> str:
    return token if token is not None else "not flagged"


class _Reader:
    """Accumulates tokens, evidence and causes for one call (internal, mutable on purpose)."""

    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.evidence: list[str] = []
        self.missing: list[Text] = []

    def value(self, rule: ScreeningObservation, where: str, value: str | None) -> None:
        token = rule.token(value)
        self.evidence.append(f"{where} → {_means(token)}")
        if token is not None:
            self.tokens.append(token)

    def unread(self, evidence: str, cause: Text) -> None:
        """A declared observation that could not be read: its evidence line and the cause."""
        self.evidence.append(evidence)
        self.missing.append(cause)

    def header(self, rule: ScreeningObservation, seats: Sequence[LegFact]) -> None:
        for leg in seats:
            message = parsed_invite(leg)
            if message is None:
                continue
            value = message.header(rule.name)
            if value is None:
                self.evidence.append(f"{leg.agent}: no {rule.name} header → not flagged")
            else:
                self.value(rule, f"{leg.agent} {rule.name}: {excerpt(value.strip())}", value)

    def display_name(self, rule: ScreeningObservation, seats: Sequence[LegFact]) -> None:
        for leg in seats:
            message = parsed_invite(leg)
            if message is None:
                continue
            identity = message.identity()
            shown = [("display name", identity.from_)]
            shown += [("P-Asserted-Identity display name", p) for p in identity.pai]
            names = [(label, addr.display_name) for label, addr in shown if addr is not None]
            if not any(name for _, name in names):
                self.evidence.append(f"{leg.agent}: no display name → not flagged")
                continue
            for label, name in names:
                if name is None:
                    continue
                try:
                    flag = rule.flag_in(name)
                except re.error as exc:
                    self.missing.append(
                        Text(
                            f"display-name pattern {rule.pattern!r} is invalid: {exc}",
                            f"显示名称规则 {rule.pattern!r} 无效：{exc}",
                        )
                    )
                    return
                where = f"{leg.agent} {label} '{excerpt(name)}'"
                if flag is None:
                    self.evidence.append(f"{where} → not flagged")
                else:
                    self.value(rule, where, flag)

    def cdr(self, rule: ScreeningObservation, call: CallFact, facts: RunFacts) -> None:
        cdr = facts.cdr_for(call.key)
        if cdr is None or cdr.error is not None:
            why = cdr.error if cdr is not None and cdr.error else "no CDR was gathered for it"
            self.unread(
                f"CDR: {why}",
                Text(
                    f"the CDR of call {call.key} could not be read ({why})",
                    f"无法读取呼叫 {call.key} 的话单（{why}）",
                ),
            )
            return
        field = rule.name or "screening"
        self.value(rule, f"CDR {field}={cdr.screening or ''}", cdr.screening)

    def web(self, rule: ScreeningObservation, call: CallFact, facts: RunFacts) -> None:
        reading = facts.web_reading_for(SCREENING_TOPIC, call.key)
        if reading is None or not reading.found or reading.error is not None:
            why = (reading.error if reading is not None else None) or (
                "the console lists no row for it" if reading is not None else "the console was not read"
            )
            self.unread(
                f"web console: {why}",
                Text(
                    f"the web console's screening flag for call {call.key} could not be read ({why})",
                    f"无法在 Web 控制台读取呼叫 {call.key} 的甄别标记（{why}）",
                ),
            )
            return
        value = reading.value or ""
        self.value(rule, f"web console screening cell '{excerpt(value)}'", value)

    def manual(self, rule: ScreeningObservation, call: CallFact, facts: RunFacts) -> None:
        answer = facts.answer_for(SCREENING_TOPIC, call.key)
        if answer is None or not answer.answered:
            why = (answer.error if answer is not None else None) or "no operator answer was recorded"
            self.evidence.append(f"operator: {why}")
            self.missing.append(
                Text(
                    f"the operator's reading of the agent's screen for call {call.key} is missing ({why})",
                    f"缺少操作员对呼叫 {call.key} 坐席界面的确认（{why}）",
                )
            )
            return
        value = answer.value or ""
        source = f" ({answer.source})" if answer.source else ""
        self.value(rule, f"operator{source} saw '{excerpt(value)}' on the agent's screen", value)


def observe_screening(
    call: CallFact,
    facts: RunFacts,
    rules: Sequence[ScreeningObservation],
    seats: Sequence[LegFact],
) -> Seen:
    """Apply every rule to ``call``; ``seats`` are the seat legs that received its INVITE.

    Header and display-name rules read those seats' INVITEs (nothing when no seat got one);
    CDR and manual rules read the call's CDR fact and the operator's answer.
    """
    reader = _Reader()
    for rule in rules:
        if rule.kind is ObserveKind.HEADER:
            reader.header(rule, seats)
        elif rule.kind is ObserveKind.DISPLAY_NAME:
            reader.display_name(rule, seats)
        elif rule.kind is ObserveKind.CDR:
            reader.cdr(rule, call, facts)
        elif rule.kind is ObserveKind.WEB:
            reader.web(rule, call, facts)
        else:
            reader.manual(rule, call, facts)
    return Seen(
        tuple(dict.fromkeys(reader.tokens)),
        tuple(reader.evidence),
        tuple(reader.missing),
        undeclared=not rules,
    )
