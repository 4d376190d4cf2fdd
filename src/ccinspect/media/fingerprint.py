"""Leg fingerprints: the public API for stimulus synthesis and detection.

Each call leg plays ``synthesize(fingerprint_for(leg_id), ...)`` and records what it hears;
``detect`` then tells whether the far leg's fingerprint arrived (two-way audio), how loud, after
what delay, and how often. ``silence_share`` gives the silent share of the heard audio. The
implementation lives in ``tonecode`` (grid, code, synthesis), ``spectrum`` and ``detector``
(analysis) and ``levels``; this module gathers what callers need.
"""

from __future__ import annotations

from ccinspect.media.detector import (
    MIN_TONE_DBFS,
    TONE_RATIO_DB,
    Detection,
    detect,
    detect_all,
)
from ccinspect.media.levels import rms_dbfs, silence_share
from ccinspect.media.tonecode import (
    GAP_S,
    GRID,
    MAX_LEGS,
    N_TONES,
    PERIOD_S,
    SEQUENCE_S,
    SLOT_S,
    Fingerprint,
    fingerprint_for,
    synthesize,
)

__all__ = [
    "GAP_S",
    "GRID",
    "MAX_LEGS",
    "MIN_TONE_DBFS",
    "N_TONES",
    "PERIOD_S",
    "SEQUENCE_S",
    "SLOT_S",
    "TONE_RATIO_DB",
    "Detection",
    "Fingerprint",
    "detect",
    "detect_all",
    "fingerprint_for",
    "rms_dbfs",
    "silence_share",
    "synthesize",
]
