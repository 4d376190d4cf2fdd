"""Probing one recording from its header and a few windows (synthesised files, known answers)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from ccinspect.media.levels import FLOOR_DBFS
from ccinspect.platform.wavprobe import ProbeStatus, probe_file
from tests.nightly.wavs import RATE, pcm16_wav, tone, write


@pytest.mark.parametrize(
    ("subtype", "fmt", "encoding"),
    [
        ("PCM_16", "WAV", "pcm16"),
        ("ULAW", "WAV", "ulaw"),
        ("ALAW", "WAV", "alaw"),
        ("PCM_24", "WAV", "pcm24"),
        ("PCM_32", "WAV", "pcm32"),
        ("PCM_U8", "WAV", "pcm8"),
        ("FLOAT", "WAV", "float32"),
        ("DOUBLE", "WAV", "float64"),
        ("PCM_16", "WAVEX", "pcm16"),
    ],
)
def test_wav_encodings_give_length_and_level(tmp_path: Path, subtype: str, fmt: str, encoding: str) -> None:
    """Every WAV encoding we parse ourselves reports the exact length and the tone's level (-10.5 dBFS)."""
    path = write(tmp_path / "r.wav", tone(7.5), subtype=subtype, fmt=fmt)
    info = probe_file("r", str(path))
    assert info.status is ProbeStatus.OK, info.detail
    assert info.encoding == encoding
    assert info.duration_s == pytest.approx(7.5, abs=1e-3)
    assert info.sample_rate == RATE
    assert info.windows == 8
    assert info.loudest_window_dbfs == pytest.approx(20 * np.log10(0.3), abs=0.3)


def test_stereo_is_mixed_to_mono(tmp_path: Path) -> None:
    """A two-channel recording reports both channels and the level of their mix."""
    audio = np.stack([tone(3.0), tone(3.0)], axis=1)
    info = probe_file("s", str(write(tmp_path / "s.wav", audio)))
    assert (info.status, info.channels) == (ProbeStatus.OK, 2)
    assert info.duration_s == pytest.approx(3.0)


@pytest.mark.parametrize(("subtype", "fmt", "suffix"), [("GSM610", "WAV", ".wav"), ("VORBIS", "OGG", ".ogg")])
def test_other_formats_go_through_libsndfile(tmp_path: Path, subtype: str, fmt: str, suffix: str) -> None:
    """GSM-in-WAV (Asterisk's wav49) and Ogg are measured by libsndfile, still window by window."""
    info = probe_file("g", str(write(tmp_path / f"g{suffix}", tone(4.0), subtype=subtype, fmt=fmt)))
    assert info.status is ProbeStatus.OK, info.detail
    assert info.duration_s == pytest.approx(4.0, abs=0.05)
    assert info.loudest_window_dbfs is not None
    assert info.loudest_window_dbfs > -20


def test_silence_and_dc_offset_read_as_silent_after_a_full_scan(tmp_path: Path) -> None:
    """Digital silence is at the floor, confirmed over the whole file (20 windows of 0.25 s in
    5 s); a constant DC offset is not mistaken for sound."""
    silent = probe_file("z", str(pcm16_wav(tmp_path / "z.wav", np.zeros(5 * RATE))))
    dc = probe_file("d", str(pcm16_wav(tmp_path / "d.wav", np.full(5 * RATE, 0.25))))
    assert (silent.loudest_window_dbfs, silent.scanned, silent.windows) == (FLOOR_DBFS, True, 20)
    assert dc.loudest_window_dbfs == FLOOR_DBFS


@pytest.mark.parametrize(("subtype", "fmt", "suffix"), [("PCM_16", "WAV", ".wav"), ("VORBIS", "OGG", ".ogg")])
def test_sound_between_the_sampled_windows_is_found_by_the_confirming_scan(
    tmp_path: Path, subtype: str, fmt: str, suffix: str
) -> None:
    """Speech only in a gap between sampled windows (3.9-4.1 s of 8 s) is not called silence."""
    audio = np.zeros(8 * RATE)
    audio[int(3.9 * RATE) : int(4.1 * RATE)] = tone(0.2)
    info = probe_file("b", str(write(tmp_path / f"b{suffix}", audio, subtype=subtype, fmt=fmt)))
    assert info.scanned
    assert info.loudest_window_dbfs is not None
    assert info.loudest_window_dbfs > -25


def test_sound_in_one_window_is_enough(tmp_path: Path) -> None:
    """The loudest window counts: sound in one of the eight sampled windows (3.25-3.75 s) is enough."""
    audio = np.zeros(8 * RATE)
    audio[int(3.25 * RATE) : int(3.75 * RATE)] = tone(0.5)
    info = probe_file("m", str(pcm16_wav(tmp_path / "m.wav", audio)))
    assert info.loudest_window_dbfs is not None
    assert info.loudest_window_dbfs > -15
    assert not info.scanned


def test_truncated_file_is_undecodable_with_both_lengths(tmp_path: Path) -> None:
    """A header declaring 12 s over 3 s of audio (a cut copy) is undecodable and says so."""
    path = pcm16_wav(tmp_path / "t.wav", tone(3.0), declared_frames=12 * RATE)
    info = probe_file("t", str(path))
    assert info.status is ProbeStatus.UNDECODABLE
    assert info.detail == f"{path}: truncated: the header declares 12.0 s of audio, the file holds 3.0 s"
    assert info.detail_zh == f"{path}：文件被截断：文件头声明 12.0 秒音频，文件只有 3.0 秒"


def test_placeholder_size_uses_the_bytes_present(tmp_path: Path) -> None:
    """A writer that never filled in the data size (0) is measured from the file's size."""
    path = pcm16_wav(tmp_path / "p.wav", tone(2.0), declared_frames=0)
    info = probe_file("p", str(path))
    assert info.status is ProbeStatus.OK
    assert info.duration_s == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a wav at all" * 10, "not a RIFF/WAVE file"),
        (b"RIFF\x00\x00\x00\x00WAVEdata\x04\x00\x00\x00abcd", "data chunk before the fmt chunk"),
        (
            b"RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00"
            + struct.pack("<HHIIHH", 1, 1, 8000, 16000, 4, 16)
            + b"data\x04\x00\x00\x00abcd",
            "inconsistent fmt chunk",
        ),
        (b"RIFF\x00\x00\x00\x00WAVE", "no data chunk"),
    ],
)
def test_broken_headers_are_undecodable_naming_the_file(tmp_path: Path, content: bytes, message: str) -> None:
    """Garbage, misordered or inconsistent headers are findings with the file and the cause."""
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    info = probe_file("bad", str(path))
    assert info.status is ProbeStatus.UNDECODABLE
    assert info.detail is not None
    assert info.detail.startswith(f"{path}: ")
    assert message in info.detail


def test_a_vanished_file_is_reported_as_such(tmp_path: Path) -> None:
    """A file deleted between listing and probing is VANISHED (counted as missing), not an error."""
    info = probe_file("gone", str(tmp_path / "gone.wav"))
    assert info.status is ProbeStatus.VANISHED


def test_headerless_asterisk_formats_are_measured_from_their_size(tmp_path: Path) -> None:
    """.sln is 16-bit 8 kHz, .gsm 33-byte frames of 20 ms; a .gsm of the wrong size is undecodable."""
    sln = tmp_path / "a.sln"
    sln.write_bytes(np.rint(tone(2.0) * 32767).astype("<i2").tobytes())
    gsm = tmp_path / "b.gsm"
    gsm.write_bytes(bytes(33 * 150))
    bad = tmp_path / "c.gsm"
    bad.write_bytes(bytes(100))
    a, b, c = (probe_file(p.stem, str(p)) for p in (sln, gsm, bad))
    assert (a.status, a.encoding) == (ProbeStatus.OK, "pcm16")
    assert a.duration_s == pytest.approx(2.0)
    assert a.loudest_window_dbfs is not None
    assert (b.status, b.loudest_window_dbfs) == (ProbeStatus.OK, None)
    assert b.duration_s == pytest.approx(3.0)
    assert c.status is ProbeStatus.UNDECODABLE


def test_very_short_recordings_sample_what_there_is(tmp_path: Path) -> None:
    """A 0.1 s recording gets fewer, shorter windows instead of reading past its end."""
    info = probe_file("s", str(pcm16_wav(tmp_path / "s.wav", tone(0.1))))
    assert info.status is ProbeStatus.OK
    assert 1 <= info.windows <= 8
    tiny = probe_file("t", str(pcm16_wav(tmp_path / "t.wav", np.zeros(160))))
    assert (tiny.scanned, tiny.windows, tiny.loudest_window_dbfs) == (True, 1, FLOOR_DBFS)
    empty = probe_file("e", str(pcm16_wav(tmp_path / "e.wav", np.zeros(0))))
    assert (empty.status, empty.duration_s, empty.windows, empty.loudest_window_dbfs) == (
        ProbeStatus.OK,
        0.0,
        0,
        None,
    )
