"""A waveform picture of a WAV with where each leg fingerprint was detected, as SVG geometry.

:func:`waveform` loads the audio (``media.io.load_wav``), reduces it to a min/max envelope of
:data:`COLUMNS` columns (numpy only) and runs ``media.fingerprint.detect_all`` for the call's
fingerprints: each one found becomes a coloured span from its first occurrence's offset over one
sequence (``SEQUENCE_S``), labelled with its id and how often it occurred. The template draws it;
everything here is numbers and plain strings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ccinspect.media.fingerprint import SEQUENCE_S, detect_all, fingerprint_for
from ccinspect.media.io import AudioFileError, load_wav
from ccinspect.media.samples import FloatArray

__all__ = ["COLUMNS", "HEIGHT", "Span", "Tick", "Waveform", "envelope_path", "waveform"]

COLUMNS = 480
PALETTE = 6
"""Number of span colours the stylesheet defines (``.fp0`` … ``.fp5``)."""
HEIGHT = 90
_MID = HEIGHT / 2


@dataclass(frozen=True, slots=True)
class Span:
    """Where fingerprint ``fingerprint`` was first found: ``x``…``x + width`` in picture units.

    Each fingerprint looked for has its own horizontal lane (``y``, ``height``), so spans of two
    fingerprints found at the same time do not hide each other.
    """

    fingerprint: int
    colour: int
    x: float
    width: float
    y: float
    height: float
    offset_s: float
    occurrences: int
    level_dbfs: float | None


@dataclass(frozen=True, slots=True)
class Tick:
    """A time-axis mark: ``x`` in picture units, ``label`` in seconds."""

    x: float
    label: str


@dataclass(frozen=True, slots=True)
class Waveform:
    """One audio file's picture: envelope path, detected spans, ticks; ``missing`` lists the
    fingerprints looked for but not found."""

    width: int
    height: int
    duration_s: float
    path: str
    spans: tuple[Span, ...]
    ticks: tuple[Tick, ...]
    missing: tuple[int, ...]


def envelope_path(audio: FloatArray, columns: int = COLUMNS) -> str:
    """An SVG path of the min/max envelope of ``audio`` over ``columns`` columns (0..HEIGHT)."""
    if audio.size == 0:
        return f"M0 {_MID:.0f} H{columns}"
    n = min(columns, audio.size)
    edges = np.linspace(0, audio.size, n + 1).astype(np.int64)
    hi = np.maximum.reduceat(audio, edges[:-1])
    lo = np.minimum.reduceat(audio, edges[:-1])
    scale = columns / n
    xs = (np.arange(n) + 0.5) * scale
    top = _MID - np.clip(hi, -1.0, 1.0) * (_MID - 2)
    bottom = _MID - np.clip(lo, -1.0, 1.0) * (_MID - 2)
    bottom = np.maximum(bottom, top + 0.6)  # a visible line even for silence
    upper = " ".join(f"{x:.1f} {y:.1f}" for x, y in zip(xs, top, strict=True))
    lower = " ".join(f"{x:.1f} {y:.1f}" for x, y in zip(xs[::-1], bottom[::-1], strict=True))
    return f"M{upper} L{lower} Z"


def _ticks(duration: float) -> tuple[Tick, ...]:
    if duration <= 0:
        return ()
    step = next(s for s in (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 1e9) if duration / s <= 10)
    count = int(duration / step) + 1
    return tuple(Tick(i * step / duration * COLUMNS, f"{i * step:g}") for i in range(count))


def waveform(
    path: Path, fingerprints: Sequence[int], colours: Mapping[int, int] | None = None
) -> Waveform | None:
    """The picture of ``path`` with each of ``fingerprints`` located; None if it cannot be read.

    ``colours`` gives each fingerprint its colour index, so one call's pictures agree.
    """
    try:
        audio, rate = load_wav(path)
    except AudioFileError:
        return None
    duration = audio.size / rate
    wanted = sorted(set(fingerprints))
    found = detect_all(audio, rate, [fingerprint_for(f) for f in wanted]) if wanted and audio.size else {}
    spans: list[Span] = []
    missing: list[int] = []
    for index, fid in enumerate(wanted):
        colour = (colours or {}).get(fid, index)
        det = found.get(fid)
        if det is None or not det.found or det.first_offset_s is None or duration <= 0:
            missing.append(fid)
            continue
        x = det.first_offset_s / duration * COLUMNS
        width = min(SEQUENCE_S / duration * COLUMNS, COLUMNS - x)
        lane = HEIGHT / len(wanted)
        spans.append(
            Span(
                fid,
                colour % PALETTE,
                x,
                width,
                index * lane,
                lane,
                det.first_offset_s,
                det.occurrences,
                det.level_dbfs,
            )
        )
    return Waveform(
        COLUMNS, HEIGHT, duration, envelope_path(audio), tuple(spans), _ticks(duration), tuple(missing)
    )
