"""The detector fires only on the fingerprint it is given: never on other legs, noise, speech.

Every test here checks all MAX_LEGS fingerprints at once (``detect_all``), so a false positive
for any leg id is caught.
"""

from __future__ import annotations

import numpy as np
import pytest

from ccinspect.media.channel import delay, hard_clip, mix, resample
from ccinspect.media.dtmf import synthesize_dtmf
from ccinspect.media.fingerprint import (
    MAX_LEGS,
    Fingerprint,
    detect,
    detect_all,
    fingerprint_for,
    synthesize,
)
from ccinspect.media.g711 import alaw_roundtrip, ulaw_roundtrip
from ccinspect.media.testsignals import speech_like, voiced_like, white_noise

ALL = [fingerprint_for(i) for i in range(MAX_LEGS)]
RATE = 8000


def _found(audio: np.ndarray, rate: int = RATE, fps: list[Fingerprint] = ALL) -> set[int]:
    return {i for i, d in detect_all(audio, rate, fps).items() if d.found}


def test_each_leg_is_told_apart_from_every_other_leg(rng: np.random.Generator) -> None:
    """For 16 random legs, the looped stimulus is found by its own detector and no other."""
    for leg in rng.choice(MAX_LEGS, size=16, replace=False).tolist():
        x = delay(synthesize(fingerprint_for(leg), RATE, repeat_seconds=5.0), RATE, 0.37)
        assert _found(x + white_noise(x.size, -45.0, rng)) == {leg}


def test_pairs_of_legs_in_a_mix_are_told_apart(rng: np.random.Generator) -> None:
    """In 12 random two-leg mixes (offsets and levels random), exactly the two legs are found."""
    for _ in range(12):
        a, b = (int(v) for v in rng.choice(MAX_LEGS, size=2, replace=False))
        xa = delay(
            synthesize(fingerprint_for(a), RATE, level_dbfs=-18.0, repeat_seconds=5.0),
            RATE,
            float(rng.uniform(0.0, 1.5)),
        )
        xb = delay(
            synthesize(fingerprint_for(b), RATE, level_dbfs=float(rng.uniform(-24, -12)), repeat_seconds=5.0),
            RATE,
            float(rng.uniform(0.0, 1.5)),
        )
        assert _found(ulaw_roundtrip(mix(xa, xb))) == {a, b}


def test_neighbouring_ids_are_told_apart() -> None:
    """Consecutive ids (most likely to sit in one call) do not fire on each other."""
    for leg in (0, 1, 28, 29, 30, 511, 512, MAX_LEGS - 1):
        x = synthesize(fingerprint_for(leg), RATE, repeat_seconds=3.0)
        near = [fingerprint_for(i) for i in range(max(0, leg - 40), min(MAX_LEGS, leg + 41))]
        assert _found(x, fps=near) == {leg}


def test_a_detector_does_not_fire_on_many_other_single_legs(rng: np.random.Generator) -> None:
    """400 random (A, B) pairs: the detector of A never fires on B's looped stimulus."""
    pairs = [rng.choice(MAX_LEGS, size=2, replace=False).tolist() for _ in range(400)]
    by_b: dict[int, list[int]] = {}
    for a, b in pairs:
        by_b.setdefault(b, []).append(a)
    for b, others in by_b.items():
        x = synthesize(fingerprint_for(b), RATE, repeat_seconds=3.0)
        assert not _found(x, fps=[fingerprint_for(a) for a in others])


def test_clipped_single_legs_do_not_fire_other_detectors(rng: np.random.Generator) -> None:
    """Clipping puts harmonics on grid frequencies; they never make up another leg's sequence."""
    for leg in rng.choice(MAX_LEGS, size=10, replace=False).tolist():
        x = synthesize(fingerprint_for(leg), RATE, level_dbfs=-3.0, repeat_seconds=4.0)
        assert _found(ulaw_roundtrip(hard_clip(x, float(rng.uniform(3.0, 20.0))))) == {leg}


@pytest.mark.parametrize("level", [-50.0, -30.0, -10.0])
def test_white_noise_gives_nothing(level: float, rng: np.random.Generator) -> None:
    """30 s of white noise at any level holds no fingerprint."""
    assert not _found(white_noise(30 * RATE, level, rng))


@pytest.mark.parametrize("level", [-35.0, -20.0, -6.0])
def test_speech_like_noise_gives_nothing(level: float, rng: np.random.Generator) -> None:
    """30 s of band-limited noise gated at syllable rate holds no fingerprint."""
    assert not _found(speech_like(30.0, RATE, rng, level_dbfs=level))


@pytest.mark.parametrize("level", [-35.0, -20.0, -6.0])
def test_voiced_speech_like_signal_gives_nothing(level: float, rng: np.random.Generator) -> None:
    """30 s of a harmonic vowel-like signal (gliding pitch and formants) holds no fingerprint."""
    assert not _found(voiced_like(30.0, RATE, rng, level_dbfs=level))


def test_impaired_speech_like_signals_give_nothing(rng: np.random.Generator) -> None:
    """Speech-like signals clipped, G.711-coded and resampled still hold no fingerprint."""
    x = mix(speech_like(20.0, RATE, rng, level_dbfs=-12.0), voiced_like(20.0, RATE, rng))
    assert not _found(ulaw_roundtrip(hard_clip(x, 12.0)))
    assert not _found(resample(alaw_roundtrip(x), RATE, 16000), rate=16000)


def test_silence_gives_nothing() -> None:
    """Digital silence and G.711 idle codes hold no fingerprint (and score zero)."""
    zeros = np.zeros(20 * RATE, dtype=np.float32)
    assert not _found(zeros)
    assert not _found(ulaw_roundtrip(zeros + np.float32(1e-5)))
    assert detect(zeros, RATE, ALL[3]).score == 0.0


def test_dtmf_and_steady_tones_give_nothing() -> None:
    """DTMF digits, a 1 kHz test tone and a 450 Hz ringback cadence hold no fingerprint."""
    t = np.arange(10 * RATE) / RATE
    ringback = 0.1 * np.sin(2 * np.pi * 450 * t) * ((t % 5.0) < 1.0)
    test_tone = 0.1 * np.sin(2 * np.pi * 1000 * t)
    keys = synthesize_dtmf("0123456789*#ABCD" * 4, RATE, tone_ms=100, gap_ms=60)
    assert not _found(mix(ringback.astype(np.float32), keys))
    assert not _found(test_tone.astype(np.float32))
