"""Leg and recording analysis: two-way, one-way, echo, and complete or incomplete recordings."""

from __future__ import annotations

import numpy as np
import pytest

from ccinspect.media.analysis import analyse_heard, analyse_recording
from ccinspect.media.channel import delay, mix, resample
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


def test_two_way_audio() -> None:
    """The caller hears the agent's fingerprint: far found with delay, no echo, little silence."""
    heard = ulaw_roundtrip(_stim(AGENT.id, 0.25))
    leg = analyse_heard(heard, RATE, leg_id=40, far_fp=AGENT, own_fp=CALLER)
    assert leg.leg_id == 40
    assert leg.expected_far == AGENT.id
    assert leg.far.found
    assert leg.far.first_offset_s == pytest.approx(0.25, abs=0.002)
    assert leg.far.occurrences == 8
    assert not leg.own_echo.found
    assert leg.duration_s == pytest.approx(heard.size / RATE)
    assert 0.05 < leg.silence_share < 0.15  # the lead-in and the loop gaps
    assert leg.rms_dbfs == pytest.approx(-16.0, abs=1.0)


def test_one_way_audio_silence() -> None:
    """A leg that hears only silence: far not found, all silent, level at the floor."""
    leg = analyse_heard(np.zeros(10 * RATE, np.float32), RATE, leg_id=40, far_fp=AGENT, own_fp=CALLER)
    assert not leg.far.found
    assert not leg.own_echo.found
    assert leg.silence_share == 1.0
    assert leg.rms_dbfs == FLOOR_DBFS


def test_one_way_audio_hearing_only_its_own_fingerprint() -> None:
    """A leg that hears only itself (loopback): far not found, own echo found."""
    heard = _stim(CALLER.id, 0.06, level=-30.0)
    leg = analyse_heard(heard, RATE, leg_id=40, far_fp=AGENT, own_fp=CALLER)
    assert not leg.far.found
    assert leg.own_echo.found
    assert leg.own_echo.level_dbfs == pytest.approx(-30.0, abs=1.0)


def test_two_way_audio_with_echo(rng: np.random.Generator) -> None:
    """Far leg loud, own stimulus echoed 20 dB down: both found, levels tell them apart."""
    heard = mix(_stim(AGENT.id, 0.3), _stim(CALLER.id, 0.45, level=-36.0))
    heard = heard + white_noise(heard.size, -50.0, rng)
    leg = analyse_heard(heard, RATE, leg_id=40, far_fp=AGENT, own_fp=CALLER)
    assert leg.far.found
    assert leg.own_echo.found
    assert leg.far.level_dbfs is not None
    assert leg.own_echo.level_dbfs is not None
    assert leg.far.level_dbfs - leg.own_echo.level_dbfs == pytest.approx(20.0, abs=1.5)


def test_noise_only_is_not_silence_and_not_two_way(rng: np.random.Generator) -> None:
    """Hearing only noise: far not found, yet not silent (the path carries something)."""
    leg = analyse_heard(white_noise(8 * RATE, -30.0, rng), RATE, leg_id=1, far_fp=AGENT, own_fp=CALLER)
    assert not leg.far.found
    assert leg.silence_share == 0.0


def test_same_fingerprint_for_far_and_own_is_refused() -> None:
    """A leg cannot be analysed against its own fingerprint as the far one."""
    with pytest.raises(ValueError, match="far and own"):
        analyse_heard(np.zeros(800, np.float32), RATE, leg_id=1, far_fp=AGENT, own_fp=AGENT)


def test_recording_with_both_legs_at_16k() -> None:
    """A 16 kHz mixed recording of a call holds both legs: nothing missing."""
    x = resample(mix(_stim(CALLER.id, 0.1), _stim(AGENT.id, 0.9, level=-10.0)), RATE, 16000)
    rec = analyse_recording(x, 16000, [CALLER, AGENT])
    assert rec.missing == ()
    assert set(rec.detections) == {CALLER.id, AGENT.id}
    assert rec.detections[AGENT.id].first_offset_s == pytest.approx(0.9, abs=0.002)
    assert rec.duration_s == pytest.approx(x.size / 16000)
    assert rec.silence_share < 0.1


def test_recording_missing_one_leg() -> None:
    """A recording that captured only one direction reports the other leg as missing."""
    rec = analyse_recording(_stim(CALLER.id, 0.1), RATE, [CALLER, AGENT])
    assert rec.missing == (AGENT.id,)
    assert rec.detections[CALLER.id].found


def test_recording_detections_are_read_only() -> None:
    """The detections mapping of a frozen result cannot be changed afterwards."""
    rec = analyse_recording(_stim(CALLER.id, 0.1), RATE, [CALLER])
    with pytest.raises(TypeError):
        rec.detections[99] = rec.detections[CALLER.id]  # type: ignore[index]
