"""The view model: everything a report template shows, computed from a loaded run.

Templates only lay out what is built here. Every string in it comes from the run's data after
masking (:mod:`.rundir` masks before decoding) or from the catalogue (:mod:`.i18n`); the
templates escape all of it (Jinja2 autoescape), and no platform-supplied value is marked safe.

Per call: its purpose and direction, seats, the numbers seen in each caller-identity header of
each leg's INVITE, the ladder (:mod:`.ladder`), audio players for what each leg heard and sent
and for the platform's recording, and, for the calls shown in full, waveform pictures with the
fingerprints located (:mod:`.waveform`), and what the platform's web console showed: the
recording's player, how the ticket was read, the screenshots (:mod:`.shots`). Runs with more
than ``detail_limit`` calls show every call, but waveforms and synthesised stimuli only for
failing calls and the first ``detail_limit`` (the others name the fingerprint each leg played).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ccinspect import __version__
from ccinspect.core.checks.legs import seat_offers
from ccinspect.core.facts import CallFact, LegFact, MessageDirection, RecordingFact, seat_id_of
from ccinspect.core.rundoc import MediaRef
from ccinspect.core.sipheaders import parse_name_addr, parse_sip_message, split_header_values
from ccinspect.core.verdict import CheckResult, SubjectResult, Verdict
from ccinspect.report.assets import Assets, slug
from ccinspect.report.i18n import Catalogue
from ccinspect.report.ladder import Ladder, MessageView, build_ladder, call_messages
from ccinspect.report.rundir import RunReport
from ccinspect.report.shots import PlayerView, ReadingView, Shots, ShotView, TicketView
from ccinspect.report.waveform import Waveform, waveform

__all__ = ["DETAIL_LIMIT", "CallView", "RunView", "build_view"]

DETAIL_LIMIT = 60
IDENTITY_HEADERS = ("From", "P-Asserted-Identity", "Remote-Party-ID", "Privacy")
_NAME_ADDR_HEADERS = frozenset({"From", "P-Asserted-Identity", "Remote-Party-ID"})


@dataclass(frozen=True, slots=True)
class SubjectView:
    """One subject row of a check."""

    subject: str
    verdict: Verdict
    reason: str
    remedy: str
    evidence: tuple[str, ...]
    call_anchor: str | None


@dataclass(frozen=True, slots=True)
class CheckView:
    """One check row: id, requirements, verdict, reason, remedy and its subjects."""

    check_id: str
    requirements: str
    title: str
    verdict: Verdict
    reason: str
    remedy: str
    evidence_used: str
    subjects: tuple[SubjectView, ...]


@dataclass(frozen=True, slots=True)
class IdentityRow:
    """One caller-identity header line of an INVITE: numbers and display names parsed out."""

    header: str
    numbers: tuple[str, ...]
    displays: tuple[str, ...]
    raw: str


@dataclass(frozen=True, slots=True)
class LegView:
    """One of our legs of a call."""

    agent: str
    role: str
    final: str
    answered: bool
    connected_s: float | None
    error: str | None
    identity: tuple[IdentityRow, ...]
    has_invite: bool


@dataclass(frozen=True, slots=True)
class AudioItem:
    """One audio player: what it is, whose, its URL and (for full calls) its picture."""

    kind: str  # "heard", "sent", "recording"
    who: str
    url: str | None
    fingerprint: int | None = None
    picture: Waveform | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class CallView:
    """One test call as the report shows it."""

    key: str
    anchor: str
    purpose: str
    direction: str
    seats: tuple[str, ...]
    #: Each seat the call was offered to and what happened there (answered, rang, 486 busy…).
    offers: tuple[str, ...]
    requested: str
    caller_sent: str
    started: str
    verdict: Verdict | None
    checks: tuple[tuple[str, Verdict], ...]
    harness_error: str | None
    legs: tuple[LegView, ...]
    ladder: Ladder
    messages: tuple[MessageView, ...]
    audio: tuple[AudioItem, ...]
    recording_name: str | None
    full: bool
    #: The web console's player, when the recording was played back there.
    player: PlayerView | None = None
    #: The complaint ticket, when one was looked up for this call.
    ticket: TicketView | None = None
    #: What the web console showed about this call (e.g. its screening flag).
    readings: tuple[ReadingView, ...] = ()


@dataclass(frozen=True)
class RunView:
    """The whole report."""

    lang: str
    masked: bool
    overall: Verdict | None
    title: str
    subtitle: str
    meta: tuple[tuple[str, str], ...]
    pbx_identity: tuple[tuple[str, str, int], ...]
    error: str | None
    checks: tuple[CheckView, ...]
    calls: tuple[CallView, ...]
    registrations: tuple[tuple[str, bool, str], ...]
    facts: tuple[tuple[str, str], ...]
    detail_limit: int
    collapsed: bool
    print_mode: bool
    generated: str
    #: The web console's screenshots, in the order taken (empty: the section is left out).
    screenshots: tuple[ShotView, ...] = ()
    version: str = __version__
    stylesheet: str = ""
    stylesheet_url: str = ""


def _anchor(key: str) -> str:
    return "call-" + slug(key)


def _check_view(t: Catalogue, check: CheckResult, anchors: dict[str, str]) -> CheckView:
    def subject(s: SubjectResult) -> SubjectView:
        call = next((anchors[e] for e in s.evidence if e in anchors), None)
        if call is None and s.subject.startswith("call "):
            call = anchors.get(s.subject[5:])
        return SubjectView(s.subject, s.verdict, t.text(s.reason), t.text(s.remedy), s.evidence, call)

    return CheckView(
        check.check_id,
        ", ".join(check.requirements),
        t.text(check.title),
        check.verdict,
        t.text(check.reason),
        t.text(check.remedy),
        t.text(check.evidence_used),
        tuple(subject(s) for s in check.subjects),
    )


def _identity(invite: str) -> tuple[IdentityRow, ...]:
    parsed = parse_sip_message(invite)
    rows: list[IdentityRow] = []
    for header in IDENTITY_HEADERS:
        for raw in parsed.header_values(header):
            if header in _NAME_ADDR_HEADERS:
                values = [parse_name_addr(v) for v in split_header_values(raw)]
                numbers = tuple(v.uri.number or v.uri.raw.strip() for v in values)
                displays = tuple(v.display_name for v in values if v.display_name)
            else:
                numbers, displays = (), ()
            rows.append(IdentityRow(header, numbers, displays, raw))
    # A platform's own extension headers (a screening verdict, a queue name…): shown as written,
    # whatever the platform calls them.
    for name, raw in parsed.headers:
        if name.lower().startswith("x-"):
            rows.append(IdentityRow(name, (), (), raw))
    return tuple(rows)


def _leg_view(t: Catalogue, leg: LegFact) -> LegView:
    final = f"{leg.final_status} {leg.final_reason}".strip() if leg.final_status is not None else "—"
    return LegView(
        leg.agent,
        t.role(leg.role),
        final,
        leg.answered,
        leg.connected_s,
        leg.error,
        _identity(leg.invite) if leg.invite else (),
        leg.invite is not None,
    )


def _call_checks(checks: Iterable[CheckResult], keys: set[str]) -> dict[str, list[tuple[str, Verdict]]]:
    found: dict[str, list[tuple[str, Verdict]]] = {}
    for check in checks:
        for s in check.subjects:
            named = {e for e in s.evidence if e in keys}
            if s.subject.startswith("call ") and s.subject[5:] in keys:
                named.add(s.subject[5:])
            for key in named:
                found.setdefault(key, []).append((check.check_id, s.verdict))
    return found


def _audio_items(
    t: Catalogue,
    run: RunReport,
    call: CallFact,
    *,
    refs: tuple[MediaRef, ...],
    recording: RecordingFact | None,
    assets: Assets,
    full: bool,
) -> tuple[AudioItem, ...]:
    fps = [r.stimulus for r in refs if r.stimulus is not None]
    colours = {fid: i for i, fid in enumerate(dict.fromkeys(fps))}
    items: list[AudioItem] = []
    base = slug(call.key)
    for i, ref in enumerate(refs):
        source = run.heard_files.get(ref.heard or "")
        far = [f for f in fps if f != ref.stimulus]  # a leg should hear the others, not itself
        picture = waveform(source, far, colours) if full and source is not None else None
        url = assets.audio(source, f"{base}-{i}-heard.wav") if source is not None else None
        items.append(AudioItem("heard", ref.agent, url, None, picture, "" if url else t("audio_missing")))
        if ref.stimulus is not None:  # synthesised only for calls shown in full (it costs a file each)
            sent = assets.stimulus(ref.stimulus) if full else None
            items.append(
                AudioItem("sent", ref.agent, sent, ref.stimulus, None, "" if full else t("sent_collapsed"))
            )
    source = run.recording_files.get(call.key)
    if source is not None:
        picture = waveform(source, fps, colours) if full else None
        items.append(
            AudioItem(
                "recording",
                (recording.name or "") if recording else "",
                assets.audio(source, f"{base}-recording.wav"),
                None,
                picture,
            )
        )
    elif recording is not None and recording.name:
        items.append(AudioItem("recording", recording.name, None, None, None, t("audio_missing")))
    return tuple(items)


def _direction(call: CallFact) -> str:
    callers = [leg.agent for leg in call.legs if leg.role.value == "caller"]
    callees = [leg.agent for leg in call.legs if leg.role.value == "callee"]
    return f"{', '.join(callers) or '—'} → {', '.join(callees) or call.requested_number or '—'}"


def _pbx_identity(calls: Iterable[tuple[MessageView, ...]]) -> tuple[tuple[str, str, int], ...]:
    """Server / User-Agent values the far side sent (values our own agents send are left out)."""
    theirs: Counter[tuple[str, str]] = Counter()
    ours: set[str] = set()
    for messages in calls:
        for m in messages:
            for header, value in m.product:
                if m.direction is MessageDirection.SENT:
                    ours.add(value)
                else:
                    theirs[(header, value)] += 1
    return tuple((h, v, n) for (h, v), n in theirs.most_common() if v not in ours)


def _facts_rows(t: Catalogue, run: RunReport) -> tuple[tuple[str, str], ...]:
    facts = run.info.facts
    rows: list[tuple[str, str]] = []
    fetched = sum(1 for r in facts.recordings if r.fetched)
    rows.append((t("recordings"), f"{fetched}/{len(facts.recordings)}"))
    if facts.retention is not None:
        r = facts.retention
        rows.append(
            (
                t("retention"),
                ", ".join(
                    p
                    for p in (
                        f"policy_days={r.policy_days}" if r.policy_days is not None else "",
                        f"source={r.policy_source}" if r.policy_source else "",
                        f"oldest={r.oldest_recording_age_days:.1f}d"
                        if r.oldest_recording_age_days is not None
                        else "",
                        f"old_ok={r.old_recordings_ok}/{r.old_recordings_checked}",
                        f"error={r.error}" if r.error else "",
                    )
                    if p
                ),
            )
        )
    for a in facts.access:
        rows.append(
            (
                t("access"),
                f"{a.url}: anonymous → {a.anonymous_status}, "
                f"wrong credentials → {a.wrong_credentials_status}" + (f" ({a.error})" if a.error else ""),
            )
        )
    for tk in facts.tickets:
        rows.append(
            (
                t("ticket"),
                " · ".join(
                    p
                    for p in (
                        tk.call_key,
                        tk.ticket_id or "",
                        tk.caller_number or "",
                        tk.recording or "",
                        f"{tk.reply_deadline_days:g} d" if tk.reply_deadline_days is not None else "",
                        f"{t('via')}: {t.via(tk.via)}" if tk.via else "",
                        tk.error or "",
                    )
                    if p
                ),
            )
        )
    return tuple(rows)


def build_view(
    run: RunReport,
    t: Catalogue,
    assets: Assets,
    *,
    detail_limit: int = DETAIL_LIMIT,
    print_mode: bool = False,
) -> RunView:
    """The view of ``run`` in ``t``'s language, with audio placed through ``assets``."""
    info = run.info
    facts = info.facts
    keys = {c.key for c in facts.calls}
    anchors = {k: _anchor(k) for k in keys}
    per_call = _call_checks(info.checks, keys)
    messages = {c.key: call_messages(c, anchors[c.key]) for c in facts.calls}
    identity = _pbx_identity(messages.values())
    pbx_label = info.pbx.server or (identity[0][1] if identity else "PBX")
    shots = Shots(run, t, assets, anchors)
    calls: list[CallView] = []
    detailed = 0
    for call in facts.calls:
        verdicts = per_call.get(call.key, [])
        verdict = max((v for _, v in verdicts), key=lambda v: v.rank, default=None)
        bad = call.harness_error is not None or verdict in (Verdict.FAIL, Verdict.ERROR)
        full = bad or detailed < detail_limit
        detailed += full and not bad
        recording = facts.recording_for(call.key)
        seats = tuple(s for s in (seat_id_of(leg.agent) for leg in call.legs) if s)
        calls.append(
            CallView(
                key=call.key,
                anchor=anchors[call.key],
                purpose=t.purpose(call.purpose),
                direction=_direction(call),
                seats=seats,
                offers=tuple(f"{seat}: {t.offer(what)}" for seat, what in seat_offers(call)),
                requested=call.requested_number,
                caller_sent=call.caller_number_sent or "",
                started=t.when(call.started_at),
                verdict=verdict,
                checks=tuple(verdicts),
                harness_error=call.harness_error,
                legs=tuple(_leg_view(t, leg) for leg in call.legs),
                ladder=build_ladder(call, messages[call.key], pbx_label),
                messages=messages[call.key],
                audio=_audio_items(
                    t, run, call, refs=run.media_for(call.key), recording=recording, assets=assets, full=full
                ),
                recording_name=recording.name if recording else None,
                full=full,
                player=shots.player(recording.player if recording else None),
                ticket=shots.ticket(facts.ticket_for(call.key)),
                readings=shots.readings(facts.web_readings, call.key),
            )
        )
    meta = (
        (t("run_id"), info.run_id or ""),
        (t("status"), t.status(info.status.value)),
        (t("target"), " — ".join(p for p in (info.target.name, info.target.description) if p)),
        (t("registrar"), info.target.registrar),
        (t("scenario"), f"{t.text(info.scenario.title)} ({info.scenario.name})"),
        (t("started"), t.when(info.started_at)),
        (t("finished"), t.when(info.finished_at)),
        (
            t("duration"),
            t.seconds(info.finished_at - info.started_at)
            if info.finished_at is not None and info.started_at is not None
            else "",
        ),
        (
            t("version"),
            info.ccinspect_version
            + (f" (report {__version__})" if info.ccinspect_version != __version__ else ""),
        ),
    )
    if info.pbx.server:
        identity = (("Server", info.pbx.server, 0), *identity)
    return RunView(
        lang=t.lang,
        masked=not run.unmasked,
        overall=info.overall,
        title=t("title"),
        subtitle=" · ".join(p for p in (t.text(info.scenario.title), info.target.name) if p),
        meta=meta,
        pbx_identity=identity,
        error=info.error,
        checks=tuple(_check_view(t, c, anchors) for c in info.checks),
        calls=tuple(calls),
        registrations=tuple(
            (
                r.seat,
                r.registered,
                f"{r.status or ''} {r.reason}".strip() + (f" ({r.error})" if r.error else ""),
            )
            for r in facts.registrations
        ),
        facts=_facts_rows(t, run),
        detail_limit=detail_limit,
        collapsed=len(calls) > detail_limit,
        print_mode=print_mode,
        generated=t.when(time.time()),
        screenshots=shots.views,
        stylesheet=assets.stylesheet(),
        stylesheet_url=assets.stylesheet_url(),
    )
