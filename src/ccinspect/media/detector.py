"""Detection of leg fingerprints in heard audio or in a mixed recording.

For every candidate start time (every 20 ms hop) and every slot ``i`` of the fingerprint, the
detector asks whether tone ``f_i`` fills slot ``i``:

- spectral contrast: the power in the bin of ``f_i`` is at least ``TONE_RATIO_DB`` above the
  mean of its two side bins, both in the first analysis frame of the slot (starting at the
  slot's start) and in the last one (ending 4 ms after the slot's end). Broadband sound (noise,
  speech, G.711 quantisation) has no such peak. A tone that starts or ends more than about
  25 ms away from the slot's edges spills out of one of those frames and fails, so only tones
  aligned with the candidate's slot grid count: the half-slot gap between repetitions then
  keeps pieces of two repetitions of another leg's sequence from combining into a match;
- temporal contrast: that power is at least ``TONE_RATIO_DB`` above the power at ``f_i`` in at
  least one of the neighbouring slots. Steady tones (ringback, music-on-hold notes) fail;
- level: the tone is at least ``MIN_TONE_DBFS`` loud, and at most ``DOMINANCE_DB`` below the
  loudest grid tone of the same frames. Harmonics and intermodulation products of other tones
  (clipping, G.711 quantisation) fall on grid frequencies too, but far below their sources;
- consistency: the passing tones of one candidate lie within ``LEVEL_SPREAD_DB`` of their
  median level, as the tones of one stimulus do.

A start time where at least ``N_TONES - 1`` slots pass is an occurrence candidate; candidates
closer than one slot are one occurrence. Other legs' tones occupy other bins and do not disturb
the test, so a mixed recording yields every leg's fingerprint. The start of the first
occurrence is then refined with a matched filter per slot (median over slots), which gives the
delay to about a millisecond.

Limits worth knowing: a tone more than ``DOMINANCE_DB`` below another grid tone in the same
frames is not seen (an echo 25 dB under the far leg's stimulus goes undetected); a time jump
inside a sequence (jitter-buffer drop or insert of 20 ms or more) loses that occurrence, not
the following ones; the distinctness guarantee holds for audio that carries at most two legs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ccinspect.media.samples import FloatArray, as_mono, check_rate
from ccinspect.media.spectrum import TonePower, tone_power
from ccinspect.media.tonecode import GRID, SLOT_HOPS, Fingerprint, hop_samples, slot_samples

TONE_RATIO_DB = 10.0
"""Minimum spectral and temporal contrast of a tone, in dB, for its slot to count."""

MIN_TONE_DBFS = -60.0
"""Minimum level of a tone for its slot to count."""

DOMINANCE_DB = 25.0
"""A tone counts only if it is at most this far below the loudest grid tone in the same frame."""

LEVEL_SPREAD_DB = 6.0
"""A passing slot's tone must be within this of the median level of the passing slots."""

STRENGTH_FLOOR_DB = 4.0
STRENGTH_FULL_DB = 16.0
"""A slot's strength rises linearly from 0 at ``STRENGTH_FLOOR_DB`` contrast to 1 at this."""

_EARLY = (0,)  # frame offsets (hops) from the slot start: the first frame of the slot
_LATE = (SLOT_HOPS - 3,)  # the last frame: 64 ms starting 100 ms in, ending at 164 ms
_MID = tuple(range(1, SLOT_HOPS - 3))  # frames well inside the slot, for the temporal contrast
_LAST_FRAME = max(_EARLY + _LATE + _MID)  # highest frame offset the statistics read
_EPS = 1e-12  # power floor (-120 dB), so silence gives finite ratios
_REFINE_REACH_S = 0.080  # lags searched either side of the coarse start
_REFINE_TAPER_S = 0.040  # taper of the matched filter window: keeps other tones out
_REFINE_LEVEL = 0.8  # flank crossing level, just below the rounded top of the peak
_Float64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Detection:
    """What the detector found of one fingerprint.

    ``found`` is the decision: at least one full sequence was present. ``score`` (0..1) is the
    mean slot strength of the best-matching start time, also when nothing was found.
    ``occurrences`` counts full sequences found. ``first_offset_s`` is the start of the first
    occurrence in seconds from the beginning of the audio (the delay, accurate to about 1 ms)
    and ``level_dbfs`` the median level (AES17 dBFS) of the detected tones over all
    occurrences; both are ``None`` when nothing was found. ``offsets_s`` is the start of every
    occurrence, in order, to a hop (4 ms): where in the audio the fingerprint was heard.
    """

    found: bool
    score: float
    occurrences: int
    first_offset_s: float | None
    level_dbfs: float | None
    offsets_s: tuple[float, ...] = ()


@dataclass(frozen=True, eq=False)
class _SlotStats:
    """For one frequency, per slot start ``t`` (in hops): the slot test and its numbers.

    Everything here depends only on the frequency and ``t``, not on the fingerprint, so it is
    computed once per frequency and shared by all fingerprints that use it.
    """

    ok: npt.NDArray[np.bool_]  # the tone fills the slot (contrast, level, dominance)
    quality: _Float64  # min of spectral and temporal contrast in dB (0 if too quiet), <= 40
    level: _Float64  # mean of first- and last-frame power at the tone's bin


def _window_mean(x: _Float64, offsets: Iterable[int], length: int) -> _Float64:
    offs = tuple(offsets)
    total = np.zeros(length, dtype=np.float64)
    for o in offs:
        total += x[o : o + length]
    return total / len(offs)


def _loudest_tone(tp: TonePower) -> _Float64:
    """Per frame: power of the loudest grid frequency that stands out from its side bins."""
    triples = [tp.columns[f] for f in GRID]
    centre = tp.power[:, [t.centre for t in triples]]
    side = 0.5 * (tp.power[:, [t.low for t in triples]] + tp.power[:, [t.high for t in triples]])
    tonal = centre >= np.float32(10.0 ** (TONE_RATIO_DB / 10.0)) * side
    return np.asarray(np.where(tonal, centre, 0.0).max(axis=1), dtype=np.float64)


def _to_db(ratio: _Float64) -> _Float64:
    return np.asarray(10.0 * np.log10(np.maximum(ratio, _EPS)), dtype=np.float64)


def _slot_stats(tp: TonePower, freq: float, loudest: _Float64) -> _SlotStats:
    n_starts = tp.n_frames - _LAST_FRAME
    cols = tp.columns[freq]
    centre = tp.power[:, cols.centre].astype(np.float64)
    side = 0.5 * (tp.power[:, cols.low].astype(np.float64) + tp.power[:, cols.high])
    early = _window_mean(centre, _EARLY, n_starts)
    late = _window_mean(centre, _LATE, n_starts)
    tone = np.minimum(early, late)
    spectral = np.minimum(
        early / (_window_mean(side, _EARLY, n_starts) + _EPS),
        late / (_window_mean(side, _LATE, n_starts) + _EPS),
    )
    dominance = np.minimum(
        early / (_window_mean(loudest, _EARLY, n_starts) + _EPS),
        late / (_window_mean(loudest, _LATE, n_starts) + _EPS),
    )
    # Temporal contrast against the quieter of the neighbouring slots (missing ones: +inf).
    inf_pad = np.full(SLOT_HOPS, np.inf)
    mid = np.concatenate([inf_pad, _window_mean(centre, _MID, n_starts), inf_pad])
    neighbour = np.minimum(mid[:n_starts], mid[2 * SLOT_HOPS :])
    contrast = np.minimum(spectral, tone / (neighbour + _EPS))
    loud = (tone >= 10.0 ** (MIN_TONE_DBFS / 10.0)) & (dominance >= 10.0 ** (-DOMINANCE_DB / 10.0))
    return _SlotStats(
        ok=loud & (contrast >= 10.0 ** (TONE_RATIO_DB / 10.0)),
        quality=np.where(loud, np.minimum(_to_db(contrast), 40.0), 0.0),
        level=0.5 * (early + late),
    )


def _level_consistent(ok: npt.NDArray[np.bool_], level: _Float64, needed: int) -> npt.NDArray[np.bool_]:
    """``ok`` without the slots more than ``LEVEL_SPREAD_DB`` from the median level of the
    passing slots of their candidate (checked only where ``needed`` slots pass).

    A real sequence has all its tones at one level; tones that only happen to sit in the right
    bins (clipping harmonics, intermodulation, other legs) rarely agree in level.
    """
    out = ok.copy()
    cand = np.flatnonzero(ok.sum(axis=0) >= needed)
    if cand.size:
        level_db = _to_db(level[:, cand])
        masked = np.where(ok[:, cand], level_db, np.nan)
        median = np.nanmedian(masked, axis=0, keepdims=True)
        out[:, cand] &= np.abs(level_db - median) <= LEVEL_SPREAD_DB
    return out


def _detect_in(
    tp: TonePower, audio: FloatArray, fp: Fingerprint, stats: dict[float, _SlotStats]
) -> Detection:
    n = len(fp.tones)
    n_cand = tp.n_frames - _LAST_FRAME - (n - 1) * SLOT_HOPS
    if n == 0 or n_cand <= 0:
        return Detection(False, 0.0, 0, None, None)
    slots = [(stats[f], slice(i * SLOT_HOPS, i * SLOT_HOPS + n_cand)) for i, f in enumerate(fp.tones)]
    ok = np.stack([st.ok[sl] for st, sl in slots])
    quality = np.stack([st.quality[sl] for st, sl in slots])
    strength = np.clip((quality - STRENGTH_FLOOR_DB) / (STRENGTH_FULL_DB - STRENGTH_FLOOR_DB), 0.0, 1.0)
    score = float(strength.mean(axis=0).max())
    if not np.any(ok.sum(axis=0) >= n - 1):
        return Detection(False, score, 0, None, None)
    level = np.stack([st.level[sl] for st, sl in slots])
    ok = _level_consistent(ok, level, n - 1)
    count = ok.sum(axis=0)
    passing = np.flatnonzero(count >= n - 1)
    if passing.size == 0:
        return Detection(False, score, 0, None, None)
    clusters = np.split(passing, np.flatnonzero(np.diff(passing) > SLOT_HOPS) + 1)
    rank = count * 1000.0 + quality.sum(axis=0)
    best = [int(c[np.argmax(rank[c])]) for c in clusters]
    levels = np.concatenate([level[ok[:, h], h] for h in best])
    level_dbfs = 10.0 * math.log10(max(float(np.median(levels)), _EPS))
    offset = _refine_start(audio, tp.sample_rate, fp, best[0] * tp.hop)
    return Detection(
        found=True,
        score=score,
        occurrences=len(clusters),
        first_offset_s=max(0.0, offset / tp.sample_rate),
        level_dbfs=level_dbfs,
        offsets_s=tuple(round(h * tp.hop / tp.sample_rate, 3) for h in best),
    )


def _refine_start(audio: FloatArray, rate: int, fp: Fingerprint, coarse: int) -> float:
    """Start of the sequence near sample ``coarse``, to a fraction of a sample.

    For every slot, the magnitude of the audio correlated with a Tukey-windowed complex tone at
    the slot's frequency, over lags around ``coarse``, is a peak with a rounded top and straight
    flanks, symmetric about the true start; the midpoint of its two flank crossings at
    ``_REFINE_LEVEL`` of its maximum estimates the start. The median over slots discards slots
    disturbed by another leg playing the same frequency nearby. Audio outside the array counts
    as silence, so a sequence at the very start is measured too.
    """
    slot = slot_samples(rate)
    reach = round(_REFINE_REACH_S * rate)
    n_lags = 2 * reach + 1
    first = coarse - reach
    taper = _tukey(slot, round(_REFINE_TAPER_S * rate))
    nfft = 1 << (n_lags + 2 * slot).bit_length()
    taper_spec = np.conj(np.fft.fft(taper, nfft))
    estimates: list[float] = []
    for i, freq in enumerate(fp.tones):
        base = first + i * slot
        idx = np.arange(base, base + n_lags - 1 + slot)
        inside = (idx >= 0) & (idx < audio.size)
        seg = np.where(inside, audio[np.clip(idx, 0, max(0, audio.size - 1))], 0.0)
        z = seg * np.exp(-2j * np.pi * freq * idx / rate)
        curve = np.abs(np.fft.ifft(np.fft.fft(z, nfft) * taper_spec)[:n_lags])
        peak = int(np.argmax(curve))
        level = _REFINE_LEVEL * curve[peak]
        left = _crossing(curve, peak, level, -1)
        right = _crossing(curve, peak, level, +1)
        if left is not None and right is not None:
            estimates.append(0.5 * (left + right))
    if not estimates:
        return float(coarse)
    return first + float(np.median(estimates))


def _crossing(curve: _Float64, peak: int, level: float, step: int) -> float | None:
    """Fractional index where ``curve`` first falls below ``level`` walking from ``peak``."""
    below = np.flatnonzero(curve[peak::step] < level)
    if below.size == 0:
        return None
    k = peak + step * (int(below[0]) - 1)  # last index at or above the level
    frac = (curve[k] - level) / (curve[k] - curve[k + step])
    return k + step * float(frac)


def _tukey(length: int, taper: int) -> _Float64:
    """A window of ``length`` that is flat except for raised-cosine edges of ``taper`` samples."""
    window = np.ones(length, dtype=np.float64)
    if taper > 0:
        rise = 0.5 - 0.5 * np.cos(np.pi * (np.arange(taper) + 0.5) / taper)
        window[:taper] = rise
        window[length - taper :] = rise[::-1]
    return window


def detect_all(audio: npt.ArrayLike, sample_rate: int, fps: Iterable[Fingerprint]) -> dict[int, Detection]:
    """Detect each of ``fps`` in ``audio``; the spectral analysis is shared between them.

    Returns a new dict from fingerprint id to its ``Detection`` (see ``detect``).
    """
    x = as_mono(audio)
    rate = check_rate(sample_rate)
    wanted = list(fps)
    # The last frame of a slot reaches 4 ms past the slot: a hop of silence after the end
    # lets a sequence that ends exactly with the audio be analysed.
    padded = np.concatenate([x, np.zeros(hop_samples(rate), dtype=np.float32)])
    tp = tone_power(padded, rate, {*GRID, *(f for fp in wanted for f in fp.tones)})
    if tp.n_frames <= _LAST_FRAME:
        return {fp.id: Detection(False, 0.0, 0, None, None) for fp in wanted}
    loudest = _loudest_tone(tp)
    stats = {f: _slot_stats(tp, f, loudest) for f in {f for fp in wanted for f in fp.tones}}
    return {fp.id: _detect_in(tp, x, fp, stats) for fp in wanted}


def detect(audio: npt.ArrayLike, sample_rate: int, fp: Fingerprint) -> Detection:
    """Detect fingerprint ``fp`` in mono ``audio`` sampled at ``sample_rate`` (>= 8000 Hz).

    Promises (each is covered by ``tests/media``): finds every full sequence played at -35 to
    -3 dBFS after any delay, with white noise at 10 dB SNR, clipping, G.711 mu-law or A-law,
    8 <-> 16 kHz resampling, or another leg's fingerprint mixed in up to 6 dB louder; does not
    fire on another leg's fingerprint, on white noise, on speech-like signals or on silence.
    """
    return detect_all(audio, sample_rate, [fp])[fp.id]
