"""The complaint ticket's linked recording, fetched and listened to (R9, R10).

A ticket "linked to a recording" proves nothing unless the link leads to the complaint call's
own recording. The link is followed the way an inspector would:

* a name (the demo complaint service, a database column): the recording store's recording of
  that name, searched around the call's time;
* an address on the platform's web console (``console`` in the target): opened in the console's
  player, and the audio it loads fetched with the console's session;
* any other URL (a path is taken on the complaint system's own server): fetched, with the
  complaint section's credentials when it has them; a web page that is not audio cannot be
  listened to (said in the fact, not judged).

The audio is analysed for the complaint caller's fingerprint (the carrier-side leg's): heard or
not is the fact ``TicketFact.recording_holds_caller``; how it was checked is ``recording_note``.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass, replace
from urllib.parse import urljoin

import soundfile

from ccinspect.core.checks.legs import party_legs
from ccinspect.core.facts import CallFact, TicketFact, is_trunk_side
from ccinspect.core.scenario import Target
from ccinspect.core.scenario.access import HttpAccess
from ccinspect.media.analysis import analyse_recording
from ccinspect.media.fingerprint import fingerprint_for
from ccinspect.platform.accessprobe import is_audio
from ccinspect.platform.errors import AdapterError
from ccinspect.platform.httpaccess import HttpClient
from ccinspect.platform.recordings import RecordingStore, TimeWindow, split_name
from ccinspect.platform.web import pages
from ccinspect.platform.web.session import ConsoleSession

__all__ = ["verify_ticket_recording"]

#: The store is searched this far either side of the complaint call for the linked name.
SEARCH_MARGIN_S = 600.0


def _caller_fingerprint(call: CallFact) -> int | None:
    """The fingerprint the complaint caller (the carrier side) played: what its message is."""
    for leg in party_legs(call):
        if is_trunk_side(leg.agent):
            return leg.audio.own_fingerprint if leg.audio is not None else leg.stimulus
    return None


async def _by_name(link: str, store: RecordingStore, call: CallFact) -> bytes | None:
    stem = split_name(link.rsplit("/", 1)[-1])[0]
    window = TimeWindow(
        call.started_at - SEARCH_MARGIN_S, (call.ended_at or call.started_at) + SEARCH_MARGIN_S
    )
    for rec in await store.list(window):
        if rec.name in (link, stem) or rec.name.rsplit("/", 1)[-1] == stem:
            return await store.fetch(rec)
    return None


async def _by_console(link: str, console: ConsoleSession) -> bytes:
    async with console.flow() as page:
        player = await pages.play(
            console, page, link, console.spec.player, step="ticket-recording", topic="complaints"
        )
    if player.audio_url is None:
        raise AdapterError(
            f"the console's page {player.page} has no audio to play",
            f"控制台页面 {player.page} 没有可播放的音频",
        )
    status, body = await console.fetch(player.audio_url)
    if status >= 400:
        raise AdapterError(
            f"{player.audio_url} answered HTTP {status}", f"{player.audio_url} 返回 HTTP {status}"
        )
    return body


def _heard(data: bytes, fingerprint: int) -> tuple[bool, float]:
    audio, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    result = analyse_recording(audio, int(rate), [fingerprint_for(fingerprint)])
    return result.detections[fingerprint].found, result.duration_s


@dataclass(frozen=True)
class _Followed:
    """Where a link led: the audio (None when there is none to listen to), how it was reached
    (or why there is no audio), and the verdict already known without audio (a dead link)."""

    data: bytes | None
    how: str
    holds: bool | None = None


async def _named(link: str, call: CallFact, store: RecordingStore | None) -> _Followed:
    if store is None:
        return _Followed(None, "the target names no recording store to look the link up in")
    data = await _by_name(link, store, call)
    if data is None:
        return _Followed(None, f"the platform's recording store has no recording named {link}", False)
    return _Followed(data, link)


async def _follow(
    link: str, call: CallFact, target: Target, store: RecordingStore | None, console: ConsoleSession | None
) -> _Followed:
    spec = target.complaints
    if link.startswith("/") and isinstance(spec, HttpAccess):
        link = urljoin(str(spec.url), link)  # a path on the complaint system's own server
    if not link.startswith(("http://", "https://")):
        return await _named(link, call, store)
    if console is not None and link.startswith(console.spec.url.rstrip("/")):
        return _Followed(await _by_console(link, console), f"{link} in the web console's player")
    client = HttpClient(spec, what="ticket recording") if isinstance(spec, HttpAccess) else None
    status, body = await (client.get(link) if client is not None else _plain_get(link))
    if status >= 400:
        return _Followed(None, f"{link} answered HTTP {status}", False)
    if not is_audio("", body[:16]):
        return _Followed(None, f"{link} is a web page, not audio: not listened to (declare a console)")
    return _Followed(body, link)


async def verify_ticket_recording(
    fact: TicketFact,
    call: CallFact | None,
    target: Target,
    *,
    store: RecordingStore | None,
    console: ConsoleSession | None,
) -> TicketFact:
    """``fact`` with ``recording_holds_caller`` and ``recording_note`` set from its linked
    recording (unchanged when there is no ticket, no link or no complaint call)."""
    link = fact.recording
    if not fact.found or not link or call is None:
        return fact
    fingerprint = _caller_fingerprint(call)
    if fingerprint is None:
        return replace(fact, recording_note="the complaint caller's audio was not analysed; not listened to")
    try:
        followed = await _follow(link, call, target, store, console)
        if followed.data is None:
            return replace(fact, recording_holds_caller=followed.holds, recording_note=followed.how)
        heard, length = await asyncio.to_thread(_heard, followed.data, fingerprint)
    except AdapterError as exc:
        return replace(fact, recording_note=f"the linked recording could not be fetched: {exc.message}")
    except (RuntimeError, ValueError, soundfile.LibsndfileError) as exc:
        return replace(
            fact, recording_holds_caller=False, recording_note=f"{link} does not decode as audio: {exc}"
        )
    said = "the caller's message is heard in it" if heard else "the caller's message is not in it"
    return replace(
        fact, recording_holds_caller=heard, recording_note=f"{followed.how}: {length:.1f} s; {said}"
    )


async def _plain_get(url: str) -> tuple[int, bytes]:
    import aiohttp

    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session,
            session.get(url) as resp,
        ):
            return resp.status, await resp.read()
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise AdapterError(f"{url} unreachable: {exc}", f"{url} 无法访问：{exc}") from exc
