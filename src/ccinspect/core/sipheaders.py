"""Caller identity from captured SIP text: tolerant parsing for evidence, not a SIP stack.

What this module promises:

* Nothing here raises on any ``str`` input. Text that does not fit the grammar is still returned,
  marked (``NameAddr.well_formed`` False, ``ParsedSipMessage.malformed_lines``), never dropped.
* Hostile values (10 kB, CR/LF inside a value or ``%0d%0a`` in a user part, ``<script>``, stray
  quotes) are kept verbatim as data. Only a real line break in captured message text ends a line.
* Header names are matched case-insensitively, with the RFC 3261 compact forms (``f`` = From).
* ``user`` parts are %xx-unescaped (``%2B86...`` → ``+86...``); hosts are lower-cased.

The grammar followed is RFC 3261 name-addr / addr-spec (§25.1), RFC 3966 tel URIs, RFC 3325
P-Asserted-Identity, RFC 3323 Privacy, the Remote-Party-ID draft and RFC 5806 Diversion.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote

from ccinspect.core.numberplan import ANONYMOUS_TOKENS

__all__ = [
    "CallerIdentity",
    "MessageKind",
    "NameAddr",
    "ParsedSipMessage",
    "SipUri",
    "canonical_header_name",
    "extract_identity",
    "header_value",
    "parse_name_addr",
    "parse_sip_message",
    "parse_uri",
    "split_header_values",
]

#: (name lower-cased, value or None for a bare flag such as ``;lr``), in order of appearance.
Params = tuple[tuple[str, str | None], ...]

_COMPACT_NAMES = {
    "a": "accept-contact",
    "b": "referred-by",
    "c": "content-type",
    "d": "request-disposition",
    "e": "content-encoding",
    "f": "from",
    "i": "call-id",
    "j": "reject-contact",
    "k": "supported",
    "l": "content-length",
    "m": "contact",
    "o": "event",
    "r": "refer-to",
    "s": "subject",
    "t": "to",
    "u": "allow-events",
    "v": "via",
    "x": "session-expires",
    "y": "identity",
}
_RPID_HIDING = frozenset({"full", "uri"})
_DIGITS = frozenset("0123456789")


def canonical_header_name(name: str) -> str:
    """Lower-cased full header name; compact forms expanded (``F`` → ``from``)."""
    key = name.strip().lower()
    return _COMPACT_NAMES.get(key, key)


def _param(params: Params, name: str) -> str | None:
    key = name.lower()
    for k, v in params:
        if k == key:
            return "" if v is None else v
    return None


@dataclass(frozen=True, slots=True)
class SipUri:
    """A sip:, sips: or tel: URI split into parts; ``scheme`` is '' when none could be read.

    For ``tel:`` URIs ``user`` holds the number and ``host`` is ''. ``headers`` is the ``?…`` part,
    verbatim. Other schemes are not split (only ``raw`` and ``scheme`` are set). ``well_formed``
    is False for other schemes and for sip URIs without a host.
    """

    raw: str
    scheme: str
    user: str
    host: str
    port: int | None
    params: Params
    headers: str
    well_formed: bool

    def param(self, name: str) -> str | None:
        """First URI parameter ``name`` ('' for a bare flag), or None."""
        return _param(self.params, name)

    @property
    def number(self) -> str:
        """The user part without telephone-subscriber parameters (``+86…;npdi`` → ``+86…``)."""
        return self.user.partition(";")[0]


@dataclass(frozen=True, slots=True)
class NameAddr:
    """One name-addr or addr-spec header value: ``"Display" <uri>;params``.

    ``params`` are the header parameters after the URI (``tag``, ``privacy``, ``screen``,
    ``party``, ``reason``, ``counter``…); ``display_name`` is unquoted and unescaped, or None.
    """

    raw: str
    display_name: str | None
    uri: SipUri
    params: Params
    well_formed: bool

    def param(self, name: str) -> str | None:
        """First header parameter ``name`` ('' for a bare flag), or None."""
        return _param(self.params, name)

    @property
    def user(self) -> str:
        """The URI's unescaped user part ('' if none)."""
        return self.uri.user

    @property
    def tag(self) -> str | None:
        """The ``tag`` parameter, or None."""
        return self.param("tag")

    def is_anonymous(self) -> bool:
        """True for a withheld identity (``anonymous`` user or the ``anonymous.invalid`` host)."""
        return self.uri.number.strip().lower() in ANONYMOUS_TOKENS or (self.uri.host == "anonymous.invalid")


def parse_uri(text: str) -> SipUri:
    """Split a URI; never raises. ``%xx`` in the user part is unescaped."""
    raw = text
    scheme, colon, rest = text.strip().partition(":")
    scheme = scheme.strip().lower()
    if not colon or not scheme or not scheme.replace("+", "").replace("-", "").isalnum():
        return SipUri(raw, "", "", "", None, (), "", well_formed=False)
    if scheme not in ("sip", "sips", "tel"):
        return SipUri(raw, scheme, "", "", None, (), "", well_formed=False)
    if scheme == "tel":
        number, _, tail = rest.partition(";")
        params = _parse_params(tail)
        return SipUri(raw, scheme, unquote(number), "", None, params, "", bool(number))
    at, question = rest.find("@"), rest.find("?")
    if at >= 0 and (question < 0 or at < question):
        userinfo, hostpart = rest[:at], rest[at + 1 :]
    else:
        userinfo, hostpart = "", rest
    user = unquote(userinfo.partition(":")[0])  # drop a password, if any
    hostpart, _, headers = hostpart.partition("?")
    hostport, _, tail = hostpart.partition(";")
    host, port = _split_hostport(hostport.strip())
    return SipUri(raw, scheme, user, host, port, _parse_params(tail), headers, bool(host))


def _split_hostport(hostport: str) -> tuple[str, int | None]:
    if hostport.startswith("["):  # IPv6 reference
        end = hostport.find("]")
        host, port_text = (hostport, "") if end < 0 else (hostport[: end + 1], hostport[end + 1 :])
        port_text = port_text.removeprefix(":")
    else:
        host, _, port_text = hostport.partition(":")
    port_ok = 0 < len(port_text) <= 5 and set(port_text) <= _DIGITS
    return host.lower(), int(port_text) if port_ok else None


def _split_outside_quotes(text: str, separator: str, *, angle: bool = False) -> list[str]:
    """Split at ``separator`` outside quoted strings (and, if ``angle``, outside ``<…>``)."""
    parts: list[str] = []
    start, quoted, escaped, depth = 0, False, False, 0
    for i, char in enumerate(text):
        if escaped:
            escaped = False
        elif quoted:
            escaped = char == "\\"
            quoted = char != '"'
        elif char == '"':
            quoted = True
        elif angle and char == "<":
            depth += 1
        elif angle and char == ">":
            depth = max(depth - 1, 0)
        elif char == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _unquote_string(text: str) -> tuple[str, int, bool]:
    """Read a quoted string at the start of ``text``: (content, index after it, closed)."""
    out: list[str] = []
    i = 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if char == '"':
            return "".join(out), i + 1, True
        out.append(char)
        i += 1
    return "".join(out), len(text), False


def _parse_params(text: str) -> Params:
    """``;a=1;b;c="x;y"`` → ``(("a", "1"), ("b", None), ("c", "x;y"))``; leading ``;`` optional."""
    params: list[tuple[str, str | None]] = []
    for piece in _split_outside_quotes(text, ";"):
        name, eq, value = piece.strip().partition("=")
        name = name.strip().lower()
        if not name:
            continue
        value = value.strip()
        if value.startswith('"'):
            value = _unquote_string(value)[0]
        params.append((name, value if eq else None))
    return tuple(params)


def parse_name_addr(value: str) -> NameAddr:
    """Parse one From/To/PAI/RPID/Diversion value; never raises, marks what did not fit."""
    text = value.strip()
    ok = True
    display: str | None = None
    rest = text
    if text.startswith('"'):
        display, end, ok = _unquote_string(text)
        rest = text[end:].lstrip()
        ok = ok and rest.startswith("<")
    elif "<" in text:
        lt = text.index("<")
        display = text[:lt].strip() or None
        rest = text[lt:]
    if rest.startswith("<"):
        end = rest.find(">")
        uri_text, after = (rest[1:], "") if end < 0 else (rest[1:end], rest[end + 1 :])
        if after.strip() and not after.lstrip().startswith(";"):  # junk after ">": skip to ";"
            ok, after = False, after[after.find(";") :] if ";" in after else ""
        ok = ok and end >= 0
    else:  # addr-spec: parameters after the URI belong to the header (RFC 3261 §20.10)
        uri_text, _, after = rest.partition(";")
    uri = parse_uri(uri_text)
    return NameAddr(value, display, uri, _parse_params(after), ok and uri.well_formed)


def split_header_values(value: str) -> tuple[str, ...]:
    """Split a multi-valued header at commas outside quotes and ``<…>``; empty parts dropped."""
    return tuple(p.strip() for p in _split_outside_quotes(value, ",", angle=True) if p.strip())


@dataclass(frozen=True, slots=True)
class CallerIdentity:
    """The caller-identity headers of one INVITE, in header order.

    ``privacy`` holds the lower-cased Privacy tokens (``id``, ``header``, ``user``, ``none``,
    ``critical``, and any others seen). Multi-valued headers may come comma-separated or as
    several header lines. Any other header (a platform's own) is read with
    :meth:`ParsedSipMessage.header` or :func:`header_value`.
    """

    from_: NameAddr | None = None
    pai: tuple[NameAddr, ...] = ()
    rpid: tuple[NameAddr, ...] = ()
    privacy: tuple[str, ...] = ()
    diversion: tuple[NameAddr, ...] = ()
    ppi: tuple[NameAddr, ...] = ()
    history_info: tuple[NameAddr, ...] = ()
    contact: tuple[NameAddr, ...] = ()

    def presented_number(self) -> str | None:
        """What an inspector would call the presented number: the first PAI user, else From's.

        Telephone-subscriber parameters are dropped (``…;npdi``); None when neither has a user.
        """
        for candidate in (*self.pai, self.from_):
            if candidate is not None and candidate.uri.number:
                return candidate.uri.number
        return None

    def hidden(self) -> bool:
        """True when the caller's number is withheld.

        ``Privacy: id``, an anonymous From or PAI, or a calling-party Remote-Party-ID with
        ``privacy=full`` / ``privacy=uri`` (the Asterisk convention) each count.
        """
        if "id" in self.privacy:
            return True
        if any(n.is_anonymous() for n in (*self.pai, self.from_) if n is not None):
            return True
        return any(
            (r.param("privacy") or "").lower() in _RPID_HIDING
            and (r.param("party") or "calling").lower() == "calling"
            for r in self.rpid
        )


def extract_identity(headers: Sequence[tuple[str, str]]) -> CallerIdentity:
    """Collect the caller-identity headers from an INVITE's ``(name, value)`` header list.

    The first From counts; PAI, Remote-Party-ID, Privacy, Diversion, P-Preferred-Identity,
    History-Info and Contact accumulate over all their header lines.
    """
    from_: NameAddr | None = None
    pai: list[NameAddr] = []
    rpid: list[NameAddr] = []
    diversion: list[NameAddr] = []
    ppi: list[NameAddr] = []
    history: list[NameAddr] = []
    contact: list[NameAddr] = []
    privacy: list[str] = []
    multi = {
        "p-asserted-identity": pai,
        "remote-party-id": rpid,
        "diversion": diversion,
        "p-preferred-identity": ppi,
        "history-info": history,
        "contact": contact,
    }
    for name, value in headers:
        key = canonical_header_name(name)
        if key == "from" and from_ is None:
            from_ = parse_name_addr(value)
        elif key in multi:
            multi[key].extend(parse_name_addr(v) for v in split_header_values(value))
        elif key == "privacy":
            tokens = value.replace(",", ";").split(";")
            privacy.extend(t.strip().lower() for t in tokens if t.strip())
    return CallerIdentity(
        from_,
        tuple(pai),
        tuple(rpid),
        tuple(privacy),
        tuple(diversion),
        tuple(ppi),
        tuple(history),
        tuple(contact),
    )


class MessageKind(enum.Enum):
    """Whether a captured message's start line reads as a request, a response, or neither."""

    REQUEST = "request"
    RESPONSE = "response"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ParsedSipMessage:
    """One captured SIP message: start line, ordered headers (folded lines joined), body.

    ``method``/``request_uri`` are set for requests, ``status_code``/``reason`` for responses.
    Header lines that are not ``name: value`` are kept in ``malformed_lines``.
    """

    kind: MessageKind
    start_line: str
    method: str | None = None
    request_uri: str | None = None
    status_code: int | None = None
    reason: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""
    malformed_lines: tuple[str, ...] = field(default=())

    def header_values(self, name: str) -> tuple[str, ...]:
        """All values of header ``name`` (any case, compact forms matched), in order."""
        key = canonical_header_name(name)
        return tuple(v for n, v in self.headers if canonical_header_name(n) == key)

    def header(self, name: str) -> str | None:
        """The first value of header ``name``, or None."""
        values = self.header_values(name)
        return values[0] if values else None

    def identity(self) -> CallerIdentity:
        """:func:`extract_identity` of this message's headers."""
        return extract_identity(self.headers)


def _parse_start_line(line: str) -> ParsedSipMessage:
    parts = line.split(" ", 2)
    if len(parts) >= 2 and parts[0].upper().startswith("SIP/"):
        code = parts[1]
        if len(code) == 3 and set(code) <= _DIGITS:
            reason = parts[2] if len(parts) == 3 else ""
            return ParsedSipMessage(MessageKind.RESPONSE, line, status_code=int(code), reason=reason)
    if len(parts) == 3 and parts[2].upper().startswith("SIP/") and parts[0].isalpha():
        return ParsedSipMessage(MessageKind.REQUEST, line, method=parts[0], request_uri=parts[1])
    return ParsedSipMessage(MessageKind.UNKNOWN, line)


def parse_sip_message(text: str) -> ParsedSipMessage:
    """Parse captured message text (CRLF or LF line ends); never raises.

    Leading blank lines (keep-alives) are skipped; the first blank line after the start line ends
    the headers, and everything after it is the body, verbatim. A line starting with a space or
    tab continues the previous header (RFC 3261 §7.3.1), joined with a single space.
    """
    lines: list[str] = []
    body, pos = "", 0
    while pos < len(text):
        newline = text.find("\n", pos)
        end = len(text) if newline < 0 else newline
        line = text[pos:end].removesuffix("\r")
        pos = end + 1
        if not line and lines:
            body = text[pos:]
            break
        if line or lines:
            lines.append(line)
    if not lines:
        return ParsedSipMessage(MessageKind.UNKNOWN, "")
    # each entry: (name or None for a malformed line, the line's parts to be joined by a space)
    entries: list[tuple[str | None, list[str]]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and entries:
            if line.strip():
                entries[-1][1].append(line.strip())
            continue
        name, colon, value = line.partition(":")
        name = name.strip()
        if not colon or not name or any(c.isspace() for c in name):
            entries.append((None, [line]))
        else:
            entries.append((name, [value.strip()] if value.strip() else []))
    start = _parse_start_line(lines[0])
    return ParsedSipMessage(
        start.kind,
        start.start_line,
        start.method,
        start.request_uri,
        start.status_code,
        start.reason,
        tuple((n, " ".join(parts)) for n, parts in entries if n is not None),
        body,
        tuple(" ".join(parts) for n, parts in entries if n is None),
    )


def header_value(text: str | None, name: str) -> str | None:
    """The first value of header ``name`` (any case, compact forms matched) in raw SIP message
    ``text``, stripped; None when the message or the header is absent."""
    if text is None:
        return None
    value = parse_sip_message(text).header(name)
    return value.strip() if value is not None else None
