"""Plain frozen records of what the SIP engine saw: messages, state changes, DTMF, calls.

Nothing here refers to pjsua2. The owner thread copies what it needs out of pjsua2's callback
parameters into these dataclasses and hands them to asyncio code.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass
from pathlib import Path

from ccinspect.core.sipheaders import CallerIdentity


class Direction(enum.Enum):
    """Which way a message or a call went, seen from our agent."""

    RX = "rx"
    TX = "tx"


class CallDirection(enum.Enum):
    """Who placed the call: our agent (outgoing, UAC) or the far end (incoming, UAS)."""

    OUTGOING = "outgoing"
    INCOMING = "incoming"


class CallState(enum.Enum):
    """pjsip's INVITE session states, by name."""

    NULL = "NULL"
    CALLING = "CALLING"
    INCOMING = "INCOMING"
    EARLY = "EARLY"
    CONNECTING = "CONNECTING"
    CONFIRMED = "CONFIRMED"
    DISCONNECTED = "DISCONNECTED"


class DtmfMethod(enum.Enum):
    """How DTMF travels."""

    RFC4733 = "rfc4733"
    SIP_INFO = "sip_info"
    INBAND = "inband"
    AUTO = "auto"
    """Send only: RFC 4733 if the far end offered telephone-event, else in-band tones."""


@dataclass(frozen=True)
class Stamp:
    """When something happened: ``monotonic`` for durations, ``wall`` (epoch s) for reports."""

    monotonic: float
    wall: float

    @classmethod
    def now(cls) -> Stamp:
        """The current monotonic and wall-clock time."""
        return cls(time.monotonic(), time.time())


@dataclass(frozen=True)
class SipMessage:
    """One SIP message as it crossed our transport, copied from pjsip's message log.

    ``text`` is the whole message; ``truncated`` is true when pjsip's log buffer cut it
    (``size`` is then larger than ``len(text)``). ``peer`` is the far ``host:port``.
    """

    direction: Direction
    at: Stamp
    transport: str
    peer: str
    size: int
    text: str
    truncated: bool
    start_line: str
    call_id: str | None
    cseq: int | None
    cseq_method: str | None
    method: str | None
    """The request method, or ``None`` for a response."""
    status: int | None
    """The response status code, or ``None`` for a request."""

    @property
    def is_request(self) -> bool:
        """True for a request, false for a response."""
        return self.status is None

    @property
    def label(self) -> str:
        """Short label for ladders and assertions: ``INVITE``, ``180/INVITE``, ``ACK``..."""
        if self.method is not None:
            return self.method
        return f"{self.status}/{self.cseq_method}"


@dataclass(frozen=True)
class StateChange:
    """One INVITE-session state change of a call leg."""

    state: CallState
    status: int
    reason: str
    at: Stamp


@dataclass(frozen=True)
class DtmfDigit:
    """One DTMF digit received on a call leg."""

    digit: str
    method: DtmfMethod
    at: Stamp


@dataclass(frozen=True)
class RtpStats:
    """RTCP-derived stream statistics of a call leg, taken before its stream was destroyed.

    Jitter is in microseconds (pjmedia's mean over the call). ``rx_loss`` counts packets the
    far end sent that we did not receive.
    """

    codec: str
    clock_rate: int
    rx_packets: int
    rx_loss: int
    rx_jitter_us: int
    tx_packets: int
    tx_loss: int
    rtt_us: int
    at: Stamp


@dataclass(frozen=True)
class RegisterOutcome:
    """Final answer of one REGISTER attempt of a seat (``expires`` 0: unregistered)."""

    status: int
    reason: str
    expires: int
    challenges: int
    """How many 401/407 challenges this attempt got (2+ with a final 401: bad credentials)."""
    at: Stamp


@dataclass(frozen=True)
class CallRecord:
    """Everything the engine saw of one call leg, sealed after it was disconnected.

    ``messages`` holds every SIP message with this leg's Call-ID that crossed our transport
    (INVITE, 100, 180, 200, ACK, BYE, auth challenges, retransmissions...), in order.
    ``identity`` is the caller identity of the INVITE as received (incoming legs) or as sent
    (outgoing legs); ``invite`` is that INVITE's raw text. ``recording`` is a complete WAV of
    what this leg heard (closed before the record was sealed). ``rtp`` was taken before the
    stream was destroyed (``None`` if media never came up).
    """

    agent: str
    leg: int
    call_id: str
    direction: CallDirection
    local_uri: str
    remote_uri: str
    timeline: tuple[StateChange, ...]
    final_status: int
    final_reason: str
    messages: tuple[SipMessage, ...]
    invite: str | None
    identity: CallerIdentity | None
    recording: Path | None
    stimulus_leg_id: int | None
    rtp: RtpStats | None
    dtmf_received: tuple[DtmfDigit, ...]
    dtmf_sent: str
    hung_up_by_us: bool

    @property
    def answered(self) -> bool:
        """True if the call reached CONFIRMED."""
        return any(change.state is CallState.CONFIRMED for change in self.timeline)

    def labels(self, direction: Direction | None = None) -> list[str]:
        """Labels of the captured messages in order (optionally only one direction)."""
        return [m.label for m in self.messages if direction is None or m.direction is direction]


# Events: what the owner thread tells the asyncio side. All plain, all frozen.


@dataclass(frozen=True)
class RegStateEvent:
    """A seat's REGISTER got a final answer (or failed locally with ``status`` 0..99/408...)."""

    agent_key: int
    outcome: RegisterOutcome


@dataclass(frozen=True)
class IncomingCallEvent:
    """An INVITE arrived for an agent and a new call leg was created for it."""

    agent_key: int
    leg: int
    call_id: str
    remote_uri: str
    local_uri: str
    invite: str
    at: Stamp


@dataclass(frozen=True)
class CallStateEvent:
    """A call leg changed state."""

    leg: int
    change: StateChange


@dataclass(frozen=True)
class DtmfEvent:
    """A call leg received a DTMF digit."""

    leg: int
    digit: DtmfDigit


@dataclass(frozen=True)
class CallSealedEvent:
    """A call leg is over and its record is complete."""

    leg: int
    record: CallRecord


EngineEvent = RegStateEvent | IncomingCallEvent | CallStateEvent | DtmfEvent | CallSealedEvent


@dataclass(frozen=True)
class Pjsua2Build:
    """The installed pjsua2.

    ``ccinspect_build`` is the cache key that scripts/build-pjsua2.sh writes into its module
    (``pjsua2.__ccinspect_build__``), ``None`` for any other build such as the PyPI wheel.
    ``compiled_max_calls`` is ``PJSUA_MAX_CALLS`` (4 for the PyPI wheel, 512 for ours).
    """

    version: str
    distribution: str
    """The installed distribution: ``pjsua2`` (ours) or ``pjsua2-python`` (PyPI); '' if unknown."""
    distribution_version: str
    ccinspect_build: str | None
    compiled_max_calls: int

    @property
    def ours(self) -> bool:
        """True for the build made by scripts/build-pjsua2.sh."""
        return self.ccinspect_build is not None
