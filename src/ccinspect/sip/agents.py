"""Agents: seats (坐席), the trunk simulator (临时中继线) and the public line.

Every agent has its own UDP transport and one pjsua2 account on it. Agents place calls
(:meth:`Agent.call`), receive them (:meth:`Agent.next_incoming`, or by their answer policy)
and, for seats and public lines, REGISTER with digest authentication. All of it is async and
bounded; the pjsua2 work happens on the engine's owner thread.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence

from ccinspect.bounds import bounded
from ccinspect.sip import errors
from ccinspect.sip.call import CallHandle, EnginePort
from ccinspect.sip.config import AnswerMode, AnswerPolicy, CallerId
from ccinspect.sip.errors import CallFailedError, CapacityError, PjError, SipError
from ccinspect.sip.records import (
    CallDirection,
    CallRecord,
    IncomingCallEvent,
    RegisterOutcome,
    SipMessage,
)

log = logging.getLogger("ccinspect.sip")


def target_uri(dest: str, domain: str) -> str:
    """The Request-URI for ``dest``: a SIP URI as is, ``user@host`` prefixed, a number
    becomes ``sip:NUMBER@domain``."""
    if dest.startswith(("sip:", "sips:")):
        return dest
    if "@" in dest:
        return f"sip:{dest}"
    return f"sip:{dest}@{domain}"


def from_uri_for(caller_id: CallerId | None, default_host: str) -> str | None:
    """The From header value for a presented caller id (``None``: the account's own)."""
    if caller_id is None:
        return None
    if caller_id.from_uri:
        return caller_id.from_uri
    if caller_id.from_user is None and caller_id.from_display is None:
        return None
    user = caller_id.from_user if caller_id.from_user is not None else "anonymous"
    uri = f"sip:{user}@{caller_id.from_host or default_host}"
    if caller_id.from_display is not None:
        display = caller_id.from_display.replace('"', '\\"')
        return f'"{display}" <{uri}>'
    return f"<{uri}>"


def identity_headers(caller_id: CallerId | None) -> list[tuple[str, str]]:
    """``P-Asserted-Identity`` / ``Privacy`` headers for a presented caller id, verbatim."""
    if caller_id is None:
        return []
    headers = []
    if caller_id.pai is not None:
        headers.append(("P-Asserted-Identity", caller_id.pai))
    if caller_id.privacy is not None:
        headers.append(("Privacy", caller_id.privacy))
    return headers


async def _sealed_record(handle: CallHandle, bound: float = 3.0) -> CallRecord | None:
    """The leg's sealed record once it is over (None if it does not seal within ``bound``)."""
    try:
        return await handle.wait_disconnected(timeout=bound)
    except SipError:
        return None


class Agent:
    """Common part of every agent: its transport address, calls in and out."""

    kind = "agent"

    def __init__(
        self,
        engine: EnginePort,
        key: int,
        name: str,
        *,
        address: str,
        dial_domain: str,
        from_host: str,
        answer: AnswerPolicy,
    ) -> None:
        self.engine = engine
        self.key = key
        self.name = name
        self.address = address
        """Local ``host:port`` of this agent's SIP transport."""
        self.dial_domain = dial_domain
        self.from_host = from_host
        self.answer_policy = answer
        self._incoming: asyncio.Queue[CallHandle] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()
        #: Legs this agent is on or is answering (its "line" is taken while any is not over).
        self._engaged: set[CallHandle] = set()
        #: None: answer by policy; False: let calls ring (or decline with ``_decline``) because
        #: another seat is the one asked to answer; True: answer by policy.
        self._designated: bool | None = None
        self._decline: int | None = None

    def designate(self, answers: bool | None, *, decline: int | None = None) -> None:
        """Who answers the next calls: ``True`` this agent answers (by its policy), ``False`` it
        lets them ring, or refuses them with ``decline`` (e.g. 480 or 603) when given, as an
        agent does when the inspector asked someone else to pick up; ``None`` back to normal."""
        self._designated = answers
        self._decline = decline

    def on_call(self) -> bool:
        """True while this agent is on a call or answering one."""
        self._engaged = {h for h in self._engaged if not h.disconnected}
        return bool(self._engaged)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} at {self.address}>"

    async def call(
        self,
        dest: str,
        *,
        timeout: float | None = None,
        headers: Sequence[tuple[str, str]] = (),
        caller_id: CallerId | None = None,
        stimulus_leg_id: int | None = None,
        silent: bool = False,
    ) -> CallHandle:
        """Call ``dest`` and return the handle once the call is answered (CONFIRMED).

        ``dest`` is a number (dialled at this agent's domain), ``user@host`` or a SIP URI.
        ``caller_id`` presents another From and/or P-Asserted-Identity/Privacy; ``headers``
        are added verbatim. The leg plays ``stimulus_leg_id``'s fingerprint (default: the
        engine's next free id), or nothing if ``silent``. Raises :class:`CallFailedError` with the
        SIP status if refused, :class:`CallTimeoutError` (after hanging up) if not answered
        within ``timeout``. A cancelled caller hangs the call up.
        """
        engine = self.engine
        bound = engine.timeouts.answer if timeout is None else timeout
        uri = target_uri(dest, self.dial_domain)
        leg_id = (
            None
            if silent
            else (stimulus_leg_id if stimulus_leg_id is not None else engine.next_stimulus_id())
        )
        call_id = f"{uuid.uuid4().hex}@ccinspect"
        all_headers = identity_headers(caller_id) + list(headers)
        from_uri = from_uri_for(caller_id, self.from_host)
        handle: CallHandle | None = None

        def not_answered() -> errors.CallTimeoutError:
            return errors.call_timeout(self.name, uri, bound, handle.last_status if handle else 0)

        try:
            async with bounded("call", bound, error=not_answered):
                stimulus = await engine.stimuli.path_for(leg_id) if leg_id is not None else None
                host, key = engine.host, self.key
                submitted = engine.submit_raw(
                    lambda: host.make_call(
                        key,
                        uri,
                        call_id=call_id,
                        headers=all_headers,
                        from_uri=from_uri,
                        stimulus=stimulus,
                        stimulus_leg_id=leg_id,
                    )
                )
                try:
                    leg = await asyncio.shield(submitted)
                except asyncio.CancelledError:
                    engine.hang_up_when_created(submitted)
                    raise
                handle = CallHandle(
                    self,
                    leg,
                    CallDirection.OUTGOING,
                    call_id=call_id,
                    remote_uri=uri,
                    local_uri=from_uri or "",
                    stimulus_leg_id=leg_id,
                )
                engine.adopt(handle)
                self._engaged.add(handle)
                await handle.until_confirmed()
        except PjError as exc:
            if exc.leg is not None:
                engine.forget_leg(exc.leg)
            if exc.status == errors.PJ_ETOOMANY:
                raise errors.too_many_calls(self.name, engine.capacity) from exc
            raise errors.pj_failure(self.name, exc, peer=uri) from exc
        except errors.CallTimeoutError as timed_out:  # not answered within the bound
            if handle is not None:
                handle.hangup_soon()
                timed_out.record = await _sealed_record(handle)
            raise
        except CallFailedError as exc:
            if handle is not None and exc.status:
                refused = errors.call_refused(self.name, uri, exc.status, exc.reason or "")
                refused.record = await _sealed_record(handle)
                raise refused from None
            raise
        except asyncio.CancelledError:
            if handle is not None:
                handle.hangup_soon()
            raise
        return handle

    async def next_incoming(self, timeout: float | None = None) -> CallHandle:
        """The next incoming call leg of this agent (already ringing, answered or rejected
        according to the answer policy)."""
        bound = self.engine.timeouts.incoming if timeout is None else timeout
        async with bounded("incoming call", bound, error=lambda: errors.no_incoming(self.name, bound)):
            return await self._incoming.get()

    def _on_incoming(self, event: IncomingCallEvent) -> CallHandle:
        handle = CallHandle(
            self,
            event.leg,
            CallDirection.INCOMING,
            call_id=event.call_id,
            remote_uri=event.remote_uri,
            local_uri=event.local_uri,
        )
        policy = self.answer_policy
        if policy.mode is AnswerMode.AUTO:
            code: int | None = 200
            if policy.busy_when_on_call and self.on_call():
                code = 486  # one line, and it is taken: Busy Here
            elif self._designated is False:
                code = self._decline  # someone else answers: ring, or decline
            if code == 200:
                self._engaged.add(handle)
            if code is not None:
                task = asyncio.get_running_loop().create_task(self._auto_answer(handle, policy, code))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        self._incoming.put_nowait(handle)
        return handle

    async def _auto_answer(self, handle: CallHandle, policy: AnswerPolicy, code: int = 200) -> None:
        try:
            if policy.delay > 0 and code == 200:
                await asyncio.sleep(policy.delay)
            if not handle.disconnected:
                await handle.answer(code, silent=policy.silent)
        except SipError as exc:
            log.warning("%s: auto-answer (%d) of leg %d failed: %s", self.name, code, handle.leg, exc)

    def _on_reg(self, outcome: RegisterOutcome) -> None:
        """A REGISTER answer (only registering agents care)."""

    async def _close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


class RegisteringAgent(Agent):
    """An agent whose account REGISTERs with digest authentication."""

    def __init__(
        self,
        engine: EnginePort,
        key: int,
        name: str,
        *,
        address: str,
        dial_domain: str,
        from_host: str,
        answer: AnswerPolicy,
        registrar: str,
        aor: str,
    ) -> None:
        super().__init__(
            engine, key, name, address=address, dial_domain=dial_domain, from_host=from_host, answer=answer
        )
        self.registrar = registrar
        self.aor = aor
        self.registrations: list[RegisterOutcome] = []
        """Every final REGISTER answer this agent got, in order."""
        self._reg_waiter: asyncio.Future[RegisterOutcome] | None = None

    def _on_reg(self, outcome: RegisterOutcome) -> None:
        self.registrations.append(outcome)
        waiter = self._reg_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(outcome)

    def _expect_reg(self) -> asyncio.Future[RegisterOutcome]:
        self._reg_waiter = asyncio.get_running_loop().create_future()
        return self._reg_waiter

    async def _await_reg(
        self, waiter: asyncio.Future[RegisterOutcome], bound: float, *, unregister: bool
    ) -> RegisterOutcome:
        async with bounded(
            "REGISTER", bound, error=lambda: errors.register_timeout(self.name, self.registrar, bound)
        ):
            outcome = await waiter
        if not 200 <= outcome.status < 300:
            raise errors.register_refused(
                self.name, self.registrar, outcome.status, outcome.reason, challenges=outcome.challenges
            )
        if not unregister and outcome.expires <= 0:
            raise errors.register_refused(
                self.name, self.registrar, outcome.status, "registration not active", challenges=0
            )
        return outcome

    async def register(self, timeout: float | None = None) -> RegisterOutcome:
        """(Re-)REGISTER and wait for a 2xx; raise :class:`RegistrationError` (with the SIP
        status, e.g. 401 twice for a wrong password) or :class:`RegistrationTimeout`."""
        bound = self.engine.timeouts.register if timeout is None else timeout
        waiter = self._expect_reg()
        host, key = self.engine.host, self.key
        await self.engine.submit(
            self.name, "REGISTER", lambda: host.set_registration(key, on=True), timeout=bound
        )
        return await self._await_reg(waiter, bound, unregister=False)

    async def unregister(self, timeout: float | None = None) -> RegisterOutcome:
        """Send REGISTER with Expires: 0 and wait for its final answer."""
        bound = self.engine.timeouts.unregister if timeout is None else timeout
        waiter = self._expect_reg()
        host, key = self.engine.host, self.key
        await self.engine.submit(
            self.name, "un-REGISTER", lambda: host.set_registration(key, on=False), timeout=bound
        )
        return await self._await_reg(waiter, bound, unregister=True)

    async def register_messages(self) -> tuple[SipMessage, ...]:
        """Every captured REGISTER transaction message of this agent (requests, challenges,
        answers), in order."""
        host, aor = self.engine.host, self.aor

        def collect() -> tuple[SipMessage, ...]:
            found: list[SipMessage] = []
            for call_id in host.store.call_ids_where("REGISTER", aor):
                found.extend(host.store.peek(call_id))
            return tuple(sorted(found, key=lambda m: m.at.monotonic))

        return await self.engine.submit(self.name, "read REGISTER messages", collect)


class Seat(RegisteringAgent):
    """An agent seat: registers to the PBX as ``user`` and calls/answers through it."""

    kind = "seat"


class PublicLine(RegisteringAgent):
    """A line registered with an external SIP service (live mode): calls the platform's public
    number and receives its outbound calls."""

    kind = "public line"


class Trunk(Agent):
    """The trunk simulator: one address, a local account, many simultaneous calls.

    Calls it originates go to ``sip:NUMBER@pbx`` with any presented identity, including
    anonymous, malformed, letters or blacklisted numbers (see :class:`CallerId`).
    """

    kind = "trunk"


__all__ = [
    "Agent",
    "CapacityError",
    "PublicLine",
    "RegisteringAgent",
    "Seat",
    "Trunk",
    "from_uri_for",
    "identity_headers",
    "target_uri",
]
