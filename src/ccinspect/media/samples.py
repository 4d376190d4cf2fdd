"""Validation of the sample arrays and rates every public media function accepts.

Public functions take ``audio`` as a one-dimensional floating-point array with samples in
[-1, 1] (values outside are allowed and treated as they are) and a sample rate in Hz. These
helpers turn a wrong argument into a ``ValueError`` that says what is allowed, once, at the
edge of the package.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
"""Audio samples as float32, nominally within [-1, 1]."""

MIN_SAMPLE_RATE = 8000
"""Lowest accepted sample rate: the telephone band (300-3400 Hz) must fit below Nyquist."""


def as_mono(audio: npt.ArrayLike) -> FloatArray:
    """Return ``audio`` as a one-dimensional float32 array (a copy only when needed).

    Raises ``ValueError`` for arrays that are not one-dimensional, not floating point, or hold
    NaN or infinity. Integer PCM must be scaled by the caller (or loaded with ``io.load_wav``).
    """
    arr = np.asarray(audio)
    if arr.ndim != 1:
        raise ValueError(f"audio must be one-dimensional (mono), got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.floating):
        raise ValueError(f"audio must be floating point in [-1, 1], got dtype {arr.dtype}")
    out = arr.astype(np.float32, copy=False)
    if not np.all(np.isfinite(out)):
        raise ValueError("audio contains NaN or infinite samples")
    return out


def check_rate(sample_rate: int) -> int:
    """Return ``sample_rate`` if it is an integer of at least 8000 Hz, else raise ``ValueError``."""
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int | np.integer):
        raise ValueError(f"sample_rate must be an integer number of Hz, got {sample_rate!r}")
    if sample_rate < MIN_SAMPLE_RATE:
        raise ValueError(f"sample_rate must be at least {MIN_SAMPLE_RATE} Hz, got {sample_rate}")
    return int(sample_rate)
