"""Framewise tone power at chosen frequencies: the spectral front end of the fingerprint detector.

The audio is cut into periodic-Hann frames of ``WINDOW_S`` (64 ms) every ``HOP_S`` (20 ms) and
transformed with a real FFT. For every requested frequency three bins are kept: the bin of the
tone and the bins two below and two above it ("sides"). With a 64 ms window the bins are
15.625 Hz apart, so the grid frequencies (multiples of 62.5 Hz) fall exactly on a bin, a steady
grid tone puts its energy in its own bin and the two next to it, and the side bins, exactly
between two grid frequencies, stay empty. The power is scaled so that a steady on-bin sine of
peak amplitude ``a`` reads ``a**2`` in its own bin.

Frames are processed in chunks, so memory stays bounded for hour-long recordings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from ccinspect.media.samples import FloatArray, check_rate
from ccinspect.media.tonecode import hop_samples

WINDOW_S = 0.064
"""Analysis window length."""

SIDE_BINS = 2
"""Distance in bins from a tone's bin to its side (noise reference) bins."""

_CHUNK_FRAMES = 4096


@dataclass(frozen=True, eq=False)
class BinTriple:
    """Column indices into ``TonePower.power`` for one frequency: low side, centre, high side."""

    low: int
    centre: int
    high: int


@dataclass(frozen=True, eq=False)
class TonePower:
    """Power per frame at the requested frequencies and their side bins.

    ``power[m, col]`` is the power of frame ``m`` (starting at sample ``m * hop``) in column
    ``col``; ``columns`` maps each requested frequency to its three columns.
    """

    power: npt.NDArray[np.float32]
    columns: Mapping[float, BinTriple]
    sample_rate: int
    hop: int
    window: int

    @property
    def n_frames(self) -> int:
        """Number of complete analysis frames."""
        return int(self.power.shape[0])


def window_samples(sample_rate: int) -> int:
    """Samples per analysis window at ``sample_rate`` (64 ms, rounded)."""
    return round(check_rate(sample_rate) * WINDOW_S)


def tone_power(audio: FloatArray, sample_rate: int, freqs: Iterable[float]) -> TonePower:
    """Compute the framewise power of ``audio`` at ``freqs`` (and their side bins).

    ``audio`` must already be validated (see ``samples.as_mono``). Audio shorter than one
    window gives zero frames. Every frequency must lie below Nyquist minus two bins.
    """
    rate = check_rate(sample_rate)
    hop = hop_samples(rate)
    window = window_samples(rate)
    wanted = sorted(set(freqs))
    bins: dict[float, tuple[int, int, int]] = {}
    for f in wanted:
        k = round(f * window / rate)
        if k - SIDE_BINS < 1 or k + SIDE_BINS > window // 2:
            raise ValueError(f"frequency {f} Hz cannot be analysed at {rate} Hz")
        bins[f] = (k - SIDE_BINS, k, k + SIDE_BINS)
    unique = sorted({b for triple in bins.values() for b in triple})
    col = {b: i for i, b in enumerate(unique)}
    columns = {f: BinTriple(col[lo], col[c], col[hi]) for f, (lo, c, hi) in bins.items()}

    n_frames = 0 if audio.size < window else 1 + (audio.size - window) // hop
    power = np.zeros((n_frames, len(unique)), dtype=np.float32)
    if n_frames and unique:
        taper = (0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(window) / window)).astype(np.float32)
        scale = np.float32((4.0 / window) ** 2)
        index = np.asarray(unique)
        frames_view = np.lib.stride_tricks.sliding_window_view(audio, window)[::hop]
        for start in range(0, n_frames, _CHUNK_FRAMES):
            chunk = frames_view[start : start + _CHUNK_FRAMES] * taper
            spec = np.fft.rfft(chunk, axis=1)[:, index]
            power[start : start + chunk.shape[0]] = (spec.real**2 + spec.imag**2) * scale
    return TonePower(
        power=power,
        columns=MappingProxyType(columns),
        sample_rate=rate,
        hop=hop,
        window=window,
    )
