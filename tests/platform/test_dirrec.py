"""Recordings in a mounted directory tree, and recording times from names (``name_time``),
including the ARI store of the demo target over a real aiohttp server."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from aiohttp import web

from ccinspect.core.scenario import load_target
from ccinspect.core.scenario.sources import NameTime
from ccinspect.platform import recfacts
from ccinspect.platform.directory import DirectoryRecordings
from ccinspect.platform.errors import AdapterError
from ccinspect.platform.recordings import NameTimed, StoredRecording, age_days, file_name, time_from_name
from ccinspect.platform.stores import open_store
from tests.platform.support import serve, wav

ROOT = Path(__file__).resolve().parents[2]
NOW = 1_796_000_000.0


def _put(root: Path, rel: str, data: bytes, mtime: float) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))
    return path


async def test_recursive_tree_names_are_relative_paths_with_mtimes(tmp_path: Path) -> None:
    """YYYY/MM/DD/<id>.wav: every file found, the same id on two days stays two recordings,
    times from mtime, non-audio files ignored; fetch reads the file back."""
    _put(tmp_path, "2026/12/06/1733500000.1.wav", b"A", NOW - 86400)
    _put(tmp_path, "2026/12/07/1733500000.1.wav", b"B", NOW - 60)
    _put(tmp_path, "2026/12/07/notes.txt", b"x", NOW)
    store = DirectoryRecordings(tmp_path)
    listing = await store.list()
    assert [(r.name, r.format, r.time) for r in listing] == [
        ("2026/12/06/1733500000.1", "wav", NOW - 86400),
        ("2026/12/07/1733500000.1", "wav", NOW - 60),
    ]
    assert await store.fetch(listing[1]) == b"B"
    assert file_name(listing[1]) == "2026_12_07_1733500000.1.wav"
    flat = await DirectoryRecordings(tmp_path, recursive=False).list()
    assert flat == []


async def test_missing_directory_is_an_adapter_error(tmp_path: Path) -> None:
    """A directory that is not there: AdapterError naming it."""
    with pytest.raises(AdapterError, match="does not exist"):
        await DirectoryRecordings(tmp_path / "nope").list()


def test_time_from_name_uses_group_time_or_the_first_group() -> None:
    """Group ``time``, else the first group, in the given zone; no match or bad text: None."""
    utc = NameTime.model_validate({"pattern": r"^(\d{8}-\d{6})", "time": {"format": "%Y%m%d-%H%M%S"}})
    assert time_from_name("20261207-082000_in_x", utc) == 1_796_631_600.0
    beijing = NameTime.model_validate(
        {
            "pattern": r"_(?P<time>\d{14})\.",
            "time": {"format": "%Y%m%d%H%M%S", "timezone": "Asia/Shanghai"},
        }
    )
    assert time_from_name("2026/12/07/q_20261207162000.x", beijing) == 1_796_631_600.0
    assert time_from_name("no-time-here", utc) is None
    assert time_from_name("99999999-999999", utc) is None


async def test_name_time_overrides_mtime_and_drives_age(tmp_path: Path) -> None:
    """A directory store with name_time: times from names where they match, mtime otherwise."""
    _put(tmp_path, "20261207-082000-a.wav", b"A", NOW)
    _put(tmp_path, "unnamed.wav", b"B", NOW - 5)
    spec = NameTime.model_validate({"pattern": r"^(\d{8}-\d{6})", "time": {"format": "%Y%m%d-%H%M%S"}})
    listing = {r.name: r for r in await NameTimed(DirectoryRecordings(tmp_path), spec).list()}
    assert listing["20261207-082000-a"].time == 1_796_631_600.0
    assert listing["unnamed"].time == NOW - 5
    assert age_days(StoredRecording("x", "wav", NOW - 86400 * 2), now=NOW) == pytest.approx(2.0)
    assert age_days(StoredRecording("20200101-000000", "wav"), now=NOW) is None


async def test_demo_target_dates_ari_recordings_by_name(tmp_path: Path) -> None:
    """The demo target's name_time: ARI lists names only; ages come from the names (UTC), the
    purge policy from ARI's global variable, and old recordings are fetched."""
    names = ["20260101-000001_inbound-1_1767225600-1", "20261207-082000_outbound-8001_1796631600-2"]
    good = "Basic " + base64.b64encode(b"inspector:cci-inspector").decode()

    async def stored(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != good:
            return web.Response(status=401)
        return web.json_response([{"name": n, "format": "wav"} for n in names])

    async def file(request: web.Request) -> web.Response:
        return web.Response(body=wav(seconds=2.0))

    async def variable(request: web.Request) -> web.Response:
        assert request.query["variable"] == "RECORDING_RETENTION_DAYS"
        return web.json_response({"value": "180"})

    app = web.Application()
    app.router.add_get("/ari/recordings/stored", stored)
    app.router.add_get("/ari/recordings/stored/{name}/file", file)
    app.router.add_get("/ari/asterisk/variable", variable)
    text = (ROOT / "scenarios/targets/demo.yaml").read_text(encoding="utf-8")
    async with serve(app) as base:
        target_file = tmp_path / "demo.yaml"
        target_file.write_text(text.replace("http://127.0.0.1:8088/ari", f"{base}/ari"), encoding="utf-8")
        store = open_store(load_target(target_file))
        assert store is not None and store.kind == "ari"
        listing = await store.list()
        assert [r.time for r in listing] == [1_767_225_601.0, 1_796_631_600.0]
        fact = await recfacts.retention_fact(store, days=30, policy_days=180, now=NOW)
    assert (fact.policy_days, fact.policy_source) == (180, "platform")
    assert fact.oldest_recording_age_days == pytest.approx((NOW - 1_767_225_601.0) / 86400)
    assert (fact.old_recordings_checked, fact.old_recordings_ok) == (1, 1)
