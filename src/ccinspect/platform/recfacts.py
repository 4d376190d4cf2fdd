"""Recordings as facts after the calls: matched to calls, retention, access control.

Recordings are matched to calls by what is in them (the legs' fingerprints), not by file name,
so any platform's naming works. Everything unobtainable becomes an ``error`` in the facts.
Works on any :class:`~ccinspect.platform.recordings.RecordingStore` (see :mod:`.stores`).
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import soundfile

from ccinspect.core.checks.legs import party_legs
from ccinspect.core.facts import (
    AccessControlFact,
    CallFact,
    CallPurpose,
    ChannelFact,
    PlayerFact,
    RecordingFact,
    RetentionFact,
)
from ccinspect.media.analysis import RecordingAudio, analyse_recording
from ccinspect.media.fingerprint import SEQUENCE_S, fingerprint_for
from ccinspect.platform.errors import AdapterError
from ccinspect.platform.recordings import (
    RecordingStore,
    StoredRecording,
    TimeWindow,
    age_days,
    base_store,
    file_name,
)
from ccinspect.platform.stores import source_of
from ccinspect.platform.web.recordings import WebRecordings
from ccinspect.platform.web.session import WebStepError

#: A search store's retention listing reaches this many days beyond the retention period.
RETENTION_LOOKBACK_DAYS = 30


#: The run's window reaches this far either side of the run (clock skew between hosts).
WINDOW_MARGIN_S = 60.0


def run_window(since: float | None) -> TimeWindow | None:
    """The run's time window for search stores: ``since`` − 60 s to now + 60 s (None: none)."""
    if since is None:
        return None
    return TimeWindow(since - WINDOW_MARGIN_S, time.time() + WINDOW_MARGIN_S)


async def snapshot(store: RecordingStore, *, since: float | None = None) -> set[str]:
    """Names in the store now, within the run's window from ``since`` for search stores
    (raises AdapterError when it cannot be listed)."""
    return {r.name for r in await store.list(run_window(since))}


@dataclass(frozen=True)
class Decoded:
    rec: StoredRecording
    duration_s: float | None
    found: dict[int, bool]
    error: str | None
    data: bytes | None
    channels: tuple[RecordingAudio, ...] = ()
    #: fingerprint id → where in the recording it was heard (occurrence starts, seconds)
    offsets: dict[int, tuple[float, ...]] = field(default_factory=dict)
    #: The fetch failed on ccinspect's side (a web console recipe step that could not be done),
    #: not because the platform lacks or refuses the recording.
    harness: bool = False


def _decode(data: bytes, stimuli: Sequence[int]) -> RecordingAudio:
    audio, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    return analyse_recording(audio, int(rate), [fingerprint_for(s) for s in stimuli])


async def _fetch_decode(store: RecordingStore, rec: StoredRecording, stimuli: Sequence[int]) -> Decoded:
    try:
        data = await store.fetch(rec)
    except AdapterError as exc:
        return Decoded(rec, None, {}, exc.message, None, harness=isinstance(exc, WebStepError))
    try:
        result = await asyncio.to_thread(_decode, data, stimuli)
    except (RuntimeError, ValueError, soundfile.LibsndfileError) as exc:
        return Decoded(rec, None, {}, f"cannot decode {rec.name}.{rec.format}: {exc}", data)
    found = {fid: det.found for fid, det in result.detections.items()}
    offsets = {fid: det.offsets_s for fid, det in result.detections.items()}
    return Decoded(rec, result.duration_s, found, None, data, result.channels, offsets=offsets)


def _channel_facts(
    channels: Sequence[RecordingAudio], stimuli: Sequence[int], stereo: tuple[str, str] | None
) -> tuple[ChannelFact, ...]:
    """Per-channel facts of a two-channel recording (labelled by the target's layout)."""
    out = []
    for side, ch, party in zip(("left", "right"), channels, stereo or (None, None), strict=False):
        prints = tuple((s, d.found, d.level_dbfs) for s in stimuli if (d := ch.detections.get(s)) is not None)
        out.append(ChannelFact(side, party, prints, ch.silence_share, ch.rms_dbfs))
    return tuple(out)


def _save(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _pairing(store: RecordingStore) -> WebRecordings | None:
    """The store that says which recording belongs to which call by its own records (the web
    console's rows), rather than leaving it to the recordings' content; None for the others."""
    inner = base_store(store)
    return inner if isinstance(inner, WebRecordings) else None


def _others(found: Decoded, call: CallFact, calls: Sequence[CallFact]) -> tuple[str, ...]:
    """The other calls whose every fingerprint is in ``found`` (another call's recording)."""
    return tuple(
        c.key
        for c in calls
        if c.key != call.key and (prints := _stimuli(c)) and all(found.found.get(s, False) for s in prints)
    )


def _player(store: RecordingStore, rec: StoredRecording) -> PlayerFact | None:
    """What the web console's player reported for ``rec`` (None for other stores)."""
    inner = base_store(store)
    return inner.player_of(rec) if isinstance(inner, WebRecordings) else None


def _stimuli(call: CallFact) -> list[int]:
    return [leg.audio.own_fingerprint for leg in party_legs(call) if leg.audio is not None]


def _expected(call: CallFact) -> float | None:
    caller = next((leg for leg in party_legs(call) if leg.connected_at), None)
    if caller is None or caller.connected_at is None or caller.disconnected_at is None:
        return None
    return caller.disconnected_at - caller.connected_at


def unreadable(store: RecordingStore, calls: Sequence[CallFact], error: str) -> list[RecordingFact]:
    """Every call's recording fact when the store could not be read at all (``error``)."""
    source = source_of(store)
    return [RecordingFact(c.key, None, source, False, None, None, None, error=error) for c in calls]


async def gather_recordings(
    store: RecordingStore,
    before: set[str],
    calls: Sequence[CallFact],
    *,
    exclude: set[CallPurpose],
    bound_s: float,
    save_dir: Path,
    since: float | None = None,
    stereo: tuple[str, str] | None = None,
) -> list[RecordingFact]:
    """Find, fetch and decode the recording of every answered call (waiting up to ``bound_s``).

    Search stores are asked for the run's window (``since`` − 60 s to now + 60 s, see
    :func:`run_window`). A two-channel recording is also analysed channel by channel, the
    channels labelled with the target's ``stereo`` layout (left party, right party) if any.
    """
    wanted = [c for c in calls if c.purpose not in exclude and len(_stimuli(c)) >= 2]
    all_stimuli = sorted({s for c in wanted for s in _stimuli(c)})
    source = source_of(store)
    deadline = time.monotonic() + bound_s
    decoded: dict[str, Decoded] = {}
    assigned: dict[str, Decoded] = {}
    error: str | None = None
    pairing = _pairing(store)
    while True:
        try:
            listing = [r for r in await store.list(run_window(since)) if r.name not in before]
        except AdapterError as exc:
            error = exc.message
            listing = []
        paired = pairing.pair(wanted, listing) if pairing is not None else {}
        fresh = [r for r in (paired.values() if pairing is not None else listing) if r.name not in decoded]
        for d in await asyncio.gather(*(_fetch_decode(store, r, all_stimuli) for r in fresh)):
            decoded[d.rec.name] = d
            if d.data is not None:
                await asyncio.to_thread(_save, save_dir / file_name(d.rec), d.data)
        for key, rec in paired.items():
            if rec.name in decoded and decoded[rec.name].data is not None:
                assigned[key] = decoded[rec.name]
        for call in wanted:
            if call.key in assigned or pairing is not None:
                continue
            mine = _stimuli(call)
            best = max(
                (d for d in decoded.values() if d.rec.name not in {a.rec.name for a in assigned.values()}),
                key=lambda d: sum(d.found.get(s, False) for s in mine),
                default=None,
            )
            if best is not None and any(best.found.get(s, False) for s in mine):
                assigned[call.key] = best
        if len(assigned) == len(wanted) or time.monotonic() >= deadline:
            break
        await asyncio.sleep(1.0)
    # A recording that could not be fetched for ccinspect's own reasons may be the one a call
    # lacks: such calls cannot be judged (ERROR), rather than be said to have no recording.
    harness = next((d.error for d in decoded.values() if d.harness and d.error), None)
    facts: list[RecordingFact] = []
    for call in wanted:
        found = assigned.get(call.key)
        if found is None:
            facts.append(
                RecordingFact(
                    call_key=call.key,
                    name=None,
                    source=source,
                    fetched=False,
                    fetch_status=None,
                    duration_s=None,
                    expected_duration_s=_expected(call),
                    # Only a store that could not be read is the harness's problem; a store that
                    # answered without this call's recording is a finding for the check to judge.
                    error=error or harness,
                )
            )
            continue
        facts.append(
            RecordingFact(
                call_key=call.key,
                name=file_name(found.rec),
                source=source,
                fetched=found.data is not None,
                fetch_status=200 if found.data is not None else None,
                duration_s=found.duration_s,
                expected_duration_s=_expected(call),
                fingerprints=tuple((s, found.found.get(s, False)) for s in _stimuli(call)),
                decode_error=found.error if found.data is not None else None,
                error=None if found.data is not None else found.error,
                channels=_channel_facts(found.channels, _stimuli(call), stereo),
                player=_player(store, found.rec),
                other_calls=_others(found, call, wanted),
                occurrences=tuple((s, found.offsets.get(s, ())) for s in _stimuli(call)),
                sequence_s=SEQUENCE_S if found.data is not None else None,
            )
        )
    return facts


async def retention_fact(
    store: RecordingStore,
    *,
    days: int,
    policy_days: int | None,
    sample: int = 3,
    now: float | None = None,
) -> RetentionFact:
    """How old the store's recordings are, whether old ones still play, and the purge policy.

    The policy is read from the platform when the target names where it is published (an ARI
    global variable, an HTTP ``retention`` source), otherwise it is what the target declares.
    A search store is asked for the recordings made between ``days`` + 30 and ``days`` days ago
    (its whole history could be too long to list), so the oldest age it reports is the oldest
    of those; a store that lists everything reports its oldest recording.
    """
    source = "target" if policy_days is not None else None
    try:
        published = await store.retention_policy()
    except AdapterError as exc:
        return RetentionFact(
            None,
            0,
            0,
            None,
            None,
            error=f"the platform's purge policy could not be read: {exc.message}",
            policy_source="platform",
        )
    if published is not None:
        policy_days, source = published, "platform"
    current = time.time() if now is None else now
    window = None
    if store.windowed:
        edge = current - days * 86400.0
        window = TimeWindow(edge - RETENTION_LOOKBACK_DAYS * 86400.0, edge + WINDOW_MARGIN_S)
    try:
        listing = list(await store.list(window))
    except AdapterError as exc:
        return RetentionFact(None, 0, 0, policy_days, None, error=exc.message, policy_source=source)
    ages = [(a, r) for r in listing if (a := age_days(r, now=current)) is not None]
    oldest = max((a for a, _ in ages), default=None)
    old = sorted((x for x in ages if x[0] >= days), key=lambda x: x[0], reverse=True)[:sample]
    ok = 0
    for _, rec in old:
        d = await _fetch_decode(store, rec, [])
        ok += d.data is not None and d.error is None
    return RetentionFact(
        oldest_recording_age_days=oldest,
        old_recordings_checked=len(old),
        old_recordings_ok=ok,
        policy_days=policy_days,
        platform_age_days=oldest,
        policy_source=source,
    )


async def access_fact(store: RecordingStore, accounts: Sequence[tuple[str, str]] = ()) -> AccessControlFact:
    """How the store's interface answers strangers: anonymous, a wrong password, ``accounts``."""
    probe = await store.probe_access(accounts)
    return AccessControlFact(
        probe.url,
        probe.anonymous_status,
        probe.wrong_credentials_status,
        probe.error,
        redirects=probe.redirects,
        default_accounts=probe.default_accounts,
    )
