"""Synthetic recordings for the audit tests: known lengths, levels and defects."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 8000


def tone(seconds: float, *, level: float = 0.3, rate: int = RATE, freq: float = 440.0) -> np.ndarray:
    """A sine of peak ``level`` (0.3 ≈ -10 dBFS) lasting ``seconds``."""
    t = np.arange(int(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * freq * t)).astype(np.float64)


def write(
    path: Path, audio: np.ndarray, *, subtype: str = "PCM_16", fmt: str = "WAV", rate: int = RATE
) -> Path:
    """Write ``audio`` with libsndfile (any subtype/format it supports)."""
    sf.write(str(path), audio, rate, subtype=subtype, format=fmt)
    return path


def pcm16_wav(path: Path, samples: np.ndarray, *, declared_frames: int | None = None) -> Path:
    """A hand-made 8 kHz mono PCM16 WAV whose header may declare another length."""
    pcm = np.clip(np.rint(samples * 32767), -32768, 32767).astype("<i2").tobytes()
    frames = len(samples) if declared_frames is None else declared_frames
    data = 2 * frames
    fmt = struct.pack("<HHIIHH", 1, 1, RATE, 2 * RATE, 2, 16)
    header = (
        struct.pack("<4sI4s4sI", b"RIFF", 36 + data, b"WAVE", b"fmt ", 16)
        + fmt
        + struct.pack("<4sI", b"data", data)
    )
    path.write_bytes(header + pcm)
    return path
