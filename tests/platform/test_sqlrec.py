"""Recordings located through the platform's database: a real SQLite table whose rows point at
WAV files on disk (``root``) or behind a download URL (``download``)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web

from ccinspect.core.facts import RecordingSource
from ccinspect.core.scenario.sources import SqlRecordings as SqlSpec
from ccinspect.platform import recfacts
from ccinspect.platform.errors import AdapterError
from ccinspect.platform.recordings import TimeWindow
from ccinspect.platform.sqlrec import SqlRecordings
from ccinspect.platform.stores import source_of
from tests.platform.support import AGENT_FP, CALLER_FP, inbound, serve, wav

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 7, 16, 20, tzinfo=BEIJING).timestamp()
QUERY = (
    "SELECT uniqueid AS id, calldate AS time, record_file AS file FROM cdr "
    "WHERE calldate BETWEEN :start AND :end AND record_file <> '' ORDER BY calldate"
)


def _db(tmp_path: Path, rows: list[tuple[str, float, str]]) -> Path:
    """A cdr table written the way a zone-less timestamp column holds Beijing times."""
    path = tmp_path / "callcenter.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE cdr (uniqueid TEXT, calldate TEXT, record_file TEXT)")
        conn.executemany(
            "INSERT INTO cdr VALUES (?, ?, ?)",
            [(u, datetime.fromtimestamp(t, BEIJING).strftime("%Y-%m-%d %H:%M:%S"), f) for u, t, f in rows],
        )
    return path


def _spec(db: Path, **extra: Any) -> SqlSpec:
    return SqlSpec.model_validate(
        {"kind": "sql", "url": f"sqlite:///{db}", "timezone": "Asia/Shanghai", "query": QUERY, **extra}
    )


def _monitor(tmp_path: Path) -> Path:
    root = tmp_path / "monitor"
    (root / "2026/12/07").mkdir(parents=True)
    (root / "2026/12/07/1733559600.12.wav").write_bytes(wav())
    return root


async def test_query_window_is_bound_as_naive_local_times_and_files_read_from_root(tmp_path: Path) -> None:
    """Only the rows inside the window come back (the bound times are Beijing wall times), with
    their times; files are read under root; the source is the directory."""
    db = _db(
        tmp_path,
        [
            ("1733559600.12", NOW - 30, "2026/12/07/1733559600.12.wav"),
            ("1733000000.1", NOW - 2 * 86400, "2026/12/05/1733000000.1.wav"),
            ("1733559700.13", NOW - 10, ""),
        ],
    )
    store = SqlRecordings(_spec(db, root=str(_monitor(tmp_path))))
    (rec,) = await store.list(TimeWindow(NOW - 600, NOW + 60))
    assert (rec.name, rec.format, rec.time) == ("1733559600.12", "wav", NOW - 30)
    assert await store.fetch(rec) == wav()
    assert source_of(store) is RecordingSource.DIRECTORY
    assert (await store.probe_access()).error is not None


async def test_gather_through_sql_matches_the_stereo_recording(tmp_path: Path) -> None:
    """End to end through SQLite and the mounted directory: matched, both channels analysed."""
    db = _db(tmp_path, [("1733559600.12", NOW - 29, "2026/12/07/1733559600.12.wav")])
    store = SqlRecordings(_spec(db, root=str(_monitor(tmp_path))))
    before = await recfacts.snapshot(store, since=NOW - 3600)  # the run's window: already there
    assert before == {"1733559600.12"}
    (fact,) = await recfacts.gather_recordings(
        store,
        set(),
        [inbound(start=NOW - 30)],
        exclude=set(),
        bound_s=5.0,
        save_dir=tmp_path / "run",
        since=NOW - 40,
    )
    assert fact.fingerprints == ((CALLER_FP, True), (AGENT_FP, True))
    assert [ch.label for ch in fact.channels] == ["left channel", "right channel"]


async def test_a_file_outside_root_is_refused(tmp_path: Path) -> None:
    """A row pointing outside root (../) is not read: AdapterError."""
    db = _db(tmp_path, [("x", NOW, "../callcenter.sqlite")])
    store = SqlRecordings(_spec(db, root=str(_monitor(tmp_path))))
    (rec,) = await store.list(TimeWindow(NOW - 60, NOW + 60))
    with pytest.raises(AdapterError, match="outside"):
        await store.fetch(rec)


async def test_download_template_and_probe_of_a_listed_recording(tmp_path: Path) -> None:
    """``download: http://…/{file}``: fetched over HTTP; the probe asks that URL anonymously
    and with a wrong password (an open link answers 200 to both)."""
    db = _db(tmp_path, [("1733559600.12", NOW - 30, "2026/12/07/1733559600.12.wav")])
    asked: list[str] = []

    async def media(request: web.Request) -> web.Response:
        asked.append(request.path)
        return web.Response(body=b"RIFF-x")

    app = web.Application()
    app.router.add_get("/rec/{tail:.+}", media)
    async with serve(app) as base:
        store = SqlRecordings(_spec(db, download=f"{base}/rec/{{file}}"))
        assert source_of(store) is RecordingSource.HTTP
        assert (
            await store.probe_access()
        ).error == "no recording was listed, so no download URL could be probed"
        (rec,) = await store.list(TimeWindow(NOW - 60, NOW + 60))
        assert await store.fetch(rec) == b"RIFF-x"
        probe = await store.probe_access()
    assert asked[0] == "/rec/2026/12/07/1733559600.12.wav"
    assert (probe.url, probe.anonymous_status, probe.wrong_credentials_status) == (
        f"{base}/rec/2026/12/07/1733559600.12.wav",
        200,
        200,
    )


async def test_query_without_the_required_columns_names_them(tmp_path: Path) -> None:
    """A query that returns no ``file`` column: AdapterError saying which columns are needed."""
    db = _db(tmp_path, [("x", NOW, "a.wav")])
    store = SqlRecordings(
        _spec(db, root=str(tmp_path), query="SELECT uniqueid AS id, calldate AS time FROM cdr")
    )
    with pytest.raises(AdapterError, match="id, time and file"):
        await store.list(TimeWindow(NOW - 60, NOW + 60))


async def test_a_broken_query_is_an_adapter_error(tmp_path: Path) -> None:
    """SQL the database rejects: AdapterError naming the lookup (never a crash)."""
    db = _db(tmp_path, [])
    with pytest.raises(AdapterError, match="recording lookup"):
        await SqlRecordings(_spec(db, query="SELECT nope FROM missing")).list()
