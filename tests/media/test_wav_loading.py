"""load_wav: the one I/O function reads files as mono float32 with their rate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from ccinspect.media.io import AudioFileError, load_wav


def test_int16_stereo_is_mixed_down_and_scaled(tmp_path: Path) -> None:
    """Two int16 channels become their float average, full scale mapping to 1.0."""
    left = np.full(800, 16384, dtype=np.int16)
    right = np.full(800, -8192, dtype=np.int16)
    path = tmp_path / "call.wav"
    soundfile.write(path, np.stack([left, right], axis=1), 16000, subtype="PCM_16")
    audio, rate = load_wav(path)
    assert rate == 16000
    assert audio.dtype == np.float32
    assert audio.shape == (800,)
    np.testing.assert_allclose(audio, 0.125, atol=1e-6)


def test_ulaw_wav_is_decoded(tmp_path: Path) -> None:
    """A G.711 mu-law WAV (as PBXs record) reads as linear float samples."""
    t = np.arange(8000) / 8000
    x = (0.5 * np.sin(2 * np.pi * 1062.5 * t)).astype(np.float32)
    path = tmp_path / "ulaw.wav"
    soundfile.write(path, x, 8000, subtype="ULAW")
    audio, rate = load_wav(str(path))
    assert rate == 8000
    np.testing.assert_allclose(audio, x, atol=0.02)


def test_missing_file_is_an_audio_file_error(tmp_path: Path) -> None:
    """A missing or unreadable file raises AudioFileError naming the file."""
    with pytest.raises(AudioFileError, match=r"nope\.wav"):
        load_wav(tmp_path / "nope.wav")
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not a wav file")
    with pytest.raises(AudioFileError, match=r"bad\.wav"):
        load_wav(bad)
