"""The owner of the pjsua2 Endpoint: its lifecycle, its event pump, and the agents, calls and
media it holds.

:class:`Host` creates the Endpoint on the thread that calls :meth:`Host.create` (the owner
thread, see :mod:`ccinspect.sip.owner`) and must only ever be used from that thread. It keeps a
strong reference to every pjsua2 object, through :class:`AgentRegistry`, :class:`CallTable` and
:class:`MediaPorts`, so that nothing is collected by Python's GC on another thread, and it
destroys them in an order pjsua accepts.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pjsua2 as pj

from ccinspect.sip._pj.accounts import AgentRegistry
from ccinspect.sip._pj.callbacks import PjEndpoint
from ccinspect.sip._pj.calls import CallTable
from ccinspect.sip._pj.convert import translate
from ccinspect.sip._pj.logcapture import LogWriter, stdout_silenced
from ccinspect.sip._pj.media import MediaPorts
from ccinspect.sip.capture import MessageStore
from ccinspect.sip.config import EngineConfig
from ccinspect.sip.records import CallState, DtmfDigit, DtmfMethod, EngineEvent

log = logging.getLogger("ccinspect.sip")

Emit = Callable[[EngineEvent], None]

MESSAGE_LOG_LEVEL = 4
"""pjsua logs every SIP message at level 4: the log writer must see at least that level."""
PYTHON_LOG_LEVEL = 2
"""pjsip log lines at or below this level (errors, warnings) also go to Python logging."""
DRAIN_ROUNDS = 256
"""At most this many extra zero-wait ``libHandleEvents`` calls per pump while events keep
coming (each handles up to 16 socket events: SIP and, with the shared ioqueue, RTP)."""
PJ_LOG_FILE_APPEND = 0x1108
"""``PJ_O_APPEND`` for ``LogConfig.fileFlags``: one log file across engine cycles."""


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


class Host:
    """Owner of the pjsua2 Endpoint and of every pjsua2 object (owner thread only).

    The methods the async facade calls (agents, calls, DTMF) are thin delegations to the
    registries below; the callback methods implement
    :class:`~ccinspect.sip._pj.callbacks.Listener`.
    """

    def __init__(self, config: EngineConfig, emit: Emit) -> None:
        self.config = config
        self.emit = emit
        self.store = MessageStore()
        self.capacity = 0
        self._ep: Any = None
        self._writer: Any = None
        self.agents = AgentRegistry(self.store, emit, rtp_port=config.rtp_port)
        self.media = MediaPorts(config.clock_rate)
        self.calls = CallTable(config, self.store, self.agents, self.media, emit)

    # -- lifecycle -----------------------------------------------------------------------

    def create(self) -> int:
        """Create, initialise and start the Endpoint on this thread; return the call capacity.

        RTP is received on this thread too (``medConfig.hasIoqueue = False``, no media worker
        thread): pjproject 2.17 lets its media worker run a stream's receive callback while
        this thread attaches the stream's transport, which aborted the process under load
        (see docs/pjsua2.md). The conference bridge keeps its own clock thread.
        """
        cfg = self.config
        ep = PjEndpoint(self)
        self._ep = ep
        try:
            with stdout_silenced():
                ep.libCreate()
            ep_cfg = pj.EpConfig()
            ep_cfg.uaConfig.threadCnt = 0
            ep_cfg.uaConfig.mainThreadOnly = True
            ep_cfg.uaConfig.maxCalls = cfg.max_calls
            ep_cfg.uaConfig.userAgent = "ccinspect"
            log_cfg = ep_cfg.logConfig
            log_cfg.msgLogging = True
            # The writer only sees entries <= consoleLevel: 4 is where pjsua logs messages.
            log_cfg.level = max(MESSAGE_LOG_LEVEL, cfg.pjsip_log_level)
            log_cfg.consoleLevel = MESSAGE_LOG_LEVEL
            log_cfg.decor = (
                pj.PJ_LOG_HAS_TIME
                | pj.PJ_LOG_HAS_MICRO_SEC
                | pj.PJ_LOG_HAS_SENDER
                | pj.PJ_LOG_HAS_NEWLINE
                | pj.PJ_LOG_HAS_SPACE
            )
            if cfg.log_dir is not None:
                cfg.log_dir.mkdir(parents=True, exist_ok=True)
                log_cfg.filename = str(cfg.log_dir / "pjsip.log")
                log_cfg.fileFlags = PJ_LOG_FILE_APPEND
            self._writer = LogWriter(self.store, PYTHON_LOG_LEVEL)
            log_cfg.writer = self._writer
            med = ep_cfg.medConfig
            med.clockRate = cfg.clock_rate
            med.sndClockRate = cfg.clock_rate
            med.noVad = True
            med.hasIoqueue = False
            med.threadCnt = 0
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
        """Handle pjsip events (SIP and RTP) for at most ``ms`` milliseconds, then drain what
        is already pending without waiting (bounded by :data:`DRAIN_ROUNDS`)."""
        handled = self._ep.libHandleEvents(ms)
        rounds = 0
        while handled > 0 and rounds < DRAIN_ROUNDS:
            handled = self._ep.libHandleEvents(0)
            rounds += 1

    def pump_until(self, done: Callable[[], bool], seconds: float) -> bool:
        """Pump events until ``done()`` or ``seconds`` pass; return ``done()``."""
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:
            self.pump(self.config.poll_ms)
            self.tick(force_seal=False)
        return done()

    def tick(self, *, force_seal: bool) -> None:
        """Housekeeping between pumps (see :meth:`CallTable.tick`)."""
        self.calls.tick(force_seal=force_seal)

    def seal_all(self, bound: float) -> None:
        """Close every finished leg's media and seal its record, waiting at most ``bound``
        seconds (pumping events) for the recordings to be finalized."""
        self.tick(force_seal=True)
        self.pump_until(lambda: not self.calls.legs, bound)
        self.calls.seal_rest()  # still up, or WAV not finalized in time

    def destroy(self, calls_bound: float, unregister_bound: float) -> None:
        """Shut down without aborting: hang up, seal (recorders first), unregister, delete, destroy.

        Order matters: pjsua asserts if a Call object outlives ``libDestroy``, and a WAV is
        complete only once its recorder is deleted.
        """
        if self._ep is None:
            return
        self.calls.hang_up_all()
        self.pump_until(self.calls.all_disconnected, calls_bound)
        self.seal_all(calls_bound)  # recorders deleted and WAVs finalized, records emitted
        self.agents.unregister_all(unregister_bound, lambda: self.pump(self.config.poll_ms))
        for key in list(self.agents.accounts):
            self.agents.remove(key)
        self.media.clear()
        self.calls.clear()
        gc.collect()
        try:
            self._ep.libDestroy()
        except pj.Error as exc:
            log.warning("libDestroy failed: %s", translate("libDestroy", exc))
        self._ep = None
        self._writer = None
        gc.collect()

    # -- agents (delegated) ----------------------------------------------------------------

    def add_transport(self, agent_key: int, name: str, host: str, port: int) -> int:
        """Bind a UDP transport for agent ``agent_key`` (called ``name``); return the bound port."""
        return self.agents.add_transport(self._ep, agent_key, name, host, port)

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
        """Create the agent's account, registering if ``registrar_uri`` (see
        :meth:`AgentRegistry.add_account`)."""
        self.agents.add_account(
            self,
            agent_key,
            id_uri=id_uri,
            registrar_uri=registrar_uri,
            auth=auth,
            expires=expires,
            proxy=proxy,
            reject_code=reject_code,
            nat_rewrite=nat_rewrite,
        )

    def set_registration(self, agent_key: int, *, on: bool, quiet: bool = False) -> None:
        """Send REGISTER (``on``) or un-REGISTER for the agent's account."""
        self.agents.set_registration(agent_key, on=on, quiet=quiet)

    def remove_agent(self, agent_key: int) -> None:
        """Delete the agent's account (its transport stays open until ``libDestroy``)."""
        self.agents.remove(agent_key)

    # -- calls (delegated) -----------------------------------------------------------------

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
        return self.calls.make_call(
            self,
            agent_key,
            uri,
            call_id=call_id,
            headers=headers,
            from_uri=from_uri,
            stimulus=stimulus,
            stimulus_leg_id=stimulus_leg_id,
        )

    def answer(
        self,
        leg_key: int,
        code: int,
        *,
        headers: list[tuple[str, str]] | None = None,
        stimulus: Path | None = None,
        stimulus_leg_id: int | None = None,
    ) -> None:
        """Answer an incoming leg with ``code`` (2xx connects media with ``stimulus``)."""
        self.calls.answer(
            leg_key, code, headers=headers or [], stimulus=stimulus, stimulus_leg_id=stimulus_leg_id
        )

    def hangup(self, leg_key: int, code: int, *, quiet: bool = False) -> None:
        """Hang up a leg (CANCEL, reject or BYE as its state requires)."""
        self.calls.hangup(leg_key, code, quiet=quiet)

    def send_dtmf(self, leg_key: int, digits: str, method: DtmfMethod) -> DtmfMethod:
        """Send ``digits`` on a leg; return the method actually used."""
        return self.calls.send_dtmf(leg_key, digits, method)

    # -- Listener: what the pjsua2 callbacks report --------------------------------------

    def account_for_port(self, port: int | None) -> int | None:
        """pjsua account id of the agent listening on local SIP ``port``."""
        return self.agents.account_for_port(port)

    def on_reg_state(self, agent_key: int, code: int, reason: str, expiration: int) -> None:
        """A REGISTER of the agent got a final answer."""
        self.agents.on_reg_state(agent_key, code, reason, expiration)

    def on_incoming(self, account: Any, pj_call_id: int, invite: str) -> None:
        """An INVITE arrived for ``account``."""
        self.calls.on_incoming(self, account, pj_call_id, invite)

    def on_call_state(self, leg_key: int, state: CallState, status: int, reason: str) -> None:
        """A call leg changed state."""
        self.calls.on_call_state(leg_key, state, status, reason)

    def on_media_state(self, leg_key: int) -> None:
        """A call leg's media changed."""
        self.calls.on_media_state(leg_key)

    def snapshot_rtp(self, leg_key: int) -> None:
        """A call leg's stream is about to be destroyed."""
        self.calls.snapshot_rtp(leg_key)

    def on_dtmf(self, leg_key: int, digit: DtmfDigit) -> None:
        """A call leg received a DTMF digit."""
        self.calls.on_dtmf(leg_key, digit)
