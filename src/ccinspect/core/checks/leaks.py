"""A seat's own identity leaking to the carrier (R1): what else the trunk side sees.

The calling number itself is judged by ``callerid.outbound_allocated``; this module looks at
every other place an INVITE can carry who placed the call: the Contact user, Diversion and
History-Info entries, and the display names of From, P-Asserted-Identity, Remote-Party-ID,
P-Preferred-Identity and Contact. A seat's extension, SIP username or display name in any of
them tells the carrier (and the called party) an internal identity the platform must not
present. Any of the run's seats counts, not only the one that placed the call. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ccinspect.core.checks.base import SeatRef
from ccinspect.core.sipheaders import CallerIdentity, NameAddr
from ccinspect.core.verdict import Text

__all__ = ["REMEDY_LEAK", "seat_leaks"]

REMEDY_LEAK = Text(
    "Rewrite every header the carrier receives so that no seat identity is left: Contact (the "
    "platform's trunk address, not the seat's), Diversion and History-Info (drop them on "
    "outbound calls), and the display names (the enterprise's name or none); an SBC's topology "
    "hiding does this.",
    "改写送往运营商的所有信令头，不得留下任何坐席身份：Contact（使用平台中继地址而非坐席地址）、"
    "Diversion 与 History-Info（外呼时去掉），以及显示名称（使用企业名称或不填）；可由 SBC 的拓扑隐藏完成。",
)

_TOKENS = re.compile(r"[A-Za-z0-9_.\-]+")


def _names(seats: Iterable[SeatRef]) -> dict[str, str]:
    """Every identity of a seat, lower-cased → the seat's id."""
    found: dict[str, str] = {}
    for seat in seats:
        for name in (seat.id, seat.username, seat.display_name):
            if name and name.strip():
                found[name.strip().lower()] = seat.id
    return found


def _in_display(display: str | None, names: dict[str, str]) -> str | None:
    """The seat whose identity the display name shows (whole name, or one of its words)."""
    if not display or not display.strip():
        return None
    text = display.strip().lower()
    if text in names:
        return names[text]
    return next((names[t] for t in (m.group(0) for m in _TOKENS.finditer(text)) if t in names), None)


def seat_leaks(identity: CallerIdentity, seats: Sequence[SeatRef]) -> list[tuple[str, Text]]:
    """``(header line, what leaked)`` for each header of a trunk-side INVITE that shows a seat."""
    names = _names(seats)
    if not names:
        return []
    found: list[tuple[str, Text]] = []

    def check(header: str, value: NameAddr, *, user: bool, display: bool) -> None:
        line = f"{header}: {value.raw}"
        who = names.get((value.uri.user or "").lower()) if user else None
        if who is not None:
            found.append(
                (line, Text(f"{header} carries seat {who}'s identity", f"{header} 中带有坐席 {who} 的身份"))
            )
            return
        shown = _in_display(value.display_name, names) if display else None
        if shown is not None:
            found.append(
                (
                    line,
                    Text(
                        f"the display name in {header} shows seat {shown}",
                        f"{header} 的显示名称暴露了坐席 {shown}",
                    ),
                )
            )

    named: list[tuple[str, NameAddr]] = [("From", identity.from_)] if identity.from_ is not None else []
    named += [("P-Asserted-Identity", v) for v in identity.pai]
    named += [("Remote-Party-ID", v) for v in identity.rpid]
    named += [("P-Preferred-Identity", v) for v in identity.ppi]
    for header, value in named:
        check(header, value, user=False, display=True)
    for value in identity.contact:
        check("Contact", value, user=True, display=True)
    for value in identity.diversion:
        check("Diversion", value, user=True, display=True)
    for value in identity.history_info:
        check("History-Info", value, user=True, display=True)
    return found
