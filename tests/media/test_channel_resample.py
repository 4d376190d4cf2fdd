"""Channel helpers: resampling keeps tones, clipping clips, delay and mix behave."""

from __future__ import annotations

import numpy as np
import pytest

from ccinspect.media.channel import apply_gain, delay, hard_clip, mix, resample
from ccinspect.media.levels import rms_dbfs


def _sine(freq: float, rate: int, seconds: float = 1.0, amp: float = 0.5) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.mark.parametrize(
    ("src", "dst"), [(8000, 16000), (16000, 8000), (8000, 48000), (48000, 8000), (44100, 8000)]
)
def test_resample_keeps_a_passband_tone(src: int, dst: int) -> None:
    """A 1 kHz tone keeps frequency, phase and level (no added delay) across rates."""
    y = resample(_sine(1000.0, src), src, dst)
    expected = _sine(1000.0, dst)
    assert y.size == expected.size
    core = slice(dst // 10, -dst // 10)  # away from the edges
    np.testing.assert_allclose(y[core], expected[core], atol=0.005)


def test_resample_removes_content_above_the_new_nyquist() -> None:
    """Downsampling 16 kHz -> 8 kHz removes a 5 kHz tone instead of aliasing it."""
    y = resample(_sine(5000.0, 16000), 16000, 8000)
    assert rms_dbfs(y[800:-800]) < -60.0


def test_resample_same_rate_is_identity() -> None:
    """Same rate in and out returns the samples unchanged."""
    x = _sine(700.0, 8000)
    np.testing.assert_array_equal(resample(x, 8000, 8000), x)


def test_hard_clip_and_gain() -> None:
    """Gain scales; hard clipping bounds the signal to [-1, 1]."""
    x = _sine(500.0, 8000, amp=0.5)
    assert np.max(np.abs(apply_gain(x, 6.0))) == pytest.approx(0.5 * 10 ** (6 / 20), rel=1e-3)
    clipped = hard_clip(x, 12.0)
    assert np.max(clipped) == 1.0
    assert np.min(clipped) == -1.0


def test_delay_and_mix() -> None:
    """Delay prepends silence; mix pads the shorter signal and sums."""
    x = np.ones(4, np.float32)
    d = delay(x, 8000, 0.00025)  # two samples
    np.testing.assert_array_equal(d, [0, 0, 1, 1, 1, 1])
    np.testing.assert_array_equal(mix(d, x), [1, 1, 2, 2, 1, 1])
    with pytest.raises(ValueError, match="negative"):
        delay(x, 8000, -1.0)
