"""The recording directory: listing by key, probing in a bounded pool."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccinspect.platform.errors import AdapterError
from ccinspect.platform.recstore import list_directory, probe_recordings
from ccinspect.platform.wavprobe import ProbeStatus
from tests.nightly.wavs import pcm16_wav, tone


def test_listing_keys_files_by_name_without_suffix(tmp_path: Path) -> None:
    """Audio files are keyed by their stem; other files and subdirectories are ignored."""
    pcm16_wav(tmp_path / "a.wav", tone(1.0))
    (tmp_path / "b.gsm").write_bytes(bytes(33))
    (tmp_path / "c.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    pcm16_wav(tmp_path / "sub" / "d.wav", tone(1.0))
    assert list_directory(tmp_path) == {"a": tmp_path / "a.wav", "b": tmp_path / "b.gsm"}
    assert list_directory(tmp_path, recursive=True)["d"] == tmp_path / "sub" / "d.wav"


def test_wav_is_preferred_when_two_files_share_a_key(tmp_path: Path) -> None:
    """x.gsm and x.wav: the .wav (first in AUDIO_SUFFIXES) is the one audited."""
    (tmp_path / "x.gsm").write_bytes(bytes(33))
    pcm16_wav(tmp_path / "x.wav", tone(1.0))
    assert list_directory(tmp_path) == {"x": tmp_path / "x.wav"}


def test_listing_errors_name_the_directory(tmp_path: Path) -> None:
    """A missing directory, or one larger than the bound, is an AdapterError naming it."""
    with pytest.raises(AdapterError, match=r"cannot list the recording directory .*nowhere"):
        list_directory(tmp_path / "nowhere")
    for i in range(3):
        (tmp_path / f"{i}.wav").write_bytes(b"")
    with pytest.raises(AdapterError, match="more than 2 entries"):
        list_directory(tmp_path, max_entries=2)


def _files(tmp_path: Path, count: int) -> dict[str, Path]:
    return {f"r{i}": pcm16_wav(tmp_path / f"r{i}.wav", tone(1.0 + i)) for i in range(count)}


def test_pool_and_inline_probes_agree(tmp_path: Path) -> None:
    """Worker processes return the same results as probing in this process, one per key."""
    files = _files(tmp_path, 6)
    inline = probe_recordings(files, workers=0)
    pooled = probe_recordings(files, workers=2, chunk_size=2)
    assert pooled == inline
    assert [round(inline[f"r{i}"].duration_s or 0) for i in range(6)] == [1, 2, 3, 4, 5, 6]


def test_files_not_probed_by_the_deadline_are_unreadable_not_lost(tmp_path: Path) -> None:
    """Past the overall deadline nothing is waited for: the rest comes back UNREADABLE, named."""
    files = _files(tmp_path, 6)
    result = probe_recordings(files, workers=2, chunk_size=1, deadline_s=0.0)
    assert set(result) == set(files)
    late = [i for i in result.values() if i.status is ProbeStatus.UNREADABLE]
    assert late
    assert all(i.detail == f"{i.path}: not probed within the 0 s deadline" for i in late)
