"""Evidence bundles: deterministic zips with a SHA-256 manifest, and tamper detection that names files."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from ccinspect.bundle import MANIFEST, BundleError, make_bundle, read_manifest, verify_bundle
from ccinspect.store import RunStore
from tests.store.conftest import SAMPLE_RUN_ID

WAV = "recordings/20261129-160730_in_13800138000_950512_1795968450-3.wav"


def rewrite(
    src: Path, dst: Path, change: Callable[[str, bytes], bytes | None], add: dict[str, bytes] | None = None
) -> None:
    """Copy the zip ``src`` to ``dst`` member by member, through ``change`` (None drops the member)."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info))
            if data is not None:
                new.writestr(info, data)
        for name, data in (add or {}).items():
            new.writestr(name, data)


def flip_one_byte(name: str) -> Callable[[str, bytes], bytes]:
    """A change that flips the lowest bit of one byte in the middle of member ``name``."""

    def change(member: str, data: bytes) -> bytes:
        if member != name:
            return data
        altered = bytearray(data)
        altered[len(altered) // 2] ^= 0x01
        return bytes(altered)

    return change


def test_the_same_run_gives_the_same_bundle_bytes(sample_run: Path, tmp_path: Path) -> None:
    """Two bundles of one run, even from a copy with other timestamps, are byte-identical."""
    first = make_bundle(sample_run, tmp_path / "1.zip")
    copy = tmp_path / "copy" / SAMPLE_RUN_ID
    shutil.copytree(sample_run, copy)
    for path in copy.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    second = make_bundle(copy, tmp_path / "2.zip")
    assert (tmp_path / "1.zip").read_bytes() == (tmp_path / "2.zip").read_bytes()
    assert first.manifest_sha256 == second.manifest_sha256


def test_bundle_holds_the_run_files_and_a_sorted_manifest(sample_run: Path, tmp_path: Path) -> None:
    """Members are the run's files (report.html/junit.xml included when present, *.tmp left out), sorted,
    and MANIFEST.json lists each with its true size and SHA-256; its own hash is returned."""
    (sample_run / "report.html").write_text("<html>报告</html>", encoding="utf-8")
    (sample_run / "junit.xml").write_text("<testsuite/>", encoding="utf-8")
    (sample_run / "report").mkdir()
    (sample_run / "report" / "report-zh.pdf").write_bytes(b"%PDF-1.7 \x00\xff")
    (sample_run / "calls" / "x.json.tmp").write_text("{}", encoding="utf-8")
    (sample_run / "notes.txt").write_text("not evidence", encoding="utf-8")
    info = make_bundle(sample_run, tmp_path / "b.zip")
    with zipfile.ZipFile(info.path) as archive:
        names = archive.namelist()
        raw = archive.read(MANIFEST)
    assert names[-1] == MANIFEST and names[:-1] == sorted(names[:-1])
    assert {
        "report.json",
        "report.html",
        "junit.xml",
        "report/report-zh.pdf",
        "evidence/pjsip.log",
        WAV,
    } <= set(names)
    assert not any(n.endswith(".tmp") or n == "notes.txt" for n in names)
    manifest = json.loads(raw)
    assert (manifest["schema"], manifest["run_id"]) == ("ccinspect.bundle/1", SAMPLE_RUN_ID)
    assert manifest["created_at"].startswith("2026-11-29T")
    for entry in manifest["files"]:
        data = (sample_run / entry["path"]).read_bytes()
        assert (entry["size"], entry["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    assert info.manifest_sha256 == hashlib.sha256(raw).hexdigest()
    assert [f.path for f in info.files] == names[:-1]


def test_verify_passes_an_untouched_bundle(sample_run: Path, tmp_path: Path) -> None:
    """An untouched bundle verifies: every member re-hashed, nothing changed, manifest hash as recorded."""
    info = make_bundle(sample_run, tmp_path / "b.zip")
    result = verify_bundle(info.path, info.manifest_sha256)
    assert result.ok and result.manifest_ok and result.files_checked == len(info.files)
    assert (result.changed, result.missing, result.extra) == ((), (), ())


def test_verify_names_the_file_after_one_flipped_byte(sample_run: Path, tmp_path: Path) -> None:
    """One changed byte in one member (zip rewritten, CRCs valid) is caught and that file alone named."""
    info = make_bundle(sample_run, tmp_path / "b.zip")
    rewrite(info.path, tmp_path / "t.zip", flip_one_byte("evidence/pjsip.log"))
    result = verify_bundle(tmp_path / "t.zip", info.manifest_sha256)
    assert not result.ok and result.manifest_ok
    assert result.changed == ("evidence/pjsip.log",)
    assert (result.missing, result.extra) == ((), ())


def test_verify_names_a_member_damaged_inside_the_zip(sample_run: Path, tmp_path: Path) -> None:
    """A byte flipped in a stored member's data in the zip file itself (CRC now wrong) names that member."""
    info = make_bundle(sample_run, tmp_path / "b.zip")
    with zipfile.ZipFile(info.path) as archive:
        member = archive.getinfo(WAV)
    data = bytearray(info.path.read_bytes())
    header = member.header_offset
    name_len, extra_len = (
        int.from_bytes(data[header + 26 : header + 28], "little"),
        int.from_bytes(data[header + 28 : header + 30], "little"),
    )
    data[header + 30 + name_len + extra_len + 100] ^= 0x80
    (tmp_path / "t.zip").write_bytes(bytes(data))
    result = verify_bundle(tmp_path / "t.zip")
    assert result.changed == (WAV,) and not result.ok


def test_verify_names_missing_and_added_files(sample_run: Path, tmp_path: Path) -> None:
    """A member removed from the bundle is missing; one slipped in is extra."""
    info = make_bundle(sample_run, tmp_path / "b.zip")
    rewrite(
        info.path,
        tmp_path / "t.zip",
        lambda name, data: None if name == WAV else data,
        add={"recordings/forged.wav": b"RIFF"},
    )
    result = verify_bundle(tmp_path / "t.zip", info.manifest_sha256)
    assert (result.missing, result.extra, result.changed) == ((WAV,), ("recordings/forged.wav",), ())


def test_rewritten_manifest_is_caught_against_the_store(
    store: RunStore, sample_run: Path, tmp_path: Path
) -> None:
    """A file altered together with a matching new MANIFEST.json passes the bundle's own check but not the
    manifest hash kept in the run store, whose file hashes still name the altered file."""
    store.import_run_dir(sample_run)
    info = make_bundle(sample_run, tmp_path / "b.zip")
    store.record_bundle(SAMPLE_RUN_ID, info.manifest_sha256, info.path, info.files)
    altered = bytearray((sample_run / "report.json").read_bytes())
    altered[altered.index(b'"overall": "pass"') + 12] = ord("F")
    (sample_run / "report.json").write_bytes(bytes(altered))
    forged = make_bundle(sample_run, tmp_path / "forged.zip")
    assert verify_bundle(forged.path).ok  # self-consistent on its own
    run = store.get_run(SAMPLE_RUN_ID)
    assert run.run.bundle_sha256 == info.manifest_sha256
    result = verify_bundle(forged.path, run.run.bundle_sha256, {e.path: e.sha256 for e in run.evidence})
    assert not result.ok and not result.manifest_ok
    assert result.changed == ("report.json",)


def test_unreadable_bundles_raise_with_the_next_step(tmp_path: Path) -> None:
    """Not a zip, or a zip without MANIFEST.json, is a BundleError (exit 2 material), in both languages."""
    (tmp_path / "junk.zip").write_bytes(b"not a zip at all")
    with pytest.raises(BundleError) as junk:
        verify_bundle(tmp_path / "junk.zip")
    assert "junk.zip" in junk.value.message and junk.value.message_zh and junk.value.hint
    with zipfile.ZipFile(tmp_path / "bare.zip", "w") as archive:
        archive.writestr("report.json", "{}")
    with pytest.raises(BundleError, match=r"MANIFEST\.json"):
        read_manifest(tmp_path / "bare.zip")


def test_bundling_a_directory_that_is_not_a_run_says_so(tmp_path: Path) -> None:
    """make_bundle on a directory without report.json refuses, naming the directory, and writes nothing."""
    with pytest.raises(BundleError, match=r"report\.json"):
        make_bundle(tmp_path, tmp_path / "out.zip")
    assert not (tmp_path / "out.zip").exists()
