"""Synthetic test signals with known content: white noise and speech-like signals.

They are what the detectors must *not* fire on (and what they must still work in). All take a
``numpy.random.Generator`` so that tests and benchmarks are reproducible with a fixed seed.
Levels follow the package convention (``levels``): white noise at -30 dBFS has the power of a
-30 dBFS sine, so a -20 dBFS tone plus -30 dBFS noise has an SNR of 10 dB.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ccinspect.media.levels import dbfs_from_mean_square
from ccinspect.media.samples import FloatArray, check_rate


def white_noise(n_samples: int, level_dbfs: float, rng: np.random.Generator) -> FloatArray:
    """Gaussian white noise of ``n_samples`` with RMS level ``level_dbfs``."""
    rms = 10.0 ** (level_dbfs / 20.0) / np.sqrt(2.0)
    return rng.normal(0.0, rms, n_samples).astype(np.float32)


def _set_level(x: npt.NDArray[np.float64], level_dbfs: float) -> FloatArray:
    current = dbfs_from_mean_square(float(np.mean(np.square(x))))
    scaled: FloatArray = (x * 10.0 ** ((level_dbfs - current) / 20.0)).astype(np.float32)
    return scaled


def _syllable_envelope(n: int, rate: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    """Random on/off envelope at about 4 syllables per second with smooth edges and pauses."""
    env = np.zeros(n)
    t = 0
    while t < n:
        length = int(rate * rng.uniform(0.12, 0.30))
        pause = int(rate * rng.uniform(0.03, 0.15))
        if rng.random() < 0.1:  # now and then a breath between phrases
            pause += int(rate * rng.uniform(0.3, 0.8))
        seg = np.sin(np.pi * np.arange(length) / length) ** 0.7 * rng.uniform(0.4, 1.0)
        env[t : t + length] = seg[: max(0, min(length, n - t))]
        t += length + pause
    return env


def speech_like(
    duration_s: float, sample_rate: int, rng: np.random.Generator, *, level_dbfs: float = -20.0
) -> FloatArray:
    """Band-limited (300-3400 Hz) noise with a speech-like spectral tilt, gated at syllable rate.

    The RMS over the whole signal is ``level_dbfs``. It has no narrow-band peaks, so a tone
    detector that fires on it is reacting to energy, not to tones.
    """
    rate = check_rate(sample_rate)
    n = round(duration_s * rate)
    spec = np.fft.rfft(rng.normal(size=n))
    f = np.fft.rfftfreq(n, 1.0 / rate)
    shape = np.where((f >= 300.0) & (f <= 3400.0), 1.0 / np.sqrt(np.maximum(f, 300.0) / 300.0), 0.0)
    noise = np.fft.irfft(spec * shape, n)
    return _set_level(noise * _syllable_envelope(n, rate, rng), level_dbfs)


def voiced_like(
    duration_s: float, sample_rate: int, rng: np.random.Generator, *, level_dbfs: float = -20.0
) -> FloatArray:
    """A harmonic "vowel" signal: pitch and formants gliding (pitch 90-260 Hz), syllable-gated.

    Harmonics of the pitch are narrow-band peaks that sweep across the fingerprint grid; this is
    the hard case for a tone detector (real voices, hold music). RMS is ``level_dbfs``.
    """
    rate = check_rate(sample_rate)
    n = round(duration_s * rate)
    n_knots = max(2, int(duration_s * 4) + 2)
    at = np.linspace(0, n, n_knots)
    f0 = np.interp(np.arange(n), at, rng.uniform(90.0, 260.0, size=n_knots))
    phase = 2.0 * np.pi * np.cumsum(f0) / rate
    formants = [
        np.interp(np.arange(n), at, rng.uniform(lo, hi, size=n_knots))
        for lo, hi in ((300.0, 900.0), (900.0, 2200.0), (2200.0, 3200.0))
    ]
    out = np.zeros(n)
    for h in range(1, int(3400 / 90) + 1):
        fh = h * f0
        gain = sum(np.exp(-0.5 * ((fh - fm) / 150.0) ** 2) for fm in formants) + 0.05
        out += np.where(fh < 3400.0, gain, 0.0) * np.sin(h * phase)
    return _set_level(out * _syllable_envelope(n, rate, rng), level_dbfs)
