"""What a leg heard, and what a PBX recording holds: fingerprint detections plus levels.

These functions turn audio into plain facts (frozen dataclasses) for the checks in ``core`` to
judge; they make no verdict themselves. A leg has two-way audio when ``LegAudio.far.found``;
``own_echo.found`` means the leg's own stimulus came back (echo or loopback); a recording is
complete when every expected fingerprint is in ``RecordingAudio.detections`` as found.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from ccinspect.media.detector import Detection, detect_all
from ccinspect.media.levels import rms_dbfs, silence_share
from ccinspect.media.samples import as_mono, check_rate
from ccinspect.media.tonecode import Fingerprint


@dataclass(frozen=True)
class LegAudio:
    """Facts about the audio one leg received.

    ``expected_far`` is the id of the far leg's fingerprint, ``far`` its detection and
    ``own_echo`` the detection of this leg's own fingerprint (an echo is seen while it is at
    most ``detector.DOMINANCE_DB`` = 25 dB below the far leg's tones, or alone). ``silence_share``
    is the share of 20 ms frames below -50 dBFS, ``rms_dbfs`` the overall level (AES17, floored
    at -120), ``duration_s`` the length of the audio.
    """

    leg_id: int
    expected_far: int
    far: Detection
    own_echo: Detection
    silence_share: float
    duration_s: float
    rms_dbfs: float


@dataclass(frozen=True)
class RecordingAudio:
    """Facts about a call recording: each expected fingerprint's detection and levels.

    ``detections`` maps fingerprint id to its detection and is read-only. For a two-channel
    recording ``channels`` holds each channel's own analysis (left, right) and ``detections``
    says what was found on any channel (the louder channel's detection where both have it);
    ``silence_share`` and ``rms_dbfs`` are then those of the channels' mix.
    """

    duration_s: float
    detections: Mapping[int, Detection]
    silence_share: float
    rms_dbfs: float
    channels: tuple[RecordingAudio, ...] = ()

    @property
    def missing(self) -> tuple[int, ...]:
        """Ids of the expected fingerprints that were not found, in ascending order."""
        return tuple(sorted(i for i, d in self.detections.items() if not d.found))


def analyse_heard(
    audio: npt.ArrayLike,
    sample_rate: int,
    *,
    leg_id: int,
    far_fp: Fingerprint,
    own_fp: Fingerprint,
) -> LegAudio:
    """Analyse what leg ``leg_id`` heard: the far fingerprint, its own (echo), silence, level.

    ``far_fp`` and ``own_fp`` must differ (a leg cannot tell its own stimulus from the far one
    otherwise); ``ValueError`` if they are the same fingerprint.
    """
    if far_fp.id == own_fp.id:
        raise ValueError(f"far and own fingerprint are both id {far_fp.id}")
    x = as_mono(audio)
    rate = check_rate(sample_rate)
    found = detect_all(x, rate, [far_fp, own_fp])
    return LegAudio(
        leg_id=leg_id,
        expected_far=far_fp.id,
        far=found[far_fp.id],
        own_echo=found[own_fp.id],
        silence_share=silence_share(x, rate),
        duration_s=x.size / rate,
        rms_dbfs=rms_dbfs(x),
    )


#: Occurrences on the two channels closer than this are the same one (seconds).
_SAME_OCCURRENCE_S = 0.25


def _best(a: Detection, b: Detection) -> Detection:
    """The detection saying more: found beats not found, then the louder, then the higher score;
    its ``offsets_s`` are where either channel has the fingerprint (a party heard anywhere)."""
    best = max(a, b, key=lambda d: (d.found, d.level_dbfs if d.level_dbfs is not None else -999.0, d.score))
    merged: list[float] = []
    for t in sorted(a.offsets_s + b.offsets_s):
        if not merged or t - merged[-1] > _SAME_OCCURRENCE_S:
            merged.append(t)
    return replace(best, offsets_s=tuple(merged))


def analyse_recording(audio: npt.ArrayLike, sample_rate: int, fps: Sequence[Fingerprint]) -> RecordingAudio:
    """Analyse a PBX recording that should hold every fingerprint in ``fps``.

    ``audio`` is mono (both legs' mix), or ``(frames, channels)``: two channels are analysed one
    by one (see :class:`RecordingAudio`); more than two are mixed down and analysed as one.
    """
    arr = np.asarray(audio)
    rate = check_rate(sample_rate)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim == 2 and arr.shape[1] == 2:
        sides = tuple(analyse_recording(arr[:, i], rate, fps) for i in range(2))
        mixed = as_mono(arr.mean(axis=1))
        return RecordingAudio(
            duration_s=mixed.size / rate,
            detections=MappingProxyType(
                {fp.id: _best(sides[0].detections[fp.id], sides[1].detections[fp.id]) for fp in fps}
            ),
            silence_share=silence_share(mixed, rate),
            rms_dbfs=rms_dbfs(mixed),
            channels=sides,
        )
    if arr.ndim == 2:
        arr = arr.mean(axis=1)
    x = as_mono(arr)
    return RecordingAudio(
        duration_s=x.size / rate,
        detections=MappingProxyType(detect_all(x, rate, fps)),
        silence_share=silence_share(x, rate),
        rms_dbfs=rms_dbfs(x),
    )
