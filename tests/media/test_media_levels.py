"""dBFS conventions, RMS level and silence share."""

from __future__ import annotations

import numpy as np
import pytest

from ccinspect.media.g711 import ulaw_roundtrip
from ccinspect.media.levels import (
    FLOOR_DBFS,
    amplitude_for_dbfs,
    dbfs_from_mean_square,
    rms_dbfs,
    silence_share,
)
from ccinspect.media.testsignals import white_noise


def _sine(level: float, seconds: float = 1.0, rate: int = 8000) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (amplitude_for_dbfs(level) * np.sin(2 * np.pi * 1062.5 * t)).astype(np.float32)


@pytest.mark.parametrize("level", [0.0, -3.0, -20.0, -60.0])
def test_sine_level_is_its_peak_in_dbfs(level: float) -> None:
    """AES17: a sine of peak amplitude a measures 20*log10(a) dBFS."""
    assert rms_dbfs(_sine(level)) == pytest.approx(level, abs=0.01)


def test_white_noise_generator_hits_its_level(rng: np.random.Generator) -> None:
    """White noise at L dBFS has the power of a sine at L dBFS."""
    assert rms_dbfs(white_noise(80000, -30.0, rng)) == pytest.approx(-30.0, abs=0.1)


def test_silence_and_empty_audio_read_the_floor() -> None:
    """Digital silence gives FLOOR_DBFS, a finite number safe to store."""
    assert rms_dbfs(np.zeros(100, np.float32)) == FLOOR_DBFS
    assert rms_dbfs(np.zeros(0, np.float32)) == FLOOR_DBFS
    assert dbfs_from_mean_square(0.0) == FLOOR_DBFS


def test_silence_share_counts_quiet_frames() -> None:
    """Half a second of tone then half a second of silence is half silent."""
    x = np.concatenate([_sine(-20.0, 0.5), np.zeros(4000, np.float32)])
    assert silence_share(x, 8000) == pytest.approx(0.5)


def test_silence_share_threshold() -> None:
    """A -55 dBFS tone is silent at the default -50 dBFS threshold, not at -60."""
    x = _sine(-55.0)
    assert silence_share(x, 8000) == 1.0
    assert silence_share(x, 8000, threshold_dbfs=-60.0) == 0.0


def test_g711_idle_channel_counts_as_silence(rng: np.random.Generator) -> None:
    """Mu-law idle noise (a few LSB) is silence."""
    idle = ulaw_roundtrip(white_noise(8000, -80.0, rng))
    assert silence_share(idle, 8000) == 1.0


def test_silence_share_ignores_a_trailing_partial_frame() -> None:
    """Only whole frames count; shorter audio than a frame is entirely silent."""
    x = np.concatenate([np.zeros(160, np.float32), _sine(-10.0, 0.01)])
    assert silence_share(x, 8000, frame_ms=20) == 1.0
    assert silence_share(np.zeros(10, np.float32), 8000) == 1.0


def test_silence_share_at_16k_uses_the_same_durations() -> None:
    """Frames are in milliseconds, so the share does not depend on the sample rate."""
    x = np.concatenate([_sine(-20.0, 0.24, 16000), np.zeros(12160, np.float32)])
    assert silence_share(x, 16000) == pytest.approx(0.76)


def test_silence_share_rejects_bad_frame_length() -> None:
    """A non-positive frame length is a caller error."""
    with pytest.raises(ValueError, match="frame_ms"):
        silence_share(np.zeros(800, np.float32), 8000, frame_ms=0)
