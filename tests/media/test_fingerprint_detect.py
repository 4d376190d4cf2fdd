"""Fingerprint detection with known answers, under every impairment the call path can add."""

from __future__ import annotations

import numpy as np
import pytest

from ccinspect.media.channel import delay, hard_clip, mix, resample
from ccinspect.media.fingerprint import (
    PERIOD_S,
    Detection,
    detect,
    detect_all,
    fingerprint_for,
    synthesize,
)
from ccinspect.media.g711 import alaw_roundtrip, ulaw_roundtrip
from ccinspect.media.testsignals import speech_like, voiced_like, white_noise

A = fingerprint_for(7)
B = fingerprint_for(123)
RATE = 8000
OFFSET_TOLERANCE_S = 0.002
LEVEL_TOLERANCE_DB = 1.0


def _heard(
    fp_level: float = -20.0,
    lead_s: float = 0.7,
    loop_s: float = 6.0,
    rate: int = RATE,
    fp_id: int = 7,
) -> np.ndarray:
    """A leg's stimulus as heard: silence for ``lead_s``, then the looped fingerprint."""
    stim = synthesize(fingerprint_for(fp_id), rate, level_dbfs=fp_level, repeat_seconds=loop_s)
    return delay(stim, rate, lead_s)


def _assert_found(det: Detection, lead_s: float, level: float | None = None) -> None:
    assert det.found, det
    assert det.occurrences >= 1
    assert det.first_offset_s is not None
    assert det.first_offset_s == pytest.approx(lead_s, abs=OFFSET_TOLERANCE_S)
    assert det.score > 0.8
    if level is not None:
        assert det.level_dbfs == pytest.approx(level, abs=LEVEL_TOLERANCE_DB)


def test_clean_stimulus_is_found_with_delay_level_and_count() -> None:
    """A clean looped stimulus: every full sequence counted, delay and level measured."""
    x = _heard(lead_s=0.7, loop_s=6.0)
    det = detect(x, RATE, A)
    _assert_found(det, 0.7, -20.0)
    assert det.occurrences == 6
    assert det.level_dbfs == pytest.approx(-20.0, abs=0.2)


@pytest.mark.parametrize("lead_s", [0.0, 0.013, 0.5, 1.2345, 2.0, 2.999, 3.0])
def test_any_delay_from_0_to_3_seconds_is_measured(lead_s: float) -> None:
    """The first occurrence's offset is the delay, to within 2 ms, for delays 0-3 s."""
    x = _heard(lead_s=lead_s, loop_s=3.0)
    det = detect(x, RATE, A)
    _assert_found(det, lead_s, -20.0)
    assert det.occurrences == 3


def test_random_delays_are_measured(rng: np.random.Generator) -> None:
    """Twenty random delays in 0-3 s, in white noise: each measured to within 2 ms."""
    for lead_s in rng.uniform(0.0, 3.0, size=20):
        x = _heard(lead_s=float(lead_s), loop_s=2.0)
        x = x + white_noise(x.size, -30.0, rng)
        _assert_found(detect(x, RATE, A), float(lead_s))


@pytest.mark.parametrize("level", [-35.0, -30.0, -20.0, -12.0, -6.0, -3.0])
def test_levels_from_minus_35_to_minus_3_dbfs(level: float) -> None:
    """Every level in -35..-3 dBFS is detected and reported within 1 dB."""
    _assert_found(detect(_heard(fp_level=level), RATE, A), 0.7, level)


@pytest.mark.parametrize("level", [-35.0, -20.0, -3.0])
def test_white_noise_at_10_db_snr(level: float, rng: np.random.Generator) -> None:
    """White noise 10 dB below the tones (over the whole band) does not hide the fingerprint."""
    x = _heard(fp_level=level)
    x = x + white_noise(x.size, level - 10.0, rng)
    det = detect(x, RATE, A)
    _assert_found(det, 0.7, level)
    assert det.occurrences == 6


@pytest.mark.parametrize("gain_db", [6.0, 12.0, 20.0])
def test_clipping(gain_db: float) -> None:
    """An overdriven channel (the -3 dBFS stimulus amplified, then clipped) still carries it."""
    x = hard_clip(_heard(fp_level=-3.0), gain_db)
    det = detect(x, RATE, A)
    _assert_found(det, 0.7)
    assert det.occurrences == 6


@pytest.mark.parametrize("codec", [ulaw_roundtrip, alaw_roundtrip], ids=["ulaw", "alaw"])
@pytest.mark.parametrize("level", [-35.0, -20.0, -3.0])
def test_g711_round_trip(codec: object, level: float) -> None:
    """Mu-law and A-law coding keeps the fingerprint, its level and its delay."""
    assert callable(codec)
    x = codec(_heard(fp_level=level))
    det = detect(x, RATE, A)
    _assert_found(det, 0.7, level)
    assert det.occurrences == 6


def test_g711_with_noise_and_clipping(rng: np.random.Generator) -> None:
    """Impairments combine: noise at 10 dB SNR, clipping, then mu-law."""
    x = _heard(fp_level=-6.0)
    x = hard_clip(x + white_noise(x.size, -16.0, rng), 6.0)
    _assert_found(detect(ulaw_roundtrip(x), RATE, A), 0.7)


@pytest.mark.parametrize("speech", [speech_like, voiced_like], ids=["noise", "voiced"])
def test_talk_over_at_equal_level(speech: object, rng: np.random.Generator) -> None:
    """A speech-like signal as loud as the stimulus hides no occurrence of it."""
    assert callable(speech)
    x = _heard(fp_level=-20.0, loop_s=8.0)
    det = detect(mix(x, speech(x.size / RATE, RATE, rng, level_dbfs=-20.0)), RATE, A)
    _assert_found(det, 0.7, -20.0)
    assert det.occurrences == 8


def test_resampled_to_16k_is_analysed_at_16k() -> None:
    """An 8 kHz stimulus recorded at 16 kHz is found when given with sample_rate=16000."""
    x16 = resample(_heard(), 8000, 16000)
    det = detect(x16, 16000, A)
    _assert_found(det, 0.7, -20.0)
    assert det.occurrences == 6


def test_synthesised_at_16k_is_found_at_16k() -> None:
    """The stimulus can be generated and analysed at 16 kHz directly."""
    _assert_found(detect(_heard(rate=16000), 16000, A), 0.7, -20.0)


def test_16k_downsampled_to_8k() -> None:
    """A 16 kHz stimulus resampled to 8 kHz (as a G.711 leg carries it) is found."""
    x8 = resample(_heard(rate=16000), 16000, 8000)
    _assert_found(detect(x8, 8000, A), 0.7, -20.0)


def test_8k_16k_8k_round_trip_through_mulaw() -> None:
    """8 kHz -> 16 kHz mix -> 8 kHz -> mu-law keeps the fingerprint."""
    x = ulaw_roundtrip(resample(resample(_heard(), 8000, 16000), 16000, 8000))
    _assert_found(detect(x, 8000, A), 0.7, -20.0)


def test_48k_recording() -> None:
    """Other rates work too, e.g. a 48 kHz recording of an 8 kHz call."""
    _assert_found(detect(resample(_heard(), 8000, 48000), 48000, A), 0.7, -20.0)


@pytest.mark.parametrize("other_gain_db", [0.0, 6.0])
@pytest.mark.parametrize("rate", [8000, 16000])
def test_mixed_recording_holds_both_legs(other_gain_db: float, rate: int) -> None:
    """A mix of both legs (the other up to 6 dB louder) yields both fingerprints."""
    a = _heard(fp_level=-18.0, lead_s=0.35, rate=rate, fp_id=A.id)
    b = _heard(fp_level=-18.0 + other_gain_db, lead_s=1.1, rate=rate, fp_id=B.id)
    found = detect_all(mix(a, b), rate, [A, B])
    _assert_found(found[A.id], 0.35, -18.0)
    _assert_found(found[B.id], 1.1, -18.0 + other_gain_db)
    assert found[A.id].occurrences == 6
    assert found[B.id].occurrences == 6


def test_mixed_recording_with_noise_and_mulaw(rng: np.random.Generator) -> None:
    """Both legs at +6 dB difference, noise 10 dB under the quieter leg, mu-law, 16 kHz."""
    a = _heard(fp_level=-24.0, lead_s=0.2, fp_id=A.id)
    b = _heard(fp_level=-18.0, lead_s=0.9, fp_id=B.id)
    x = ulaw_roundtrip(mix(a, b))
    x = resample(x + white_noise(x.size, -34.0, rng), 8000, 16000)
    found = detect_all(x, 16000, [A, B])
    _assert_found(found[A.id], 0.2, -24.0)
    _assert_found(found[B.id], 0.9, -18.0)


def test_sequences_at_the_same_time_in_a_mix() -> None:
    """Both legs starting at the same instant (aligned slots) are still both found."""
    x = mix(_heard(lead_s=0.5, fp_id=A.id), _heard(fp_level=-14.0, lead_s=0.5, fp_id=B.id))
    found = detect_all(x, RATE, [A, B])
    _assert_found(found[A.id], 0.5)
    _assert_found(found[B.id], 0.5)


def test_a_lost_packet_in_every_sequence(rng: np.random.Generator) -> None:
    """One 20 ms packet zeroed somewhere in every sequence: every occurrence is still found."""
    x = _heard(lead_s=0.0, loop_s=10.0).copy()
    period, packet = round(PERIOD_S * RATE), 160
    for start in range(0, x.size - period + 1, period):
        at = start + int(rng.integers(0, period - packet))
        x[at : at + packet] = 0.0
    assert detect(x, RATE, A).occurrences == 10


def test_only_full_sequences_are_counted() -> None:
    """A sequence cut off by the end of the audio is not an occurrence."""
    x = _heard(lead_s=0.0, loop_s=3.0)
    cut = x[: round((2 * PERIOD_S + 0.5) * RATE)]
    assert detect(cut, RATE, A).occurrences == 2


def test_stimulus_starting_mid_sequence() -> None:
    """Audio that starts in the middle of a sequence reports the first full one."""
    x = _heard(lead_s=0.0, loop_s=4.0)[round(0.4 * RATE) :]
    _assert_found(detect(x, RATE, A), PERIOD_S - 0.4)


def test_audio_shorter_than_a_sequence_finds_nothing() -> None:
    """Too little audio is a plain 'not found', not an error."""
    for n in (0, 100, round(0.9 * RATE)):
        det = detect(_heard(lead_s=0.0)[:n], RATE, A)
        assert det == Detection(False, det.score, 0, None, None)


@pytest.mark.parametrize(
    ("audio", "rate", "message"),
    [
        (np.zeros((2, 800), dtype=np.float32), 8000, "one-dimensional"),
        (np.zeros(800, dtype=np.int16), 8000, "floating point"),
        (np.array([0.0, np.nan], dtype=np.float32), 8000, "NaN"),
        (np.zeros(800, dtype=np.float32), 4000, "at least 8000"),
    ],
)
def test_caller_errors_are_value_errors(audio: np.ndarray, rate: int, message: str) -> None:
    """Wrong arguments raise ValueError saying what is allowed."""
    with pytest.raises(ValueError, match=message):
        detect(audio, rate, A)
