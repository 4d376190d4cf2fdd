"""Stimulus WAVs: each call leg plays its own audio fingerprint, so recordings prove the path.

The WAV for a fingerprint id is synthesized once (by :mod:`ccinspect.media.fingerprint`) at
the conference clock rate, written as 16-bit PCM, and reused; the synthesis runs in a worker
thread so the event loop never blocks on numpy.
"""

from __future__ import annotations

import asyncio
from pathlib import Path


def write_stimulus(path: Path, leg_id: int, *, sample_rate: int, seconds: float, level_dbfs: float) -> Path:
    """Synthesize the fingerprint of ``leg_id`` and write it to ``path`` (blocking)."""
    import soundfile

    from ccinspect.media.fingerprint import fingerprint_for, synthesize

    audio = synthesize(
        fingerprint_for(leg_id), sample_rate=sample_rate, level_dbfs=level_dbfs, repeat_seconds=seconds
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".part.wav")
    soundfile.write(str(tmp), audio, sample_rate, subtype="PCM_16")
    tmp.replace(path)
    return path


class StimulusCache:
    """Stimulus WAVs under ``directory``, one per fingerprint id, created on first use."""

    def __init__(self, directory: Path, *, sample_rate: int, seconds: float, level_dbfs: float) -> None:
        self._dir = directory
        self._rate = sample_rate
        self._seconds = seconds
        self._level = level_dbfs
        self._locks: dict[int, asyncio.Lock] = {}

    async def path_for(self, leg_id: int) -> Path:
        """The WAV playing ``leg_id``'s fingerprint (synthesized in a thread if needed)."""
        path = self._dir / f"fp{leg_id:03d}-{self._rate}hz-{self._seconds:g}s.wav"
        lock = self._locks.setdefault(leg_id, asyncio.Lock())
        async with lock:
            if not path.exists():
                await asyncio.to_thread(
                    write_stimulus,
                    path,
                    leg_id,
                    sample_rate=self._rate,
                    seconds=self._seconds,
                    level_dbfs=self._level,
                )
        return path
