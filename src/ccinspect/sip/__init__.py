"""SIP engine: the only package that imports pjsua2.

One owner thread runs pjsua2; this package's async facade drives it: :class:`Engine` creates
agents (:class:`Seat`, :class:`Trunk`, :class:`PublicLine`) whose calls are
:class:`CallHandle` objects ending in a frozen :class:`CallRecord`.
"""

from ccinspect.sip.agents import Agent, PublicLine, Seat, Trunk
from ccinspect.sip.build import Pjsua2Build, pjsua2_build
from ccinspect.sip.call import CallHandle
from ccinspect.sip.config import (
    DEFAULT_TIMEOUTS,
    AnswerMode,
    AnswerPolicy,
    CallerId,
    EngineConfig,
    PublicLineConfig,
    SeatConfig,
    Timeouts,
    TrunkConfig,
)
from ccinspect.sip.engine import Engine
from ccinspect.sip.errors import (
    CallFailedError,
    CallTimeoutError,
    CapacityError,
    DtmfError,
    EngineBusyError,
    EngineStartError,
    EngineStoppedError,
    OperationTimeout,
    RegistrationError,
    RegistrationTimeout,
    SipError,
)
from ccinspect.sip.records import (
    CallDirection,
    CallRecord,
    CallState,
    Direction,
    DtmfDigit,
    DtmfMethod,
    RegisterOutcome,
    RtpStats,
    SipMessage,
    StateChange,
)

__all__ = [
    "DEFAULT_TIMEOUTS",
    "Agent",
    "AnswerMode",
    "AnswerPolicy",
    "CallDirection",
    "CallFailedError",
    "CallHandle",
    "CallRecord",
    "CallState",
    "CallTimeoutError",
    "CallerId",
    "CapacityError",
    "Direction",
    "DtmfDigit",
    "DtmfError",
    "DtmfMethod",
    "Engine",
    "EngineBusyError",
    "EngineConfig",
    "EngineStartError",
    "EngineStoppedError",
    "OperationTimeout",
    "Pjsua2Build",
    "PublicLine",
    "PublicLineConfig",
    "RegisterOutcome",
    "RegistrationError",
    "RegistrationTimeout",
    "RtpStats",
    "Seat",
    "SeatConfig",
    "SipError",
    "SipMessage",
    "StateChange",
    "Timeouts",
    "Trunk",
    "TrunkConfig",
    "pjsua2_build",
]
