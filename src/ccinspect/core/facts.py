"""Facts: the contract between the runner and the checks (plain frozen data, no behaviour).

The runner drives seats, the trunk simulator and the public line, fetches recordings and tickets,
and records everything it observed here. Checks (:mod:`ccinspect.core.checks`) read only these
classes. Rules the runner follows, and checks rely on:

* Every value is immutable: frozen dataclasses, tuples, enums, str/int/float/bool/None.
* Times are wall-clock epoch seconds (``time.time()``), so they compare with the platform's own
  timestamps (tickets, CDRs). Durations are seconds.
* Agents are named ``"seat <id>"`` (the seat id from the target file, e.g. ``"seat 8003"``),
  ``"trunk"`` (the trunk simulator, the carrier side of the temporary trunk) or ``"public"``
  (a public line that calls the platform and is called by it). Use :func:`seat_agent`,
  :func:`seat_id_of` and :func:`is_trunk_side` rather than string tests.
* A fact the runner could not obtain is still recorded, with its ``error`` (or the call's
  ``harness_error``) saying why. A missing fact makes a check ERROR, never PASS; a fact that shows
  the platform misbehaved makes it FAIL. The runner never judges: it records.
* Raw SIP text is kept verbatim; checks parse it with :func:`ccinspect.core.sipheaders.parse_sip_message`.
* Secrets never appear in facts.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ccinspect.core.readings import ManualAnswerFact, PlayerFact, ScreenshotFact, WebReadingFact

__all__ = [
    "PUBLIC",
    "TRUNK",
    "AccessControlFact",
    "AudioFact",
    "CallFact",
    "CallPurpose",
    "CdrFact",
    "ChannelFact",
    "ComplaintBacklogFact",
    "LegFact",
    "LegRole",
    "ManualAnswerFact",
    "MessageDirection",
    "PlayerFact",
    "RecordingFact",
    "RecordingSource",
    "RegistrationFact",
    "RetentionFact",
    "RunFacts",
    "ScreenshotFact",
    "SipMessageFact",
    "TicketFact",
    "WebReadingFact",
    "is_trunk_side",
    "seat_agent",
    "seat_id_of",
]

#: Agent name of the trunk simulator (the carrier side of the temporary trunk).
TRUNK = "trunk"
#: Agent name of the public line (a real phone line on a carrier network).
PUBLIC = "public"
_SEAT_PREFIX = "seat "


def seat_agent(seat_id: str) -> str:
    """The agent name of a seat: ``seat_agent("8003") == "seat 8003"``."""
    return _SEAT_PREFIX + seat_id


def seat_id_of(agent: str) -> str | None:
    """The seat id of a seat agent (``"seat 8003"`` → ``"8003"``), None for other agents."""
    return agent[len(_SEAT_PREFIX) :] if agent.startswith(_SEAT_PREFIX) else None


def is_trunk_side(agent: str) -> bool:
    """True for the agents on the carrier side of the platform: the trunk and the public line."""
    return agent in (TRUNK, PUBLIC)


class MessageDirection(enum.Enum):
    """Which way a SIP message crossed the agent's transport."""

    SENT = "sent"
    RECEIVED = "received"


class LegRole(enum.Enum):
    """Which side of the INVITE our agent was on: it sent it (caller) or received it (callee)."""

    CALLER = "caller"
    CALLEE = "callee"


class CallPurpose(enum.Enum):
    """Why the runner placed a call; decides which checks look at it.

    * ``INBOUND``: trunk (or public line) → access number / fixed line → a seat (R2, R20).
    * ``OUTBOUND``: seat → a destination on the trunk side (R1, R20).
    * ``FORGED_CALLER_ID``: seat → trunk side, the seat presenting a forged number (R1, R3).
    * ``SCREENING``: trunk → access number with a test calling number (R3).
    * ``DNC``: seat → a number on the do-not-call list (R14).
    * ``COMPLAINT``: trunk (or public line) → complaint number, a message left (R9, R10).
    * ``INTERNAL``: seat → seat (not judged by the current catalogue, but recorded).
    """

    INBOUND = "inbound"
    OUTBOUND = "outbound"
    FORGED_CALLER_ID = "forged-caller-id"
    SCREENING = "screening"
    DNC = "dnc"
    COMPLAINT = "complaint"
    INTERNAL = "internal"


class RecordingSource(enum.Enum):
    """How a recording was looked up and fetched (the target's ``recordings.kind``)."""

    ARI = "ari"
    HTTP = "http"
    DIRECTORY = "directory"
    #: Played back in the platform's own web console (log in, search, open the player).
    WEB = "web"


@dataclass(frozen=True, slots=True)
class SipMessageFact:
    """One SIP message as one of our agents sent or received it.

    ``at``: wall time; ``agent``: the agent whose transport it crossed; ``text``: the whole
    message, verbatim (start line, headers, body).
    """

    at: float
    direction: MessageDirection
    agent: str
    text: str


@dataclass(frozen=True, slots=True)
class AudioFact:
    """What one answered leg played and heard (from the media analysis of its own recording).

    * ``own_fingerprint``: id of the fingerprint this leg played into the call.
    * ``far_fingerprint``: id of the fingerprint it expected to hear (the far leg's own).
    * ``far_found``: True when that fingerprint was detected in what the leg received.
    * ``far_level_dbfs``: level of the received far fingerprint, None when not found.
    * ``far_delay_s``: delay from the far leg playing to this leg hearing, None when not found.
    * ``silence_share``: share (0..1) of the received audio that was silence.
    * ``duration_s``: length of the received audio analysed.
    """

    own_fingerprint: int
    far_fingerprint: int
    far_found: bool
    far_level_dbfs: float | None
    far_delay_s: float | None
    silence_share: float
    duration_s: float


@dataclass(frozen=True, slots=True)
class LegFact:
    """One of our agents' legs of a call (pjsua2 call seen from that agent).

    * ``agent``: ``"seat 8003"``, ``"trunk"`` or ``"public"``; ``role``: caller or callee.
    * ``sip_call_id``: the Call-ID of this leg's dialog ('' if none was established).
    * ``final_status`` / ``final_reason``: the final response to the INVITE: received by a caller
      leg, sent by a callee leg (200, 403 …). None when no final response came (timeout, crash).
    * ``answered``: the leg reached the confirmed state (200 OK and ACK).
    * ``connected_at`` / ``disconnected_at``: wall times of confirmation and of hang-up.
    * ``invite``: raw text of the INVITE: for a caller leg the last one it *sent* (the one with
      credentials if challenged), for a callee leg the one it *received*. None if there was none.
    * ``messages``: every SIP message of this leg's dialog (and its INVITE transactions), in order.
    * ``audio``: what the leg heard; None when not answered or not analysed (``error`` says why).
    * ``rtcp_loss`` (0..1) / ``rtcp_jitter_ms``: from RTCP, None when unknown.
    * ``error``: a harness problem on this leg (pjsua2 failure, analysis failure), else None.
    """

    agent: str
    role: LegRole
    sip_call_id: str
    final_status: int | None
    final_reason: str
    answered: bool
    connected_at: float | None
    disconnected_at: float | None
    invite: str | None
    messages: tuple[SipMessageFact, ...] = ()
    audio: AudioFact | None = None
    #: The fingerprint id this leg played into the call (also when no far leg was analysed,
    #: e.g. a caller talking to an IVR), None when it played none.
    stimulus: int | None = None
    rtcp_loss: float | None = None
    rtcp_jitter_ms: float | None = None
    error: str | None = None

    @property
    def connected_s(self) -> float | None:
        """How long this leg was connected, None unless both times are known."""
        if self.connected_at is None or self.disconnected_at is None:
            return None
        return max(self.disconnected_at - self.connected_at, 0.0)


@dataclass(frozen=True, slots=True)
class CallFact:
    """One test call, with every leg of ours the runner attributes to it.

    * ``key``: the runner's stable id: ``"inbound-8003"``, ``"outbound-8001"``,
      ``"forged-8002"``, ``"screen-absent"``, ``"dnc-8001"``, ``"complaint"`` … Unique in a run.
    * ``purpose``: see :class:`CallPurpose`.
    * ``legs``: the originating leg (role caller) and every callee leg of ours that received an
      INVITE for this call: seats offered an inbound call (answered or not), the trunk receiving
      an outbound call. A leg the platform never created is simply absent (a DNC call that
      never reached the trunk has only the seat's leg). The runner attributes an INVITE received
      by the trunk to a call by its dialled number and time window; INVITEs it cannot attribute
      go to :attr:`RunFacts.stray_trunk_invites`.
    * ``requested_number``: the number dialled (the access number for inbound and screening
      calls, the destination for outbound, forged and DNC calls, the complaint number).
    * ``caller_number_sent``: the calling number the originator put in From / P-Asserted-Identity
      (the trunk's injected caller for inbound and screening calls, the forged number for forged
      calls, the seat's own identity for outbound calls), '' for a deliberately absent number,
      None when the runner did not set one.
    * ``started_at``: when the first INVITE was sent; ``ended_at``: when the last leg ended.
    * ``harness_error``: why the runner could not carry the call out (None when it could).
    """

    key: str
    purpose: CallPurpose
    legs: tuple[LegFact, ...]
    requested_number: str
    caller_number_sent: str | None
    started_at: float
    ended_at: float | None
    harness_error: str | None = None


@dataclass(frozen=True, slots=True)
class RegistrationFact:
    """One seat's REGISTER outcome.

    ``seat`` is the seat id (``"8003"``); ``registered`` True when the registrar accepted it;
    ``status``/``reason`` the final REGISTER response (None when none came); ``error`` a harness
    problem (no transport, pjsua2 failure, timeout without any response).
    """

    seat: str
    registered: bool
    status: int | None
    reason: str
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelFact:
    """One channel of a two-channel recording, analysed on its own.

    * ``channel``: ``"left"`` or ``"right"``; ``party``: who the target's stereo layout puts
      there (``"caller"``: the carrier-side party, ``"agent"``: the seat), None without a layout.
    * ``fingerprints``: ``(fingerprint id, found, level dBFS or None)`` for every fingerprint
      looked for (the same ids as :attr:`RecordingFact.fingerprints`).
    * ``silence_share``: share (0..1) of the channel that is silence; ``rms_dbfs`` its level.
    """

    channel: str
    party: str | None
    fingerprints: tuple[tuple[int, bool, float | None], ...]
    silence_share: float
    rms_dbfs: float

    @property
    def label(self) -> str:
        """How reports name it: ``"agent channel (right)"``, or ``"right channel"``."""
        return f"{self.party} channel ({self.channel})" if self.party else f"{self.channel} channel"

    def found(self, fingerprint: int) -> bool | None:
        """Whether ``fingerprint`` is on this channel; None when it was not looked for."""
        return next((f for fid, f, _ in self.fingerprints if fid == fingerprint), None)

    @property
    def empty(self) -> bool:
        """True when no fingerprint looked for was found on this channel."""
        return not any(f for _, f, _ in self.fingerprints)


@dataclass(frozen=True, slots=True)
class RecordingFact:
    """The platform's recording of one call, looked up after the call and analysed.

    * ``call_key``: the :class:`CallFact` it belongs to.
    * ``name``: the recording's name on the platform; None when no recording was found.
    * ``source``: how it was looked up and fetched (ARI, HTTP, a directory).
    * ``fetched``: True when the audio was downloaded; ``fetch_status`` the HTTP status of the
      download (None for a directory, or when no request completed).
    * ``duration_s``: decoded length; ``expected_duration_s``: the call's connected time.
    * ``fingerprints``: ``(fingerprint id, found in the recording)`` for every fingerprint the
      analysis looked for (each answered leg's ``own_fingerprint``).
    * ``decode_error``: why the downloaded file could not be decoded (the platform's problem).
    * ``error``: a harness problem (lookup interface unreachable, timeout).
    * ``channels``: for a two-channel recording, each channel analysed on its own (empty for
      a mono one); ``fingerprints`` then says "found on any channel".
    * ``player``: for a recording played back in the web console, what its player reported.
    """

    call_key: str
    name: str | None
    source: RecordingSource
    fetched: bool
    fetch_status: int | None
    duration_s: float | None
    expected_duration_s: float | None
    fingerprints: tuple[tuple[int, bool], ...] = ()
    decode_error: str | None = None
    error: str | None = None
    channels: tuple[ChannelFact, ...] = ()
    #: The web console's player, when the recording was played back there (source WEB).
    player: PlayerFact | None = None
    #: Other calls of this run whose fingerprints were found in this recording (a platform
    #: that links a call to another call's recording).
    other_calls: tuple[str, ...] = ()
    #: Where in the recording each fingerprint was heard: ``(fingerprint id, start of every
    #: occurrence in seconds)``, each occurrence lasting ``sequence_s`` (continuity, R5/R6).
    occurrences: tuple[tuple[int, tuple[float, ...]], ...] = ()
    sequence_s: float | None = None

    def fingerprint_found(self, fingerprint: int) -> bool | None:
        """Whether ``fingerprint`` was found; None when the analysis did not look for it."""
        return next((found for fid, found in self.fingerprints if fid == fingerprint), None)


@dataclass(frozen=True, slots=True)
class RetentionFact:
    """Evidence about how long recordings are kept (R5).

    * ``oldest_recording_age_days``: age of the oldest recording the platform lists, None if none.
    * ``old_recordings_checked``: how many recordings at least the retention period old the runner
      tried to fetch; ``old_recordings_ok``: how many of those were fetched and decoded.
    * ``policy_days``: the declared purge policy in days (None when none is declared);
      ``policy_source``: where it was read ("target", "platform", …).
    * ``platform_age_days``: how long the platform has been recording (None when unknown).
    * ``error``: what could not be gathered.
    """

    oldest_recording_age_days: float | None
    old_recordings_checked: int
    old_recordings_ok: int
    policy_days: int | None
    platform_age_days: float | None
    error: str | None = None
    policy_source: str | None = None


@dataclass(frozen=True, slots=True)
class AccessControlFact:
    """An attempt to fetch an existing recording without and with wrong credentials (R8).

    ``url`` is the recording URL tried (no credentials in it); the statuses are the HTTP status
    codes received, None when that attempt was not made or got no response (``error`` says why).
    """

    url: str
    anonymous_status: int | None
    wrong_credentials_status: int | None
    error: str | None = None
    #: ``(who, where)``: a request answered by a redirect that did not lead to audio (a login
    #: page): a refusal. ``default_accounts``: ``("admin/admin", status)`` per account tried.
    redirects: tuple[tuple[str, str], ...] = ()
    default_accounts: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class TicketFact:
    """The complaint ticket the platform created for a complaint call (R9, R10).

    * ``found``: a ticket matching the call was found; ``ticket_id`` its number.
    * ``caller_number``: the calling number on the ticket; ``created_at``: its creation time.
    * ``recording``: the linked recording's name or URL, None when there is none.
    * ``reply_deadline_days``: days from creation to the reply deadline the ticket shows.
    * ``manual_confirmation``: True when an operator confirmed the ticket by hand (target
      ``complaints.kind: manual``); the other fields may then be unset.
    * ``error``: the complaint system could not be queried.
    """

    call_key: str
    found: bool
    ticket_id: str | None
    caller_number: str | None
    created_at: float | None
    recording: str | None
    reply_deadline_days: float | None
    manual_confirmation: bool = False
    error: str | None = None
    #: Where the ticket was read: ``api`` (a REST/SQL/demo interface), ``web`` (the platform's
    #: web console), ``manual`` (the operator); None in documents written before this field.
    via: str | None = None
    #: The screenshot of the work order in the console (relative path in the run), if any.
    screenshot: str | None = None
    #: Whether the linked recording holds the complaint caller's message (their fingerprint);
    #: None when it was not listened to; ``recording_note`` says how it was checked, or why not.
    recording_holds_caller: bool | None = None
    recording_note: str | None = None


@dataclass(frozen=True, slots=True)
class ComplaintBacklogFact:
    """The complaint system's open tickets (R10): none may stay unanswered past the deadline.

    ``overdue_open`` counts unresolved tickets past their reply deadline; ``oldest_open_age_days``
    is the age of the oldest unresolved ticket (None when there is none); ``error`` what failed.
    """

    overdue_open: int | None
    oldest_open_age_days: float | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class CdrFact:
    """The platform's call detail record of a test call, where the platform exposes CDRs.

    Values are as the platform wrote them (None when the field is absent): ``src``/``dst`` the
    numbers, ``disposition`` (``ANSWERED``…), ``screening`` the platform's screening value (the
    target's ``screening.observe`` maps it to a reason token), ``recording`` the linked
    recording name. The runner pairs rows with calls by time and number
    (:mod:`ccinspect.core.cdrmatch`).
    """

    call_key: str
    src: str | None
    dst: str | None
    disposition: str | None
    screening: str | None
    recording: str | None
    #: When the record says the call started (epoch seconds), the platform's own call id and
    #: the agent it names, where the platform's CDR has them.
    started_at: float | None = None
    record_id: str | None = None
    agent: str | None = None
    #: Why there is no record: the CDR could not be read, or no row matched the call (every
    #: value above is then None).
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RunFacts:
    """Everything one run gathered; the only input of the checks besides the policy.

    ``stray_trunk_invites`` are INVITEs the trunk side received that the runner could not
    attribute to any test call; the forged caller-ID and do-not-call checks search them too.
    ``retention``/``complaint_backlog`` are None when not gathered.
    """

    registrations: tuple[RegistrationFact, ...] = ()
    calls: tuple[CallFact, ...] = ()
    recordings: tuple[RecordingFact, ...] = ()
    retention: RetentionFact | None = None
    access: tuple[AccessControlFact, ...] = ()
    tickets: tuple[TicketFact, ...] = ()
    cdrs: tuple[CdrFact, ...] = ()
    answers: tuple[ManualAnswerFact, ...] = ()
    stray_trunk_invites: tuple[SipMessageFact, ...] = ()
    complaint_backlog: ComplaintBacklogFact | None = None
    screenshots: tuple[ScreenshotFact, ...] = ()
    web_readings: tuple[WebReadingFact, ...] = ()

    def calls_for(self, *purposes: CallPurpose) -> tuple[CallFact, ...]:
        """The calls with any of ``purposes``, in run order."""
        return tuple(c for c in self.calls if c.purpose in purposes)

    def registration(self, seat: str) -> RegistrationFact | None:
        """The last registration fact of seat id ``seat``."""
        found = [r for r in self.registrations if r.seat == seat]
        return found[-1] if found else None

    def recording_for(self, call_key: str) -> RecordingFact | None:
        """The recording fact of a call, or None when the runner recorded none."""
        return next((r for r in self.recordings if r.call_key == call_key), None)

    def ticket_for(self, call_key: str) -> TicketFact | None:
        """The ticket fact of a complaint call, or None."""
        return next((t for t in self.tickets if t.call_key == call_key), None)

    def cdr_for(self, call_key: str) -> CdrFact | None:
        """The CDR of a call, or None when the platform exposes none for it."""
        return next((c for c in self.cdrs if c.call_key == call_key), None)

    def web_reading_for(self, topic: str, call_key: str) -> WebReadingFact | None:
        """What the web console showed about ``call_key`` on ``topic``, or None."""
        return next((w for w in self.web_readings if w.topic == topic and w.call_key == call_key), None)

    def answer_for(self, topic: str, call_key: str) -> ManualAnswerFact | None:
        """The operator's answer about ``call_key`` on ``topic``, or None when none was asked."""
        return next((a for a in self.answers if a.topic == topic and a.call_key == call_key), None)
