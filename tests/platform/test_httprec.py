"""HTTP recordings read through configuration only: a vendor JSON search API shaped like
platform B's console (bearer token, Beijing times, paged ``data.list``, origin-relative file
URLs), a download template, and the plain listings, each against a real aiohttp server."""

from __future__ import annotations

import base64
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web

from ccinspect.core.facts import RecordingSource
from ccinspect.core.scenario.sources import HttpRecordings as HttpSpec
from ccinspect.platform import recfacts
from ccinspect.platform.errors import AdapterError
from ccinspect.platform.httprec import HttpRecordings
from ccinspect.platform.recordings import TimeWindow
from ccinspect.platform.stores import source_of
from tests.platform.support import AGENT_FP, CALLER_FP, inbound, serve, wav

TOKEN = "ccb-api-token-2024"
BEIJING = ZoneInfo("Asia/Shanghai")
FMT = "%Y-%m-%d %H:%M:%S"
NOW = datetime(2026, 12, 7, 16, 20, tzinfo=BEIJING).timestamp()


def _bj(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, BEIJING).strftime(FMT)


class Console:
    """A vendor console's recording API: what it holds and what it was asked."""

    def __init__(self, recordings: dict[str, tuple[float, bytes]], *, retention: Any = 180) -> None:
        self.recordings = recordings
        self.retention = retention
        self.queries: list[dict[str, str]] = []

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {TOKEN}"

    async def search(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"code": 401, "msg": "unauthorised"}, status=401)
        q = dict(request.query)
        self.queries.append(q)
        start = datetime.strptime(q["start"], FMT).replace(tzinfo=BEIJING).timestamp()
        end = datetime.strptime(q["end"], FMT).replace(tzinfo=BEIJING).timestamp()
        rows = [
            {
                "callId": cid,
                "caller": "13800138000",
                "callee": "955088",
                "agentId": "100103",
                "startTime": _bj(at),
                "duration": 6,
                "fileUrl": f"/api/v1/recordings/{cid}/file",
            }
            for cid, (at, _) in sorted(self.recordings.items(), key=lambda kv: -kv[1][0])
            if start <= at <= end
        ]
        page, size = int(q.get("page", "1")), int(q.get("size", "100"))
        chunk = rows[(page - 1) * size : page * size]
        return web.json_response({"code": 0, "data": {"total": len(rows), "list": chunk}})

    async def file(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.Response(status=401)
        item = self.recordings.get(request.match_info["cid"])
        if item is None:
            return web.Response(status=404)
        return web.Response(body=item[1], content_type="audio/wav")

    async def settings(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.Response(status=401)
        return web.json_response({"code": 0, "data": {"recordingRetentionDays": self.retention}})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/api/v1/recordings", self.search)
        app.router.add_get("/api/v1/recordings/{cid}/file", self.file)
        app.router.add_get("/api/v1/settings", self.settings)
        return app


def spec(base: str, **search: Any) -> HttpSpec:
    """The target section that reads the console through configuration only."""
    return HttpSpec.model_validate(
        {
            "kind": "http",
            "url": f"{base}/api/v1/",
            "auth": "bearer",
            "password": TOKEN,
            "stereo": {"left": "caller", "right": "agent"},
            "retention": {"path": "settings", "field": "data.recordingRetentionDays"},
            "search": {
                "path": "recordings",
                "params": {"phone": ""},
                "start_param": "start",
                "end_param": "end",
                "param_time": {"format": FMT, "timezone": "Asia/Shanghai"},
                "items": "data.list",
                "id": "callId",
                "file": "fileUrl",
                "time": "startTime",
                "time_format": {"format": FMT, "timezone": "Asia/Shanghai"},
                "page_param": "page",
                "size_param": "size",
                "page_size": 2,
                **search,
            },
        }
    )


async def test_search_lists_the_window_page_by_page_with_times() -> None:
    """Five recordings in the window, pages of two: three requests, all five listed once, each
    with its Beijing start time as epoch seconds; one outside the window is not asked for."""
    held = {f"17335596{i:02d}.{i}": (NOW - 60 * i, b"RIFF") for i in range(5)}
    held["old.1"] = (NOW - 3 * 86400, b"RIFF")
    console = Console(held)
    async with serve(console.app()) as base:
        store = HttpRecordings(spec(base))
        listing = await store.list(TimeWindow(NOW - 3600, NOW + 60))
    assert sorted(r.name for r in listing) == sorted(k for k in held if k != "old.1")
    assert {r.name: r.time for r in listing}["1733559602.2"] == pytest.approx(NOW - 120)
    assert [q["page"] for q in console.queries] == ["1", "2", "3"]
    assert console.queries[0]["start"] == _bj(NOW - 3600) and console.queries[0]["size"] == "2"
    assert console.queries[0]["phone"] == ""
    first = next(r for r in listing if r.name == "1733559600.0")
    assert first.locator == f"{base}/api/v1/recordings/1733559600.0/file" and first.format == "wav"


async def test_search_that_never_ends_is_an_error_not_a_silent_cut() -> None:
    """More full pages than max_pages: AdapterError saying so (recordings would go missing)."""
    console = Console({f"c{i}": (NOW - i, b"") for i in range(10)})
    async with serve(console.app()) as base:
        store = HttpRecordings(spec(base, max_pages=2))
        with pytest.raises(AdapterError, match="still had full pages after 2 pages"):
            await store.list(TimeWindow(NOW - 3600, NOW + 60))


async def test_search_with_a_wrong_field_map_names_the_path() -> None:
    """items at the wrong path: AdapterError naming it and the target key to fix."""
    async with serve(Console({}).app()) as base:
        store = HttpRecordings(spec(base, items="data.rows"))
        with pytest.raises(AdapterError, match=r"no list at 'data.rows'.*recordings.search"):
            await store.list(TimeWindow(NOW - 60, NOW))


async def test_download_template_relative_to_the_url() -> None:
    """Without a file field, ``download: recordings/{id}/file`` is resolved against the url."""
    console = Console({"a/b 1": (NOW, b"RIFF-a")})
    async with serve(console.app()) as base:
        store = HttpRecordings(spec(base, file=None, download="recordings/{id}/file"))
        (rec,) = await store.list(TimeWindow(NOW - 60, NOW + 60))
        assert rec.locator == f"{base}/api/v1/recordings/a%2Fb%201/file"


async def test_probe_asks_the_search_url_anonymously_and_with_a_wrong_token() -> None:
    """The access probe asks the interface the inspector uses: the search URL; both refused."""
    async with serve(Console({}).app()) as base:
        probe = await HttpRecordings(spec(base)).probe_access()
    assert probe.url == f"{base}/api/v1/recordings"
    assert (probe.anonymous_status, probe.wrong_credentials_status, probe.error) == (401, 401, None)


async def test_probe_reports_an_open_search_api() -> None:
    """A console that answers anyone: the probe records 200 for both (recording.access_control FAILs)."""

    async def open_search(request: web.Request) -> web.Response:
        return web.json_response({"code": 0, "data": {"list": []}})

    app = web.Application()
    app.router.add_get("/api/v1/recordings", open_search)
    async with serve(app) as base:
        probe = await HttpRecordings(spec(base)).probe_access()
    assert (probe.anonymous_status, probe.wrong_credentials_status) == (200, 200)


async def test_retention_policy_is_read_from_the_platform() -> None:
    """retention: {path, field} reads the console's setting with the same token; a non-number
    is an AdapterError naming the field."""
    async with serve(Console({}).app()) as base:
        assert await HttpRecordings(spec(base)).retention_policy() == 180
    async with serve(Console({}, retention="forever").app()) as base:
        with pytest.raises(AdapterError, match=r"data\.recordingRetentionDays"):
            await HttpRecordings(spec(base)).retention_policy()


async def test_gather_matches_a_stereo_recording_and_labels_its_channels(tmp_path: Path) -> None:
    """End to end: the run's window is searched, the stereo WAV fetched with the token, matched by
    fingerprints, saved flat in the run directory, and each channel labelled with the layout."""
    c = inbound(start=NOW - 30)
    console = Console({"1733559600.12": (NOW - 29, wav()), "other.1": (NOW - 20, wav(left=None, right=None))})
    async with serve(console.app()) as base:
        store = HttpRecordings(spec(base))
        (fact,) = await recfacts.gather_recordings(
            store,
            set(),
            [c],
            exclude=set(),
            bound_s=5.0,
            save_dir=tmp_path,
            since=NOW - 40,
            stereo=("caller", "agent"),
        )
    assert fact.name == "1733559600.12.wav" and fact.source is RecordingSource.HTTP == source_of(store)
    assert fact.fingerprints == ((CALLER_FP, True), (AGENT_FP, True))
    left, right = fact.channels
    assert (left.channel, left.party, right.channel, right.party) == ("left", "caller", "right", "agent")
    assert left.found(CALLER_FP) and not left.found(AGENT_FP)
    assert right.found(AGENT_FP) and not right.found(CALLER_FP)
    assert (tmp_path / "1733559600.12.wav").is_file()
    assert console.queries[0]["start"] == _bj(NOW - 100)


async def test_retention_from_a_search_store_asks_the_old_window(tmp_path: Path) -> None:
    """Retention on a search store: the platform's policy, and recordings between days + 30 and
    days ago listed, fetched and decoded."""
    console = Console({"old": (NOW - 45 * 86400, wav()), "new": (NOW - 60, wav())})
    async with serve(console.app()) as base:
        fact = await recfacts.retention_fact(HttpRecordings(spec(base)), days=30, policy_days=None, now=NOW)
    assert (fact.policy_days, fact.policy_source) == (180, "platform")
    assert fact.oldest_recording_age_days == pytest.approx(45.0)
    assert (fact.old_recordings_checked, fact.old_recordings_ok) == (1, 1)
    assert console.queries[0]["start"] == _bj(NOW - 60 * 86400)
    assert console.queries[0]["end"] == _bj(NOW - 30 * 86400 + 60)


# ---------------------------------------------------------------- plain listings (no search)


def _plain_app(body: str, files: dict[str, bytes]) -> web.Application:
    good = "Basic " + base64.b64encode(b"inspector:s3cret").decode()

    async def index(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != good:
            return web.Response(status=401)
        return web.Response(text=body, content_type="text/html")

    async def file(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != good:
            return web.Response(status=401)
        return web.Response(body=files[request.match_info["name"]])

    app = web.Application()
    app.router.add_get("/rec/", index)
    app.router.add_get("/rec/{name}", file)
    return app


def _plain_spec(base: str) -> HttpSpec:
    return HttpSpec.model_validate(
        {"kind": "http", "url": f"{base}/rec/", "username": "inspector", "password": "s3cret"}
    )


async def test_plain_directory_index_is_listed_and_fetched_with_basic_auth() -> None:
    """Without search: an HTML index's audio links are the recordings; not windowed."""
    page = '<a href="a.wav">a.wav</a> <a href="b.mp3">b</a> <a href="../">up</a>'
    async with serve(_plain_app(page, {"a.wav": b"RIFF-a"})) as base:
        store = HttpRecordings(_plain_spec(base))
        listing = await store.list()
        assert not store.windowed
        assert [(r.name, r.format) for r in listing] == [("a", "wav"), ("b", "mp3")]
        assert await store.fetch(listing[0]) == b"RIFF-a"
        probe = await store.probe_access()
        assert probe.url == f"{base}/rec/" and probe.anonymous_status == 401


async def test_plain_json_list_of_names() -> None:
    """Without search: a JSON list of file names."""
    async with serve(_plain_app('["x.wav", "y"]', {})) as base:
        listing = await HttpRecordings(_plain_spec(base)).list()
    assert [(r.name, r.format) for r in listing] == [("x", "wav"), ("y", "wav")]
