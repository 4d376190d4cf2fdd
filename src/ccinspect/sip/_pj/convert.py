"""Small translations between pjsua2's values and ours (owner thread or pure).

pjsua2's enums become :mod:`ccinspect.sip.records` enums, ``pj.Error`` becomes
:class:`~ccinspect.sip.errors.PjError`, and a few string helpers read SIP URIs and request lines.
"""

from __future__ import annotations

import re
from typing import Any

import pjsua2 as pj

from ccinspect.sip.errors import PjError
from ccinspect.sip.records import CallState, DtmfMethod, Stamp

STATES = {
    pj.PJSIP_INV_STATE_NULL: CallState.NULL,
    pj.PJSIP_INV_STATE_CALLING: CallState.CALLING,
    pj.PJSIP_INV_STATE_INCOMING: CallState.INCOMING,
    pj.PJSIP_INV_STATE_EARLY: CallState.EARLY,
    pj.PJSIP_INV_STATE_CONNECTING: CallState.CONNECTING,
    pj.PJSIP_INV_STATE_CONFIRMED: CallState.CONFIRMED,
    pj.PJSIP_INV_STATE_DISCONNECTED: CallState.DISCONNECTED,
}
"""pjsip INVITE-session states by their :class:`CallState` names."""

DTMF_IN = {
    pj.PJSUA_DTMF_METHOD_RFC2833: DtmfMethod.RFC4733,
    pj.PJSUA_DTMF_METHOD_SIP_INFO: DtmfMethod.SIP_INFO,
}
"""How a received digit travelled, by pjsua's DTMF method constant."""

_REQ_URI = re.compile(r"^[A-Z]+ sips?:(?:[^@\s>]*@)?(?P<host>\[[^\]]+\]|[^:;>\s]+)(?::(?P<port>\d+))?")

now = Stamp.now


def translate(operation: str, exc: BaseException) -> PjError:
    """A plain :class:`PjError` for a ``pj.Error`` (or any exception pjsua2 raised)."""
    status = getattr(exc, "status", -1)
    reason = getattr(exc, "reason", "") or getattr(exc, "title", "") or repr(exc)
    return PjError(operation, int(status) if isinstance(status, int) else -1, str(reason))


def request_uri_port(first_line: str) -> int | None:
    """Port of a request line's Request-URI (5060 when absent), ``None`` if unparsable."""
    match = _REQ_URI.match(first_line)
    if match is None:
        return None
    return int(match["port"]) if match["port"] else 5060


def uri_core(uri: str) -> str:
    """``user@host`` part of a SIP URI (with or without display name and brackets)."""
    inner = uri[uri.find("<") + 1 : uri.rfind(">")] if "<" in uri else uri
    inner = inner.split(";", 1)[0]
    return inner.split(":", 1)[1] if ":" in inner else inner


def audio_only(prm: Any) -> None:
    """Offer audio only: pjproject 2.16+ also offers a T.140 text stream by default."""
    if hasattr(prm.opt, "textCount"):
        prm.opt.textCount = 0
    prm.opt.videoCount = 0


def add_headers(prm: Any, headers: list[tuple[str, str]]) -> None:
    """Append ``headers`` (name, value) verbatim to a ``CallOpParam``'s request or response."""
    for name, value in headers:
        header = pj.SipHeader()
        header.hName = name
        header.hValue = value
        prm.txOption.headers.append(header)
