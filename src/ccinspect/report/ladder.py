"""The SIP ladder diagram of one call, as geometry for the SVG template to draw.

Columns: our caller-side legs on the left, the PBX in the middle, our callee-side legs on the
right. Every captured message of every leg is one arrow, in time order: a message a leg *sent*
goes from its column to the PBX, one it *received* from the PBX to it. The label is the method
(``INVITE``) or status (``180 Ringing``, with the CSeq method when it is not INVITE: ``200 OK
(BYE)``), cut to :data:`LABEL_MAX` characters; the full start line is kept for the tooltip.

Nothing here makes markup: labels are plain strings and the template escapes them, so a
hostile reason phrase cannot break the SVG. Coordinates are numbers computed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ccinspect.core.facts import CallFact, LegRole, MessageDirection, SipMessageFact
from ccinspect.core.sipheaders import MessageKind

__all__ = ["LABEL_MAX", "Arrow", "Column", "Ladder", "MessageView", "build_ladder"]

LABEL_MAX = 34
COLUMN_GAP = 240
LEFT = 96
TOP = 46
ROW = 24
AGENT_MAX = 22
_PRODUCT = {"server": "Server", "user-agent": "User-Agent"}


@dataclass(frozen=True, slots=True)
class Column:
    """One vertical line: a leg of ours or the PBX."""

    label: str
    x: int
    pbx: bool = False


@dataclass(frozen=True, slots=True)
class MessageView:
    """One captured message, for the ladder and the raw-message list (same order, same anchor).

    ``product`` holds its ``Server`` / ``User-Agent`` headers (name, value), in order.
    """

    anchor: str
    at: float
    rel_s: float
    agent: str
    direction: MessageDirection
    label: str
    start_line: str
    css: str
    text: str
    product: tuple[tuple[str, str], ...] = ()

    @property
    def head_text(self) -> str:
        """The start line and headers, without the body (what the printed report shows)."""
        for sep in ("\r\n\r\n", "\n\n"):
            if sep in self.text:
                return self.text.split(sep, 1)[0]
        return self.text

    @property
    def is_invite(self) -> bool:
        """True for an INVITE request (the message the caller-identity evidence is in)."""
        return self.css == "req" and self.start_line.startswith("INVITE ")


@dataclass(frozen=True, slots=True)
class Arrow:
    """One message drawn from ``x1`` to ``x2`` at height ``y``."""

    y: int
    x1: int
    x2: int
    label: str
    message: MessageView

    @property
    def label_x(self) -> int:
        """Where the label is centred."""
        return (self.x1 + self.x2) // 2

    @property
    def head(self) -> str:
        """The arrowhead's points (SVG ``points`` attribute)."""
        d = 7 if self.x2 > self.x1 else -7
        return f"{self.x2},{self.y} {self.x2 - d},{self.y - 4} {self.x2 - d},{self.y + 4}"


@dataclass(frozen=True, slots=True)
class Ladder:
    """The whole diagram: size, columns and arrows."""

    width: int
    height: int
    columns: tuple[Column, ...]
    arrows: tuple[Arrow, ...]

    @property
    def bottom(self) -> int:
        """Where the column lines end."""
        return self.height - 8


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _css(kind: MessageKind, status: int | None) -> str:
    if kind is MessageKind.REQUEST:
        return "req"
    if status is None:
        return "unknown"
    if status < 200:
        return "r1xx"
    return "r2xx" if status < 300 else "rerr"


def _head(text: str) -> list[str]:
    """The start line and header lines of captured text (only LF ends a line; CR is stripped)."""
    end = text.find("\r\n\r\n")
    if end < 0:
        end = text.find("\n\n")
    head = text if end < 0 else text[:end]
    lines = [line.removesuffix("\r") for line in head.lstrip("\r\n").split("\n")]
    return lines or [""]


def _start(line: str) -> tuple[MessageKind, str, int | None]:
    """(kind, label, status) of a start line; the label is the method or ``code reason``."""
    parts = line.split(" ", 2)
    if len(parts) >= 2 and parts[0].upper().startswith("SIP/") and len(parts[1]) == 3 and parts[1].isdigit():
        return MessageKind.RESPONSE, " ".join(parts[1:]).strip(), int(parts[1])
    if len(parts) == 3 and parts[2].upper().startswith("SIP/") and parts[0].isalpha():
        return MessageKind.REQUEST, parts[0], None
    return MessageKind.UNKNOWN, line or "?", None


def message_view(msg: SipMessageFact, anchor: str, t0: float) -> MessageView:
    """The label, class, product headers and relative time of one captured message.

    Reads only the start line and the CSeq / Server / User-Agent headers (fast: every message of
    every call goes through here); the identity table parses INVITEs fully.
    """
    lines = _head(msg.text)
    kind, label, status = _start(lines[0])
    method = ""
    product: list[tuple[str, str]] = []
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        key = name.strip().lower()
        if not colon:
            continue
        if key == "cseq":
            method = value.strip().split(" ")[-1].upper()
        elif key in _PRODUCT:
            product.append((_PRODUCT[key], value.strip()))
    if kind is MessageKind.RESPONSE and method and method != "INVITE":
        label = f"{label} ({method})"
    return MessageView(
        anchor=anchor,
        at=msg.at,
        rel_s=msg.at - t0,
        agent=msg.agent,
        direction=msg.direction,
        label=_shorten(label, LABEL_MAX),
        start_line=lines[0],
        css=_css(kind, status),
        text=msg.text,
        product=tuple(product),
    )


def call_messages(call: CallFact, anchor: str) -> tuple[MessageView, ...]:
    """Every message of every leg of ``call`` in time order, anchored ``{anchor}-m{i}``."""
    msgs = sorted((m for leg in call.legs for m in leg.messages), key=lambda m: m.at)
    t0 = msgs[0].at if msgs else call.started_at
    return tuple(message_view(m, f"{anchor}-m{i}", t0) for i, m in enumerate(msgs))


def build_ladder(call: CallFact, messages: tuple[MessageView, ...], pbx_label: str) -> Ladder:
    """The diagram of ``call`` from its :func:`call_messages`."""
    left = [leg.agent for leg in call.legs if leg.role is LegRole.CALLER]
    right = [leg.agent for leg in call.legs if leg.role is LegRole.CALLEE]
    names: list[str] = []
    for agent in [*left, "\x00pbx", *right]:
        if agent not in names:
            names.append(agent)
    for m in messages:  # a message from an agent without a leg (should not happen): add a column
        if m.agent not in names:
            names.append(m.agent)
    xs = {name: LEFT + i * COLUMN_GAP for i, name in enumerate(names)}
    columns = tuple(
        Column(
            _shorten(pbx_label, AGENT_MAX) if n == "\x00pbx" else _shorten(n, AGENT_MAX),
            xs[n],
            n == "\x00pbx",
        )
        for n in names
    )
    pbx_x = xs["\x00pbx"]
    arrows = []
    for i, m in enumerate(messages):
        y = TOP + 18 + i * ROW
        x_agent = xs[m.agent]
        x1, x2 = (x_agent, pbx_x) if m.direction is MessageDirection.SENT else (pbx_x, x_agent)
        arrows.append(Arrow(y, x1, x2, m.label, m))
    width = LEFT + (len(names) - 1) * COLUMN_GAP + 90
    height = TOP + 18 + max(len(messages), 1) * ROW + 10
    return Ladder(width, height, columns, tuple(arrows))
