"""Two-channel recordings: each channel analysed on its own, the whole found on any channel."""

from __future__ import annotations

import numpy as np
import pytest

from ccinspect.media.analysis import analyse_recording
from ccinspect.media.channel import delay, mix
from ccinspect.media.fingerprint import fingerprint_for, synthesize
from ccinspect.media.g711 import ulaw_roundtrip
from ccinspect.media.levels import FLOOR_DBFS
from ccinspect.media.testsignals import white_noise

RATE = 8000
CALLER = fingerprint_for(40)
AGENT = fingerprint_for(41)


def _stim(fp_id: int, lead_s: float, seconds: float = 8.0, level: float = -16.0) -> np.ndarray:
    stim = synthesize(fingerprint_for(fp_id), RATE, level_dbfs=level, repeat_seconds=seconds)
    return delay(stim, RATE, lead_s)


def _stereo(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    n = max(left.size, right.size)
    out = np.zeros((n, 2), np.float32)
    out[: left.size, 0] = left
    out[: right.size, 1] = right
    return out


def test_each_party_on_its_own_channel() -> None:
    """Caller left, agent right: each channel finds only its party; the whole finds both."""
    audio = _stereo(ulaw_roundtrip(_stim(CALLER.id, 0.1)), ulaw_roundtrip(_stim(AGENT.id, 0.3, level=-20.0)))
    result = analyse_recording(audio, RATE, [CALLER, AGENT])
    left, right = result.channels
    assert left.detections[CALLER.id].found and not left.detections[AGENT.id].found
    assert right.detections[AGENT.id].found and not right.detections[CALLER.id].found
    assert right.detections[AGENT.id].level_dbfs == pytest.approx(-20.0, abs=1.0)
    assert result.missing == ()
    assert result.duration_s == pytest.approx(audio.shape[0] / RATE)


def test_silent_agent_channel_is_seen_on_its_own() -> None:
    """The right channel is digital silence: nothing found there, all silent, level at the floor;
    the whole still finds the caller (found on any channel) and misses the agent."""
    caller = _stim(CALLER.id, 0.1)
    result = analyse_recording(_stereo(caller, np.zeros(caller.size, np.float32)), RATE, [CALLER, AGENT])
    _, right = result.channels
    assert not any(d.found for d in right.detections.values())
    assert right.silence_share == 1.0
    assert right.rms_dbfs == FLOOR_DBFS
    assert result.detections[CALLER.id].found
    assert result.missing == (AGENT.id,)


def test_leakage_onto_the_other_channel_keeps_the_louder_detection(rng: np.random.Generator) -> None:
    """The agent leaks 20 dB down onto the caller's channel: found on both channels, and the
    whole reports the agent's own channel's level."""
    agent = _stim(AGENT.id, 0.3)
    left = mix(_stim(CALLER.id, 0.1), _stim(AGENT.id, 0.3, level=-36.0), white_noise(agent.size, -60.0, rng))
    result = analyse_recording(_stereo(left, agent), RATE, [CALLER, AGENT])
    left_result, right_result = result.channels
    assert left_result.detections[AGENT.id].found
    assert result.detections[AGENT.id].level_dbfs == pytest.approx(-16.0, abs=1.0)
    assert right_result.detections[AGENT.id].found


def test_mono_and_single_column_recordings_have_no_channels() -> None:
    """A mono file (1-D or one column) is analysed as a mix: no per-channel results."""
    mono = mix(_stim(CALLER.id, 0.1), _stim(AGENT.id, 0.3))
    assert analyse_recording(mono, RATE, [CALLER, AGENT]).channels == ()
    one_column = analyse_recording(mono.reshape(-1, 1), RATE, [CALLER, AGENT])
    assert one_column.channels == () and one_column.missing == ()


def test_more_than_two_channels_are_mixed_down() -> None:
    """Four channels are not labelled: they are mixed and analysed as one."""
    a, b = _stim(CALLER.id, 0.1), _stim(AGENT.id, 0.3)
    n = max(a.size, b.size)
    quad = np.zeros((n, 4), np.float32)
    quad[: a.size, 0] = a
    quad[: b.size, 3] = b
    result = analyse_recording(quad, RATE, [CALLER, AGENT])
    assert result.channels == () and result.missing == ()
