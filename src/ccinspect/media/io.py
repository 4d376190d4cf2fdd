"""Reading audio files: the only module of ``ccinspect.media`` that does I/O.

Everything else in the package is a pure function of arrays; callers load with ``load_wav``
(in a worker thread, e.g. ``asyncio.to_thread``) and pass the samples on.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

from ccinspect.errors import CcinspectError, Kind
from ccinspect.media.samples import FloatArray


class AudioFileError(CcinspectError):
    """An audio file could not be read or holds no usable audio; says which file and why
    (English text only)."""

    kind = Kind.USER


def load_wav(path: str | Path) -> tuple[FloatArray, int]:
    """Read a WAV (or any libsndfile format) as mono float32 in [-1, 1] and its sample rate.

    Several channels are mixed down by averaging. Integer PCM is scaled by its full scale
    (int16 -32768 maps to -1.0). Raises ``AudioFileError`` (from the library error) when the
    file is missing or unreadable.
    """
    try:
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (OSError, RuntimeError, soundfile.LibsndfileError) as exc:
        raise AudioFileError(f"cannot read audio file {path}: {exc}") from exc
    mono = np.asarray(data.mean(axis=1), dtype=np.float32)
    return mono, int(rate)
