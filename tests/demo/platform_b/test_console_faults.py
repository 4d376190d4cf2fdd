"""The console's recording fault switches: ``media_fault`` (wrong-call, truncated) on every route
that serves a recording's audio, ``show_recordings`` on the web pages, and their validation from
console.yaml to the console's config."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
import soundfile

from ccinspect.demo.platform_b import config as bconfig
from ccinspect.demo.platform_b.console import ConfigError, MediaFault, load_config
from tests.demo.platform_b.conftest import TOKEN, Client, ClientFactory, add_call, ago, login
from tests.support.rehearsal import edit_config

AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def _audio(client: Client, call_id: str) -> tuple[bytes, bytes]:
    """The bytes of ``call_id``'s recording from the media route and from the API (both 200 audio/wav)."""
    bodies = []
    for path, headers in ((f"/media/{call_id}.wav", {}), (f"/api/v1/recordings/{call_id}/file", AUTH)):
        resp = await client.get(path, headers=headers)
        assert resp.status == 200, path
        assert resp.headers["Content-Type"] == "audio/wav", path
        bodies.append(await resp.read())
    return bodies[0], bodies[1]


async def test_wrong_call_serves_the_most_recent_other_recording(
    make_client: ClientFactory, dsn: str, recording_root: Path
) -> None:
    """With media_fault wrong-call, both recording routes serve the newest other call's file,
    skipping calls whose file is missing; the API keeps the asked call's file name."""
    async with make_client(media_fault=MediaFault.WRONG_CALL) as client:
        add_call(dsn, recording_root, "5000.1", when=ago(hours=3), seconds=0.3)
        middle = add_call(dsn, recording_root, "5000.2", when=ago(hours=2), seconds=0.7)
        newest = add_call(dsn, recording_root, "5000.3", when=ago(hours=1), seconds=0.9)
        add_call(dsn, recording_root, "5000.4", when=ago(minutes=5), with_file=False)
        add_call(dsn, None, "5000.5", when=ago(minutes=1), disposition="NO ANSWER")
        assert await login(client) == 302
        media, api = await _audio(client, "5000.1")
        assert media == api == (recording_root / newest).read_bytes()
        media, api = await _audio(client, "5000.3")
        assert media == api == (recording_root / middle).read_bytes()
        resp = await client.get("/api/v1/recordings/5000.3/file", headers=AUTH)
        assert resp.headers["Content-Disposition"] == 'inline; filename="5000.3.wav"'
        for path, headers in (("/media/5000.4.wav", {}), ("/api/v1/recordings/5000.4/file", AUTH)):
            assert (await client.get(path, headers=headers)).status == 404, path


async def test_wrong_call_with_no_other_recording_serves_silence(
    make_client: ClientFactory, dsn: str, recording_root: Path
) -> None:
    """With media_fault wrong-call and no other recorded call, the routes serve 0.5 s of 8 kHz silence."""
    async with make_client(media_fault=MediaFault.WRONG_CALL) as client:
        add_call(dsn, recording_root, "5100.1", when=ago(minutes=5))
        assert await login(client) == 302
        media, api = await _audio(client, "5100.1")
    assert media == api
    samples, rate = soundfile.read(io.BytesIO(media), dtype="int16")
    assert rate == 8000 and len(samples) == 4000
    assert not samples.any()


async def test_truncated_serves_a_valid_wav_of_half_the_frames(
    make_client: ClientFactory, dsn: str, recording_root: Path
) -> None:
    """With media_fault truncated, both routes serve a WAV that decodes to the first half of the
    recording's frames, channels and rate kept."""
    async with make_client(media_fault=MediaFault.TRUNCATED) as client:
        record_file = add_call(dsn, recording_root, "5200.1", when=ago(minutes=5), seconds=0.3)
        assert await login(client) == 302
        media, api = await _audio(client, "5200.1")
    assert media == api
    original, rate = soundfile.read(recording_root / record_file, dtype="int16")
    assert len(original) == 2400
    info = soundfile.info(io.BytesIO(media))
    assert (info.channels, info.samplerate, info.frames) == (2, rate, 1200)
    samples, _ = soundfile.read(io.BytesIO(media), dtype="int16")
    assert (samples == original[:1200]).all()


async def test_show_recordings_false_hides_links_and_player_but_not_the_api(
    make_client: ClientFactory, dsn: str, recording_root: Path
) -> None:
    """With show_recordings false the calls page shows 无 for every call, the player page shows the
    missing-recording box instead of <audio>, and the JSON API still lists and serves the file."""
    async with make_client(show_recordings=False) as client:
        record_file = add_call(dsn, recording_root, "5300.1", when=ago(minutes=5))
        add_call(dsn, recording_root, "5300.2", when=ago(minutes=4))
        assert await login(client) == 302
        html = await (await client.get("/calls")).text()
        assert 'data-call-id="5300.1"' in html and 'data-call-id="5300.2"' in html
        assert "播放" not in html and 'href="/calls/5300.1"' not in html
        assert html.count('<span class="muted">无</span>') == 2
        html = await (await client.get("/calls/5300.1")).text()
        assert "<audio" not in html and "/media/5300.1.wav" not in html
        assert "录音文件不存在或已过保存期限" in html
        resp = await client.get("/api/v1/recordings", headers=AUTH)
        assert (await resp.json())["data"]["total"] == 2
        _, api = await _audio(client, "5300.1")
        assert api == (recording_root / record_file).read_bytes()


async def test_defaults_show_recordings_and_serve_the_own_file(
    client: Client, dsn: str, recording_root: Path
) -> None:
    """By default the calls page links the player and both routes serve the call's own file."""
    record_file = add_call(dsn, recording_root, "5400.1", when=ago(minutes=5), seconds=0.3)
    add_call(dsn, recording_root, "5400.2", when=ago(minutes=1))
    assert await login(client) == 302
    html = await (await client.get("/calls")).text()
    assert 'href="/calls/5400.1"' in html and 'href="/calls/5400.2"' in html
    media, api = await _audio(client, "5400.1")
    assert media == api == (recording_root / record_file).read_bytes()


def _console_json(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    """The console JSON the lifecycle writes from a copy of docker/platform-b with ``edits``
    (old line, new line) made to its console.yaml."""
    copy = tmp_path / "b"
    shutil.copytree(bconfig.default_dir(), copy)
    for old, new in edits:
        edit_config(copy / "console.yaml", old, new)
    path = tmp_path / "console.json"
    path.write_text(bconfig.load(copy).console_json(tmp_path / "monitor"), encoding="utf-8")
    return path


FAULT = "media_fault: none"
SHOWN = "show_recordings: true"
ONE_OF = "key 'media_fault' must be one of ['none', 'wrong-call', 'truncated'], got"


def test_console_yaml_switches_reach_the_console(tmp_path: Path) -> None:
    """docker/platform-b's console.yaml gives the compliant defaults; a copy's switches reach the
    console's config through the lifecycle's JSON."""
    default = load_config(_console_json(tmp_path / "default"))
    assert default.media_fault is MediaFault.NONE and default.show_recordings is True
    faulty = load_config(
        _console_json(
            tmp_path / "faulty", (FAULT, "media_fault: wrong-call"), (SHOWN, "show_recordings: false")
        )
    )
    assert faulty.media_fault is MediaFault.WRONG_CALL and faulty.show_recordings is False
    cut = load_config(_console_json(tmp_path / "cut", (FAULT, "media_fault: truncated")))
    assert cut.media_fault is MediaFault.TRUNCATED


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ((FAULT, "media_fault: sideways"), f"{ONE_OF} 'sideways'"),
        ((FAULT, "media_fault: 1"), f"{ONE_OF} 1"),
        ((FAULT, "media_fault: WRONG-CALL"), f"{ONE_OF} 'WRONG-CALL'"),
        ((SHOWN, "show_recordings: maybe"), "key 'show_recordings' must be a bool, got 'maybe'"),
        ((SHOWN, "show_recordings: 0"), "key 'show_recordings' must be a bool, got 0"),
    ],
)
def test_bad_switch_values_are_refused_naming_key_and_allowed_values(
    tmp_path: Path, edit: tuple[str, str], expected: str
) -> None:
    """An unknown media_fault or a non-boolean show_recordings is the user's mistake: ConfigError
    naming the file, the key and what is allowed."""
    path = _console_json(tmp_path, edit)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert expected in info.value.message and str(path) in info.value.message
    key = edit[0].split(":")[0]
    assert key in info.value.message_zh


def test_the_console_json_carries_both_switches(tmp_path: Path) -> None:
    """The lifecycle's JSON has show_recordings and media_fault with their compliant defaults."""
    data = json.loads(_console_json(tmp_path).read_text(encoding="utf-8"))
    assert data["show_recordings"] is True and data["media_fault"] == "none"
