"""Errors raised by the SIP engine, each in English and Chinese.

Every error here means "the harness could not do what was asked" or "the far end refused it":
it names the agent (``seat 8003``, ``trunk``), the peer (``127.0.0.1:5060``) and, where one
exists, the SIP status. ``str(err)`` is the English message, ``err.message_zh`` the Chinese one.

pjsua2's own exception type never leaves the :mod:`ccinspect.sip._pj` package: it is translated there into
:class:`PjError`, a plain exception carrying pjsip's status number and text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccinspect.errors import CcinspectError, Kind

if TYPE_CHECKING:
    from ccinspect.sip.records import CallRecord


class PjError(CcinspectError):
    """A pjsua2 call failed; a plain copy of ``pj.Error`` (no pjsua2 object inside).

    ``status`` is pjsip's ``pj_status_t`` (e.g. 120098 for "Address already in use"),
    ``reason`` pjsip's text for it and ``operation`` the pjsua2 call that failed. ``leg`` is
    the key of the call leg the failed operation created and then dropped (``makeCall``), so
    the engine can forget events already emitted for it; ``None`` otherwise.
    """

    def __init__(self, operation: str, status: int, reason: str, *, leg: int | None = None) -> None:
        super().__init__(f"{operation}: {reason} (pj status {status})")
        self.operation = operation
        self.status = status
        self.reason = reason
        self.leg = leg


# pj_status_t values the engine recognises (pjlib/include/pj/errno.h, pjsip_errno.h).
PJ_ENOTFOUND = 70006
PJ_ETOOMANY = 70010
PJ_EADDRINUSE = 120098
PJMEDIA_RTP_EREMNORFC2833 = 220111


class SipError(CcinspectError):
    """Base of the engine's errors: an English message plus ``message_zh`` (a harness failure
    unless a subclass says the far end refused).

    ``agent`` is who acted ("seat 8003"), ``peer`` the other side ("127.0.0.1:5060"), and
    ``status``/``reason`` the SIP final response when there was one.
    """

    def __init__(
        self,
        message: str,
        *,
        message_zh: str,
        agent: str | None = None,
        peer: str | None = None,
        status: int | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message, message_zh)
        self.agent = agent
        self.peer = peer
        self.status = status
        self.reason = reason


class EngineStartError(SipError):
    """The engine (or an agent's transport) could not start: pjsua2 missing, port in use."""


class EngineBusyError(EngineStartError):
    """Another engine is already running in this process (pjsua2 allows one Endpoint)."""


class EngineStoppedError(SipError):
    """The engine is not running (never started, or already stopped)."""


class OperationTimeout(SipError):
    """An engine command did not complete within its bound."""


class RegistrationError(SipError):
    """A REGISTER (or un-REGISTER) was refused with a final SIP status."""

    kind = Kind.PLATFORM


class RegistrationTimeout(RegistrationError):
    """No final answer to REGISTER within the caller's bound (registrar down or unreachable)."""


class CallFailedError(SipError):
    """A call could not be set up: the far end refused it, or the call broke before answer.

    ``record`` is the failed leg's sealed record (its SIP messages are evidence) when the leg
    got that far; None otherwise.
    """

    kind = Kind.PLATFORM

    record: CallRecord | None = None


class CallTimeoutError(CallFailedError):
    """The call was not answered (or no incoming call came) within the caller's bound."""


class CapacityError(SipError):
    """The pjsua2 build's call-leg limit is reached (``PJ_ETOOMANY``)."""


class DtmfError(SipError):
    """DTMF could not be sent (e.g. RFC 4733 not offered by the far end and no fallback)."""

    kind = Kind.PLATFORM


def engine_busy() -> EngineBusyError:
    """Error for a second concurrent engine in one process."""
    return EngineBusyError(
        "a SIP engine is already running in this process; pjsua2 allows one Endpoint per "
        "process: stop the first engine before starting another",
        message_zh="本进程中已有一个 SIP 引擎在运行（pjsua2 每个进程只允许一个 Endpoint）："
        "请先停止前一个引擎",
    )


def pjsua2_missing(exc: BaseException) -> EngineStartError:
    """Error for a missing or broken pjsua2 installation."""
    return EngineStartError(
        f"pjsua2 cannot be imported ({exc}): install it with scripts/build-pjsua2.sh "
        "or `pip install pjsua2-python`",
        message_zh=f"无法导入 pjsua2（{exc}）：请用 scripts/build-pjsua2.sh 构建安装，"
        "或 `pip install pjsua2-python`",
    )


def port_in_use(agent: str, address: str) -> EngineStartError:
    """Error for a SIP port that another process (or agent) already holds."""
    return EngineStartError(
        f"{agent}: cannot bind SIP UDP {address}: address already in use "
        "(another agent, test or PBX holds it?)",
        message_zh=f"{agent}：无法绑定 SIP UDP 地址 {address}：地址已被占用（其他代理、测试或 PBX？）",
        agent=agent,
        peer=address,
    )


def register_refused(
    agent: str, registrar: str, status: int, reason: str, *, challenges: int
) -> RegistrationError:
    """Error for a REGISTER answered with a final non-2xx status.

    ``challenges`` is how many 401/407 answers the registrar sent in this attempt; two or more
    means the credentials were tried and rejected.
    """
    if status in (401, 407) and challenges >= 2:
        en = (
            f"{agent}: REGISTER answered {status} by {registrar} twice: wrong password? "
            "(check the seat's user name and password)"
        )
        zh = f"{agent}：REGISTER 两次被 {registrar} 以 {status} 拒绝：密码错误？（请检查坐席账号和密码）"
    elif status == 403:
        en = (
            f"{agent}: REGISTER answered 403 {reason} by {registrar}: forbidden "
            "(unknown user, or an old contact still holds the AOR?)"
        )
        zh = (
            f"{agent}：REGISTER 被 {registrar} 以 403 {reason} 拒绝：禁止"
            "（用户不存在，或旧的联系地址仍占用该 AOR？）"
        )
    else:
        en = f"{agent}: REGISTER answered {status} {reason} by {registrar}"
        zh = f"{agent}：REGISTER 被 {registrar} 以 {status} {reason} 拒绝"
    return RegistrationError(en, message_zh=zh, agent=agent, peer=registrar, status=status, reason=reason)


def register_timeout(agent: str, registrar: str, timeout: float) -> RegistrationTimeout:
    """Error for a REGISTER that got no final answer within ``timeout`` seconds."""
    return RegistrationTimeout(
        f"{agent}: no final answer to REGISTER from {registrar} within {timeout:g} s: "
        "is the PBX up and listening there?",
        message_zh=f"{agent}：{timeout:g} 秒内未收到 {registrar} 对 REGISTER 的最终响应："
        "PBX 是否已启动并在该地址监听？",
        agent=agent,
        peer=registrar,
    )


def call_refused(agent: str, dest: str, status: int, reason: str) -> CallFailedError:
    """Error for an outgoing call that ended with a final non-2xx status before answer."""
    return CallFailedError(
        f"{agent}: call to {dest} failed: {status} {reason}",
        message_zh=f"{agent}：呼叫 {dest} 失败：{status} {reason}",
        agent=agent,
        peer=dest,
        status=status,
        reason=reason,
    )


def call_timeout(agent: str, dest: str, timeout: float, last_status: int) -> CallTimeoutError:
    """Error for an outgoing call not answered within ``timeout`` seconds (it was hung up)."""
    seen = f" (last status {last_status})" if last_status else " (no answer at all)"
    return CallTimeoutError(
        f"{agent}: call to {dest} not answered within {timeout:g} s{seen}; the call was hung up",
        message_zh=f"{agent}：呼叫 {dest} 在 {timeout:g} 秒内未接通"
        f"{f'（最后状态 {last_status}）' if last_status else '（无任何响应）'}；已挂断该呼叫",
        agent=agent,
        peer=dest,
        status=last_status or None,
    )


def no_incoming(agent: str, timeout: float) -> CallTimeoutError:
    """Error for no incoming call arriving within ``timeout`` seconds."""
    return CallTimeoutError(
        f"{agent}: no incoming call within {timeout:g} s",
        message_zh=f"{agent}：{timeout:g} 秒内没有呼入",
        agent=agent,
    )


def not_confirmed(agent: str, call_id: str, peer: str, timeout: float) -> CallTimeoutError:
    """Error for an answered incoming call whose ACK did not come within ``timeout`` seconds."""
    return CallTimeoutError(
        f"{agent}: answered call {call_id} not confirmed within {timeout:g} s",
        message_zh=f"{agent}：已应答的呼叫 {call_id} 在 {timeout:g} 秒内未确认",
        agent=agent,
        peer=peer,
    )


def not_answered(agent: str, call_id: str, peer: str, timeout: float, last_status: int) -> CallTimeoutError:
    """Error for a leg not CONFIRMED within ``timeout`` seconds (the call stays up)."""
    return CallTimeoutError(
        f"{agent}: call {call_id} not answered within {timeout:g} s",
        message_zh=f"{agent}：呼叫 {call_id} 在 {timeout:g} 秒内未接通",
        agent=agent,
        peer=peer,
        status=last_status or None,
    )


def call_not_over(agent: str, call_id: str, peer: str, what: str, timeout: float) -> CallTimeoutError:
    """Error for a leg not ended (``what``: "hang-up", "disconnect") within ``timeout`` seconds."""
    return CallTimeoutError(
        f"{agent}: call {call_id}: no {what} within {timeout:g} s",
        message_zh=f"{agent}：呼叫 {call_id}：{timeout:g} 秒内未完成{what}",
        agent=agent,
        peer=peer,
    )


def no_dtmf(agent: str, call_id: str, peer: str, timeout: float) -> CallTimeoutError:
    """Error for no DTMF digit received on a leg within ``timeout`` seconds."""
    return CallTimeoutError(
        f"{agent}: call {call_id}: no DTMF received within {timeout:g} s",
        message_zh=f"{agent}：呼叫 {call_id}：{timeout:g} 秒内未收到 DTMF",
        agent=agent,
        peer=peer,
    )


def too_many_calls(agent: str, capacity: int) -> CapacityError:
    """Error for a call beyond the pjsua2 build's call-leg limit."""
    return CapacityError(
        f"{agent}: cannot create another call leg: this pjsua2 build holds at most {capacity} "
        "legs per process (PJSUA_MAX_CALLS); build it with scripts/build-pjsua2.sh",
        message_zh=f"{agent}：无法再建立呼叫分支：此 pjsua2 构建每进程最多 {capacity} 路"
        "（PJSUA_MAX_CALLS）；请用 scripts/build-pjsua2.sh 构建",
        agent=agent,
    )


def operation_timeout(agent: str, what: str, timeout: float) -> OperationTimeout:
    """Error for an engine command that did not finish within ``timeout`` seconds."""
    return OperationTimeout(
        f"{agent}: {what} did not complete within {timeout:g} s",
        message_zh=f"{agent}：{what} 未在 {timeout:g} 秒内完成",
        agent=agent,
    )


def engine_stopped(what: str) -> EngineStoppedError:
    """Error for an operation on an engine that is not running."""
    return EngineStoppedError(
        f"cannot {what}: the SIP engine is not running",
        message_zh=f"无法{what}：SIP 引擎未运行",
    )


def pj_failure(agent: str, exc: PjError, *, peer: str | None = None) -> SipError:
    """Translate a :class:`PjError` from an agent operation into the matching SipError."""
    if exc.status == PJ_EADDRINUSE:
        return port_in_use(agent, peer or "?")
    return SipError(
        f"{agent}: {exc}",
        message_zh=f"{agent}：pjsua2 操作失败：{exc}",
        agent=agent,
        peer=peer,
    )
