"""In-band DTMF: a Goertzel detector and a synthesiser (pjsua2 has no in-band detector).

Detection works on rectangular frames of ``FRAME_S`` (25.6 ms: the classic 205 samples at
8 kHz) every ``HOP_S`` (5 ms). The Goertzel recurrence runs on all frames at once (vectorised
over frames and probe frequencies). Every DTMF frequency is probed at its nominal value and
1.5 % above and below it, and the strongest probe counts, so a generator within the usual
+/-1.5 % tolerance loses at most about 1 dB. A frame holds a digit when all of these hold:

- energy: each of the two tones is at least ``MIN_TONE_DBFS``;
- purity: the two tones carry at least ``MIN_PURITY`` of the frame's power (speech, noise and
  single tones fail);
- dominance: each tone is at least ``MIN_DOMINANCE_DB`` above the other tones of its group;
- twist: the high tone is at most ``MAX_REVERSE_TWIST_DB`` above and at most
  ``MAX_NORMAL_TWIST_DB`` below the low tone.

Runs of frames with the same digit, bridging dropouts of up to ``MAX_DROPOUT_S``, become one
digit. Its start and duration come from the frames around the run: a frame's Goertzel amplitude
is proportional to its overlap with the tone, so the overlaps give the tone's extent to within
about 2 ms (the 2 ms ramps of ``synthesize_dtmf`` count half). A digit is reported if it lasts
at least ``min_duration_ms`` minus ``DURATION_TOLERANCE_MS``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ccinspect.media.levels import amplitude_for_dbfs
from ccinspect.media.samples import FloatArray, as_mono, check_rate

LOW_HZ = (697.0, 770.0, 852.0, 941.0)
HIGH_HZ = (1209.0, 1336.0, 1477.0, 1633.0)
KEYPAD = ("123A", "456B", "789C", "*0#D")
"""``KEYPAD[row][col]`` is the digit of low tone ``row`` and high tone ``col``."""

FRAME_S = 0.0256
"""Goertzel block length (205 samples at 8 kHz: bins 39 Hz wide, DTMF tones ~2 bins apart)."""
HOP_S = 0.005
"""Step between blocks."""
DETUNE = (-0.015, 0.0, 0.015)
"""Relative offsets at which every DTMF frequency is probed; the strongest probe counts."""
MIN_TONE_DBFS = -40.0
"""Minimum level of each of the two tones."""
MIN_PURITY = 0.6
"""Minimum share of the block's power carried by the two tones."""
MIN_DOMINANCE_DB = 6.0
"""Minimum margin of each tone over the next strongest tone of its group."""
MAX_REVERSE_TWIST_DB = 4.0
"""How much stronger than the low tone the high tone may be."""
MAX_NORMAL_TWIST_DB = 8.0
"""How much weaker than the low tone the high tone may be."""
MAX_DROPOUT_S = 0.012
"""Longest run of undecided blocks bridged inside one digit."""
DURATION_TOLERANCE_MS = 3.0
"""Measurement slack allowed below ``min_duration_ms``."""
_GOERTZEL_BLOCK = 2048
_TINY = 1e-20
_FULL_SHARE = 0.9


@dataclass(frozen=True)
class DtmfDigit:
    """One detected digit: ``digit`` in ``0-9*#A-D``, its start and duration in seconds."""

    digit: str
    start_s: float
    duration_s: float


def _goertzel_power(
    frames: npt.NDArray[np.float64], freqs: npt.NDArray[np.float64], rate: int
) -> npt.NDArray[np.float64]:
    """Power of every frame at every frequency (Goertzel), a sine of amplitude a reads a**2 / 2.

    The recurrence runs over the samples of a frame, vectorised over blocks of frames that fit
    in cache, with in-place updates.
    """
    n_frames, length = frames.shape
    coeff = 2.0 * np.cos(2.0 * np.pi * freqs / rate)
    power = np.empty((n_frames, freqs.size))
    for start in range(0, n_frames, _GOERTZEL_BLOCK):
        block = np.ascontiguousarray(frames[start : start + _GOERTZEL_BLOCK].T)
        s1 = np.zeros((block.shape[1], freqs.size))
        s2 = np.zeros_like(s1)
        s0 = np.empty_like(s1)
        for row in block:
            np.multiply(s1, coeff, out=s0)
            s0 -= s2
            s0 += row[:, None]
            s1, s2, s0 = s0, s1, s2
        power[start : start + block.shape[1]] = s1**2 + s2**2 - coeff * s1 * s2
    scaled: npt.NDArray[np.float64] = power * (2.0 / length**2)
    return scaled


@dataclass(frozen=True, eq=False)
class _FrameAnalysis:
    labels: tuple[str | None, ...]  # digit held by each frame, or None
    tone: npt.NDArray[np.float64]  # (frames, 8) power per DTMF frequency, best probe
    length: int  # samples per frame
    hop: int  # samples per hop


def _analyse_frames(x: npt.NDArray[np.float64], rate: int) -> _FrameAnalysis:
    length = round(FRAME_S * rate)
    hop = round(HOP_S * rate)
    if x.size < length:
        return _FrameAnalysis((), np.zeros((0, 8)), length, hop)
    frames = np.lib.stride_tricks.sliding_window_view(x, length)[::hop]
    nominal = np.array(LOW_HZ + HIGH_HZ)
    probes = (nominal[:, None] * (1.0 + np.array(DETUNE))[None, :]).ravel()
    power = _goertzel_power(frames, probes, rate).reshape(len(frames), nominal.size, len(DETUNE))
    tone = power.max(axis=2)
    low, high = tone[:, :4], tone[:, 4:]
    li = low.argmax(axis=1)
    hi = high.argmax(axis=1)
    rows = np.arange(len(frames))
    pl, ph = low[rows, li], high[rows, hi]
    frame_power = np.mean(np.square(frames), axis=1)
    min_power = amplitude_for_dbfs(MIN_TONE_DBFS) ** 2 / 2.0
    dominance = 10.0 ** (MIN_DOMINANCE_DB / 10.0)
    twist_db = 10.0 * np.log10(np.maximum(ph, _TINY) / np.maximum(pl, _TINY))
    ok = (
        (pl >= min_power)
        & (ph >= min_power)
        & (pl + ph >= MIN_PURITY * frame_power)
        & (pl >= dominance * np.sort(low, axis=1)[:, -2])
        & (ph >= dominance * np.sort(high, axis=1)[:, -2])
        & (twist_db <= MAX_REVERSE_TWIST_DB)
        & (twist_db >= -MAX_NORMAL_TWIST_DB)
    )
    labels = tuple(KEYPAD[int(r)][int(c)] if good else None for r, c, good in zip(li, hi, ok, strict=True))
    return _FrameAnalysis(labels, tone, length, hop)


def _measure(fa: _FrameAnalysis, first: int, last: int, digit: str) -> tuple[float, float]:
    """Start and duration in samples of the digit whose frames run from ``first`` to ``last``.

    A frame's Goertzel amplitude is proportional to its overlap with the tone, so the overlap
    shares of the frames around the run, summed and times the hop, give the duration, and their
    weighted centre gives the tone's centre. The smaller share of the two tones is used, so a
    neighbouring digit that shares one frequency does not count.
    """
    row = next(r for r, keys in enumerate(KEYPAD) if digit in keys)
    col = KEYPAD[row].index(digit)
    reach = math.ceil(fa.length / fa.hop)
    lo = max(0, first - reach)
    hi = min(len(fa.labels), last + reach + 1)
    shares = []
    for column in (row, 4 + col):
        amp = np.sqrt(fa.tone[lo:hi, column])
        run = amp[first - lo : last - lo + 1]
        full = run[run >= 0.8 * run.max()]  # frames wholly inside the tone
        shares.append(amp / max(float(np.median(full)), _TINY))
    share = np.minimum(shares[0], shares[1])
    share = np.where(share >= _FULL_SHARE, 1.0, share)  # inside the tone: beats are not gaps
    for k in range(lo, hi):  # frames that belong to another digit do not count
        if fa.labels[k] not in (None, digit):
            share[k - lo] = 0.0
    weight = float(share.sum())
    duration = weight * fa.hop
    centres = np.arange(lo, hi) * fa.hop + fa.length / 2.0
    centre = float(np.sum(share * centres)) / max(weight, _TINY)
    return centre - duration / 2.0, duration


def detect_dtmf(audio: npt.ArrayLike, sample_rate: int, *, min_duration_ms: float = 40.0) -> list[DtmfDigit]:
    """Detect in-band DTMF digits in ``audio``, in time order.

    Every digit at least ``min_duration_ms`` long (measured to about 2 ms) with tones of
    -40 dBFS or louder is reported once, also with white noise at 10 dB SNR and through G.711.
    Pure tones, fingerprints, white noise, speech-like signals and silence give no digits.
    """
    rate = check_rate(sample_rate)
    # A frame of silence either side lets digits at the very start or end be measured whole.
    pad = round(FRAME_S * rate)
    x = np.concatenate([np.zeros(pad), as_mono(audio).astype(np.float64), np.zeros(pad)])
    fa = _analyse_frames(x, rate)
    labels = fa.labels
    bridge = math.floor(MAX_DROPOUT_S * rate / fa.hop)
    found: list[DtmfDigit] = []
    i = 0
    while i < len(labels):
        digit = labels[i]
        if digit is None:
            i += 1
            continue
        last = i
        j = i + 1
        while j < len(labels) and j - last <= bridge + 1 and labels[j] in (None, digit):
            if labels[j] == digit:
                last = j
            j += 1
        start, duration = _measure(fa, i, last, digit)
        if duration * 1000.0 / rate >= min_duration_ms - DURATION_TOLERANCE_MS:
            found.append(DtmfDigit(digit, max(0.0, (start - pad) / rate), duration / rate))
        i = last + 1
    return found


def synthesize_dtmf(
    digits: str,
    sample_rate: int = 8000,
    *,
    tone_ms: float = 80.0,
    gap_ms: float = 80.0,
    level_dbfs: float = -10.0,
    twist_db: float = 0.0,
) -> FloatArray:
    """Render ``digits`` (``0-9*#A-D``) as DTMF: each digit ``tone_ms`` then ``gap_ms`` silence.

    Each of the two tones is at ``level_dbfs`` (the high tone at ``level_dbfs + twist_db``), with
    2 ms raised-cosine ramps. Raises ``ValueError`` for a character that is not a DTMF digit.
    """
    rate = check_rate(sample_rate)
    n_tone = round(tone_ms * rate / 1000.0)
    n_gap = round(gap_ms * rate / 1000.0)
    ramp = min(round(0.002 * rate), n_tone // 2)
    env = np.ones(n_tone)
    if ramp:
        rise = 0.5 - 0.5 * np.cos(np.pi * (np.arange(ramp) + 0.5) / ramp)
        env[:ramp], env[n_tone - ramp :] = rise, rise[::-1]
    t = np.arange(n_tone) / rate
    a_low = amplitude_for_dbfs(level_dbfs)
    a_high = amplitude_for_dbfs(level_dbfs + twist_db)
    parts: list[npt.NDArray[np.float64]] = []
    for ch in digits:
        row = next((r for r, keys in enumerate(KEYPAD) if ch in keys), None)
        if row is None or len(ch) != 1:
            raise ValueError(f"not a DTMF digit: {ch!r} (allowed: 0-9 * # A-D)")
        col = KEYPAD[row].index(ch)
        tone = a_low * np.sin(2 * np.pi * LOW_HZ[row] * t) + a_high * np.sin(2 * np.pi * HIGH_HZ[col] * t)
        parts.extend([tone * env, np.zeros(n_gap)])
    if not parts:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(parts).astype(np.float32)
