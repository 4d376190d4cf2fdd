"""Engine: the async entry point of the SIP side. One per process, startable many times.

::

    async with Engine(EngineConfig(evidence_dir=tmp)) as eng:
        trunk = await eng.add_trunk(TrunkConfig(port=25070))
        seat = await eng.add_seat(SeatConfig(user="8001", password="..."))
        call = await seat.call("4001", timeout=10)
        record = await call.hangup()

Starting creates the owner thread, which creates the pjsua2 Endpoint; stopping hangs up every
call, seals every record (recordings complete), unregisters every seat, destroys the Endpoint
and joins the thread. pjsua2 allows one Endpoint per process, so a second engine running at the
same time is refused with :class:`EngineBusyError`; one after another is fine.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ccinspect.bounds import bounded
from ccinspect.sip import errors
from ccinspect.sip.agents import Agent, PublicLine, RegisteringAgent, Seat, Trunk
from ccinspect.sip.call import CallHandle
from ccinspect.sip.config import (
    AnswerMode,
    EngineConfig,
    PublicLineConfig,
    SeatConfig,
    Timeouts,
    TrunkConfig,
)
from ccinspect.sip.errors import PjError, SipError
from ccinspect.sip.owner import OwnerThread
from ccinspect.sip.records import (
    CallRecord,
    CallSealedEvent,
    CallStateEvent,
    DtmfEvent,
    IncomingCallEvent,
    RegStateEvent,
)
from ccinspect.sip.stimulus import StimulusCache

if TYPE_CHECKING:
    from ccinspect.sip._pj.host import Host

T = TypeVar("T")
log = logging.getLogger("ccinspect.sip")
_SLOT = threading.Lock()  # one running engine per process


class Engine:
    """The SIP engine: owner thread + agents + call handles. Use as an async context manager."""

    def __init__(self, config: EngineConfig | None = None) -> None:
        self.config = config or EngineConfig()
        self.timeouts: Timeouts = self.config.timeouts
        self.stimuli = StimulusCache(
            self.config.evidence_dir / "stimuli",
            sample_rate=self.config.clock_rate,
            seconds=self.config.stimulus_seconds,
            level_dbfs=self.config.stimulus_level_dbfs,
        )
        self.records: list[CallRecord] = []
        """Every sealed call record of this engine run, in sealing order."""
        self._owner: OwnerThread | None = None
        self._host: Host | None = None
        self._capacity = 0
        self._agents: dict[int, Agent] = {}
        self._handles: dict[int, CallHandle] = {}
        self._orphans: dict[int, list[Any]] = {}
        self._abandoned: set[int] = set()
        self._next_agent = 1
        self._next_stimulus = 0
        self._holds_slot = False

    # -- lifecycle -----------------------------------------------------------------------

    async def __aenter__(self) -> Engine:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def running(self) -> bool:
        """True between a successful :meth:`start` and :meth:`stop`."""
        return self._owner is not None and self._owner.alive

    @property
    def capacity(self) -> int:
        """How many call legs (incoming + outgoing) this process can hold at once, as measured
        from the pjsua2 build after asking for ``max_calls`` (4 for the PyPI wheel)."""
        return self._capacity

    @property
    def buffered_legs(self) -> tuple[int, ...]:
        """Legs whose events are buffered waiting for a handle (empty once every command has
        returned; a leak shows here)."""
        return tuple(self._orphans)

    @property
    def host(self) -> Host:
        """The owner-thread host; only ever touched inside commands run on the owner thread."""
        if self._host is None or not self.running:
            raise errors.engine_stopped("use the engine")
        return self._host

    async def start(self) -> None:
        """Start the owner thread and the pjsua2 Endpoint.

        Raises :class:`EngineBusyError` if another engine runs in this process and
        :class:`EngineStartError` if pjsua2 is missing or fails to start.
        """
        if not _SLOT.acquire(blocking=False):
            raise errors.engine_busy()
        self._holds_slot = True
        try:
            try:
                from ccinspect.sip import _pj
            except ImportError as exc:
                raise errors.pjsua2_missing(exc) from exc
            self.config.evidence_dir.mkdir(parents=True, exist_ok=True)
            loop = asyncio.get_running_loop()
            owner_box: list[OwnerThread] = []
            host = _pj.Host(self.config, lambda event: owner_box[0].emit(event))  # noqa: PLW0108 - owner made after
            owner = OwnerThread(host, loop, self._deliver, poll_ms=self.config.poll_ms)
            owner_box.append(owner)
            self._host, self._owner = host, owner
            try:
                self._capacity = await owner.start(self.timeouts.start)
            except PjError as exc:
                raise errors.EngineStartError(
                    f"pjsua2 failed to start: {exc}",
                    message_zh=f"pjsua2 启动失败：{exc}",
                ) from exc
            except TimeoutError as exc:
                raise errors.EngineStartError(
                    f"pjsua2 did not start within {self.timeouts.start:g} s",
                    message_zh=f"pjsua2 未在 {self.timeouts.start:g} 秒内启动",
                ) from exc
            log.info(
                "SIP engine started (run %s, capacity %d call legs, clock %d Hz)",
                self.config.run_id,
                self._capacity,
                self.config.clock_rate,
            )
        except BaseException:
            await self._release()
            raise

    async def stop(self) -> None:
        """Stop: hang up all calls, seal their records, unregister seats, destroy pjsua2 and
        wait for the owner thread to exit (bounded by ``timeouts.stop``). Idempotent."""
        if self._owner is None:
            return
        for agent in self._agents.values():
            await agent._close()
        await self._release()

    async def _release(self) -> None:
        owner, self._owner = self._owner, None
        try:
            if owner is not None:
                t = self.timeouts
                exited = await owner.stop(t.shutdown_calls, t.shutdown_unregister, t.stop)
                if not exited:
                    log.error("SIP owner thread did not exit within %g s", t.stop)
                await asyncio.sleep(0)  # let the last events (sealed records) be delivered
        finally:
            self._host = None
            self._agents.clear()
            for handle in self._handles.values():
                handle._abandon()
            self._handles.clear()
            self._orphans.clear()
            self._abandoned.clear()
            if self._holds_slot:
                self._holds_slot = False
                _SLOT.release()
            log.info("SIP engine stopped (run %s)", self.config.run_id)

    # -- commands ------------------------------------------------------------------------

    def submit_raw(self, fn: Callable[[], T]) -> asyncio.Future[T]:
        """Queue ``fn`` on the owner thread; the future carries its result or exception."""
        if self._owner is None or not self._owner.alive:
            raise errors.engine_stopped("send a command")
        return self._owner.submit(fn)

    async def submit(self, agent: str, what: str, fn: Callable[[], T], *, timeout: float | None = None) -> T:
        """Run ``fn`` on the owner thread within ``timeout`` (default ``timeouts.command``);
        pjsua2 failures come back as :class:`SipError`."""
        bound = self.timeouts.command if timeout is None else timeout
        try:
            async with bounded(what, bound, error=lambda: errors.operation_timeout(agent, what, bound)):
                return await self.submit_raw(fn)
        except PjError as exc:
            raise errors.pj_failure(agent, exc) from exc

    def post(self, fn: Callable[[], object]) -> None:
        """Queue ``fn`` on the owner thread without waiting (ignored once stopped)."""
        if self._owner is not None and self._owner.alive:
            self._owner.post(fn)

    def adopt(self, handle: CallHandle) -> None:
        """Route a new outgoing leg's events to ``handle``, replaying those that came first
        (a refused call can be over, and sealed, before ``make_call`` returns here)."""
        self._handles[handle.leg] = handle
        for event in self._orphans.pop(handle.leg, []):
            self._route(handle, event)

    def hang_up_when_created(self, submitted: asyncio.Future[int]) -> None:
        """If a cancelled (or timed-out) ``make_call`` command still creates a leg, hang that
        leg up and drop its events: nobody will ever hold a handle for it."""

        def done(fut: asyncio.Future[int]) -> None:
            if fut.cancelled():
                return
            exc = fut.exception()
            if exc is not None:
                if isinstance(exc, PjError) and exc.leg is not None:
                    self.forget_leg(exc.leg)
                return
            leg = fut.result()
            buffered = self._orphans.pop(leg, [])
            if any(isinstance(event, CallSealedEvent) for event in buffered):
                return  # already over: nothing to hang up, no more events to drop
            self._abandoned.add(leg)
            if self._host is not None:
                host = self._host
                self.post(lambda: host.hangup(leg, 0, quiet=True))

        submitted.add_done_callback(done)

    def forget_leg(self, leg: int) -> None:
        """Drop the events buffered for a leg whose ``make_call`` command failed (the host has
        already forgotten the leg, so no more events come for it)."""
        self._orphans.pop(leg, None)

    def _deliver(self, event: Any) -> None:
        """Route an owner-thread event (runs on the event loop)."""
        if isinstance(event, IncomingCallEvent):
            agent = self._agents.get(event.agent_key)
            if agent is not None:
                self._handles[event.leg] = agent._on_incoming(event)
            return
        if isinstance(event, RegStateEvent):
            agent = self._agents.get(event.agent_key)
            if agent is not None:
                agent._on_reg(event.outcome)
            return
        if isinstance(event, CallSealedEvent):
            self.records.append(event.record)
        if event.leg in self._abandoned:
            if isinstance(event, CallSealedEvent):
                self._abandoned.discard(event.leg)
            return
        handle = self._handles.get(event.leg)
        if handle is None:
            self._orphans.setdefault(event.leg, []).append(event)
        else:
            self._route(handle, event)

    def _route(self, handle: CallHandle, event: Any) -> None:
        if isinstance(event, CallStateEvent):
            handle._on_state(event.change)
        elif isinstance(event, DtmfEvent):
            handle._on_dtmf(event.digit)
        elif isinstance(event, CallSealedEvent):
            self._handles.pop(event.leg, None)
            handle._on_sealed(event.record)

    def agents_by_name(self, name: str) -> Agent:
        """The agent called ``name`` (``KeyError`` if none)."""
        for agent in self._agents.values():
            if agent.name == name:
                return agent
        raise KeyError(name)

    def next_stimulus_id(self) -> int:
        """The next fingerprint id for a leg that was given none (per engine run, wrapping at
        the number of distinct fingerprints)."""
        from ccinspect.media.fingerprint import MAX_LEGS

        leg_id = self._next_stimulus % MAX_LEGS
        self._next_stimulus += 1
        return leg_id

    def reserve_stimulus_ids(self, count: int) -> list[int]:
        """``count`` fresh fingerprint ids, for callers that choose leg ids themselves."""
        return [self.next_stimulus_id() for _ in range(count)]

    # -- agents --------------------------------------------------------------------------

    def _new_agent_key(self) -> int:
        key = self._next_agent
        self._next_agent += 1
        return key

    async def _bind(self, key: int, name: str, local_host: str, local_port: int) -> int:
        host = self.host
        try:
            return await self.submit(
                name, "bind SIP transport", lambda: host.add_transport(key, name, local_host, local_port)
            )
        except SipError as exc:
            if isinstance(exc.__cause__, PjError) and exc.__cause__.status == errors.PJ_EADDRINUSE:
                raise errors.port_in_use(name, f"{local_host}:{local_port}") from exc
            raise

    async def _discard_agent(self, key: int) -> None:
        self._agents.pop(key, None)
        if self.running:
            host = self.host
            try:
                await self.submit("engine", "remove agent", lambda: host.remove_agent(key))
            except SipError as exc:
                log.warning("cannot remove agent %d: %s", key, exc)

    async def add_trunk(self, config: TrunkConfig | None = None) -> Trunk:
        """Bind the trunk simulator on ``host:port`` with a local (non-registering) account."""
        cfg = config or TrunkConfig()
        key = self._new_agent_key()
        port = await self._bind(key, cfg.name, cfg.host, cfg.port)
        address = f"{cfg.host}:{port}"
        trunk = Trunk(
            self, key, cfg.name, address=address, dial_domain=cfg.pbx, from_host=address, answer=cfg.answer
        )
        self._agents[key] = trunk
        host = self.host
        reject = cfg.answer.code if cfg.answer.mode is AnswerMode.REJECT else None
        try:
            await self.submit(
                cfg.name,
                "create account",
                lambda: host.add_account(key, id_uri=f"sip:{cfg.user}@{address}", reject_code=reject),
            )
        except BaseException:
            await self._discard_agent(key)
            raise
        return trunk

    async def add_seat(self, config: SeatConfig, *, timeout: float | None = None) -> Seat:
        """Bind a seat's transport, create its account and (if ``config.register``) REGISTER,
        waiting for a 2xx within ``timeout`` (default ``timeouts.register``)."""
        name = config.name or f"seat {config.user}"
        key = self._new_agent_key()
        port = await self._bind(key, name, config.local_host, config.local_port)
        registrar_host = config.registrar.rsplit(":", 1)[0]
        domain = config.domain or registrar_host
        aor = f"{config.user}@{domain}"
        display = f'"{config.display}" ' if config.display else ""
        seat = Seat(
            self,
            key,
            name,
            address=f"{config.local_host}:{port}",
            dial_domain=config.domain or config.registrar,
            from_host=domain,
            answer=config.answer,
            registrar=config.registrar,
            aor=aor,
        )
        auth = ("*", config.auth_user or config.user, config.password)
        reject = config.answer.code if config.answer.mode is AnswerMode.REJECT else None
        await self._add_registering(
            seat,
            f"{display}<sip:{aor}>",
            registrar_uri=f"sip:{config.registrar}" if config.register else None,
            auth=auth,
            expires=config.expires,
            # A domain other than the registrar's host is reached through the registrar (or the
            # given outbound proxy), as a softphone configured with a domain and a proxy does.
            proxy=f"sip:{proxy};lr"
            if (proxy := config.proxy or (config.registrar if config.domain else None))
            else None,
            reject=reject,
            timeout=timeout,
        )
        return seat

    async def add_public_line(self, config: PublicLineConfig, *, timeout: float | None = None) -> PublicLine:
        """Bind a public line's transport and REGISTER it with the external SIP service."""
        key = self._new_agent_key()
        port = await self._bind(key, config.name, config.local_host, config.local_port)
        domain_host = config.domain.rsplit(":", 1)[0] if config.domain.count(":") == 1 else config.domain
        aor = f"{config.user}@{domain_host}"
        line = PublicLine(
            self,
            key,
            config.name,
            address=f"{config.local_host}:{port}",
            dial_domain=config.domain,
            from_host=domain_host,
            answer=config.answer,
            registrar=config.registrar or config.domain,
            aor=aor,
        )
        auth = (config.realm, config.auth_user or config.user, config.password)
        reject = config.answer.code if config.answer.mode is AnswerMode.REJECT else None
        proxy = f"sip:{config.proxy};lr" if config.proxy else None
        await self._add_registering(
            line,
            f"<sip:{aor}>",
            registrar_uri=f"sip:{config.registrar or config.domain}",
            auth=auth,
            expires=config.expires,
            proxy=proxy,
            reject=reject,
            timeout=timeout,
            nat_rewrite=True,
        )
        return line

    async def _add_registering(
        self,
        agent: RegisteringAgent,
        id_uri: str,
        *,
        registrar_uri: str | None,
        auth: tuple[str, str, str],
        expires: int,
        proxy: str | None,
        reject: int | None,
        timeout: float | None,
        nat_rewrite: bool = False,
    ) -> None:
        self._agents[agent.key] = agent
        host, key = self.host, agent.key
        bound = self.timeouts.register if timeout is None else timeout
        try:
            waiter = agent._expect_reg()
            await self.submit(
                agent.name,
                "create account",
                lambda: host.add_account(
                    key,
                    id_uri=id_uri,
                    registrar_uri=registrar_uri,
                    auth=auth,
                    expires=expires,
                    proxy=proxy,
                    reject_code=reject,
                    nat_rewrite=nat_rewrite,
                ),
            )
            if registrar_uri is not None:
                await agent._await_reg(waiter, bound, unregister=False)
        except BaseException:
            await self._discard_agent(key)
            raise
