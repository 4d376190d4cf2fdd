"""The console's web pages: real login, call search, the player page and the media route."""

from __future__ import annotations

import io
import re
from pathlib import Path

import soundfile

from tests.demo.platform_b.conftest import (
    PASSWORD,
    USERNAME,
    Client,
    ClientFactory,
    add_call,
    ago,
    login,
)


async def test_pages_redirect_to_login_without_a_session(client: Client) -> None:
    """Every page sends a visitor without a session to the login page, remembering where to return."""
    for path in ("/calls", "/calls/123.4", "/orders", "/settings"):
        resp = await client.get(path, allow_redirects=False)
        assert resp.status == 302, path
        assert resp.headers["Location"].startswith("/login?next="), path
    resp = await client.get("/login")
    html = await resp.text()
    assert resp.status == 200
    assert 'name="username"' in html and 'name="password"' in html


async def test_wrong_password_is_refused_and_gives_no_session(client: Client) -> None:
    """A wrong password (or unknown user) answers 401 with the form and sets no session."""
    assert await login(client, password="wrong") == 401
    resp = await client.post(
        "/login", data={"username": "nobody", "password": PASSWORD}, allow_redirects=False
    )
    assert resp.status == 401
    assert "用户名或密码错误" in await resp.text()
    resp = await client.get("/calls", allow_redirects=False)
    assert resp.status == 302


async def test_login_redirects_to_calls_and_logout_ends_the_session(client: Client) -> None:
    """The demo account logs in (302 to /calls), sees the pages, and is logged out by POST /logout."""
    resp = await client.post(
        "/login", data={"username": USERNAME, "password": PASSWORD}, allow_redirects=False
    )
    assert resp.status == 302 and resp.headers["Location"] == "/calls"
    resp = await client.get("/calls")
    assert resp.status == 200 and USERNAME in await resp.text()
    resp = await client.post("/logout", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/login"
    resp = await client.get("/calls", allow_redirects=False)
    assert resp.status == 302


async def test_search_by_phone_and_time_window_newest_first(
    client: Client, dsn: str, recording_root: Path
) -> None:
    """The calls page finds a number as caller or callee, limits to the Beijing-time window and
    lists newest first with caller, callee, agent, Beijing start time, duration and a player link."""
    add_call(dsn, recording_root, "1000.1", when=ago(hours=3), src="13800138000", agent="100101")
    add_call(dsn, recording_root, "1000.2", when=ago(hours=1), src="13800138000", agent="100102")
    add_call(dsn, recording_root, "1000.3", when=ago(hours=2), src="02586660000", dst="13800138000")
    add_call(dsn, recording_root, "1000.4", when=ago(hours=1), src="13911112222")
    assert await login(client) == 302

    resp = await client.get("/calls", params={"phone": "13800138000"})
    html = await resp.text()
    assert resp.status == 200
    ids = re.findall(r'data-call-id="([^"]+)"', html)
    assert ids == ["1000.2", "1000.3", "1000.1"]
    # NOW is 16:21:03 Beijing; 1000.2 started an hour earlier.
    assert "2026-12-07 15:21:03" in html
    assert "100102" in html and 'href="/calls/1000.2"' in html

    window = {"phone": "13800138000", "start": "2026-12-07 13:30:00", "end": "2026-12-07 14:30:00"}
    resp = await client.get("/calls", params=window)
    assert re.findall(r'data-call-id="([^"]+)"', await resp.text()) == ["1000.3"]

    resp = await client.get("/calls", params={"start": "yesterday"})
    assert resp.status == 400
    assert "YYYY-MM-DD HH:MM:SS" in await resp.text()


async def test_player_page_has_the_audio_element(client: Client, dsn: str, recording_root: Path) -> None:
    """The player page shows the call and an <audio> element on /media/{callId}.wav."""
    add_call(dsn, recording_root, "1733559600.12", when=ago(minutes=5), agent="100103")
    assert await login(client) == 302
    resp = await client.get("/calls/1733559600.12")
    html = await resp.text()
    assert resp.status == 200
    assert '<audio controls preload="auto" src="/media/1733559600.12.wav"></audio>' in html
    assert "100103" in html and "13800138000" in html
    resp = await client.get("/calls/no-such-call")
    assert resp.status == 404


async def test_media_needs_a_session_and_serves_the_wav(
    client: Client, dsn: str, recording_root: Path
) -> None:
    """Without a session the media route answers 401; with one it streams the stereo 8 kHz WAV."""
    record_file = add_call(dsn, recording_root, "2000.1", when=ago(minutes=5))
    resp = await client.get("/media/2000.1.wav", allow_redirects=False)
    assert resp.status == 401
    assert await login(client) == 302
    resp = await client.get("/media/2000.1.wav")
    body = await resp.read()
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "audio/wav"
    assert body == (recording_root / record_file).read_bytes()
    info = soundfile.info(io.BytesIO(body))
    assert (info.channels, info.samplerate) == (2, 8000)
    resp = await client.get("/media/missing.wav")
    assert resp.status == 404


async def test_media_open_when_the_fault_switch_is_off(
    make_client: ClientFactory, dsn: str, recording_root: Path
) -> None:
    """With media_requires_login false anyone may fetch a recording (the injected fault)."""
    async with make_client(media_requires_login=False) as client:
        add_call(dsn, recording_root, "2100.1", when=ago(minutes=5))
        resp = await client.get("/media/2100.1.wav")
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "audio/wav"


async def test_media_refuses_paths_outside_the_recording_root(
    client: Client, dsn: str, recording_root: Path
) -> None:
    """A record_file pointing outside the recording root is never served."""
    secret = recording_root.parent / "secret.wav"
    secret.write_bytes(b"RIFF")
    add_call(dsn, None, "2200.1", when=ago(minutes=5))
    from sqlalchemy import create_engine, update

    from ccinspect.demo.platform_b.console.models import cdr

    engine = create_engine(dsn)
    with engine.begin() as conn:
        conn.execute(update(cdr).where(cdr.c.uniqueid == "2200.1").values(record_file="../secret.wav"))
    engine.dispose()
    assert await login(client) == 302
    resp = await client.get("/media/2200.1.wav")
    assert resp.status == 404


async def test_settings_page_shows_and_updates_retention(client: Client) -> None:
    """The settings page shows the retention days, saves a new value and refuses one below the minimum."""
    assert await login(client) == 302
    resp = await client.get("/settings")
    assert resp.status == 200 and 'value="180"' in await resp.text()
    resp = await client.post("/settings", data={"retention_days": "90"}, allow_redirects=False)
    assert resp.status == 302
    resp = await client.get("/settings")
    assert 'value="90"' in await resp.text()
    resp = await client.post("/settings", data={"retention_days": "10"})
    assert resp.status == 400
    html = await resp.text()
    assert "不能少于 30 天" in html and 'value="90"' in html
    resp = await client.post("/settings", data={"retention_days": "abc"})
    assert resp.status == 400


async def test_settings_are_for_administrators_only(client: Client, dsn: str) -> None:
    """An account without the admin role may see calls but not the settings (403)."""
    from sqlalchemy import create_engine, text

    from ccinspect.demo.platform_b.console.auth import hash_password

    engine = create_engine(dsn)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (username, password_hash, role, updated_at)"
                " VALUES ('agent1', :h, 'agent', now())"
            ),
            {"h": hash_password("agent-pass")},
        )
    engine.dispose()
    resp = await client.post(
        "/login", data={"username": "agent1", "password": "agent-pass"}, allow_redirects=False
    )
    assert resp.status == 302
    assert (await client.get("/calls")).status == 200
    assert (await client.get("/settings")).status == 403
    assert (await client.post("/settings", data={"retention_days": "60"})).status == 403
