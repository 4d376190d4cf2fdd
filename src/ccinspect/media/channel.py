"""Channel impairments as pure functions: resampling, gain, hard clipping, delay.

They reproduce what a call path does to a stimulus (a PBX mixing at 16 kHz, an overdriven
gateway, a late media path), for tests and benchmarks of the detectors, and for bringing a
recording to a common rate before comparing it with another.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from ccinspect.media.samples import FloatArray, as_mono, check_rate

_ZERO_CROSSINGS = 16  # filter half length, in zero crossings of the sinc
_PASSBAND = 0.92  # cut-off as a share of the lower Nyquist frequency
_KAISER_BETA = 8.6
_CHUNK_ELEMENTS = 1 << 22  # bounds the temporary index arrays of one chunk


def _lowpass(up: int, down: int) -> tuple[npt.NDArray[np.float64], int]:
    """Kaiser-windowed sinc at the upsampled rate; returns the taps and their centre index."""
    cutoff = _PASSBAND * 0.5 / max(up, down)  # cycles per upsampled sample
    half = math.ceil(_ZERO_CROSSINGS / (2.0 * cutoff))
    n = np.arange(-half, half + 1, dtype=np.float64)
    taps = 2.0 * cutoff * np.sinc(2.0 * cutoff * n) * np.kaiser(n.size, _KAISER_BETA)
    return taps * up, half


def resample(audio: npt.ArrayLike, src_rate: int, dst_rate: int) -> FloatArray:
    """Resample ``audio`` from ``src_rate`` to ``dst_rate`` with a linear-phase polyphase filter.

    The output has ``ceil(len * dst / src)`` samples and no added delay: a tone keeps its
    frequency, its phase and (within 0.1 dB in the passband, up to 92 % of the lower Nyquist
    frequency) its level. Content above the new Nyquist frequency is removed.
    """
    x = as_mono(audio).astype(np.float64)
    src = check_rate(src_rate)
    dst = check_rate(dst_rate)
    if src == dst:
        return x.astype(np.float32)
    g = math.gcd(src, dst)
    up, down = dst // g, src // g
    taps, centre = _lowpass(up, down)
    n_out = math.ceil(x.size * up / down)
    # y[m] = sum_k x[k] * taps[m*down + centre - k*up], over the k where the tap index is valid.
    if down == 1:
        out = _upsample(x, taps, centre, up, n_out)
    elif up == 1:
        full = np.convolve(x, taps)
        index = np.arange(n_out) * down + centre
        out = np.where(index < full.size, full[np.minimum(index, full.size - 1)], 0.0)
    else:
        out = _resample_rational(x, taps, centre, up=up, down=down, n_out=n_out)
    return out.astype(np.float32)


def _upsample(
    x: npt.NDArray[np.float64], taps: npt.NDArray[np.float64], centre: int, up: int, n_out: int
) -> npt.NDArray[np.float64]:
    """Integer-factor upsampling: one short convolution per output phase."""
    out = np.zeros(n_out, dtype=np.float64)
    for r in range(up):
        a, b = divmod(r + centre, up)
        full = np.convolve(x, taps[b::up])
        count = len(range(r, n_out, up))
        part = full[a : a + count]
        out[r : r + up * part.size : up] = part
    return out


def _resample_rational(
    x: npt.NDArray[np.float64],
    taps: npt.NDArray[np.float64],
    centre: int,
    *,
    up: int,
    down: int,
    n_out: int,
) -> npt.NDArray[np.float64]:
    """General rational resampling: gathers the valid taps of every output sample in chunks."""
    reach = centre // up + 1
    padded = np.concatenate([np.zeros(reach + 1), x, np.zeros(reach + 2)])
    offsets = np.arange(-reach, reach + 1)
    out = np.empty(n_out, dtype=np.float64)
    rows = max(256, _CHUNK_ELEMENTS // offsets.size)
    for start in range(0, n_out, rows):
        m = np.arange(start, min(n_out, start + rows))
        pos = m * down + centre
        k = pos[:, None] // up + offsets[None, :] - (centre // up)
        tap = pos[:, None] - k * up
        valid = (tap >= 0) & (tap < taps.size)
        weights = np.where(valid, taps[np.clip(tap, 0, taps.size - 1)], 0.0)
        out[m] = np.sum(weights * padded[k + reach + 1], axis=1)
    return out


def apply_gain(audio: npt.ArrayLike, gain_db: float) -> FloatArray:
    """Scale ``audio`` by ``gain_db`` (no clipping)."""
    return (as_mono(audio) * np.float32(10.0 ** (gain_db / 20.0))).astype(np.float32)


def hard_clip(audio: npt.ArrayLike, gain_db: float = 0.0) -> FloatArray:
    """Amplify by ``gain_db`` then clip to [-1, 1], as an overdriven channel does."""
    return np.clip(apply_gain(audio, gain_db), -1.0, 1.0).astype(np.float32)


def delay(audio: npt.ArrayLike, sample_rate: int, seconds: float) -> FloatArray:
    """Prepend ``seconds`` of silence (rounded to whole samples) to ``audio``."""
    if seconds < 0.0:
        raise ValueError(f"delay must not be negative, got {seconds}")
    x = as_mono(audio)
    lead = np.zeros(round(seconds * check_rate(sample_rate)), dtype=np.float32)
    return np.concatenate([lead, x])


def mix(*signals: npt.ArrayLike) -> FloatArray:
    """Sum the signals sample by sample; shorter ones are padded with silence at the end."""
    arrays = [as_mono(s) for s in signals]
    out = np.zeros(max((a.size for a in arrays), default=0), dtype=np.float32)
    for a in arrays:
        out[: a.size] += a
    return out
