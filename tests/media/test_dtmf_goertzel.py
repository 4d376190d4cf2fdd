"""In-band DTMF detection: every key, through noise and G.711, and no digits from non-DTMF."""

from __future__ import annotations

import numpy as np
import pytest

from ccinspect.media.channel import delay, mix, resample
from ccinspect.media.dtmf import HIGH_HZ, LOW_HZ, DtmfDigit, detect_dtmf, synthesize_dtmf
from ccinspect.media.fingerprint import fingerprint_for, synthesize
from ccinspect.media.g711 import alaw_roundtrip, ulaw_roundtrip
from ccinspect.media.levels import amplitude_for_dbfs
from ccinspect.media.testsignals import speech_like, voiced_like, white_noise

KEYS = "0123456789*#ABCD"
RATE = 8000


def _digits(found: list[DtmfDigit]) -> str:
    return "".join(d.digit for d in found)


def test_all_sixteen_keys_with_timing() -> None:
    """0-9 * # A-D are all found, in order, with start and duration within 3 ms."""
    x = delay(synthesize_dtmf(KEYS, RATE, tone_ms=80, gap_ms=70), RATE, 0.2)
    found = detect_dtmf(x, RATE)
    assert _digits(found) == KEYS
    for i, d in enumerate(found):
        assert d.start_s == pytest.approx(0.2 + i * 0.15, abs=0.003)
        assert d.duration_s == pytest.approx(0.08, abs=0.003)


@pytest.mark.parametrize("level", [-35.0, -20.0, -6.0])
def test_white_noise_at_10_db_snr(level: float, rng: np.random.Generator) -> None:
    """Noise 10 dB below the combined tone power does not lose or add digits."""
    x = synthesize_dtmf(KEYS, RATE, level_dbfs=level)
    x = x + white_noise(x.size, level + 3.0 - 10.0, rng)
    assert _digits(detect_dtmf(x, RATE)) == KEYS


@pytest.mark.parametrize("codec", [ulaw_roundtrip, alaw_roundtrip], ids=["ulaw", "alaw"])
def test_g711(codec: object, rng: np.random.Generator) -> None:
    """Digits survive mu-law and A-law, also with noise."""
    assert callable(codec)
    x = synthesize_dtmf(KEYS, RATE, level_dbfs=-25.0)
    assert _digits(detect_dtmf(codec(x), RATE)) == KEYS
    noisy = x + white_noise(x.size, -32.0, rng)
    assert _digits(detect_dtmf(codec(noisy), RATE)) == KEYS


def test_16k_audio() -> None:
    """Digits in a 16 kHz recording are found at 16 kHz."""
    x = resample(synthesize_dtmf(KEYS, RATE), RATE, 16000)
    assert _digits(detect_dtmf(x, 16000)) == KEYS
    assert _digits(detect_dtmf(synthesize_dtmf(KEYS, 16000), 16000)) == KEYS


def test_minimum_duration() -> None:
    """40 ms digits are accepted at the default minimum; 30 ms digits are not."""
    assert _digits(detect_dtmf(synthesize_dtmf("159#", RATE, tone_ms=40), RATE)) == "159#"
    assert detect_dtmf(synthesize_dtmf("159#", RATE, tone_ms=30), RATE) == []
    assert _digits(detect_dtmf(synthesize_dtmf("159#", RATE, tone_ms=30), RATE, min_duration_ms=25)) == "159#"


def test_repeated_digit_with_short_pause_is_two_digits() -> None:
    """'55' with a 40 ms pause is two digits, not one long one."""
    assert _digits(detect_dtmf(synthesize_dtmf("55", RATE, gap_ms=40), RATE)) == "55"


def test_long_digit_is_reported_once(rng: np.random.Generator) -> None:
    """A 2 s key press in noise is one digit of about 2 s."""
    x = synthesize_dtmf("7", RATE, tone_ms=2000)
    found = detect_dtmf(x + white_noise(x.size, -30.0, rng), RATE)
    assert _digits(found) == "7"
    assert found[0].duration_s == pytest.approx(2.0, abs=0.01)


@pytest.mark.parametrize("twist_db", [-6.0, -3.0, 0.0, 3.0])
def test_twist_within_limits_is_accepted(twist_db: float) -> None:
    """High tone up to 6 dB weaker or 3 dB stronger than the low tone is a digit."""
    x = synthesize_dtmf(KEYS, RATE, twist_db=twist_db)
    assert _digits(detect_dtmf(x, RATE)) == KEYS


@pytest.mark.parametrize("twist_db", [-12.0, 8.0])
def test_excessive_twist_is_rejected(twist_db: float) -> None:
    """Twist beyond 8 dB (normal) or 4 dB (reverse) is not DTMF."""
    assert detect_dtmf(synthesize_dtmf(KEYS, RATE, twist_db=twist_db), RATE) == []


@pytest.mark.parametrize("detune", [-0.015, 0.015])
def test_frequency_tolerance(detune: float) -> None:
    """A generator 1.5 % off frequency is still decoded."""
    t = np.arange(800) / RATE
    a = amplitude_for_dbfs(-10.0)
    parts = []
    for row, col in ((0, 0), (3, 3), (1, 2)):
        tone = a * (
            np.sin(2 * np.pi * LOW_HZ[row] * (1 + detune) * t)
            + np.sin(2 * np.pi * HIGH_HZ[col] * (1 + detune) * t)
        )
        parts += [tone, np.zeros(800)]
    assert _digits(detect_dtmf(np.concatenate(parts).astype(np.float32), RATE)) == "1D6"


def test_quiet_digits_below_minimum_level_are_ignored() -> None:
    """Tones under -40 dBFS each are not reported; at -35 dBFS they are."""
    assert detect_dtmf(synthesize_dtmf(KEYS, RATE, level_dbfs=-45.0), RATE) == []
    assert _digits(detect_dtmf(synthesize_dtmf(KEYS, RATE, level_dbfs=-35.0), RATE)) == KEYS


def test_no_digits_from_non_dtmf_signals(rng: np.random.Generator) -> None:
    """Noise, speech-like signals, silence, single tones and fingerprints give no digits."""
    n = 20 * RATE
    assert detect_dtmf(np.zeros(n, np.float32), RATE) == []
    assert detect_dtmf(white_noise(n, -10.0, rng), RATE) == []
    assert detect_dtmf(speech_like(20.0, RATE, rng, level_dbfs=-10.0), RATE) == []
    assert detect_dtmf(voiced_like(20.0, RATE, rng, level_dbfs=-10.0), RATE) == []
    t = np.arange(RATE) / RATE
    for f in LOW_HZ + HIGH_HZ:
        assert detect_dtmf((0.3 * np.sin(2 * np.pi * f * t)).astype(np.float32), RATE) == []


def test_no_digits_from_fingerprints_or_their_mixes(rng: np.random.Generator) -> None:
    """Leg fingerprints, alone or two at a time, clipped or not, never look like DTMF."""
    for _ in range(30):
        a, b = (int(v) for v in rng.choice(812, size=2, replace=False))
        xa = synthesize(fingerprint_for(a), RATE, level_dbfs=-6.0, repeat_seconds=2.0)
        xb = delay(
            synthesize(fingerprint_for(b), RATE, level_dbfs=-6.0, repeat_seconds=2.0),
            RATE,
            float(rng.uniform(0.0, 1.0)),
        )
        assert detect_dtmf(xa, RATE) == []
        assert detect_dtmf(ulaw_roundtrip(mix(xa, xb)), RATE) == []


def test_digits_over_a_fingerprint() -> None:
    """DTMF sent in-band while the stimulus plays is still decoded."""
    stim = synthesize(fingerprint_for(3), RATE, level_dbfs=-20.0, repeat_seconds=4.0)
    keys = delay(synthesize_dtmf("2580", RATE, level_dbfs=-10.0), RATE, 0.5)
    assert _digits(detect_dtmf(mix(stim, keys), RATE)) == "2580"


def test_synthesize_rejects_unknown_characters() -> None:
    """Only 0-9 * # A-D can be synthesised."""
    with pytest.raises(ValueError, match="DTMF digit"):
        synthesize_dtmf("12x", RATE)
    assert synthesize_dtmf("", RATE).size == 0
