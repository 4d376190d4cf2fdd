"""Leg fingerprints: the tone grid, the code that gives each leg its own tone sequence, synthesis.

A fingerprint is ``N_TONES`` consecutive tones of ``SLOT_S`` each. Every tone is taken from
``GRID``: multiples of 62.5 Hz inside the telephone band, avoiding the DTMF frequencies, 1000 Hz
(test tone), 620 Hz (busy/reorder) and 2100 Hz (modem/fax answer tone). Multiples of 62.5 Hz
sit exactly on the bins of the detector's 64 ms analysis window, and so do their harmonics and
intermodulation products, which keeps clipping and G.711 distortion off the detector's side
(noise reference) bins (see ``spectrum``). Those products do land on other grid frequencies,
far below their sources; the detector's dominance and level-consistency tests discount them.

The code is a Reed-Solomon code of dimension 2 over GF(29): leg ``id`` gives ``a = id % 29`` and
``b = 1 + id // 29``, and slot ``i`` plays symbol ``(a + b * x_i) % 29`` for the evaluation
points ``EVAL_POINTS``; symbol ``s`` is the tone ``GRID[(SYMBOL_STRIDE * s) % 29]``, a fixed
permutation that spreads consecutive symbols across the band. Hence, for any two distinct legs:

- the six tones of one leg are all different (``b != 0``);
- aligned in time, the two sequences share at most one slot (two lines meet at most once);
- shifted by whole slots, they share at most two slots (``EVAL_POINTS`` was chosen so that no
  three shifted positions are affinely related; ``tests/media`` verifies this exhaustively).

The detector demands five of the six slots, aligned to within about 25 ms, so one leg's
fingerprint never passes for another's. When looped, repetitions are separated by ``GAP_S``, half
a slot, so the tail of one repetition and the head of the next can never both align with
another leg's slot grid (a whole-slot gap would let rotations of a sequence match).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ccinspect.media.levels import amplitude_for_dbfs
from ccinspect.media.samples import FloatArray, check_rate

N_TONES = 6
"""Tones per fingerprint sequence."""

HOP_S = 0.020
"""Analysis hop of the detector; tone slots are whole multiples of it."""

SLOT_HOPS = 8
"""Hops per tone slot."""

SLOT_S = SLOT_HOPS * HOP_S
"""Nominal duration of one tone (160 ms)."""

GAP_S = 0.080
"""Silence between repetitions of the sequence when looped; half a slot, on purpose."""

RAMP_S = 0.005
"""Raised-cosine ramp at both ends of every tone, to keep switching clicks narrow-band."""

SEQUENCE_S = N_TONES * SLOT_S
"""Duration of one sequence (0.96 s)."""

PERIOD_S = SEQUENCE_S + GAP_S
"""Duration of one loop period, sequence plus gap (1.04 s)."""

GRID_STEP_HZ = 62.5
_CODE_Q = 29
_AVOID_HZ: tuple[tuple[float, float], ...] = (
    *((f, 45.0) for f in (697.0, 770.0, 852.0, 941.0, 1209.0, 1336.0, 1477.0, 1633.0)),
    (1000.0, 45.0),  # 1 kHz / 1004 Hz test tones
    (620.0, 40.0),  # North American busy/reorder (480 + 620 Hz)
    (2100.0, 50.0),  # modem and fax answer tone
)


def _build_grid() -> tuple[float, ...]:
    candidates = (GRID_STEP_HZ * k for k in range(8, 53))  # 500 .. 3250 Hz
    usable = [f for f in candidates if all(abs(f - a) >= m for a, m in _AVOID_HZ)]
    return tuple(usable[:_CODE_Q])


GRID: tuple[float, ...] = _build_grid()
"""The tone frequencies in Hz a fingerprint is made of (29 of them, 500..3250 Hz)."""

EVAL_POINTS: tuple[int, ...] = (0, 1, 2, 4, 3, 5)
"""Reed-Solomon evaluation points, one per slot (see the module docstring)."""

SYMBOL_STRIDE = 11
"""Symbol ``s`` plays ``GRID[(SYMBOL_STRIDE * s) % 29]`` (a permutation, as 29 is prime)."""

MAX_LEGS = _CODE_Q * (_CODE_Q - 1)
"""Number of distinct fingerprints: leg ids 0 .. MAX_LEGS - 1 (812)."""

if len(GRID) != _CODE_Q or len(EVAL_POINTS) != N_TONES:  # pragma: no cover - design guard
    raise RuntimeError("fingerprint grid or code is inconsistent")


@dataclass(frozen=True)
class Fingerprint:
    """The stimulus of one leg: ``tones`` in Hz, played in order, each ``SLOT_S`` long."""

    id: int
    tones: tuple[float, ...]


def fingerprint_for(leg_id: int) -> Fingerprint:
    """Return the fingerprint of ``leg_id``; the same id always gives the same fingerprint.

    Distinct ids in ``0 .. MAX_LEGS - 1`` give fingerprints that share at most one tone slot
    when aligned and at most two when shifted, so their detectors do not fire on each other.
    Raises ``ValueError`` outside that range: assign legs a per-run index, not a database key.
    """
    if isinstance(leg_id, bool) or not isinstance(leg_id, int):
        raise ValueError(f"leg_id must be an int, got {leg_id!r}")
    if not 0 <= leg_id < MAX_LEGS:
        raise ValueError(f"leg_id must be in 0..{MAX_LEGS - 1}, got {leg_id}")
    a = leg_id % _CODE_Q
    b = 1 + leg_id // _CODE_Q
    tones = tuple(GRID[(SYMBOL_STRIDE * (a + b * x)) % _CODE_Q] for x in EVAL_POINTS)
    return Fingerprint(id=leg_id, tones=tones)


def hop_samples(sample_rate: int) -> int:
    """Samples per analysis hop at ``sample_rate`` (20 ms, rounded)."""
    return round(check_rate(sample_rate) * HOP_S)


def slot_samples(sample_rate: int) -> int:
    """Samples per tone slot at ``sample_rate``; synthesis and detection use the same number."""
    return SLOT_HOPS * hop_samples(sample_rate)


def _tone_envelope(length: int, ramp: int) -> npt.NDArray[np.float64]:
    env = np.ones(length, dtype=np.float64)
    if ramp > 0:
        rise = 0.5 - 0.5 * np.cos(np.pi * (np.arange(ramp) + 0.5) / ramp)
        env[:ramp] = rise
        env[length - ramp :] = rise[::-1]
    return env


def synthesize(
    fp: Fingerprint,
    sample_rate: int = 8000,
    *,
    level_dbfs: float = -12.0,
    repeat_seconds: float | None = None,
) -> FloatArray:
    """Render ``fp`` as float32 samples; each tone has level ``level_dbfs`` (its peak amplitude).

    Without ``repeat_seconds`` the result is one sequence (``SEQUENCE_S``), starting and ending
    with a tone ramp. With ``repeat_seconds`` it is a whole number of loop periods (sequence then
    ``GAP_S`` of silence), at least ``repeat_seconds`` long, so a player can loop the buffer
    seamlessly. ``level_dbfs`` must be at most 0 so that the output stays within [-1, 1].
    """
    rate = check_rate(sample_rate)
    if level_dbfs > 0.0:
        raise ValueError(f"level_dbfs must be <= 0 dBFS, got {level_dbfs}")
    if repeat_seconds is not None and repeat_seconds <= 0.0:
        raise ValueError(f"repeat_seconds must be positive, got {repeat_seconds}")
    slot = slot_samples(rate)
    env = _tone_envelope(slot, round(RAMP_S * rate)) * amplitude_for_dbfs(level_dbfs)
    n = np.arange(slot, dtype=np.float64)
    sequence = np.concatenate([env * np.sin(2.0 * np.pi * f * n / rate) for f in fp.tones])
    if repeat_seconds is None:
        return sequence.astype(np.float32)
    period = np.concatenate([sequence, np.zeros(round(GAP_S * rate))])
    count = max(1, math.ceil(repeat_seconds * rate / period.size))
    return np.tile(period, count).astype(np.float32)
