"""Call legs as pjsua2 knows them: INVITEs out and in, answers, hang-ups, DTMF, sealing.

:class:`CallTable` keeps every live leg's bookkeeping (:class:`~ccinspect.sip.legs.Leg`) and its
pjsua2 ``Call`` object by our leg key. A leg ends in :meth:`CallTable.tick`: once it is
DISCONNECTED and its last transactions are answered (or ``record_grace`` passed), its media are
closed; once its WAV is complete, its record is sealed and emitted. Owner thread only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pjsua2 as pj

from ccinspect.sip._pj.accounts import AgentRegistry
from ccinspect.sip._pj.callbacks import PjCall
from ccinspect.sip._pj.convert import add_headers, audio_only, now, translate
from ccinspect.sip._pj.media import MediaPorts
from ccinspect.sip.capture import MessageStore, transactions_complete
from ccinspect.sip.config import EngineConfig
from ccinspect.sip.errors import PJ_ENOTFOUND, PJMEDIA_RTP_EREMNORFC2833, DtmfError, PjError
from ccinspect.sip.legs import Leg, build_record, wav_is_complete
from ccinspect.sip.records import (
    CallSealedEvent,
    CallState,
    CallStateEvent,
    DtmfDigit,
    DtmfEvent,
    DtmfMethod,
    EngineEvent,
    IncomingCallEvent,
    StateChange,
)

if TYPE_CHECKING:
    from ccinspect.sip._pj.callbacks import Listener

log = logging.getLogger("ccinspect.sip")

RINGING = 180


class CallTable:
    """Live call legs and their pjsua2 calls (owner thread only)."""

    def __init__(
        self,
        config: EngineConfig,
        store: MessageStore,
        agents: AgentRegistry,
        media: MediaPorts,
        emit: Callable[[EngineEvent], None],
    ) -> None:
        self._config = config
        self._store = store
        self._agents = agents
        self._media = media
        self._emit = emit
        self.calls: dict[int, Any] = {}
        self.legs: dict[int, Leg] = {}
        self._next_leg = 1

    def _new_leg(self) -> int:
        key = self._next_leg
        self._next_leg += 1
        return key

    def _live(self, leg_key: int, operation: str) -> tuple[Any, Leg]:
        """The call and bookkeeping of a leg that is still here, else a :class:`PjError`.

        A leg can end on this thread (far end hung up, record sealed) while a command for it
        is already queued on the asyncio side: that is an error for the command, not a crash.
        """
        call, leg = self.calls.get(leg_key), self.legs.get(leg_key)
        if call is None or leg is None:
            raise PjError(operation, PJ_ENOTFOUND, f"call leg {leg_key} has already ended")
        return call, leg

    def _recording_path(self, agent_key: int, leg_key: int, tag: str) -> Path:
        folder = self._config.evidence_dir / "calls" / f"agent{agent_key}"
        return folder / f"leg{leg_key:05d}-{tag}.wav"

    # -- outgoing and incoming -------------------------------------------------------------

    def make_call(
        self,
        listener: Listener,
        agent_key: int,
        uri: str,
        *,
        call_id: str,
        headers: list[tuple[str, str]],
        from_uri: str | None,
        stimulus: Path | None,
        stimulus_leg_id: int | None,
    ) -> int:
        """Send an INVITE from the agent's account; return the new leg key.

        On failure the leg is forgotten and the :class:`PjError` raised carries its key in
        ``leg``, so the caller can drop whatever events were already emitted for it.
        """
        account = self._agents.accounts[agent_key]
        leg_key = self._new_leg()
        leg = Leg(
            key=leg_key,
            agent_key=agent_key,
            outgoing=True,
            call_id=call_id,
            local_uri=from_uri or str(account.getInfo().uri),
            remote_uri=uri,
            recording=self._recording_path(agent_key, leg_key, "out"),
            stimulus=stimulus,
            stimulus_leg_id=stimulus_leg_id,
        )
        call = PjCall(listener, account, leg_key, pj.PJSUA_INVALID_ID)
        self.calls[leg_key] = call
        self.legs[leg_key] = leg
        prm = pj.CallOpParam(True)
        prm.opt.customCallId = call_id
        audio_only(prm)
        if from_uri:
            prm.txOption.localUri = from_uri
        add_headers(prm, headers)
        try:
            call.makeCall(uri, prm)
        except pj.Error as exc:
            del self.calls[leg_key], self.legs[leg_key]
            err = translate(f"makeCall {uri}", exc)
            err.leg = leg_key
            raise err from None
        return leg_key

    def on_incoming(self, listener: Listener, account: Any, pj_call_id: int, invite: str) -> None:
        """Adopt an incoming INVITE as a new leg, emit it, and ring (or refuse by policy)."""
        leg_key = self._new_leg()
        call = PjCall(listener, account, leg_key, pj_call_id)
        self.calls[leg_key] = call
        info = call.getInfo()
        agent_key = int(account.agent_key)
        leg = Leg(
            key=leg_key,
            agent_key=agent_key,
            outgoing=False,
            call_id=str(info.callIdString),
            local_uri=str(info.localUri),
            remote_uri=str(info.remoteUri),
            invite=invite,
            recording=self._recording_path(agent_key, leg_key, "in"),
        )
        self.legs[leg_key] = leg
        reject = self._agents.reject.get(agent_key)
        self._emit(
            IncomingCallEvent(agent_key, leg_key, leg.call_id, leg.remote_uri, leg.local_uri, invite, now())
        )
        try:
            prm = pj.CallOpParam()
            prm.statusCode = reject if reject is not None else RINGING
            call.answer(prm)
        except pj.Error as exc:
            log.warning("cannot answer incoming leg %d: %s", leg_key, exc.info())

    def answer(
        self,
        leg_key: int,
        code: int,
        *,
        headers: list[tuple[str, str]],
        stimulus: Path | None,
        stimulus_leg_id: int | None,
    ) -> None:
        """Answer an incoming leg with ``code`` (2xx connects media with ``stimulus``)."""
        call, leg = self._live(leg_key, f"answer {code}")
        if 200 <= code < 300:
            leg.stimulus = stimulus
            leg.stimulus_leg_id = stimulus_leg_id
        prm = pj.CallOpParam(True)
        prm.statusCode = code
        audio_only(prm)
        add_headers(prm, headers)
        try:
            call.answer(prm)
        except pj.Error as exc:
            raise translate(f"answer {code}", exc) from None

    def hangup(self, leg_key: int, code: int, *, quiet: bool = False) -> None:
        """Hang up a leg (CANCEL, reject or BYE as its state requires); stats taken first."""
        call, leg = self.calls.get(leg_key), self.legs.get(leg_key)
        if call is None or leg is None or leg.disconnected_at is not None:
            return
        self._media.snapshot_rtp(call, leg)
        leg.hung_up_by_us = True
        prm = pj.CallOpParam()
        prm.statusCode = code
        try:
            call.hangup(prm)
        except pj.Error as exc:
            if not quiet:
                raise translate("hangup", exc) from None
            log.debug("hangup of leg %d failed: %s", leg_key, exc.info())

    def hang_up_all(self) -> None:
        """Hang up every leg still up (engine shutdown), quietly."""
        for leg_key, leg in list(self.legs.items()):
            if leg.disconnected_at is None:
                self.hangup(leg_key, 0, quiet=True)

    def all_disconnected(self) -> bool:
        """True when no leg is still up."""
        return all(leg.disconnected_at is not None for leg in self.legs.values())

    # -- callbacks -------------------------------------------------------------------------

    def on_call_state(self, leg_key: int, state: CallState, status: int, reason: str) -> None:
        """Record and emit a state change of a leg."""
        leg = self.legs.get(leg_key)
        if leg is None:
            return
        change = StateChange(state, status, reason, now())
        leg.timeline.append(change)
        if state is CallState.DISCONNECTED and leg.disconnected_at is None:
            leg.disconnected_at = change.at.monotonic
        self._emit(CallStateEvent(leg_key, change))

    def on_media_state(self, leg_key: int) -> None:
        """Connect the leg's stimulus and recorder to its audio once it is active."""
        call, leg = self.calls.get(leg_key), self.legs.get(leg_key)
        if call is not None and leg is not None:
            self._media.connect(call, leg)

    def snapshot_rtp(self, leg_key: int) -> None:
        """Copy the leg's RTCP statistics (its stream is about to be destroyed)."""
        call, leg = self.calls.get(leg_key), self.legs.get(leg_key)
        if call is not None and leg is not None:
            self._media.snapshot_rtp(call, leg)

    def on_dtmf(self, leg_key: int, digit: DtmfDigit) -> None:
        """Keep and emit a received DTMF digit."""
        leg = self.legs.get(leg_key)
        if leg is not None:
            leg.dtmf_received.append(digit)
            self._emit(DtmfEvent(leg_key, digit))

    # -- DTMF ------------------------------------------------------------------------------

    def send_dtmf(self, leg_key: int, digits: str, method: DtmfMethod) -> DtmfMethod:
        """Send ``digits`` on a leg; return the method actually used.

        AUTO tries RFC 4733 and falls back to in-band tones when the far end offered no
        telephone-event; an explicit method that fails raises :class:`DtmfError`.
        """
        call, leg = self._live(leg_key, f"send DTMF {digits!r}")
        if method in (DtmfMethod.RFC4733, DtmfMethod.SIP_INFO, DtmfMethod.AUTO):
            prm = pj.CallSendDtmfParam()
            prm.digits = digits
            prm.method = (
                pj.PJSUA_DTMF_METHOD_SIP_INFO
                if method is DtmfMethod.SIP_INFO
                else pj.PJSUA_DTMF_METHOD_RFC2833
            )
            try:
                call.sendDtmf(prm)
            except pj.Error as exc:
                err = translate("sendDtmf", exc)
                if method is not DtmfMethod.AUTO or err.status != PJMEDIA_RTP_EREMNORFC2833:
                    raise DtmfError(
                        f"cannot send DTMF {digits!r} by {method.value}: {err.reason}",
                        message_zh=f"无法以 {method.value} 方式发送 DTMF {digits!r}：{err.reason}",
                        status=err.status,
                    ) from None
            else:
                leg.dtmf_sent += digits
                return DtmfMethod.SIP_INFO if method is DtmfMethod.SIP_INFO else DtmfMethod.RFC4733
        self._media.play_tones(call, leg, digits)
        leg.dtmf_sent += digits
        return DtmfMethod.INBAND

    # -- ending ----------------------------------------------------------------------------

    def tick(self, *, force_seal: bool) -> None:
        """Housekeeping between pumps: resume stimuli after tones, close and seal ended legs.

        An ended leg's media are closed once its transactions are complete (or at once with
        ``force_seal``, or after ``record_grace``); its record is sealed once its WAV is
        complete (or ``record_grace`` after closing, with a warning).
        """
        grace = self._config.timeouts.record_grace
        for leg_key, leg in list(self.legs.items()):
            if leg.tones_pending:
                self._media.resume_after_tones(self.calls.get(leg_key), leg)
            if leg.disconnected_at is None:
                continue
            if leg.closing_since is None and (
                force_seal
                or time.monotonic() - leg.disconnected_at >= grace
                or transactions_complete(
                    self._store.peek(leg.call_id, not_peer=self._agents.addresses.get(leg.agent_key))
                )
            ):
                self._media.close(leg)
            if leg.closing_since is not None:
                wav_done = leg.recording is None or not leg.media_up or wav_is_complete(leg.recording)
                waited = time.monotonic() - leg.closing_since
                if wav_done or waited >= grace:
                    if not wav_done:
                        log.warning(
                            "leg %d: recording %s not finalized after %.1f s", leg_key, leg.recording, waited
                        )
                    self._seal(leg)

    def seal_rest(self) -> None:
        """Seal every leg still here (shutdown, after waiting): close media first if needed."""
        for leg in list(self.legs.values()):
            if leg.closing_since is None:
                self._media.close(leg)
            self._seal(leg)

    def _seal(self, leg: Leg) -> None:
        leg.messages = self._store.take(leg.call_id, not_peer=self._agents.addresses.get(leg.agent_key))
        self.legs.pop(leg.key, None)
        call = self.calls.pop(leg.key, None)
        del call
        name = self._agents.names.get(leg.agent_key, f"agent {leg.agent_key}")
        self._emit(CallSealedEvent(leg.key, build_record(leg, name)))

    def clear(self) -> None:
        """Drop every remaining call object (engine shutdown, before ``libDestroy``)."""
        self.calls.clear()
        self.legs.clear()
