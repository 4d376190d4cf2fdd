"""Settings of the SIP engine and its agents, with every default bound named in one place.

All settings are frozen dataclasses. Durations are seconds. :data:`DEFAULT_TIMEOUTS` is the one
place where the engine's default waits are defined; every operation also takes its own
``timeout`` argument that overrides the default for that call.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Timeouts:
    """Default bounds of the engine's waits (seconds). Nothing waits without one."""

    start: float = 10.0
    """Creating the pjsua2 Endpoint on the owner thread."""
    command: float = 5.0
    """Any single command executed on the owner thread (create transport, answer, ...)."""
    register: float = 10.0
    """REGISTER until a final answer."""
    unregister: float = 5.0
    """REGISTER with Expires: 0 until a final answer."""
    answer: float = 30.0
    """An outgoing call, from INVITE until it is answered (CONFIRMED)."""
    incoming: float = 30.0
    """Waiting for the next incoming call."""
    hangup: float = 5.0
    """Hanging up until the call record is sealed (BYE answered, recorder closed)."""
    disconnected: float = 60.0
    """Waiting for the far end to hang up."""
    dtmf: float = 5.0
    """Sending DTMF digits, or waiting for the next received digit."""
    record_grace: float = 2.0
    """After DISCONNECTED, at most this long for the final BYE/CANCEL answer to be captured."""
    shutdown_calls: float = 3.0
    """At engine stop: pumping events until every hung-up call is DISCONNECTED."""
    shutdown_unregister: float = 2.0
    """At engine stop: pumping events until every seat's un-REGISTER is answered."""
    stop: float = 15.0
    """The whole engine stop, including the owner thread's exit."""


DEFAULT_TIMEOUTS = Timeouts()
"""The engine's default bounds; pass another :class:`Timeouts` in :class:`EngineConfig`."""


@dataclass(frozen=True)
class EngineConfig:
    """How the engine runs.

    ``clock_rate`` is the conference bridge's rate (and the stimulus WAVs'). Our pjsua2 build
    links libsamplerate, so other rates work, but 8000 Hz is chosen for CPU: G.711 legs then
    need no resampling, and 256 legs on a 16 kHz bridge kept its clock thread at 90-96 % of a
    core against about 20 % at 8 kHz (docs/pjsua2.md). 8000 also suits the PyPI wheel.
    ``max_calls`` is what is asked of pjsua2; what the build allows is measured and exposed as
    :attr:`Engine.capacity`. ``codecs`` are enabled in that priority order, every other codec is
    disabled (the demo PBX speaks G.711).
    """

    clock_rate: int = 8000
    log_dir: Path | None = None
    evidence_dir: Path = field(default_factory=lambda: Path("evidence"))
    max_calls: int = 512
    run_id: str = "-"
    codecs: tuple[str, ...] = ("PCMU/8000", "PCMA/8000")
    pjsip_log_level: int = 4
    """Level of pjsip's own log file (``log_dir/pjsip.log``). SIP messages are captured at 4."""
    poll_ms: int = 10
    """How long one ``libHandleEvents`` waits on the owner thread."""
    stimulus_seconds: float = 30.0
    """Length of each synthesized stimulus WAV (played in a loop)."""
    stimulus_level_dbfs: float = -12.0
    rtp_port: int = 0
    """First RTP port for calls (0: pjsua2 chooses)."""
    timeouts: Timeouts = DEFAULT_TIMEOUTS


class AnswerMode(enum.Enum):
    """What an agent does with an incoming call by itself."""

    EXPLICIT = "explicit"
    """Send 180 Ringing and hand the call to ``next_incoming()``; the test answers it."""
    AUTO = "auto"
    """Send 180 Ringing, then answer 200 after ``delay`` seconds."""
    REJECT = "reject"
    """Refuse at once with ``code`` (e.g. 486, 603)."""
    RING_ONLY = "ring_only"
    """Send 180 Ringing and never answer (the caller gives up or is timed out)."""


@dataclass(frozen=True)
class AnswerPolicy:
    """An agent's answer policy for incoming calls."""

    mode: AnswerMode = AnswerMode.EXPLICIT
    delay: float = 0.0
    code: int = 486
    silent: bool = False
    """Auto-answered legs play nothing (to provoke one-way audio)."""
    busy_when_on_call: bool = False
    """Like an agent's phone with one line: while this agent is on a call (or answering one), a
    new incoming call is refused at once with 486 Busy Here (AUTO mode)."""


@dataclass(frozen=True)
class CallerId:
    """The caller identity a UAC presents; ``None`` fields are not sent / left to pjsua2.

    ``from_user``/``from_display``/``from_host`` build the From header (default host: the
    registrar or the agent's own address). ``pai`` and ``privacy`` are sent verbatim as
    ``P-Asserted-Identity`` and ``Privacy`` header values, so they may be malformed on purpose.
    ``from_uri`` replaces the whole From URI (pjsip must still be able to parse it).
    """

    from_user: str | None = None
    from_display: str | None = None
    from_host: str | None = None
    from_uri: str | None = None
    pai: str | None = None
    privacy: str | None = None


@dataclass(frozen=True)
class SeatConfig:
    """An agent seat (坐席) that registers to the PBX with digest authentication."""

    user: str
    password: str
    registrar: str = "127.0.0.1:5060"
    """``host:port`` of the registrar; numbers dialled become ``sip:NUMBER@registrar``."""
    local_host: str = "127.0.0.1"
    local_port: int = 0
    """Local UDP port of this seat's own transport (0: ephemeral)."""
    auth_user: str | None = None
    """Digest username, when it differs from ``user`` (e.g. a MAC-address or vendor account)."""
    display: str | None = None
    domain: str | None = None
    """SIP domain of the seat's address of record (default: the registrar's host)."""
    proxy: str | None = None
    """Outbound proxy ``host:port`` every request goes through, if the platform needs one."""
    register: bool = True
    """Register when added (and unregister when the engine stops)."""
    expires: int = 300
    answer: AnswerPolicy = AnswerPolicy()
    name: str | None = None
    """Name in logs and errors (default ``seat USER``)."""


@dataclass(frozen=True)
class TrunkConfig:
    """The trunk simulator (临时中继线): one UDP address, a local non-registering account.

    It accepts any calls the PBX sends to ``host:port`` (by ``answer`` policy) and originates
    calls to ``pbx`` with any presented identity. It holds as many simultaneous calls as the
    pjsua2 build allows, all on this one address.
    """

    host: str = "127.0.0.1"
    port: int = 5070
    pbx: str = "127.0.0.1:5060"
    user: str = "trunk"
    answer: AnswerPolicy = AnswerPolicy(mode=AnswerMode.AUTO)
    name: str = "trunk"


@dataclass(frozen=True)
class PublicLineConfig:
    """A line registered with an external SIP service (live mode), used to call the platform's
    public number and to receive its outbound calls."""

    user: str
    password: str
    domain: str
    """SIP domain (``host[:port]``) of the service; dialled numbers become ``sip:N@domain``."""
    registrar: str | None = None
    """``host:port`` of the registrar, if it differs from ``domain``."""
    proxy: str | None = None
    """Outbound proxy ``host:port``, if the service needs one."""
    auth_user: str | None = None
    realm: str = "*"
    local_host: str = "0.0.0.0"  # noqa: S104 - a public line must be reachable from outside
    local_port: int = 0
    expires: int = 600
    answer: AnswerPolicy = AnswerPolicy()
    name: str = "public line"
