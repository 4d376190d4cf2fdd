"""The only module that imports pjsua2: the Endpoint, accounts, calls and media, owner-thread only.

:class:`Host` owns the pjsua2 Endpoint and keeps a strong reference to every pjsua2 object in
registries keyed by our own integer keys (agent keys, leg keys), so nothing is collected by
Python's GC on another thread. Every method of :class:`Host` must run on the owner thread (the
thread that called :meth:`Host.create`); :mod:`ccinspect.sip.owner` guarantees that.

pjsua2 callbacks copy what they need into the frozen dataclasses of
:mod:`ccinspect.sip.records` and hand them to ``emit``; no pjsua2 object leaves this module,
and ``pj.Error`` is translated into :class:`~ccinspect.sip.errors.PjError` here.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import os
import re
import sys
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pjsua2 as pj

from ccinspect.sip.capture import MessageStore, parse_log_entry, transactions_complete
from ccinspect.sip.config import EngineConfig
from ccinspect.sip.errors import PJMEDIA_RTP_EREMNORFC2833, DtmfError, PjError
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
    RegisterOutcome,
    RegStateEvent,
    RtpStats,
    Stamp,
    StateChange,
)

log = logging.getLogger("ccinspect.sip")
pjlog = logging.getLogger("ccinspect.sip.pjsip")

Emit = Callable[[EngineEvent], None]

_STATES = {
    pj.PJSIP_INV_STATE_NULL: CallState.NULL,
    pj.PJSIP_INV_STATE_CALLING: CallState.CALLING,
    pj.PJSIP_INV_STATE_INCOMING: CallState.INCOMING,
    pj.PJSIP_INV_STATE_EARLY: CallState.EARLY,
    pj.PJSIP_INV_STATE_CONNECTING: CallState.CONNECTING,
    pj.PJSIP_INV_STATE_CONFIRMED: CallState.CONFIRMED,
    pj.PJSIP_INV_STATE_DISCONNECTED: CallState.DISCONNECTED,
}
_DTMF_IN = {
    pj.PJSUA_DTMF_METHOD_RFC2833: DtmfMethod.RFC4733,
    pj.PJSUA_DTMF_METHOD_SIP_INFO: DtmfMethod.SIP_INFO,
}
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


def measure_call_capacity(requested: int) -> int:
    """The call-leg limit pjsua applied after ``libInit`` (it silently clamps ``maxCalls``).

    Read with ``pjsua_call_get_max_count`` from the loaded extension; if the build does not
    export it, the requested value is returned and a warning logged.
    """
    module = next((m for n, m in sys.modules.items() if n.endswith("_pjsua2")), None)
    path = getattr(module, "__file__", None)
    if path:
        try:
            lib = ctypes.CDLL(path)
            getter = lib.pjsua_call_get_max_count
            getter.restype = ctypes.c_uint
            return int(getter())
        except (OSError, AttributeError) as exc:
            log.warning("cannot read pjsua's call limit (%s); assuming %d", exc, requested)
    return requested


@contextlib.contextmanager
def _stdout_silenced() -> Iterator[None]:
    """Send fd 1 to /dev/null: pjlib prints its start-up lines there before a log writer exists."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


class _LogWriter(pj.LogWriter):  # type: ignore[misc]  # pjsua2 has no stubs
    """Routes pjsip's log: SIP messages into the store, the rest into Python logging."""

    def __init__(self, store: MessageStore, python_level: int) -> None:
        super().__init__()
        self._store = store
        self._python_level = python_level

    def write(self, entry: Any) -> None:
        try:
            text = entry.msg
            msg = parse_log_entry(text, now())
            if msg is not None:
                self._store.add(msg)
                return
            level = int(entry.level)
            if level <= self._python_level:
                pylevel = {0: logging.ERROR, 1: logging.ERROR, 2: logging.WARNING}.get(
                    level, logging.DEBUG
                )
                pjlog.log(pylevel, "%s", text.rstrip())
        except Exception:  # noqa: BLE001 - must not raise here; logged
            pjlog.exception("pjsip log callback failed")


class _Endpoint(pj.Endpoint):  # type: ignore[misc]  # pjsua2 has no stubs
    """Endpoint that routes incoming requests to the agent listening on the Request-URI port."""

    def __init__(self, host: Host) -> None:
        super().__init__()
        self._host = weakref.ref(host)

    def onSelectAccount(self, prm: Any) -> None:
        host = self._host()
        if host is None:
            return
        port = request_uri_port(prm.rdata.wholeMsg.split("\r\n", 1)[0])
        acc_id = host.account_for_port(port)
        if acc_id is not None:
            prm.accountIndex = acc_id

    def onRejectedIncomingCall(self, prm: Any) -> None:
        log.warning(
            "incoming call %s rejected by pjsua: %s %s (call-leg limit reached?)",
            prm.callId, prm.statusCode, prm.reason,
        )


class _Account(pj.Account):  # type: ignore[misc]  # pjsua2 has no stubs
    def __init__(self, host: Host, agent_key: int) -> None:
        super().__init__()
        self._host = weakref.ref(host)
        self.agent_key = agent_key

    def onRegState(self, prm: Any) -> None:
        host = self._host()
        if host is not None:
            host.on_reg_state(self.agent_key, int(prm.code), str(prm.reason), int(prm.expiration))

    def onIncomingCall(self, prm: Any) -> None:
        host = self._host()
        if host is not None:
            host.on_incoming(self, int(prm.callId), str(prm.rdata.wholeMsg))


class _Call(pj.Call):  # type: ignore[misc]  # pjsua2 has no stubs
    def __init__(self, host: Host, account: Any, leg: int, call_id: int) -> None:
        super().__init__(account, call_id)
        self._host = weakref.ref(host)
        self.leg = leg

    def onCallState(self, prm: Any) -> None:
        host = self._host()
        if host is not None:
            info = self.getInfo()
            state = _STATES.get(info.state, CallState.NULL)
            host.on_call_state(self.leg, state, int(info.lastStatusCode), str(info.lastReason))

    def onCallMediaState(self, prm: Any) -> None:
        host = self._host()
        if host is not None:
            host.on_media_state(self.leg)

    def onStreamDestroyed(self, prm: Any) -> None:
        host = self._host()
        if host is not None:
            host.snapshot_rtp(self.leg)

    def onDtmfDigit(self, prm: Any) -> None:
        host = self._host()
        if host is not None:
            method = _DTMF_IN.get(prm.method, DtmfMethod.RFC4733)
            host.on_dtmf(self.leg, DtmfDigit(str(prm.digit), method, now()))


class Host:
    """Owner of the pjsua2 Endpoint and of every pjsua2 object (owner thread only)."""

    def __init__(self, config: EngineConfig, emit: Emit) -> None:
        self.config = config
        self.emit = emit
        self.store = MessageStore()
        self.capacity = 0
        self._ep: Any = None
        self._writer: Any = None
        # Registries: strong references to every pjsua2 object, keyed by our ids.
        self.transports: dict[int, int] = {}
        self.accounts: dict[int, Any] = {}
        self.calls: dict[int, Any] = {}
        self.players: dict[int, Any] = {}
        self.recorders: dict[int, Any] = {}
        self.tonegens: dict[int, Any] = {}
        self.legs: dict[int, Leg] = {}
        self.agent_names: dict[int, str] = {}
        self.agent_addresses: dict[int, str] = {}
        self._ports: dict[int, int] = {}  # local SIP port -> pjsua account id
        self._agent_ports: dict[int, int] = {}  # agent key -> local SIP port
        self._reject: dict[int, int | None] = {}  # agent key -> immediate reject code
        self._next_leg = 1
        self._reg_started: dict[int, float] = {}
        self._awaiting_unreg: set[int] = set()

    # -- lifecycle -----------------------------------------------------------------------

    def create(self) -> int:
        """Create, initialise and start the Endpoint on this thread; return the call capacity."""
        cfg = self.config
        ep = _Endpoint(self)
        self._ep = ep
        try:
            with _stdout_silenced():
                ep.libCreate()
            ep_cfg = pj.EpConfig()
            ep_cfg.uaConfig.threadCnt = 0
            ep_cfg.uaConfig.mainThreadOnly = True
            ep_cfg.uaConfig.maxCalls = cfg.max_calls
            ep_cfg.uaConfig.userAgent = "ccinspect"
            log_cfg = ep_cfg.logConfig
            log_cfg.msgLogging = True
            # The writer only sees entries <= consoleLevel: 4 is where pjsua logs messages.
            log_cfg.level = max(4, cfg.pjsip_log_level)
            log_cfg.consoleLevel = 4
            log_cfg.decor = (
                pj.PJ_LOG_HAS_TIME | pj.PJ_LOG_HAS_MICRO_SEC | pj.PJ_LOG_HAS_SENDER
                | pj.PJ_LOG_HAS_NEWLINE | pj.PJ_LOG_HAS_SPACE
            )
            if cfg.log_dir is not None:
                cfg.log_dir.mkdir(parents=True, exist_ok=True)
                log_cfg.filename = str(cfg.log_dir / "pjsip.log")
                log_cfg.fileFlags = 0x1108  # PJ_O_APPEND: one file across engine cycles
            self._writer = _LogWriter(self.store, 2)
            log_cfg.writer = self._writer
            ep_cfg.medConfig.clockRate = cfg.clock_rate
            ep_cfg.medConfig.sndClockRate = cfg.clock_rate
            ep_cfg.medConfig.noVad = True
            ep.libInit(ep_cfg)
            ep.audDevManager().setNullDev()
            self._set_codecs()
            ep.libStart()
        except pj.Error as exc:
            raise translate("libCreate/libInit/libStart", exc) from None
        self.capacity = measure_call_capacity(cfg.max_calls)
        return self.capacity

    def _set_codecs(self) -> None:
        wanted = [c.lower() for c in self.config.codecs]
        for info in self._ep.codecEnum2():
            codec_id = str(info.codecId)
            rank = next((i for i, w in enumerate(wanted) if codec_id.lower().startswith(w)), None)
            self._ep.codecSetPriority(codec_id, 0 if rank is None else 255 - rank)

    def pump(self, ms: int) -> None:
        """Handle pjsip events for at most ``ms`` milliseconds."""
        self._ep.libHandleEvents(ms)

    def pump_until(self, done: Callable[[], bool], seconds: float) -> bool:
        """Pump events until ``done()`` or ``seconds`` pass; return ``done()``."""
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:
            self.pump(self.config.poll_ms)
            self.tick(force_seal=False)
        return done()

    def destroy(self, calls_bound: float, unregister_bound: float) -> None:
        """Shut down without aborting: hang up, seal (recorders first), unregister, delete, destroy.

        Order matters: pjsua asserts if a Call object outlives ``libDestroy``, and a WAV is
        complete only once its recorder is deleted.
        """
        if self._ep is None:
            return
        for leg_key, leg in list(self.legs.items()):
            if leg.disconnected_at is None:
                self.hangup(leg_key, 0, quiet=True)
        self.pump_until(lambda: all(leg.disconnected_at is not None for leg in self.legs.values()),
                        calls_bound)
        self.seal_all(calls_bound)  # recorders deleted and WAVs finalized, records emitted
        self._unregister_all(unregister_bound)
        for key in list(self.accounts):
            self.remove_agent(key)
        self.recorders.clear()
        self.players.clear()
        self.tonegens.clear()
        self.calls.clear()
        self.legs.clear()
        gc.collect()
        try:
            self._ep.libDestroy()
        except pj.Error as exc:
            log.warning("libDestroy failed: %s", translate("libDestroy", exc))
        self._ep = None
        self._writer = None
        gc.collect()

    # -- agents --------------------------------------------------------------------------

    def add_transport(self, agent_key: int, name: str, host: str, port: int) -> int:
        """Bind a UDP transport for agent ``agent_key`` (called ``name``); return the bound port."""
        tcfg = pj.TransportConfig()
        tcfg.port = port
        tcfg.boundAddress = host
        try:
            tid = self._ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg)
            bound = int(str(self._ep.transportGetInfo(tid).localName).rsplit(":", 1)[1])
        except pj.Error as exc:
            raise translate(f"transportCreate {host}:{port}", exc) from None
        self.transports[agent_key] = tid
        self.agent_names[agent_key] = name
        self.agent_addresses[agent_key] = f"{host}:{bound}"
        self._agent_ports[agent_key] = bound
        self._ports[bound] = -1
        return bound

    def add_account(
        self,
        agent_key: int,
        *,
        id_uri: str,
        registrar_uri: str | None = None,
        auth: tuple[str, str, str] | None = None,
        expires: int = 300,
        proxy: str | None = None,
        reject_code: int | None = None,
        nat_rewrite: bool = False,
    ) -> None:
        """Create the agent's account on its transport (registering if ``registrar_uri``).

        ``auth`` is ``(realm, user, password)``. Automatic re-registration retries are off:
        a failed registration is reported once, not retried in the background. Without
        ``nat_rewrite`` pjsua does not re-REGISTER to rewrite its Contact from the registrar's
        ``received``/``rport`` (on a LAN that second REGISTER only races with un-REGISTER).
        """
        acfg = pj.AccountConfig()
        acfg.idUri = id_uri
        acfg.sipConfig.transportId = self.transports[agent_key]
        if proxy:
            acfg.sipConfig.proxies.append(proxy)
        if auth is not None:
            realm, user, password = auth
            acfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", realm, user, 0, password))
        if registrar_uri:
            acfg.regConfig.registrarUri = registrar_uri
            acfg.regConfig.registerOnAdd = True
            acfg.regConfig.timeoutSec = expires
            acfg.regConfig.retryIntervalSec = 0
            acfg.regConfig.unregWaitMsec = 1000
            self._reg_started[agent_key] = time.monotonic()
        acfg.mediaConfig.transportConfig.port = self.config.rtp_port
        if not nat_rewrite:
            acfg.natConfig.contactRewriteUse = 0
            acfg.natConfig.viaRewriteUse = 0
            acfg.natConfig.sdpNatRewriteUse = 0
        acc = _Account(self, agent_key)
        try:
            acc.create(acfg)
        except pj.Error as exc:
            raise translate(f"Account.create {id_uri}", exc) from None
        self.accounts[agent_key] = acc
        self._reject[agent_key] = reject_code
        self._ports[self._agent_ports[agent_key]] = int(acc.getId())

    def account_for_port(self, port: int | None) -> int | None:
        """pjsua account id of the agent listening on local SIP ``port``."""
        acc_id = self._ports.get(port) if port is not None else None
        return None if acc_id is None or acc_id < 0 else acc_id

    def _unregister_all(self, bound: float) -> None:
        """Un-REGISTER every registered account, pumping events until answered or ``bound``.

        A REGISTER still in progress makes pjsua refuse with PJSIP_EBUSY; it is tried again.
        """
        deadline = time.monotonic() + bound
        pending = {k for k, acc in self.accounts.items() if self._is_registered(acc)}
        self._awaiting_unreg.clear()
        unsent = set(pending)
        while (unsent or self._awaiting_unreg) and time.monotonic() < deadline:
            for key in list(unsent):
                try:
                    self.accounts[key].setRegistration(False)
                except pj.Error:
                    continue  # a REGISTER is in progress (PJSIP_EBUSY): retried next round
                unsent.discard(key)
                self._awaiting_unreg.add(key)
            self.pump(self.config.poll_ms)
        if unsent or self._awaiting_unreg:
            log.warning("%d account(s) not unregistered at shutdown",
                        len(unsent | self._awaiting_unreg))

    def _is_registered(self, acc: Any) -> bool:
        try:
            info = acc.getInfo()
        except pj.Error:
            return False
        return bool(info.regIsActive)

    def set_registration(self, agent_key: int, *, on: bool, quiet: bool = False) -> None:
        """Send REGISTER (``on``) or un-REGISTER for the agent's account."""
        self._reg_started[agent_key] = time.monotonic()
        try:
            self.accounts[agent_key].setRegistration(on)
        except pj.Error as exc:
            if not quiet:
                raise translate("setRegistration", exc) from None
            log.debug("setRegistration(%s) for agent %d failed: %s", on, agent_key, exc.info())

    def register_messages_since(self, aor: str, since: float) -> int:
        """How many 401/407 challenges REGISTERs from ``aor`` got since monotonic ``since``."""
        count = 0
        for call_id in self.store.call_ids_where("REGISTER", aor):
            for msg in self.store.peek(call_id):
                if msg.status in (401, 407) and msg.at.monotonic >= since:
                    count += 1
        return count

    def remove_agent(self, agent_key: int) -> None:
        """Delete the agent's account and close its transport (no un-REGISTER sent here)."""
        acc = self.accounts.pop(agent_key, None)
        if acc is not None:
            try:
                acc.shutdown()
            except pj.Error as exc:
                log.debug("Account.shutdown failed: %s", exc.info())
            del acc
        port = self._agent_ports.pop(agent_key, None)
        if port is not None:
            self._ports.pop(port, None)
        # The transport is not closed here: closing a UDP transport while pjsua still holds
        # references to it (a failed REGISTER's transaction, the account's contact) ended in
        # pjlib's `pj_sockaddr_get_len` assertion aborting the process on the next call.
        # libDestroy() closes it with the others.
        self.transports.pop(agent_key, None)
        self._reject.pop(agent_key, None)
        self.agent_names.pop(agent_key, None)
        self.agent_addresses.pop(agent_key, None)

    # -- callbacks (called by the pjsua2 subclasses above) ---------------------------------

    def on_reg_state(self, agent_key: int, code: int, reason: str, expiration: int) -> None:
        if expiration == 0 or code >= 300:
            self._awaiting_unreg.discard(agent_key)
        acc = self.accounts.get(agent_key)
        aor = str(acc.getInfo().uri) if acc is not None else ""
        since = self._reg_started.get(agent_key, 0.0)
        challenges = self.register_messages_since(_uri_core(aor), since) if aor else 0
        outcome = RegisterOutcome(code, reason, expiration, challenges, now())
        self.emit(RegStateEvent(agent_key, outcome))

    def on_incoming(self, account: Any, pj_call_id: int, invite: str) -> None:
        leg_key = self._new_leg()
        call = _Call(self, account, leg_key, pj_call_id)
        self.calls[leg_key] = call
        info = call.getInfo()
        agent_key = int(account.agent_key)
        leg = Leg(
            key=leg_key, agent_key=agent_key, outgoing=False, call_id=str(info.callIdString),
            local_uri=str(info.localUri), remote_uri=str(info.remoteUri), invite=invite,
            recording=self._recording_path(agent_key, leg_key, "in"),
        )
        self.legs[leg_key] = leg
        reject = self._reject.get(agent_key)
        self.emit(IncomingCallEvent(agent_key, leg_key, leg.call_id, leg.remote_uri,
                                    leg.local_uri, invite, now()))
        try:
            prm = pj.CallOpParam()
            prm.statusCode = reject if reject is not None else 180
            call.answer(prm)
        except pj.Error as exc:
            log.warning("cannot answer incoming leg %d: %s", leg_key, exc.info())

    def on_call_state(self, leg_key: int, state: CallState, status: int, reason: str) -> None:
        leg = self.legs.get(leg_key)
        if leg is None:
            return
        change = StateChange(state, status, reason, now())
        leg.timeline.append(change)
        if state is CallState.DISCONNECTED and leg.disconnected_at is None:
            leg.disconnected_at = change.at.monotonic
        self.emit(CallStateEvent(leg_key, change))

    def on_media_state(self, leg_key: int) -> None:
        call, leg = self.calls.get(leg_key), self.legs.get(leg_key)
        if call is None or leg is None:
            return
        info = call.getInfo()
        for index, media in enumerate(info.media):
            if media.type != pj.PJMEDIA_TYPE_AUDIO or media.status != pj.PJSUA_CALL_MEDIA_ACTIVE:
                continue
            audio = call.getAudioMedia(index)
            leg.media_up = True
            try:
                if leg.stimulus is not None:
                    player = self.players.get(leg_key)
                    if player is None:
                        player = pj.AudioMediaPlayer()
                        player.createPlayer(str(leg.stimulus), 0)  # 0: loop
                        self.players[leg_key] = player
                    player.startTransmit(audio)
                if leg.recording is not None:
                    recorder = self.recorders.get(leg_key)
                    if recorder is None:
                        leg.recording.parent.mkdir(parents=True, exist_ok=True)
                        recorder = pj.AudioMediaRecorder()
                        recorder.createRecorder(str(leg.recording))
                        self.recorders[leg_key] = recorder
                    audio.startTransmit(recorder)
            except pj.Error as exc:
                log.error("leg %d: cannot connect media: %s", leg_key, exc.info())

    def snapshot_rtp(self, leg_key: int) -> None:
        """Copy the leg's RTCP stream statistics (call before the stream is destroyed)."""
        call, leg = self.calls.get(leg_key), self.legs.get(leg_key)
        if call is None or leg is None or not leg.media_up:
            return
        try:
            stat = call.getStreamStat(0)
            info = call.getStreamInfo(0)
        except pj.Error:
            return
        rtcp = stat.rtcp
        leg.rtp = RtpStats(
            codec=str(info.codecName), clock_rate=int(info.codecClockRate),
            rx_packets=int(rtcp.rxStat.pkt), rx_loss=int(rtcp.rxStat.loss),
            rx_jitter_us=int(rtcp.rxStat.jitterUsec.mean),
            tx_packets=int(rtcp.txStat.pkt), tx_loss=int(rtcp.txStat.loss),
            rtt_us=int(rtcp.rttUsec.mean), at=now(),
        )

    def on_dtmf(self, leg_key: int, digit: DtmfDigit) -> None:
        leg = self.legs.get(leg_key)
        if leg is not None:
            leg.dtmf_received.append(digit)
            self.emit(DtmfEvent(leg_key, digit))

    # -- calls ---------------------------------------------------------------------------

    def _new_leg(self) -> int:
        key = self._next_leg
        self._next_leg += 1
        return key

    def _recording_path(self, agent_key: int, leg_key: int, tag: str) -> Path:
        return self.config.evidence_dir / "calls" / f"agent{agent_key}" / f"leg{leg_key:05d}-{tag}.wav"

    def make_call(
        self,
        agent_key: int,
        uri: str,
        *,
        call_id: str,
        headers: list[tuple[str, str]],
        from_uri: str | None,
        stimulus: Path | None,
        stimulus_leg_id: int | None,
    ) -> int:
        """Send an INVITE from the agent's account; return the new leg key."""
        account = self.accounts[agent_key]
        leg_key = self._new_leg()
        leg = Leg(
            key=leg_key, agent_key=agent_key, outgoing=True, call_id=call_id,
            local_uri=from_uri or str(account.getInfo().uri), remote_uri=uri,
            recording=self._recording_path(agent_key, leg_key, "out"),
            stimulus=stimulus, stimulus_leg_id=stimulus_leg_id,
        )
        call = _Call(self, account, leg_key, pj.PJSUA_INVALID_ID)
        self.calls[leg_key] = call
        self.legs[leg_key] = leg
        prm = pj.CallOpParam(True)
        prm.opt.customCallId = call_id
        _audio_only(prm)
        if from_uri:
            prm.txOption.localUri = from_uri
        for name, value in headers:
            header = pj.SipHeader()
            header.hName = name
            header.hValue = value
            prm.txOption.headers.append(header)
        try:
            call.makeCall(uri, prm)
        except pj.Error as exc:
            del self.calls[leg_key], self.legs[leg_key]
            raise translate(f"makeCall {uri}", exc) from None
        return leg_key

    def answer(
        self,
        leg_key: int,
        code: int,
        *,
        headers: list[tuple[str, str]] = (),  # type: ignore[assignment]  # read-only default
        stimulus: Path | None = None,
        stimulus_leg_id: int | None = None,
    ) -> None:
        """Answer an incoming leg with ``code`` (2xx connects media with ``stimulus``)."""
        call, leg = self.calls[leg_key], self.legs[leg_key]
        if 200 <= code < 300:
            leg.stimulus = stimulus
            leg.stimulus_leg_id = stimulus_leg_id
        prm = pj.CallOpParam(True)
        prm.statusCode = code
        _audio_only(prm)
        for name, value in headers:
            header = pj.SipHeader()
            header.hName = name
            header.hValue = value
            prm.txOption.headers.append(header)
        try:
            call.answer(prm)
        except pj.Error as exc:
            raise translate(f"answer {code}", exc) from None

    def hangup(self, leg_key: int, code: int, *, quiet: bool = False) -> None:
        """Hang up a leg (CANCEL, reject or BYE as its state requires); stats taken first."""
        call, leg = self.calls.get(leg_key), self.legs.get(leg_key)
        if call is None or leg is None or leg.disconnected_at is not None:
            return
        self.snapshot_rtp(leg_key)
        leg.hung_up_by_us = True
        prm = pj.CallOpParam()
        prm.statusCode = code
        try:
            call.hangup(prm)
        except pj.Error as exc:
            if not quiet:
                raise translate("hangup", exc) from None
            log.debug("hangup of leg %d failed: %s", leg_key, exc.info())

    def send_dtmf(self, leg_key: int, digits: str, method: DtmfMethod) -> DtmfMethod:
        """Send ``digits`` on a leg; return the method actually used."""
        call, leg = self.calls[leg_key], self.legs[leg_key]
        if method in (DtmfMethod.RFC4733, DtmfMethod.SIP_INFO, DtmfMethod.AUTO):
            prm = pj.CallSendDtmfParam()
            prm.digits = digits
            prm.method = (pj.PJSUA_DTMF_METHOD_SIP_INFO if method is DtmfMethod.SIP_INFO
                          else pj.PJSUA_DTMF_METHOD_RFC2833)
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
        self._play_tones(call, leg, digits)
        leg.dtmf_sent += digits
        return DtmfMethod.INBAND

    def _play_tones(self, call: Any, leg: Leg, digits: str) -> None:
        """In-band DTMF: pause the stimulus, play pjmedia-synthesized tones into the call."""
        audio = call.getAudioMedia(-1)
        tonegen = self.tonegens.get(leg.key)
        if tonegen is None:
            tonegen = pj.ToneGenerator()
            tonegen.createToneGenerator(self.config.clock_rate, 1)
            self.tonegens[leg.key] = tonegen
        tonegen.startTransmit(audio)
        player = self.players.get(leg.key)
        if player is not None:
            player.stopTransmit(audio)
            leg.tones_pending = True
        vector = pj.ToneDigitVector()
        for ch in digits:
            tone = pj.ToneDigit()
            tone.digit = ch
            tone.on_msec = 120
            tone.off_msec = 80
            tone.volume = 0
            vector.append(tone)
        tonegen.playDigits(vector, False)

    def tick(self, *, force_seal: bool) -> None:
        """Housekeeping between pumps: resume stimuli after tones, seal finished legs."""
        for leg_key, leg in list(self.legs.items()):
            if leg.tones_pending:
                tonegen, call, player = (self.tonegens.get(leg_key), self.calls.get(leg_key),
                                         self.players.get(leg_key))
                if tonegen is not None and not tonegen.isBusy():
                    leg.tones_pending = False
                    if call is not None and player is not None and leg.disconnected_at is None:
                        try:
                            player.startTransmit(call.getAudioMedia(-1))
                        except pj.Error as exc:
                            log.debug("cannot resume stimulus: %s", exc.info())
            if leg.disconnected_at is None:
                continue
            grace_over = time.monotonic() - leg.disconnected_at >= self.config.timeouts.record_grace
            own = self.agent_addresses.get(leg.agent_key)
            if leg.closing_since is None and (force_seal or grace_over or transactions_complete(
                self.store.peek(leg.call_id, not_peer=own)
            )):
                self._close_media(leg)
            if leg.closing_since is not None:
                wav_done = leg.recording is None or not leg.media_up or wav_is_complete(
                    leg.recording)
                waited = time.monotonic() - leg.closing_since
                if wav_done or waited >= self.config.timeouts.record_grace:
                    if not wav_done:
                        log.warning("leg %d: recording %s not finalized after %.1f s",
                                    leg_key, leg.recording, waited)
                    self._seal(leg)

    def _close_media(self, leg: Leg) -> None:
        # Recorder first: the WAV is complete only once the recorder is deleted (and, since
        # pjproject 2.15, once the bridge has processed the removal: see wav_is_complete).
        recorder = self.recorders.pop(leg.key, None)
        del recorder
        player = self.players.pop(leg.key, None)
        del player
        tonegen = self.tonegens.pop(leg.key, None)
        del tonegen
        leg.closing_since = time.monotonic()

    def seal_all(self, bound: float) -> None:
        """Close every finished leg's media and seal its record, waiting at most ``bound``
        seconds (pumping events) for the recordings to be finalized."""
        self.tick(force_seal=True)
        self.pump_until(lambda: not self.legs, bound)
        for leg in list(self.legs.values()):  # still up, or WAV not finalized in time
            if leg.closing_since is None:
                self._close_media(leg)
            self._seal(leg)

    def _seal(self, leg: Leg) -> None:
        leg.messages = self.store.take(leg.call_id,
                                       not_peer=self.agent_addresses.get(leg.agent_key))
        self.legs.pop(leg.key, None)
        call = self.calls.pop(leg.key, None)
        del call
        name = self.agent_names.get(leg.agent_key, f"agent {leg.agent_key}")
        self.emit(CallSealedEvent(leg.key, build_record(leg, name)))


def _audio_only(prm: Any) -> None:
    """Offer audio only: pjproject 2.16+ also offers a T.140 text stream by default."""
    if hasattr(prm.opt, "textCount"):
        prm.opt.textCount = 0
    prm.opt.videoCount = 0


def _uri_core(uri: str) -> str:
    """``user@host`` part of a SIP URI (with or without display name and brackets)."""
    inner = uri[uri.find("<") + 1 : uri.rfind(">")] if "<" in uri else uri
    inner = inner.split(";", 1)[0]
    return inner.split(":", 1)[1] if ":" in inner else inner
