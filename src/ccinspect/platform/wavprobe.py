"""What one recording file is, read in a few small pieces: length, format, sampled levels.

:func:`probe_file` never reads a whole recording. For a WAV file (PCM 8/16/24/32-bit, IEEE
float, A-law, mu-law, also in ``WAVE_FORMAT_EXTENSIBLE``) it parses the RIFF chunks itself and
then reads ``windows`` short windows spread evenly over the audio (``os.pread``, read-ahead
disabled), decoding each to measure its level. Asterisk's headerless formats (``.sln``,
``.sln16``, ``.ulaw``, ``.alaw``, ``.gsm``) are measured from their size. Anything else goes
through libsndfile (``soundfile``), still window by window (formats libsndfile cannot seek in,
such as GSM-in-WAV, are decoded up to the last window: a few kB per second of audio).

The outcome is a :class:`RecordingInfo`; judging it (length against the call, silence) is
:mod:`ccinspect.core.audit`'s job. :func:`probe_chunk` is what worker processes run.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from ccinspect.core.cdrfacts import ProbeStatus, RecordingInfo
from ccinspect.media.g711 import alaw_decode_pcm, ulaw_decode_pcm
from ccinspect.media.levels import FLOOR_DBFS, dbfs_from_mean_square

__all__ = [
    "DEFAULT_WINDOWS",
    "DEFAULT_WINDOW_S",
    "ProbeStatus",
    "RecordingInfo",
    "probe_chunk",
    "probe_file",
]

DEFAULT_WINDOWS = 8
"""Windows sampled per recording."""
DEFAULT_WINDOW_S = 0.25
"""Length of one sampled window in seconds."""
SUSPECT_DBFS = -45.0
"""A recording whose sampled windows are all below this is measured throughout before it may be
called silent (real calls have pauses; a few windows can all land in them)."""
SCAN_MAX_BYTES = 32 * 1024 * 1024
"""Bound of that confirming scan (35 minutes of 8 kHz 16-bit audio)."""
_SCAN_BLOCK_BYTES = 1024 * 1024
_HEAD_BYTES = 4096
_MAX_CHUNKS = 64
_PLACEHOLDER_SIZES = (0, 0xFFFFFFFF)
_PCM, _FLOAT, _ALAW, _ULAW, _EXTENSIBLE = 1, 3, 6, 7, 0xFFFE
# Asterisk's headerless formats: suffix → (encoding, sample rate, bytes per frame).
_RAW = {
    ".sln": ("pcm16", 8000, 2),
    ".sln16": ("pcm16", 16000, 2),
    ".ulaw": ("ulaw", 8000, 1),
    ".alaw": ("alaw", 8000, 1),
}
_GSM_FRAME_BYTES, _GSM_FRAME_S = 33, 0.02
# (format tag, bits per sample) → the encoding we decode ourselves.
_ENCODINGS = {
    (_PCM, 8): "pcm8",
    (_PCM, 16): "pcm16",
    (_PCM, 24): "pcm24",
    (_PCM, 32): "pcm32",
    (_FLOAT, 32): "float32",
    (_FLOAT, 64): "float64",
    (_ALAW, 8): "alaw",
    (_ULAW, 8): "ulaw",
}


class _Undecodable(Exception):
    """The file's bytes are not a recording we can decode (says why in English and Chinese)."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en = en
        self.zh = zh


@dataclass(frozen=True, slots=True)
class _Layout:
    encoding: str
    sample_rate: int
    channels: int
    frame_bytes: int
    data_offset: int
    data_bytes: int


def _wav_layout(fd: int, size: int) -> _Layout | None:
    """Parse the RIFF chunks up to ``data``; None when the format needs libsndfile."""
    head = os.pread(fd, _HEAD_BYTES, 0)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise _Undecodable("not a RIFF/WAVE file", "不是 RIFF/WAVE 文件")
    offset, fmt = 12, None
    for _ in range(_MAX_CHUNKS):
        chunk = head[offset : offset + 8] if offset + 8 <= len(head) else os.pread(fd, 8, offset)
        if len(chunk) < 8:
            raise _Undecodable("no data chunk before the end of the file", "文件结束前没有 data 块")
        chunk_id, chunk_size = chunk[:4], struct.unpack("<I", chunk[4:8])[0]
        body = offset + 8
        if chunk_id == b"fmt ":
            raw = (
                head[body : body + chunk_size]
                if body + chunk_size <= len(head)
                else os.pread(fd, chunk_size, body)
            )
            if len(raw) < 16:
                raise _Undecodable("fmt chunk is shorter than 16 bytes", "fmt 块不足 16 字节")
            tag, channels, rate, _, align, bits = struct.unpack("<HHIIHH", raw[:16])
            if tag == _EXTENSIBLE and len(raw) >= 26:
                tag = struct.unpack("<H", raw[24:26])[0]  # first two bytes of the SubFormat GUID
            fmt = (tag, channels, rate, align, bits)
        elif chunk_id == b"data":
            if fmt is None:
                raise _Undecodable("data chunk before the fmt chunk", "data 块出现在 fmt 块之前")
            return _layout_from_fmt(fmt, body, chunk_size, size)
        offset = body + chunk_size + (chunk_size & 1)
    raise _Undecodable(
        f"no data chunk in the first {_MAX_CHUNKS} chunks", f"前 {_MAX_CHUNKS} 个块中没有 data 块"
    )


def _layout_from_fmt(
    fmt: tuple[int, int, int, int, int], body: int, declared: int, size: int
) -> _Layout | None:
    tag, channels, rate, align, bits = fmt
    encoding = _ENCODINGS.get((tag, bits))
    if encoding is None:
        return None  # GSM, ADPCM, MP3 in WAV …: libsndfile decides
    if channels < 1 or rate < 1 or align != channels * ((bits + 7) // 8):
        raise _Undecodable(
            f"inconsistent fmt chunk (channels {channels}, rate {rate}, block align {align})",
            f"fmt 块参数不一致（声道 {channels}，采样率 {rate}，块对齐 {align}）",
        )
    available = max(size - body, 0)
    if declared in _PLACEHOLDER_SIZES:
        data_bytes = available  # a writer that never went back to fill in the size
    elif declared > available:
        said, held = declared / (align * rate), available / (align * rate)
        raise _Undecodable(
            f"truncated: the header declares {said:.1f} s of audio, the file holds {held:.1f} s",
            f"文件被截断：文件头声明 {said:.1f} 秒音频，文件只有 {held:.1f} 秒",
        )
    else:
        data_bytes = declared
    return _Layout(encoding, rate, channels, align, body, data_bytes)


def _decode(raw: bytes, encoding: str, channels: int) -> npt.NDArray[np.float64]:
    if encoding == "pcm16":
        x = np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768.0
    elif encoding == "ulaw":
        x = ulaw_decode_pcm(np.frombuffer(raw, dtype=np.uint8)).astype(np.float64) / 32768.0
    elif encoding == "alaw":
        x = alaw_decode_pcm(np.frombuffer(raw, dtype=np.uint8)).astype(np.float64) / 32768.0
    elif encoding == "pcm8":
        x = (np.frombuffer(raw, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    elif encoding == "pcm24":
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        x = np.where(v >= 1 << 23, v - (1 << 24), v).astype(np.float64) / float(1 << 23)
    elif encoding == "pcm32":
        x = np.frombuffer(raw, dtype="<i4").astype(np.float64) / 2147483648.0
    else:
        x = np.frombuffer(raw, dtype="<f4" if encoding == "float32" else "<f8").astype(np.float64)
        if not np.all(np.isfinite(x)):
            raise _Undecodable("float samples contain NaN or infinity", "浮点采样含 NaN 或无穷大")
    return x.reshape(-1, channels).mean(axis=1) if channels > 1 else x


def _window_levels(x: npt.NDArray[np.float64], count: int) -> float:
    """Level of the loudest of ``count`` equal windows laid end to end in ``x`` (one numpy pass)."""
    if x.size == 0 or count == 0:
        return FLOOR_DBFS
    blocks = x.reshape(count, -1)
    return dbfs_from_mean_square(float(blocks.var(axis=1).max()))  # variance: DC offset removed


def _window_starts(frames: int, rate: int, windows: int, window_s: float) -> tuple[int, list[int]]:
    """Frames per window and the first frame of each, centred in ``windows`` equal slices."""
    if frames <= 0 or windows <= 0:
        return 0, []
    per = max(1, min(round(window_s * rate), frames // windows or frames))
    count = min(windows, max(1, frames // per))
    starts = [min(max(int((i + 0.5) * frames / count) - per // 2, 0), frames - per) for i in range(count)]
    return per, starts


def _scan_levels(fd: int, layout: _Layout, window_s: float) -> tuple[float | None, int]:
    """Loudest of all consecutive windows of the audio (at most :data:`SCAN_MAX_BYTES` read)."""
    frames = layout.data_bytes // layout.frame_bytes
    per = max(1, min(round(window_s * layout.sample_rate), frames))  # a shorter file: one window
    block = per * layout.frame_bytes * max(1, _SCAN_BLOCK_BYTES // (per * layout.frame_bytes))
    end = layout.data_offset + min(layout.data_bytes, SCAN_MAX_BYTES)
    loudest: float | None = None
    count = 0
    for offset in range(layout.data_offset, end, block):
        raw = os.pread(fd, min(block, end - offset), offset)
        usable = len(raw) // (per * layout.frame_bytes)
        if not usable:
            break
        level = _window_levels(
            _decode(raw[: usable * per * layout.frame_bytes], layout.encoding, layout.channels), usable
        )
        loudest = level if loudest is None else max(loudest, level)
        count += usable
    return loudest, count


def _sample_levels(fd: int, layout: _Layout, windows: int, window_s: float) -> tuple[float | None, int]:
    frames = layout.data_bytes // layout.frame_bytes
    per, starts = _window_starts(frames, layout.sample_rate, windows, window_s)
    if not starts:
        return None, 0
    want = per * layout.frame_bytes
    pieces = []
    for start in starts:
        raw = os.pread(fd, want, layout.data_offset + start * layout.frame_bytes)
        if len(raw) < want:
            raise _Undecodable(
                f"read {len(raw)} of {want} bytes at frame {start}: the file is shorter than it says",
                f"在第 {start} 帧只读到 {len(raw)}/{want} 字节：文件比声明的短",
            )
        pieces.append(raw)
    x = _decode(b"".join(pieces), layout.encoding, layout.channels)
    return _window_levels(x, len(starts)), len(starts)


def _levels(fd: int, layout: _Layout, windows: int, window_s: float) -> tuple[float | None, int, bool]:
    """Sampled levels; a recording that sounds silent there is measured throughout to confirm.

    Returns (loudest window level, windows measured, whether the whole audio was measured).
    """
    loudest, count = _sample_levels(fd, layout, windows, window_s)
    if loudest is None or loudest >= SUSPECT_DBFS:
        return loudest, count, False
    scanned, scanned_count = _scan_levels(fd, layout, window_s)
    if scanned is None:
        return loudest, count, False
    return max(loudest, scanned), scanned_count, True


def _sf_scan(path: str, per: int, max_frames: int) -> tuple[float | None, int]:
    """Loudest of all consecutive windows, decoded by libsndfile from the start (bounded)."""
    import soundfile as sf

    loudest: float | None = None
    count = 0
    with sf.SoundFile(path) as snd:
        for block in snd.blocks(blocksize=per * 64, dtype="float64", always_2d=True, frames=max_frames):
            usable = len(block) // per
            if usable:
                level = _window_levels(np.asarray(block[: usable * per]).mean(axis=1), usable)
                loudest = level if loudest is None else max(loudest, level)
                count += usable
    return loudest, count


def _probe_soundfile(base: RecordingInfo, *, windows: int, window_s: float) -> RecordingInfo:
    import soundfile as sf

    try:
        with sf.SoundFile(base.path) as snd:
            frames, rate, channels = int(snd.frames), int(snd.samplerate), int(snd.channels)
            subtype = str(snd.subtype).lower()
            per, starts = _window_starts(frames, rate, windows, window_s)
            blocks = []
            position = 0
            for start in starts:
                if snd.seekable():
                    snd.seek(start)
                else:  # GSM-in-WAV and a few others: decode and drop up to the window
                    while position < start:
                        skipped = len(snd.read(min(start - position, 65536), dtype="int16", always_2d=True))
                        if not skipped:
                            break
                        position += skipped
                block = np.asarray(snd.read(per, dtype="float64", always_2d=True))
                position = start + len(block)
                if block.shape[0] < per:
                    raise _Undecodable(
                        f"decoded {block.shape[0]} of {per} frames at frame {start}",
                        f"在第 {start} 帧只解码出 {block.shape[0]}/{per} 帧",
                    )
                blocks.append(block.mean(axis=1))
        loudest = _window_levels(np.concatenate(blocks), len(blocks)) if blocks else None
        count, whole = len(blocks), False
        if loudest is not None and loudest < SUSPECT_DBFS:
            scan_per = max(1, round(window_s * rate))
            scanned, scanned_count = _sf_scan(base.path, scan_per, SCAN_MAX_BYTES // 2)
            if scanned is not None:
                loudest, count, whole = max(loudest, scanned), scanned_count, True
    except (RuntimeError, TypeError, ValueError, sf.LibsndfileError) as exc:
        raise _Undecodable(f"libsndfile cannot decode it: {exc}", f"libsndfile 无法解码：{exc}") from exc
    return replace(
        base,
        duration_s=frames / rate if rate else None,
        sample_rate=rate,
        channels=channels,
        encoding=subtype,
        loudest_window_dbfs=loudest,
        windows=count,
        scanned=whole,
    )


def _probe_fd(fd: int, base: RecordingInfo, suffix: str, *, windows: int, window_s: float) -> RecordingInfo:
    """Probe an open file; raises :class:`_Undecodable` or ``OSError``."""
    size = base.size or 0
    if suffix == ".gsm":
        if size % _GSM_FRAME_BYTES:
            raise _Undecodable(
                f"{size} bytes is not a whole number of {_GSM_FRAME_BYTES}-byte GSM frames",
                f"{size} 字节不是整数个 {_GSM_FRAME_BYTES} 字节的 GSM 帧",
            )
        duration = size // _GSM_FRAME_BYTES * _GSM_FRAME_S
        return replace(base, duration_s=duration, sample_rate=8000, channels=1, encoding="gsm")
    if suffix in _RAW:
        encoding, rate, width = _RAW[suffix]
        layout: _Layout | None = _Layout(encoding, rate, 1, width, 0, size - size % width)
    elif suffix not in (".wav", ".wav49") and os.pread(fd, 4, 0) != b"RIFF":
        layout = None  # MP3, Ogg …
    else:
        layout = _wav_layout(fd, size)
    if layout is None:
        return _probe_soundfile(base, windows=windows, window_s=window_s)
    loudest, count, whole = _levels(fd, layout, windows, window_s)
    return replace(
        base,
        scanned=whole,
        duration_s=layout.data_bytes // layout.frame_bytes / layout.sample_rate,
        sample_rate=layout.sample_rate,
        channels=layout.channels,
        encoding=layout.encoding,
        loudest_window_dbfs=loudest,
        windows=count,
    )


def probe_file(
    name: str, path: str, *, windows: int = DEFAULT_WINDOWS, window_s: float = DEFAULT_WINDOW_S
) -> RecordingInfo:
    """Probe one recording; never raises for a bad file (the status and ``detail`` say what)."""
    suffix = os.path.splitext(path)[1].lower()
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return RecordingInfo(
            name,
            path,
            ProbeStatus.VANISHED,
            detail=f"{path}: no longer exists",
            detail_zh=f"{path}：文件已不存在",
        )
    except OSError as exc:
        why = exc.strerror or str(exc)
        return RecordingInfo(
            name,
            path,
            ProbeStatus.UNREADABLE,
            detail=f"{path}: cannot open: {why}",
            detail_zh=f"{path}：无法打开：{why}",
        )
    base = RecordingInfo(name, path, ProbeStatus.OK)
    try:
        base = replace(base, size=os.fstat(fd).st_size)
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)  # we read a few windows, not the file
        return _probe_fd(fd, base, suffix, windows=windows, window_s=window_s)
    except _Undecodable as exc:
        return replace(
            base, status=ProbeStatus.UNDECODABLE, detail=f"{path}: {exc.en}", detail_zh=f"{path}：{exc.zh}"
        )
    except OSError as exc:
        why = exc.strerror or str(exc)
        return replace(
            base,
            status=ProbeStatus.UNDECODABLE,
            detail=f"{path}: read error: {why}",
            detail_zh=f"{path}：读取错误：{why}",
        )
    finally:
        os.close(fd)


def probe_chunk(
    items: Sequence[tuple[str, str]], windows: int = DEFAULT_WINDOWS, window_s: float = DEFAULT_WINDOW_S
) -> list[RecordingInfo]:
    """Probe ``(name, path)`` pairs in order (the unit of work of a pool worker)."""
    return [probe_file(name, path, windows=windows, window_s=window_s) for name, path in items]
