"""ITU-T G.711 mu-law and A-law companding as pure numpy functions.

The bit-exact algorithms are those of the ITU-T reference (and of the classic Sun ``g711.c``):
mu-law works on 14-bit and A-law on 13-bit linear samples, with inverted even bits for A-law
and inverted bits for mu-law. Float samples map to 16-bit PCM as ``round(x * 32768)``, clipped
to the int16 range; decoding returns ``pcm / 32768`` as float32.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ccinspect.media.samples import FloatArray, as_mono

CodeArray = npt.NDArray[np.uint8]
PcmArray = npt.NDArray[np.int16]

_SEG_UEND = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF], dtype=np.int32)
_SEG_AEND = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF], dtype=np.int32)
_ULAW_BIAS = 0x84
_ULAW_CLIP = 8159


def float_to_pcm16(audio: npt.ArrayLike) -> PcmArray:
    """Convert float samples in [-1, 1] to int16 PCM (``round(x * 32768)``, clipped)."""
    x = as_mono(audio).astype(np.float64)
    return np.clip(np.rint(x * 32768.0), -32768, 32767).astype(np.int16)


def pcm16_to_float(pcm: npt.NDArray[np.integer]) -> FloatArray:
    """Convert int16 PCM to float32 samples (``pcm / 32768``)."""
    return (np.asarray(pcm, dtype=np.float32) / np.float32(32768.0)).astype(np.float32)


def ulaw_encode_pcm(pcm: npt.NDArray[np.integer]) -> CodeArray:
    """Encode int16 PCM to mu-law code bytes, bit-exact with the ITU-T reference."""
    val = np.asarray(pcm, dtype=np.int32) >> 2
    mask = np.where(val < 0, 0x7F, 0xFF)
    mag = np.minimum(np.abs(val), _ULAW_CLIP) + (_ULAW_BIAS >> 2)
    seg = np.searchsorted(_SEG_UEND, mag, side="left")
    seg7 = np.minimum(seg, 7)
    code = np.where(seg >= 8, 0x7F, (seg7 << 4) | ((mag >> (seg7 + 1)) & 0xF))
    return ((code ^ mask) & 0xFF).astype(np.uint8)


def ulaw_decode_pcm(codes: npt.NDArray[np.integer]) -> PcmArray:
    """Decode mu-law code bytes to int16 PCM, bit-exact with the ITU-T reference."""
    u = ~np.asarray(codes, dtype=np.int32) & 0xFF
    t = (((u & 0x0F) << 3) + _ULAW_BIAS) << ((u & 0x70) >> 4)
    return np.where(u & 0x80, _ULAW_BIAS - t, t - _ULAW_BIAS).astype(np.int16)


def alaw_encode_pcm(pcm: npt.NDArray[np.integer]) -> CodeArray:
    """Encode int16 PCM to A-law code bytes, bit-exact with the ITU-T reference."""
    val = np.asarray(pcm, dtype=np.int32) >> 3
    negative = val < 0
    mask = np.where(negative, 0x55, 0xD5)
    mag = np.where(negative, -val - 1, val)
    seg = np.searchsorted(_SEG_AEND, mag, side="left")
    shift = np.maximum(seg, 1)
    code = np.where(seg >= 8, 0x7F, (np.minimum(seg, 7) << 4) | ((mag >> shift) & 0xF))
    return ((code ^ mask) & 0xFF).astype(np.uint8)


def alaw_decode_pcm(codes: npt.NDArray[np.integer]) -> PcmArray:
    """Decode A-law code bytes to int16 PCM, bit-exact with the ITU-T reference."""
    a = (np.asarray(codes, dtype=np.int32) & 0xFF) ^ 0x55
    seg = (a & 0x70) >> 4
    t = (a & 0x0F) << 4
    t = np.where(seg == 0, t + 8, t + 0x108)
    t = np.where(seg > 1, t << np.maximum(seg - 1, 0), t)
    return np.where(a & 0x80, t, -t).astype(np.int16)


def ulaw_encode(audio: npt.ArrayLike) -> CodeArray:
    """Encode float samples in [-1, 1] to mu-law code bytes."""
    return ulaw_encode_pcm(float_to_pcm16(audio))


def ulaw_decode(codes: npt.NDArray[np.integer]) -> FloatArray:
    """Decode mu-law code bytes to float32 samples."""
    return pcm16_to_float(ulaw_decode_pcm(codes))


def alaw_encode(audio: npt.ArrayLike) -> CodeArray:
    """Encode float samples in [-1, 1] to A-law code bytes."""
    return alaw_encode_pcm(float_to_pcm16(audio))


def alaw_decode(codes: npt.NDArray[np.integer]) -> FloatArray:
    """Decode A-law code bytes to float32 samples."""
    return pcm16_to_float(alaw_decode_pcm(codes))


def ulaw_roundtrip(audio: npt.ArrayLike) -> FloatArray:
    """What a mu-law channel delivers for ``audio``: encode then decode."""
    return ulaw_decode(ulaw_encode(audio))


def alaw_roundtrip(audio: npt.ArrayLike) -> FloatArray:
    """What an A-law channel delivers for ``audio``: encode then decode."""
    return alaw_decode(alaw_encode(audio))
