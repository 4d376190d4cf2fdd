"""CallHandle: the async facade of one call leg.

A handle never holds a pjsua2 object: it holds the leg's integer key and sends commands for
that leg to the owner thread. State changes, DTMF and the final :class:`CallRecord` arrive as
plain events. Every wait takes a timeout (default from the engine's :class:`Timeouts`), and a
task cancelled while awaiting on a handle hangs that call up before the cancellation goes on.

A handle sees its agent and the engine only through the small Protocols below
(:class:`AgentPort`, :class:`EnginePort`): this module imports neither :mod:`.agents` nor
:mod:`.engine`, which import it, so the three form no import cycle (not even for type checking).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ccinspect.bounds import bounded
from ccinspect.sip import errors
from ccinspect.sip.config import Timeouts
from ccinspect.sip.errors import CallFailedError, CallTimeoutError, engine_stopped
from ccinspect.sip.records import (
    CallDirection,
    CallRecord,
    CallState,
    DtmfDigit,
    DtmfMethod,
    Stamp,
    StateChange,
)

if TYPE_CHECKING:
    from ccinspect.sip._pj import Host
    from ccinspect.sip.stimulus import StimulusCache

log = logging.getLogger("ccinspect.sip")
T = TypeVar("T")


class EnginePort(Protocol):
    """What call handles and agents use of :class:`ccinspect.sip.engine.Engine`."""

    timeouts: Timeouts
    stimuli: StimulusCache

    @property
    def running(self) -> bool: ...

    @property
    def capacity(self) -> int: ...

    @property
    def host(self) -> Host: ...

    def next_stimulus_id(self) -> int: ...

    def submit_raw(self, fn: Callable[[], T]) -> asyncio.Future[T]: ...

    async def submit(
        self, agent: str, what: str, fn: Callable[[], T], *, timeout: float | None = None
    ) -> T: ...

    def post(self, fn: Callable[[], object]) -> None: ...

    def adopt(self, handle: CallHandle) -> None: ...

    def hang_up_when_created(self, submitted: asyncio.Future[int]) -> None: ...

    def forget_leg(self, leg: int) -> None: ...


class AgentPort(Protocol):
    """What a call handle uses of its :class:`ccinspect.sip.agents.Agent`."""

    @property
    def name(self) -> str: ...

    @property
    def engine(self) -> EnginePort: ...


class CallHandle:
    """One call leg of one agent, outgoing or incoming.

    ``record`` is set (and :meth:`wait_disconnected` returns it) once the leg is over and its
    record sealed: every SIP message, the recording (complete WAV), RTP stats and DTMF.
    """

    def __init__(
        self,
        agent: AgentPort,
        leg: int,
        direction: CallDirection,
        *,
        call_id: str,
        remote_uri: str,
        local_uri: str,
        stimulus_leg_id: int | None = None,
    ) -> None:
        self.agent = agent
        self.leg = leg
        self.direction = direction
        self.call_id = call_id
        self.remote_uri = remote_uri
        self.local_uri = local_uri
        self.stimulus_leg_id = stimulus_leg_id
        self.timeline: list[StateChange] = []
        self.record: CallRecord | None = None
        loop = asyncio.get_running_loop()
        self._confirmed: asyncio.Future[None] = loop.create_future()
        self._sealed: asyncio.Future[CallRecord] = loop.create_future()
        self._dtmf: asyncio.Queue[DtmfDigit] = asyncio.Queue()
        self.received_dtmf: list[DtmfDigit] = []

    def __repr__(self) -> str:
        return f"<CallHandle {self.agent.name} leg {self.leg} {self.direction.value} {self.state.value}>"

    @property
    def state(self) -> CallState:
        """The latest known INVITE-session state."""
        return self.timeline[-1].state if self.timeline else CallState.NULL

    @property
    def last_status(self) -> int:
        """The latest SIP status seen on this leg (0 if none)."""
        return self.timeline[-1].status if self.timeline else 0

    @property
    def disconnected(self) -> bool:
        """True once the leg reached DISCONNECTED."""
        return self.state is CallState.DISCONNECTED or self._sealed.done()

    # -- events (asyncio thread, from the engine's dispatcher) ------------------------------

    def _on_state(self, change: StateChange) -> None:
        self.timeline.append(change)
        if change.state is CallState.CONFIRMED and not self._confirmed.done():
            self._confirmed.set_result(None)
        elif change.state is CallState.DISCONNECTED and not self._confirmed.done():
            self._confirmed.set_exception(
                CallFailedError(
                    f"{self.agent.name}: call {self.call_id} ended before answer: "
                    f"{change.status} {change.reason}",
                    message_zh=f"{self.agent.name}：呼叫 {self.call_id} 在接通前结束："
                    f"{change.status} {change.reason}",
                    agent=self.agent.name,
                    peer=self.remote_uri,
                    status=change.status,
                    reason=change.reason,
                )
            )
            self._confirmed.exception()  # mark retrieved: nobody may be waiting

    def _on_dtmf(self, digit: DtmfDigit) -> None:
        self.received_dtmf.append(digit)
        self._dtmf.put_nowait(digit)

    def _on_sealed(self, record: CallRecord) -> None:
        self.record = record
        if not self._confirmed.done():
            self._on_state(
                StateChange(
                    CallState.DISCONNECTED,
                    record.final_status,
                    record.final_reason,
                    record.timeline[-1].at if record.timeline else Stamp.now(),
                )
            )
        if not self._sealed.done():
            self._sealed.set_result(record)

    def _abandon(self) -> None:
        """The engine stopped without sealing this leg: fail whoever waits on it."""
        for fut in (self._confirmed, self._sealed):
            if not fut.done():
                fut.set_exception(engine_stopped(f"wait on call {self.call_id}"))
                fut.exception()

    # -- operations -------------------------------------------------------------------------

    async def answer(
        self,
        code: int = 200,
        *,
        stimulus_leg_id: int | None = None,
        silent: bool = False,
        headers: Sequence[tuple[str, str]] = (),
        timeout: float | None = None,
    ) -> None:
        """Answer an incoming leg with ``code``.

        A 2xx plays ``stimulus_leg_id``'s fingerprint (default: the engine's next free id;
        nothing if ``silent``) and waits until the call is CONFIRMED (ACK received). A
        provisional code (180/183) or a rejection (4xx-6xx) returns once sent. On timeout or
        cancellation the call is hung up.
        """
        engine = self.agent.engine
        bound = engine.timeouts.answer if timeout is None else timeout
        name, call_id, peer = self.agent.name, self.call_id, self.remote_uri
        try:
            async with bounded(
                "answer", bound, error=lambda: errors.not_confirmed(name, call_id, peer, bound)
            ):
                stimulus = None
                if 200 <= code < 300 and not silent:
                    self.stimulus_leg_id = (
                        stimulus_leg_id if stimulus_leg_id is not None else engine.next_stimulus_id()
                    )
                    stimulus = await engine.stimuli.path_for(self.stimulus_leg_id)
                elif 200 <= code < 300:
                    self.stimulus_leg_id = None
                host = engine.host
                leg, leg_id, hdrs = self.leg, self.stimulus_leg_id, list(headers)
                await engine.submit(
                    self.agent.name,
                    f"answer {code}",
                    lambda: host.answer(leg, code, headers=hdrs, stimulus=stimulus, stimulus_leg_id=leg_id),
                )
                if 200 <= code < 300:
                    await asyncio.shield(self._confirmed)
        except (CallTimeoutError, asyncio.CancelledError):
            self.hangup_soon()  # not confirmed in time, or the caller gave up: hang up, go on
            raise

    async def until_confirmed(self) -> None:
        """Wait, without a bound of its own, until CONFIRMED (the caller bounds it)."""
        await asyncio.shield(self._confirmed)

    async def wait_answered(self, timeout: float | None = None) -> None:
        """Wait until the leg is CONFIRMED; raise :class:`CallFailedError` if it ended first."""
        bound = self.agent.engine.timeouts.answer if timeout is None else timeout
        name, call_id, peer = self.agent.name, self.call_id, self.remote_uri
        async with bounded(
            "answer",
            bound,
            error=lambda: errors.not_answered(name, call_id, peer, bound, self.last_status),
        ):
            await asyncio.shield(self._confirmed)

    def hangup_soon(self, code: int = 0) -> None:
        """Ask the owner thread to hang this leg up, without waiting (safe when cancelled)."""
        engine = self.agent.engine
        if self._sealed.done() or not engine.running:
            return
        host, leg = engine.host, self.leg
        engine.post(lambda: host.hangup(leg, code, quiet=True))

    async def hangup(self, code: int = 0, *, timeout: float | None = None) -> CallRecord:
        """Hang up (CANCEL before answer, ``code`` or 603 when rejecting, BYE after) and
        return the sealed record. Hanging up an ended call just returns its record."""
        engine = self.agent.engine
        bound = engine.timeouts.hangup if timeout is None else timeout
        if not self._sealed.done():
            host, leg = engine.host, self.leg
            await engine.submit(
                self.agent.name, "hangup", lambda: host.hangup(leg, code, quiet=True), timeout=bound
            )
        return await self._wait_sealed(bound, "hang-up")

    async def wait_disconnected(self, timeout: float | None = None) -> CallRecord:
        """Wait for the far end (or anyone) to end the call; return the sealed record.

        On timeout the call stays up and :class:`CallTimeoutError` is raised; if the waiting
        task is cancelled, the call is hung up.
        """
        bound = self.agent.engine.timeouts.disconnected if timeout is None else timeout
        try:
            return await self._wait_sealed(bound, "disconnect")
        except asyncio.CancelledError:
            self.hangup_soon()
            raise

    async def _wait_sealed(self, bound: float, what: str) -> CallRecord:
        name, call_id, peer = self.agent.name, self.call_id, self.remote_uri
        async with bounded(what, bound, error=lambda: errors.call_not_over(name, call_id, peer, what, bound)):
            return await asyncio.shield(self._sealed)

    async def send_dtmf(
        self,
        digits: str,
        *,
        method: DtmfMethod = DtmfMethod.AUTO,
        timeout: float | None = None,
    ) -> DtmfMethod:
        """Send DTMF ``digits``; return the method used (AUTO: RFC 4733 if the far end offered
        telephone-event, else in-band tones). Cancellation hangs the call up."""
        engine = self.agent.engine
        host, leg = engine.host, self.leg
        try:
            return await engine.submit(
                self.agent.name,
                f"send DTMF {digits!r}",
                lambda: host.send_dtmf(leg, digits, method),
                timeout=timeout or engine.timeouts.dtmf,
            )
        except asyncio.CancelledError:
            self.hangup_soon()
            raise

    async def next_dtmf(self, timeout: float | None = None) -> DtmfDigit:
        """The next DTMF digit received on this leg (in arrival order)."""
        bound = self.agent.engine.timeouts.dtmf if timeout is None else timeout
        name, call_id, peer = self.agent.name, self.call_id, self.remote_uri
        try:
            async with bounded("DTMF", bound, error=lambda: errors.no_dtmf(name, call_id, peer, bound)):
                return await self._dtmf.get()
        except asyncio.CancelledError:
            self.hangup_soon()
            raise

    async def __aenter__(self) -> CallHandle:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        """Leaving the block hangs the call up (quietly, with the default bound)."""
        if self._sealed.done():
            return
        if exc[0] is not None and issubclass(exc[0], BaseException) and not issubclass(exc[0], Exception):
            self.hangup_soon()  # cancelled or interrupted: do not await
            return
        try:
            await self.hangup()
        except CallTimeoutError:
            log.warning("%s: leg %d not sealed after hang-up", self.agent.name, self.leg)
