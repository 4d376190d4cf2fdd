"""The pjsua2 subclasses whose callbacks pjsua2 calls, and what they call in turn.

Each subclass copies plain values out of pjsua2's callback parameters and hands them to a
:class:`Listener` (the :class:`~ccinspect.sip._pj.host.Host`), held by weak reference so that
a pjsua2 object never keeps the host alive. With ``mainThreadOnly`` every callback here runs on
the owner thread, inside ``libHandleEvents`` or inside the pjsua2 call that triggered it.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any, Protocol

import pjsua2 as pj

from ccinspect.sip._pj.convert import DTMF_IN, STATES, now, request_uri_port
from ccinspect.sip.records import CallState, DtmfDigit, DtmfMethod

log = logging.getLogger("ccinspect.sip")


class Listener(Protocol):
    """What the callbacks report to (implemented by the host; owner thread only)."""

    def account_for_port(self, port: int | None) -> int | None:
        """pjsua account id of the agent listening on local SIP ``port``."""

    def on_reg_state(self, agent_key: int, code: int, reason: str, expiration: int) -> None:
        """A REGISTER of the agent got a final answer (or failed locally)."""

    def on_incoming(self, account: Any, pj_call_id: int, invite: str) -> None:
        """An INVITE arrived for ``account``; pjsua's call id and the raw INVITE."""

    def on_call_state(self, leg_key: int, state: CallState, status: int, reason: str) -> None:
        """A call leg changed INVITE-session state."""

    def on_media_state(self, leg_key: int) -> None:
        """A call leg's media changed (e.g. became active)."""

    def snapshot_rtp(self, leg_key: int) -> None:
        """A call leg's stream is about to be destroyed: copy its statistics now."""

    def on_dtmf(self, leg_key: int, digit: DtmfDigit) -> None:
        """A call leg received a DTMF digit."""


class PjEndpoint(pj.Endpoint):  # type: ignore[misc]  # pjsua2 has no stubs
    """Endpoint that routes incoming requests to the agent listening on the Request-URI port."""

    def __init__(self, listener: Listener) -> None:
        super().__init__()
        self._listener = weakref.ref(listener)

    def onSelectAccount(self, prm: Any) -> None:
        """Pick the account of the agent whose transport the request was addressed to."""
        listener = self._listener()
        if listener is None:
            return
        port = request_uri_port(prm.rdata.wholeMsg.split("\r\n", 1)[0])
        acc_id = listener.account_for_port(port)
        if acc_id is not None:
            prm.accountIndex = acc_id

    def onRejectedIncomingCall(self, prm: Any) -> None:
        """pjsua refused an INVITE by itself (typically: no free call slot)."""
        log.warning(
            "incoming call %s rejected by pjsua: %s %s (call-leg limit reached?)",
            prm.callId,
            prm.statusCode,
            prm.reason,
        )


class PjAccount(pj.Account):  # type: ignore[misc]  # pjsua2 has no stubs
    """The pjsua2 account of one agent (``agent_key``)."""

    def __init__(self, listener: Listener, agent_key: int) -> None:
        super().__init__()
        self._listener = weakref.ref(listener)
        self.agent_key = agent_key

    def onRegState(self, prm: Any) -> None:
        """REGISTER answered (or failed): report code, reason and granted expiry."""
        listener = self._listener()
        if listener is not None:
            listener.on_reg_state(self.agent_key, int(prm.code), str(prm.reason), int(prm.expiration))

    def onIncomingCall(self, prm: Any) -> None:
        """A new incoming INVITE for this agent."""
        listener = self._listener()
        if listener is not None:
            listener.on_incoming(self, int(prm.callId), str(prm.rdata.wholeMsg))


class PjCall(pj.Call):  # type: ignore[misc]  # pjsua2 has no stubs
    """The pjsua2 call object of one leg (``leg``, our key)."""

    def __init__(self, listener: Listener, account: Any, leg: int, call_id: int) -> None:
        super().__init__(account, call_id)
        self._listener = weakref.ref(listener)
        self.leg = leg

    def onCallState(self, prm: Any) -> None:
        """Report the new state with the last SIP status seen."""
        listener = self._listener()
        if listener is not None:
            info = self.getInfo()
            state = STATES.get(info.state, CallState.NULL)
            listener.on_call_state(self.leg, state, int(info.lastStatusCode), str(info.lastReason))

    def onCallMediaState(self, prm: Any) -> None:
        """Media changed: the host connects players and recorders when it is active."""
        listener = self._listener()
        if listener is not None:
            listener.on_media_state(self.leg)

    def onStreamDestroyed(self, prm: Any) -> None:
        """Last chance to read the stream's RTCP statistics."""
        listener = self._listener()
        if listener is not None:
            listener.snapshot_rtp(self.leg)

    def onDtmfDigit(self, prm: Any) -> None:
        """A digit arrived by RFC 4733 or SIP INFO."""
        listener = self._listener()
        if listener is not None:
            method = DTMF_IN.get(prm.method, DtmfMethod.RFC4733)
            listener.on_dtmf(self.leg, DtmfDigit(str(prm.digit), method, now()))
