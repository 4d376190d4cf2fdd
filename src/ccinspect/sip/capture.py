"""SIP message capture from pjsip's message log, and a store of messages keyed by Call-ID.

Why the log: pjsua registers a module just above the transport layer that logs every SIP
message it sends or receives, at level 4, as::

    RX 918 bytes Request msg INVITE/cseq=7754 (rdata0x..) from UDP 127.0.0.1:25071:
    <the whole message>
    --end msg--

That sees everything on the wire, including what the per-call callbacks miss: the 100 Trying
pjsua sends before the Call object exists, the ACK for a 2xx (sent outside any transaction),
the BYE's 200 after DISCONNECTED, auth challenges and retries, retransmissions, REGISTER.
With ``mainThreadOnly`` the log callback runs on the owner thread at the moment the message
is handled, so the timestamps taken here are accurate. Messages longer than pjlib's log buffer
(PJ_LOG_MAX_SIZE, 4000 bytes by default) arrive cut; they are kept and marked ``truncated``.

Everything here is pure text handling: no pjsua2, no threads.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable

from ccinspect.sip.records import Direction, SipMessage, Stamp

_HEAD = re.compile(
    r"\b(?P<dir>RX|TX) (?P<size>\d+) bytes (?P<info>.*?) (?:from|to) "
    r"(?P<transport>[A-Za-z0-9]+) (?P<peer>\S+):\r?\n"
)
_END = "\n--end msg--"
_COMPACT = {"i": "call-id", "f": "from", "t": "to", "m": "contact"}


def _header(lines: Iterable[str], *names: str) -> str | None:
    """First value of a header (by full or compact name) in a message's header lines."""
    wanted = {n.lower() for n in names}
    for line in lines:
        if not line:
            break  # end of headers
        name, sep, value = line.partition(":")
        if not sep:
            continue
        key = name.strip().lower()
        if key in wanted or _COMPACT.get(key) in wanted:
            return value.strip()
    return None


def parse_log_entry(text: str, at: Stamp) -> SipMessage | None:
    """Parse one pjsip log entry; return the SIP message it carries, or ``None`` if it is an
    ordinary log line. Tolerates any decoration (time, sender) before ``RX``/``TX``."""
    head = _HEAD.search(text)
    if head is None or text[: head.start()].count("\n"):
        return None
    body = text[head.end() :]
    end = body.rfind(_END)
    truncated = end < 0
    if not truncated:
        body = body[:end]
    body = body.rstrip("\n") if truncated else body
    size = int(head["size"])
    lines = body.split("\r\n") if "\r\n" in body else body.split("\n")
    start_line = lines[0].strip() if lines else ""
    method: str | None = None
    status: int | None = None
    if start_line.startswith("SIP/2.0 "):
        code = start_line.split(" ", 2)[1]
        status = int(code) if code.isdigit() else 0
    else:
        method = start_line.split(" ", 1)[0] or None
    cseq_text = _header(lines[1:], "cseq")
    cseq: int | None = None
    cseq_method: str | None = None
    if cseq_text:
        number, _, cmethod = cseq_text.partition(" ")
        cseq = int(number) if number.isdigit() else None
        cseq_method = cmethod.strip() or None
    return SipMessage(
        direction=Direction(head["dir"].lower()),
        at=at,
        transport=head["transport"],
        peer=head["peer"],
        size=size,
        text=body,
        truncated=truncated or len(body.encode()) < size,
        start_line=start_line,
        call_id=_header(lines[1:], "call-id"),
        cseq=cseq,
        cseq_method=cseq_method,
        method=method,
        status=status,
    )


def transactions_complete(messages: Iterable[SipMessage]) -> bool:
    """True when every request in ``messages`` (except ACK) has a final response (>= 200)."""
    open_requests: set[tuple[int | None, str | None]] = set()
    answered: set[tuple[int | None, str | None]] = set()
    for msg in messages:
        if msg.method is not None:
            if msg.method != "ACK":
                open_requests.add((msg.cseq, msg.method))
        elif msg.status is not None and msg.status >= 200:
            answered.add((msg.cseq, msg.cseq_method))
    return open_requests <= answered


class MessageStore:
    """Captured SIP messages grouped by Call-ID, oldest Call-IDs forgotten past ``max_dialogs``.

    Used on the owner thread only. Call legs take their messages with :meth:`take` when sealed;
    REGISTER dialogs stay until :meth:`forget` (a seat reads them with :meth:`peek`).
    """

    def __init__(self, max_dialogs: int = 20_000) -> None:
        self._by_call_id: OrderedDict[str, list[SipMessage]] = OrderedDict()
        self._max = max_dialogs
        self.unkeyed = 0
        """Messages that carried no Call-ID (malformed); counted, not kept."""

    def add(self, msg: SipMessage) -> None:
        """Keep ``msg`` under its Call-ID."""
        if msg.call_id is None:
            self.unkeyed += 1
            return
        bucket = self._by_call_id.get(msg.call_id)
        if bucket is None:
            bucket = self._by_call_id[msg.call_id] = []
            while len(self._by_call_id) > self._max:
                self._by_call_id.popitem(last=False)
        bucket.append(msg)

    def peek(self, call_id: str, *, not_peer: str | None = None) -> tuple[SipMessage, ...]:
        """Messages of ``call_id`` so far, in order (empty if none).

        ``not_peer`` leaves out messages exchanged with that ``host:port``: when two of our
        own agents call each other directly, both legs share one Call-ID, and the messages a
        leg sent or received are exactly those whose peer is *not* its own address.
        """
        msgs = self._by_call_id.get(call_id, [])
        return tuple(m for m in msgs if not_peer is None or m.peer != not_peer)

    def take(self, call_id: str, *, not_peer: str | None = None) -> tuple[SipMessage, ...]:
        """Like :meth:`peek`, removing the returned messages from the store."""
        taken = self.peek(call_id, not_peer=not_peer)
        taken_ids = {id(m) for m in taken}
        rest = [m for m in self._by_call_id.get(call_id, []) if id(m) not in taken_ids]
        if rest:
            self._by_call_id[call_id] = rest
        else:
            self._by_call_id.pop(call_id, None)
        return taken

    def forget(self, call_id: str) -> None:
        """Drop the messages of ``call_id``."""
        self._by_call_id.pop(call_id, None)

    def call_ids_where(self, method: str, from_contains: str) -> list[str]:
        """Call-IDs whose first message is a sent ``method`` request whose From header contains
        ``from_contains`` (how a seat finds its REGISTER dialogs)."""
        found = []
        for call_id, msgs in self._by_call_id.items():
            first = msgs[0]
            if first.method == method and first.direction is Direction.TX:
                lines = first.text.split("\r\n")
                from_value = _header(lines[1:], "from") or ""
                if from_contains in from_value:
                    found.append(call_id)
        return found
