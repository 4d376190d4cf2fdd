"""Detection of leg fingerprints in heard audio or in a mixed recording.

For every candidate start time (every 10 ms hop) and every slot ``i`` of the fingerprint, the
detector asks whether tone ``f_i`` fills slot ``i``:

- spectral contrast: the power in the bin of ``f_i`` is at least ``TONE_RATIO_DB`` above the
  mean of its two side bins, both in the early part (frames 1-2) and in the late part
  (frames 7-8) of the slot. Broadband sound (noise, speech, G.711 quantisation) has no such
  peak; a tone that covers only half the slot fails one of the two parts;
- temporal contrast: that power is at least ``TONE_RATIO_DB`` above the power at ``f_i`` in at
  least one of the neighbouring slots. Steady tones (ringback, music-on-hold notes) fail;
- level: the tone is at least ``MIN_TONE_DBFS`` loud.

A start time where at least ``N_TONES - 1`` slots pass is an occurrence candidate; candidates
closer than one slot are one occurrence. Other legs' tones occupy other bins and do not disturb
the test, so a mixed recording yields every leg's fingerprint. The start of the first
occurrence is refined to the sample with a matched filter (the sum over slots of the magnitude
of the audio correlated with the slot's tone), which gives the delay.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ccinspect.media.samples import FloatArray, as_mono, check_rate
from ccinspect.media.spectrum import TonePower, tone_power
from ccinspect.media.tonecode import SLOT_HOPS, Fingerprint, slot_samples

TONE_RATIO_DB = 10.0
"""Minimum spectral and temporal contrast of a tone, in dB, for its slot to count."""

MIN_TONE_DBFS = -60.0
"""Minimum level of a tone for its slot to count."""

STRENGTH_FLOOR_DB = 4.0
STRENGTH_FULL_DB = 16.0
"""A slot's strength rises linearly from 0 at ``STRENGTH_FLOOR_DB`` contrast to 1 at this."""

_EARLY = (1, 2)
_LATE = (7, 8)
_MID = tuple(range(1, 9))
_LAST_FRAME = 8  # highest frame offset inside a slot that the statistics read
_EPS = 1e-12  # power floor (-120 dB), so silence gives finite ratios
_REFINE_HOPS = 3
_REFINE_TOP = 0.97  # the matched-filter peak is read as the midpoint of its top 3 %
_Float64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Detection:
    """What the detector found of one fingerprint.

    ``found`` is the decision: at least one full sequence was present. ``score`` (0..1) is the
    mean slot strength of the best-matching start time, also when nothing was found.
    ``occurrences`` counts full sequences found. ``first_offset_s`` is the start of the first
    occurrence in seconds from the beginning of the audio (the delay) and ``level_dbfs`` the
    median level of the detected tones; both are ``None`` when nothing was found.
    """

    found: bool
    score: float
    occurrences: int
    first_offset_s: float | None
    level_dbfs: float | None


@dataclass(frozen=True, eq=False)
class _SlotStats:
    """Per slot start ``t`` (in hops): the numbers the slot test reads for one frequency."""

    tone: _Float64  # min of early and late power at the tone's bin
    level: _Float64  # mean of early and late power at the tone's bin
    spectral: _Float64  # contrast against the side bins (power ratio)
    mid: _Float64  # mean power at the tone's bin over the middle of the slot


def _window_mean(x: _Float64, offsets: Iterable[int], length: int) -> _Float64:
    offs = tuple(offsets)
    total = np.zeros(length, dtype=np.float64)
    for o in offs:
        total += x[o : o + length]
    return total / len(offs)


def _slot_stats(tp: TonePower, freq: float) -> _SlotStats:
    n_starts = tp.n_frames - _LAST_FRAME
    cols = tp.columns[freq]
    centre = tp.power[:, cols.centre].astype(np.float64)
    side = 0.5 * (tp.power[:, cols.low].astype(np.float64) + tp.power[:, cols.high])
    early = _window_mean(centre, _EARLY, n_starts)
    late = _window_mean(centre, _LATE, n_starts)
    spectral = np.minimum(
        early / (_window_mean(side, _EARLY, n_starts) + _EPS),
        late / (_window_mean(side, _LATE, n_starts) + _EPS),
    )
    return _SlotStats(
        tone=np.minimum(early, late),
        level=0.5 * (early + late),
        spectral=spectral,
        mid=_window_mean(centre, _MID, n_starts),
    )


def _to_db(ratio: _Float64) -> _Float64:
    return np.asarray(10.0 * np.log10(np.maximum(ratio, _EPS)), dtype=np.float64)


def _detect_in(
    tp: TonePower, audio: FloatArray, fp: Fingerprint, stats: dict[float, _SlotStats]
) -> Detection:
    n = len(fp.tones)
    n_starts = tp.n_frames - _LAST_FRAME
    n_cand = n_starts - (n - 1) * SLOT_HOPS
    if n == 0 or n_cand <= 0:
        return Detection(False, 0.0, 0, None, None)
    ratio_min = 10.0 ** (TONE_RATIO_DB / 10.0)
    power_min = 10.0 ** (MIN_TONE_DBFS / 10.0)
    inf_pad = np.full(SLOT_HOPS, np.inf)
    ok = np.zeros((n, n_cand), dtype=bool)
    quality = np.zeros((n, n_cand), dtype=np.float64)
    level = np.zeros((n, n_cand), dtype=np.float64)
    for i, freq in enumerate(fp.tones):
        st = stats[freq]
        sl = slice(i * SLOT_HOPS, i * SLOT_HOPS + n_cand)
        mid = np.concatenate([inf_pad, st.mid, inf_pad])
        prev = mid[i * SLOT_HOPS : i * SLOT_HOPS + n_cand]
        nxt = mid[(i + 2) * SLOT_HOPS : (i + 2) * SLOT_HOPS + n_cand]
        tone = st.tone[sl]
        temporal = tone / (np.minimum(prev, nxt) + _EPS)
        contrast = np.minimum(st.spectral[sl], temporal)
        loud = tone >= power_min
        ok[i] = loud & (contrast >= ratio_min)
        quality[i] = np.where(loud, np.minimum(_to_db(contrast), 40.0), 0.0)
        level[i] = st.level[sl]
    count = ok.sum(axis=0)
    strength = np.clip(
        (quality - STRENGTH_FLOOR_DB) / (STRENGTH_FULL_DB - STRENGTH_FLOOR_DB), 0.0, 1.0
    )
    score = float(strength.mean(axis=0).max())
    passing = np.flatnonzero(count >= n - 1)
    if passing.size == 0:
        return Detection(False, score, 0, None, None)
    clusters = np.split(passing, np.flatnonzero(np.diff(passing) > SLOT_HOPS) + 1)
    rank = count * 1000.0 + quality.sum(axis=0)
    best = [int(c[np.argmax(rank[c])]) for c in clusters]
    levels = np.concatenate([level[ok[:, h], h] for h in best])
    level_dbfs = 10.0 * math.log10(max(float(np.median(levels)), _EPS))
    offset = _refine_start(audio, tp.sample_rate, fp, best[0] * tp.hop, tp.hop)
    return Detection(
        found=True,
        score=score,
        occurrences=len(clusters),
        first_offset_s=offset / tp.sample_rate,
        level_dbfs=level_dbfs,
    )


def _refine_start(audio: FloatArray, rate: int, fp: Fingerprint, coarse: int, hop: int) -> int:
    """Sample index near ``coarse`` where the slot-wise matched filter output peaks."""
    slot = slot_samples(rate)
    lo = max(0, coarse - _REFINE_HOPS * hop)
    hi = min(audio.size - len(fp.tones) * slot, coarse + _REFINE_HOPS * hop)
    if hi < lo:
        return coarse
    n_lags = hi - lo + 1
    total = np.zeros(n_lags, dtype=np.float64)
    for i, freq in enumerate(fp.tones):
        start = lo + i * slot
        idx = np.arange(start, start + n_lags - 1 + slot)
        z = audio[idx].astype(np.float64) * np.exp(-2j * np.pi * freq * idx / rate)
        cum = np.concatenate([[0.0], np.cumsum(z)])
        total += np.abs(cum[slot : slot + n_lags] - cum[:n_lags])
    # The output is a triangle with a top rounded by the tone ramps; the midpoint of the interval
    # around the maximum that stays within 3 % of it is a steadier estimate than the argmax.
    peak = int(np.argmax(total))
    above = total >= _REFINE_TOP * total[peak]
    left = peak
    while left > 0 and above[left - 1]:
        left -= 1
    right = peak
    while right < n_lags - 1 and above[right + 1]:
        right += 1
    return lo + (left + right) // 2


def detect_all(
    audio: npt.ArrayLike, sample_rate: int, fps: Iterable[Fingerprint]
) -> dict[int, Detection]:
    """Detect each of ``fps`` in ``audio``; the spectral analysis is shared between them.

    Returns a new dict from fingerprint id to its ``Detection`` (see ``detect``).
    """
    x = as_mono(audio)
    rate = check_rate(sample_rate)
    wanted = list(fps)
    tp = tone_power(x, rate, {f for fp in wanted for f in fp.tones})
    if tp.n_frames <= _LAST_FRAME:
        return {fp.id: Detection(False, 0.0, 0, None, None) for fp in wanted}
    stats = {f: _slot_stats(tp, f) for f in tp.columns}
    return {fp.id: _detect_in(tp, x, fp, stats) for fp in wanted}


def detect(audio: npt.ArrayLike, sample_rate: int, fp: Fingerprint) -> Detection:
    """Detect fingerprint ``fp`` in mono ``audio`` sampled at ``sample_rate`` (>= 8000 Hz).

    Promises (each is covered by ``tests/media``): finds every full sequence played at -35 to
    -3 dBFS after any delay, with white noise at 10 dB SNR, clipping, G.711 mu-law or A-law,
    8 <-> 16 kHz resampling, or another leg's fingerprint mixed in up to 6 dB louder; does not
    fire on another leg's fingerprint, on white noise, on speech-like signals or on silence.
    """
    return detect_all(audio, sample_rate, [fp])[fp.id]
