"""Signal levels in dBFS, RMS level and the silent share of a signal.

Convention (AES17): 0 dBFS is the level of a full-scale sine. A sine of peak amplitude ``a``
is at ``20*log10(a)`` dBFS, and any signal with RMS ``r`` is at ``20*log10(r*sqrt(2))`` dBFS.
So ``synthesize(..., level_dbfs=-12)`` and the ``level_dbfs`` a detector reports for that
tone agree, and a tone and white noise with the same dBFS have the same power. Levels are
floored at ``FLOOR_DBFS`` so that digital silence gives a finite number, safe to store.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from ccinspect.media.samples import as_mono, check_rate

FLOOR_DBFS = -120.0
"""Lowest level reported anywhere in this package; digital silence reads as this."""


def amplitude_for_dbfs(level_dbfs: float) -> float:
    """Peak amplitude of a sine whose level is ``level_dbfs``."""
    return float(10.0 ** (level_dbfs / 20.0))


def dbfs_from_mean_square(mean_square: float) -> float:
    """Level in dBFS of a signal with the given mean square, floored at ``FLOOR_DBFS``."""
    if mean_square <= 0.0:
        return FLOOR_DBFS
    return max(FLOOR_DBFS, 10.0 * math.log10(2.0 * mean_square))


def rms_dbfs(audio: npt.ArrayLike) -> float:
    """RMS level of ``audio`` in dBFS (AES17); ``FLOOR_DBFS`` for empty or silent audio."""
    x = as_mono(audio)
    if x.size == 0:
        return FLOOR_DBFS
    return dbfs_from_mean_square(float(np.mean(np.square(x, dtype=np.float64))))


def silence_share(
    audio: npt.ArrayLike,
    sample_rate: int,
    *,
    threshold_dbfs: float = -50.0,
    frame_ms: int = 20,
) -> float:
    """Share (0..1) of whole ``frame_ms`` frames whose RMS level is below ``threshold_dbfs``.

    A trailing partial frame is ignored. Audio shorter than one frame counts as entirely
    silent (1.0): nothing was heard. G.711 idle noise (about -70 dBFS) counts as silence.
    """
    x = as_mono(audio)
    rate = check_rate(sample_rate)
    if frame_ms <= 0:
        raise ValueError(f"frame_ms must be positive, got {frame_ms}")
    frame = max(1, round(rate * frame_ms / 1000))
    n_frames = x.size // frame
    if n_frames == 0:
        return 1.0
    frames = x[: n_frames * frame].reshape(n_frames, frame).astype(np.float64)
    mean_square = np.mean(np.square(frames), axis=1)
    threshold_ms = 10.0 ** (threshold_dbfs / 10.0) / 2.0
    return float(np.count_nonzero(mean_square < threshold_ms) / n_frames)
