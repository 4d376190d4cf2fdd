"""Reading the platform's side after the calls: recordings, retention, access control, tickets.

Recordings are matched to calls by what is in them (the legs' fingerprints), not by file name,
so any platform's naming works. Everything unobtainable becomes an ``error`` in the facts.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import soundfile

from ccinspect.core.facts import (
    AccessControlFact,
    CallFact,
    CallPurpose,
    ComplaintBacklogFact,
    RecordingFact,
    RecordingSource,
    RetentionFact,
    TicketFact,
)
from ccinspect.core.numbers import same_number
from ccinspect.core.scenario import Target
from ccinspect.core.scenario.target import (
    AriRecordings as AriSpec,
)
from ccinspect.core.scenario.target import (
    DemoApiComplaints,
    HttpComplaints,
    ManualComplaints,
)
from ccinspect.core.scenario.target import (
    DirectoryRecordings as DirSpec,
)
from ccinspect.media.analysis import analyse_recording
from ccinspect.media.fingerprint import fingerprint_for
from ccinspect.platform.errors import AdapterError
from ccinspect.platform.httputil import basic_auth_header
from ccinspect.platform.recordings import (
    AriRecordings,
    DirectoryRecordings,
    HttpRecordings,
    RecordingStore,
    StoredRecording,
    age_days,
)


def open_store(target: Target, *, timeout: float = 10.0) -> RecordingStore | None:
    """The recording store the target describes (None when it names none)."""
    spec = target.recordings
    if spec is None:
        return None
    if isinstance(spec, DirSpec):
        return DirectoryRecordings(Path(spec.path))
    password = spec.password.get_secret_value() if spec.password is not None else ""
    cls = AriRecordings if isinstance(spec, AriSpec) else HttpRecordings
    return cls(str(spec.url), spec.username or "", password, timeout=timeout)


def source_of(store: RecordingStore) -> RecordingSource:
    return {"ari": RecordingSource.ARI, "http": RecordingSource.HTTP}.get(
        store.kind, RecordingSource.DIRECTORY
    )


async def snapshot(store: RecordingStore) -> set[str]:
    """Names in the store now (raises AdapterError when it cannot be listed)."""
    return {r.name for r in await store.list()}


@dataclass(frozen=True)
class Decoded:
    rec: StoredRecording
    duration_s: float | None
    found: dict[int, bool]
    error: str | None
    data: bytes | None


def _decode(data: bytes, stimuli: Sequence[int]) -> tuple[float, dict[int, bool]]:
    audio, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=False)
    result = analyse_recording(audio, int(rate), [fingerprint_for(s) for s in stimuli])
    return result.duration_s, {fid: det.found for fid, det in result.detections.items()}


async def _fetch_decode(store: RecordingStore, rec: StoredRecording, stimuli: Sequence[int]) -> Decoded:
    try:
        data = await store.fetch(rec)
    except AdapterError as exc:
        return Decoded(rec, None, {}, exc.message, None)
    try:
        duration, found = await asyncio.to_thread(_decode, data, stimuli)
    except (RuntimeError, ValueError, soundfile.LibsndfileError) as exc:
        return Decoded(rec, None, {}, f"cannot decode {rec.name}.{rec.format}: {exc}", data)
    return Decoded(rec, duration, found, None, data)


def _save(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _stimuli(call: CallFact) -> list[int]:
    return [leg.audio.own_fingerprint for leg in call.legs if leg.audio is not None and leg.answered]


def _expected(call: CallFact) -> float | None:
    caller = next((leg for leg in call.legs if leg.answered and leg.connected_at), None)
    if caller is None or caller.connected_at is None or caller.disconnected_at is None:
        return None
    return caller.disconnected_at - caller.connected_at


async def gather_recordings(
    store: RecordingStore,
    before: set[str],
    calls: Sequence[CallFact],
    *,
    exclude: set[CallPurpose],
    bound_s: float,
    save_dir: Path,
) -> list[RecordingFact]:
    """Find, fetch and decode the recording of every answered call (waiting up to ``bound_s``)."""
    wanted = [c for c in calls if c.purpose not in exclude and len(_stimuli(c)) >= 2]
    all_stimuli = sorted({s for c in wanted for s in _stimuli(c)})
    source = source_of(store)
    deadline = time.monotonic() + bound_s
    decoded: dict[str, Decoded] = {}
    assigned: dict[str, Decoded] = {}
    error: str | None = None
    while True:
        try:
            listing = [r for r in await store.list() if r.name not in before]
        except AdapterError as exc:
            error = exc.message
            listing = []
        fresh = [r for r in listing if r.name not in decoded]
        for d in await asyncio.gather(*(_fetch_decode(store, r, all_stimuli) for r in fresh)):
            decoded[d.rec.name] = d
            if d.data is not None:
                await asyncio.to_thread(_save, save_dir / f"{d.rec.name}.{d.rec.format}", d.data)
        for call in wanted:
            if call.key in assigned:
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
                    error=error,
                )
            )
            continue
        facts.append(
            RecordingFact(
                call_key=call.key,
                name=f"{found.rec.name}.{found.rec.format}",
                source=source,
                fetched=found.data is not None,
                fetch_status=200 if found.data is not None else None,
                duration_s=found.duration_s,
                expected_duration_s=_expected(call),
                fingerprints=tuple((s, found.found.get(s, False)) for s in _stimuli(call)),
                decode_error=found.error if found.data is not None else None,
                error=None if found.data is not None else found.error,
            )
        )
    return facts


async def retention_fact(
    store: RecordingStore,
    *,
    days: int,
    policy_days: int | None,
    policy_variable: str | None = None,
    sample: int = 3,
    now: float | None = None,
) -> RetentionFact:
    """How old the store's recordings are, whether old ones still play, and the purge policy.

    The policy is read from the platform (an ARI global variable) when the target names one,
    otherwise it is what the target declares.
    """
    source = "target" if policy_days is not None else None
    if policy_variable and isinstance(store, AriRecordings):
        try:
            policy_days, source = int(await store.global_variable(policy_variable)), "platform"
        except (AdapterError, ValueError) as exc:
            return RetentionFact(
                None,
                0,
                0,
                None,
                None,
                error=(f"the platform's purge policy ({policy_variable}) could not be read: {exc}"),
                policy_source="platform",
            )
    try:
        listing = list(await store.list())
    except AdapterError as exc:
        return RetentionFact(None, 0, 0, policy_days, None, error=exc.message, policy_source=source)
    ages = [(a, r) for r in listing if (a := age_days(r, now=now)) is not None]
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


async def access_fact(store: RecordingStore) -> AccessControlFact:
    probe = await store.probe_access()
    return AccessControlFact(probe.url, probe.anonymous_status, probe.wrong_credentials_status, probe.error)


async def _get_json(url: str, params: dict[str, str], headers: dict[str, str], timeout: float) -> object:
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
        session.get(url, params=params, headers=headers) as resp,
    ):
        if resp.status != 200:
            raise AdapterError(f"{url} answered {resp.status}", f"{url} 返回 {resp.status}")
        return await resp.json()


def _complaint_api(target: Target) -> tuple[str, dict[str, str]] | None:
    spec = target.complaints
    if not isinstance(spec, DemoApiComplaints | HttpComplaints):
        return None
    headers: dict[str, str] = {}
    if isinstance(spec, HttpComplaints) and spec.password is not None:
        headers = basic_auth_header(spec.username or "", spec.password.get_secret_value())
    return str(spec.url).rstrip("/"), headers


async def existing_ticket_ids(target: Target) -> set[str] | None:
    """Ids of the tickets that exist before the complaint call (None when they cannot be listed)."""
    api = _complaint_api(target)
    if api is None:
        return None
    base, headers = api
    try:
        body = await _get_json(f"{base}/tickets", {"limit": "500"}, headers, 10)
    except (AdapterError, aiohttp.ClientError, TimeoutError, ValueError):
        return None
    tickets = body.get("tickets", []) if isinstance(body, dict) else []
    return {str(t.get("id")) for t in tickets}


async def ticket_facts(
    target: Target,
    call: CallFact | None,
    *,
    bound_s: float,
    tolerance_s: float,
    known_before: set[str] | None = None,
) -> tuple[list[TicketFact], ComplaintBacklogFact | None]:
    """The ticket the complaint call created, and the open-ticket backlog (R9, R10).

    A ticket counts only if it is new (not in ``known_before``, listed before the call), carries
    the caller's number, and was created after the call started (less ``tolerance_s`` of clock
    skew when the ticket list could not be read beforehand).
    """
    spec = target.complaints
    if spec is None or call is None:
        return [], None
    if isinstance(spec, ManualComplaints):
        return [
            TicketFact(
                call.key,
                False,
                None,
                None,
                None,
                None,
                None,
                error="the complaint system is manual: confirm the ticket by hand / "
                "投诉系统为人工处理，请人工确认工单",
            )
        ], None
    assert isinstance(spec, DemoApiComplaints | HttpComplaints)
    base = str(spec.url).rstrip("/")
    headers: dict[str, str] = {}
    if isinstance(spec, HttpComplaints) and spec.password is not None:
        headers = basic_auth_header(spec.username or "", spec.password.get_secret_value())
    caller = call.caller_number_sent or ""
    deadline = time.monotonic() + bound_s
    ticket: dict[str, object] | None = None
    error: str | None = None
    while ticket is None and time.monotonic() < deadline:
        try:
            body = await _get_json(f"{base}/tickets", {"limit": "50"}, headers, 10)
            error = None
        except (AdapterError, aiohttp.ClientError, TimeoutError, ValueError) as exc:
            error = f"complaint API at {base} unreachable: {exc}"
            await asyncio.sleep(1)
            continue
        tickets = body.get("tickets", []) if isinstance(body, dict) else []
        window_start = call.started_at - (tolerance_s if known_before is None else 5.0)
        for t in tickets:
            created = _epoch(t.get("created_at"))
            if known_before is not None and str(t.get("id")) in known_before:
                continue
            if (
                created is not None
                and created >= window_start
                and same_number(str(t.get("caller_number") or ""), caller)
            ):
                ticket = t
                break
        if ticket is None:
            await asyncio.sleep(1)
    backlog: ComplaintBacklogFact | None = None
    try:
        body = await _get_json(f"{base}/tickets", {"overdue": "true", "limit": "500"}, headers, 10)
        overdue = body.get("tickets", []) if isinstance(body, dict) else []
        ages = [(time.time() - c) / 86400 for t in overdue if (c := _epoch(t.get("created_at"))) is not None]
        backlog = ComplaintBacklogFact(len(overdue), max(ages, default=None))
    except (AdapterError, aiohttp.ClientError, TimeoutError, ValueError) as exc:
        backlog = ComplaintBacklogFact(None, None, error=str(exc))
    if ticket is None:
        return [TicketFact(call.key, False, None, None, None, None, None, error=error)], backlog
    created = _epoch(ticket.get("created_at"))
    deadline_at = _epoch(ticket.get("reply_deadline"))
    return [
        TicketFact(
            call_key=call.key,
            found=True,
            ticket_id=str(ticket.get("id")),
            caller_number=str(ticket.get("caller_number") or ""),
            created_at=created,
            recording=str(ticket.get("recording") or "") or None,
            reply_deadline_days=(deadline_at - created) / 86400 if created and deadline_at else None,
        )
    ], backlog


def _epoch(value: object) -> float | None:
    from datetime import datetime

    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None
