"""The audio of a call's recording, as every route that serves it sends it (``/media/<call>.wav``
and the API's ``/api/v1/recordings/<call>/file``), with the fault switch ``media_fault`` applied
in one place so both routes show the same fault.

- ``none``: the call's own file.
- ``wrong-call``: the file of the most recent other call (by call date) whose recording exists;
  when there is none, :data:`SILENCE_SECONDS` of silence (8 kHz stereo, 16-bit PCM).
- ``truncated``: a valid WAV with the first half of the file's frames (same channels, sample
  width and rate).

A call without a recording file stays without one (the routes answer 404) whatever the switch.
"""

from __future__ import annotations

import asyncio
import io
import logging
import wave
from pathlib import Path

from aiohttp import web

from .common import CONFIG_KEY, STORE_KEY, call_db
from .config import MediaFault
from .recordings import existing_recording, recording_path
from .records import CallQuery, CallRecord

log = logging.getLogger(__name__)

AUDIO_TYPE = "audio/wav"
SILENCE_SECONDS = 0.5
SILENCE_RATE = 8000
OTHER_CALL_SCAN = 1000
"""At most this many of the newest recorded calls are looked at for another call's file."""


def silent_wav(seconds: float = SILENCE_SECONDS, rate: int = SILENCE_RATE, channels: int = 2) -> bytes:
    """A WAV of ``seconds`` of digital silence (16-bit PCM)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(int(rate * seconds) * channels * 2))
    return buffer.getvalue()


def first_half(path: Path) -> bytes:
    """A WAV holding the first half (rounded down) of the frames of the PCM WAV at ``path``.

    Raises :class:`wave.Error` or :class:`EOFError` when the file is not a PCM WAV ``wave`` reads.
    """
    with wave.open(str(path), "rb") as source:
        params = source.getparams()
        frames = source.readframes(params.nframes // 2)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(params.nchannels)
        out.setsampwidth(params.sampwidth)
        out.setframerate(params.framerate)
        out.writeframes(frames)
    return buffer.getvalue()


async def _other_recording(request: web.Request, call: CallRecord, own: Path) -> Path | None:
    """The file of the most recent call other than ``call`` whose recording exists and is not
    ``own`` (``call``'s file)."""
    query = CallQuery(recorded=True, limit=OTHER_CALL_SCAN)
    calls = await call_db(request, request.app[STORE_KEY].search_calls, query)
    root = request.app[CONFIG_KEY].recording_root
    for other in calls:
        path = recording_path(root, other.record_file) if other.call_id != call.call_id else None
        if path is not None and path != own:
            return path
    return None


async def serve_recording(
    request: web.Request, call: CallRecord | None, *, attachment_name: bool = False
) -> web.StreamResponse | None:
    """The response carrying ``call``'s recording (``media_fault`` applied), or None when the
    call has no recording file. ``attachment_name`` adds ``Content-Disposition: inline`` with the
    name of the call's own file (also under a fault, so the name never gives the fault away)."""
    path = existing_recording(request.app[CONFIG_KEY].recording_root, call)
    if call is None or path is None:
        return None
    headers = {"Content-Type": AUDIO_TYPE}
    if attachment_name:
        headers["Content-Disposition"] = f'inline; filename="{path.name}"'
    fault = request.app[CONFIG_KEY].media_fault
    if fault == MediaFault.WRONG_CALL:
        other = await _other_recording(request, call, path)
        if other is not None:
            return web.FileResponse(other, headers=headers)
        return web.Response(body=silent_wav(), headers=headers)
    if fault == MediaFault.TRUNCATED:
        try:
            body = await asyncio.to_thread(first_half, path)
        except FileNotFoundError:
            return None
        except (wave.Error, EOFError, OSError) as exc:
            log.error("media_fault truncated: cannot read %s: %s", path, exc)
            raise web.HTTPInternalServerError(text="recording unreadable (录音文件无法读取)") from exc
        return web.Response(body=body, headers=headers)
    return web.FileResponse(path, headers=headers)
