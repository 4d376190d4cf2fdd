"""Agents as pjsua2 knows them: one UDP transport and one account each, and REGISTER.

:class:`AgentRegistry` holds the transports and accounts of every agent by our agent key, maps
local SIP ports to accounts (so an incoming request reaches the agent it was addressed to) and
drives registration. Owner thread only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pjsua2 as pj

from ccinspect.sip._pj.callbacks import PjAccount
from ccinspect.sip._pj.convert import now, translate, uri_core
from ccinspect.sip.capture import MessageStore
from ccinspect.sip.records import EngineEvent, RegisterOutcome, RegStateEvent

if TYPE_CHECKING:
    from ccinspect.sip._pj.callbacks import Listener

log = logging.getLogger("ccinspect.sip")

UNREG_WAIT_MS = 1000
"""How long pjsua waits for an un-REGISTER's answer when an account is deleted."""


class AgentRegistry:
    """Transports, accounts and registration state of every agent (owner thread only)."""

    def __init__(self, store: MessageStore, emit: Callable[[EngineEvent], None], *, rtp_port: int) -> None:
        self._store = store
        self._emit = emit
        self._rtp_port = rtp_port
        self.transports: dict[int, int] = {}
        self.accounts: dict[int, Any] = {}
        self.names: dict[int, str] = {}
        self.addresses: dict[int, str] = {}
        self.reject: dict[int, int | None] = {}
        """Agent key -> status code every incoming call is refused with at once (or None)."""
        self._ports: dict[int, int] = {}  # local SIP port -> pjsua account id (-1: none yet)
        self._agent_ports: dict[int, int] = {}  # agent key -> local SIP port
        self._reg_started: dict[int, float] = {}
        self._awaiting_unreg: set[int] = set()

    def add_transport(self, ep: Any, agent_key: int, name: str, host: str, port: int) -> int:
        """Bind a UDP transport for agent ``agent_key`` (called ``name``); return the bound port."""
        tcfg = pj.TransportConfig()
        tcfg.port = port
        tcfg.boundAddress = host
        try:
            tid = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg)
            bound = int(str(ep.transportGetInfo(tid).localName).rsplit(":", 1)[1])
        except pj.Error as exc:
            raise translate(f"transportCreate {host}:{port}", exc) from None
        self.transports[agent_key] = tid
        self.names[agent_key] = name
        self.addresses[agent_key] = f"{host}:{bound}"
        self._agent_ports[agent_key] = bound
        self._ports[bound] = -1
        return bound

    def add_account(
        self,
        listener: Listener,
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
            acfg.regConfig.unregWaitMsec = UNREG_WAIT_MS
            self._reg_started[agent_key] = time.monotonic()
        acfg.mediaConfig.transportConfig.port = self._rtp_port
        if not nat_rewrite:
            acfg.natConfig.contactRewriteUse = 0
            acfg.natConfig.viaRewriteUse = 0
            acfg.natConfig.sdpNatRewriteUse = 0
        acc = PjAccount(listener, agent_key)
        try:
            acc.create(acfg)
        except pj.Error as exc:
            raise translate(f"Account.create {id_uri}", exc) from None
        self.accounts[agent_key] = acc
        self.reject[agent_key] = reject_code
        self._ports[self._agent_ports[agent_key]] = int(acc.getId())

    def account_for_port(self, port: int | None) -> int | None:
        """pjsua account id of the agent listening on local SIP ``port``."""
        acc_id = self._ports.get(port) if port is not None else None
        return None if acc_id is None or acc_id < 0 else acc_id

    def on_reg_state(self, agent_key: int, code: int, reason: str, expiration: int) -> None:
        """Emit the outcome of the agent's REGISTER, counting the challenges it took."""
        if expiration == 0 or code >= 300:
            self._awaiting_unreg.discard(agent_key)
        acc = self.accounts.get(agent_key)
        aor = str(acc.getInfo().uri) if acc is not None else ""
        since = self._reg_started.get(agent_key, 0.0)
        challenges = self.challenges_since(uri_core(aor), since) if aor else 0
        outcome = RegisterOutcome(code, reason, expiration, challenges, now())
        self._emit(RegStateEvent(agent_key, outcome))

    def challenges_since(self, aor: str, since: float) -> int:
        """How many 401/407 challenges REGISTERs from ``aor`` got since monotonic ``since``."""
        count = 0
        for call_id in self._store.call_ids_where("REGISTER", aor):
            for msg in self._store.peek(call_id):
                if msg.status in (401, 407) and msg.at.monotonic >= since:
                    count += 1
        return count

    def set_registration(self, agent_key: int, *, on: bool, quiet: bool = False) -> None:
        """Send REGISTER (``on``) or un-REGISTER for the agent's account."""
        self._reg_started[agent_key] = time.monotonic()
        try:
            self.accounts[agent_key].setRegistration(on)
        except pj.Error as exc:
            if not quiet:
                raise translate("setRegistration", exc) from None
            log.debug("setRegistration(%s) for agent %d failed: %s", on, agent_key, exc.info())

    def unregister_all(self, bound: float, pump: Callable[[], None]) -> None:
        """Un-REGISTER every registered account, calling ``pump`` until answered or ``bound``.

        A REGISTER still in progress makes pjsua refuse with PJSIP_EBUSY; it is tried again.
        """
        deadline = time.monotonic() + bound
        pending = {k for k, acc in self.accounts.items() if _is_registered(acc)}
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
            pump()
        if unsent or self._awaiting_unreg:
            log.warning("%d account(s) not unregistered at shutdown", len(unsent | self._awaiting_unreg))

    def remove(self, agent_key: int) -> None:
        """Delete the agent's account and forget it (no un-REGISTER sent here).

        The transport is not closed: closing a UDP transport while pjsua may still refer to
        it (a failed REGISTER's transaction, the account's contact) was followed by pjlib's
        ``pj_sockaddr_get_len`` assertion aborting the process on the next call. (The same
        assertion is what pjmedia's receive/attach race produces under load, see
        docs/pjsua2.md, so that race may have been the cause; until that is shown the
        transport stays open.) ``libDestroy()`` closes it with the others. pjsua has room for
        8 transports per Endpoint, so an engine run can create at most 8 agents in all.
        """
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
        self.transports.pop(agent_key, None)
        self.reject.pop(agent_key, None)
        self.names.pop(agent_key, None)
        self.addresses.pop(agent_key, None)


def _is_registered(acc: Any) -> bool:
    try:
        info = acc.getInfo()
    except pj.Error:
        return False
    return bool(info.regIsActive)
