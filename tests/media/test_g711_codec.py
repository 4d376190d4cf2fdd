"""G.711 mu-law and A-law: bit-exact with the ITU-T reference, and well-behaved round trips."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from ccinspect.media import g711
from ccinspect.media.levels import amplitude_for_dbfs

ALL_PCM = np.arange(-32768, 32768, dtype=np.int16)
ALL_CODES = np.arange(256, dtype=np.uint8)


@pytest.mark.parametrize(
    ("pcm", "ulaw", "alaw"),
    [
        (0, 0xFF, 0xD5),
        (-1, 0x7E, 0x55),
        (32767, 0x80, 0xAA),
        (-32768, 0x00, 0x2A),
        (1000, 0xCE, 0xFA),
        (-1000, 0x4E, 0x7A),
    ],
)
def test_known_code_values(pcm: int, ulaw: int, alaw: int) -> None:
    """Reference code words for zero, full scale and a mid value (ITU-T G.711 tables)."""
    arr = np.array([pcm], dtype=np.int16)
    assert int(g711.ulaw_encode_pcm(arr)[0]) == ulaw
    assert int(g711.alaw_encode_pcm(arr)[0]) == alaw


def test_known_decoded_values() -> None:
    """Decoding the extreme and zero codes gives the reference linear values."""
    codes = np.array([0x00, 0x80, 0xFF, 0x7F], dtype=np.uint8)
    np.testing.assert_array_equal(g711.ulaw_decode_pcm(codes), [-32124, 32124, 0, 0])
    codes = np.array([0x2A, 0xAA, 0xD5, 0x55], dtype=np.uint8)
    np.testing.assert_array_equal(g711.alaw_decode_pcm(codes), [-32256, 32256, 8, -8])


def test_bit_exact_against_audioop() -> None:
    """Every 16-bit input and every code agrees with CPython's audioop (where it exists)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        audioop = pytest.importorskip("audioop", reason="audioop was removed in Python 3.13")
    raw = ALL_PCM.tobytes()
    np.testing.assert_array_equal(
        g711.ulaw_encode_pcm(ALL_PCM), np.frombuffer(audioop.lin2ulaw(raw, 2), np.uint8)
    )
    np.testing.assert_array_equal(
        g711.alaw_encode_pcm(ALL_PCM), np.frombuffer(audioop.lin2alaw(raw, 2), np.uint8)
    )
    codes = ALL_CODES.tobytes()
    np.testing.assert_array_equal(
        g711.ulaw_decode_pcm(ALL_CODES), np.frombuffer(audioop.ulaw2lin(codes, 2), np.int16)
    )
    np.testing.assert_array_equal(
        g711.alaw_decode_pcm(ALL_CODES), np.frombuffer(audioop.alaw2lin(codes, 2), np.int16)
    )


@pytest.mark.parametrize(
    ("encode", "decode"),
    [(g711.ulaw_encode_pcm, g711.ulaw_decode_pcm), (g711.alaw_encode_pcm, g711.alaw_decode_pcm)],
    ids=["ulaw", "alaw"],
)
def test_decoded_values_are_fixed_points(encode: object, decode: object) -> None:
    """Re-encoding a decoded value gives back a code for the same value (idempotent)."""
    assert callable(encode)
    assert callable(decode)
    values = decode(ALL_CODES)
    np.testing.assert_array_equal(decode(encode(values)), values)


@pytest.mark.parametrize("roundtrip", [g711.ulaw_roundtrip, g711.alaw_roundtrip], ids=["ulaw", "alaw"])
@pytest.mark.parametrize("level", [-3.0, -20.0, -35.0])
def test_round_trip_snr_on_a_sine(roundtrip: object, level: float) -> None:
    """A sine keeps an SNR of about 35 dB or better from -35 to -3 dBFS (G.711 is log-PCM)."""
    assert callable(roundtrip)
    t = np.arange(8000) / 8000
    x = (amplitude_for_dbfs(level) * np.sin(2 * np.pi * 1062.5 * t)).astype(np.float32)
    err = roundtrip(x) - x
    snr = 10 * np.log10(np.mean(x.astype(np.float64) ** 2) / np.mean(err.astype(np.float64) ** 2))
    assert snr > 33.0


def test_float_conversion_clips_and_scales() -> None:
    """Floats map to int16 by x * 32768 with clipping; decoding divides by 32768."""
    pcm = g711.float_to_pcm16(np.array([-1.5, -1.0, 0.0, 0.5, 1.0], dtype=np.float32))
    np.testing.assert_array_equal(pcm, [-32768, -32768, 0, 16384, 32767])
    np.testing.assert_allclose(g711.pcm16_to_float(pcm), [-1.0, -1.0, 0.0, 0.5, 32767 / 32768])


def test_codes_are_bytes() -> None:
    """Encoders return uint8 code arrays of the input's length."""
    codes = g711.ulaw_encode(np.zeros(10, np.float32))
    assert codes.dtype == np.uint8
    assert codes.shape == (10,)
    assert g711.alaw_encode(np.zeros(10, np.float32)).dtype == np.uint8
