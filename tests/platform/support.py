"""Builders for the recording adapter tests: WAV bytes with known fingerprints, calls whose legs
played them, and a real HTTP server on a free port (no tests here)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import numpy as np
import soundfile as sf
from aiohttp import web
from aiohttp.test_utils import TestServer

from ccinspect.core.facts import TRUNK, CallFact, CallPurpose, LegRole, seat_agent
from ccinspect.media.fingerprint import fingerprint_for, synthesize
from tests.core.test_checks_support import T0, audio, call, leg

RATE = 8000
CALLER_FP, AGENT_FP = 40, 41


def _stim(fp_id: int, seconds: float) -> np.ndarray:
    return synthesize(fingerprint_for(fp_id), RATE, level_dbfs=-16.0, repeat_seconds=seconds)[
        : int(seconds * RATE)
    ]


def wav(
    *, left: int | None = CALLER_FP, right: int | None = AGENT_FP, seconds: float = 6.0, mono: bool = False
) -> bytes:
    """A PCM16 WAV: the caller's fingerprint on the left, the agent's on the right (None: that
    channel silent); ``mono`` mixes both into one channel."""
    n = int(seconds * RATE)
    channels = [np.zeros(n, np.float32), np.zeros(n, np.float32)]
    for i, fp in enumerate((left, right)):
        if fp is not None:
            s = _stim(fp, seconds)
            channels[i][: s.size] = s
    data = (channels[0] + channels[1]) if mono else np.stack(channels, axis=1)
    out = io.BytesIO()
    sf.write(out, data, RATE, subtype="PCM_16", format="WAV")
    return out.getvalue()


def inbound(key: str = "inbound-3", seat: str = "100103", *, start: float = T0) -> CallFact:
    """A carrier → seat call whose legs played the caller's and the agent's fingerprints."""
    legs = [
        leg(TRUNK, LegRole.CALLER, heard=audio(CALLER_FP, AGENT_FP), start=start),
        leg(seat_agent(seat), LegRole.CALLEE, heard=audio(AGENT_FP, CALLER_FP), start=start),
    ]
    return call(key, CallPurpose.INBOUND, legs, requested="955088", caller_sent="13800138000", start=start)


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """``app`` on 127.0.0.1 at a free port; yields its base URL (``http://127.0.0.1:PORT``)."""
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()
