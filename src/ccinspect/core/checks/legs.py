"""Reading call facts: which leg is whose, what the INVITE said, how to quote it (pure helpers).

Checks share these so that every check reads legs the same way and quotes evidence the same way.
"""

from __future__ import annotations

from ccinspect.core.facts import CallFact, LegFact, LegRole, is_trunk_side, seat_id_of
from ccinspect.core.sipheaders import ParsedSipMessage, parse_sip_message
from ccinspect.core.verdict import Text

__all__ = [
    "answered_seat_leg",
    "call_name",
    "caller_leg",
    "excerpt",
    "harness_cause",
    "is_rejection",
    "offered_seat_legs",
    "parsed_invite",
    "status_text",
    "trunk_callee",
]

_EXCERPT = 160


def call_name(call: CallFact) -> str:
    """How reports name a call: ``"call inbound-8003"``."""
    return f"call {call.key}"


def excerpt(text: str, limit: int = _EXCERPT) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def caller_leg(call: CallFact) -> LegFact | None:
    """The leg of ours that sent the INVITE, or None when the runner recorded none."""
    return next((leg for leg in call.legs if leg.role is LegRole.CALLER), None)


def trunk_callee(call: CallFact) -> LegFact | None:
    """The trunk-side leg that received the call's INVITE (trunk or public line), or None."""
    legs = [leg for leg in call.legs if leg.role is LegRole.CALLEE and is_trunk_side(leg.agent)]
    with_invite = [leg for leg in legs if leg.invite is not None]
    found = with_invite or legs
    return found[0] if found else None


def offered_seat_legs(call: CallFact) -> tuple[LegFact, ...]:
    """The seat legs that received an INVITE for this call (rung, answered or not)."""
    return tuple(leg for leg in call.legs if leg.role is LegRole.CALLEE and seat_id_of(leg.agent) is not None)


def seat_offers(call: CallFact) -> tuple[tuple[str, str], ...]:
    """Per seat the call was offered to: (seat id, what happened), e.g. ``("8003", "answered")``,
    ``("8001", "486 Busy Here")``, ``("8002", "rang, 487 Request Terminated")``."""
    offers: list[tuple[str, str]] = []
    for leg in offered_seat_legs(call):
        seat = seat_id_of(leg.agent) or leg.agent
        if leg.answered:
            offers.append((seat, "answered"))
        elif leg.final_status is not None and leg.final_status >= 400 and leg.final_status != 487:
            offers.append((seat, f"{leg.final_status} {leg.final_reason}".strip()))
        else:
            status = f", {leg.final_status} {leg.final_reason}".rstrip() if leg.final_status else ""
            offers.append((seat, f"rang{status}"))
    return tuple(offers)


def _connected(leg: LegFact) -> float:
    if leg.connected_at is None or leg.disconnected_at is None:
        return 0.0
    return leg.disconnected_at - leg.connected_at


def party_legs(call: CallFact) -> tuple[LegFact, ...]:
    """Our answered legs that took part in the call: the caller's, and of the callee legs only
    the one that took the call (the one connected longest). A queue that rings several seats at
    once may see more than one answer and hang up on all but one: those legs were never part of
    the conversation, so audio and recording checks leave them out."""
    callers = [leg for leg in call.legs if leg.answered and leg.role is LegRole.CALLER]
    callees = [leg for leg in call.legs if leg.answered and leg.role is not LegRole.CALLER]
    taking = max(callees, key=_connected, default=None)
    return (*callers, *([taking] if taking is not None else []))


def answered_seat_leg(call: CallFact) -> LegFact | None:
    """The seat leg that took this call, or None: of the seats that answered, the one connected
    longest (a queue ringing several seats keeps one and hangs up on the others that answered)."""
    answered = [leg for leg in offered_seat_legs(call) if leg.answered]
    return max(answered, key=_connected, default=None)


def parsed_invite(leg: LegFact | None) -> ParsedSipMessage | None:
    """The leg's INVITE parsed, or None when it has none."""
    if leg is None or leg.invite is None:
        return None
    return parse_sip_message(leg.invite)


def status_text(leg: LegFact | None) -> str:
    """``"403 Forbidden"``, or ``"no final response"``."""
    if leg is None or leg.final_status is None:
        return "no final response"
    return f"{leg.final_status} {leg.final_reason}".strip()


def is_rejection(status: int | None) -> bool:
    """True for a deliberate refusal: a 4xx or 6xx final response."""
    return status is not None and (400 <= status < 500 or 600 <= status < 700)


def harness_cause(call: CallFact) -> Text | None:
    """ERROR cause when the runner could not carry the call out, else None."""
    if call.harness_error is None:
        return None
    return Text(
        f"the harness could not complete call {call.key}: {call.harness_error}",
        f"测试工具未能完成呼叫 {call.key}：{call.harness_error}",
    )
