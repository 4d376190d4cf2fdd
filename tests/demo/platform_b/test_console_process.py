"""The real ``python -m ccinspect.demo.platform_b.console --config FILE`` process and its config file."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from ccinspect.demo.platform_b.console import ConfigError, load_config
from tests.demo.platform_b.conftest import PASSWORD, TOKEN, USERNAME

START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _config(path: Path, **values: object) -> Path:
    path.write_text(json.dumps(values), encoding="utf-8")
    return path


def _base_config(dsn: str, root: Path, port: int) -> dict[str, object]:
    """The keys the lifecycle writes (issue-10 contract), with test values."""
    return {
        "listen": f"127.0.0.1:{port}",
        "dsn": dsn,
        "recording_root": str(root),
        "complaint_number": "02586669315",
        "api_token": TOKEN,
        "account": {"username": USERNAME, "password": PASSWORD},
        "reply_days": 15,
        "retention_default_days": 180,
        "media_requires_login": True,
        "api_requires_token": True,
        "orders_include_phone": True,
        "show_recordings": True,
        "media_fault": "none",
        "purge_min_days": 30,
    }


async def _wait_healthy(
    session: aiohttp.ClientSession, base: str, proc: asyncio.subprocess.Process, log: Path
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    while loop.time() < deadline:
        if proc.returncode is not None:
            output = await asyncio.to_thread(log.read_text)
            raise AssertionError(f"console exited with {proc.returncode}:\n{output}")
        try:
            async with session.get(f"{base}/healthz") as resp:
                if resp.status == 200:
                    assert await resp.json() == {"ok": True, "db": True}
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.1)
    output = await asyncio.to_thread(log.read_text)
    raise AssertionError(f"console not healthy after {START_TIMEOUT}s:\n{output}")


async def test_module_entry_point_serves_and_stops_on_sigterm(
    dsn: str, recording_root: Path, tmp_path: Path
) -> None:
    """The command line reads the JSON config, creates the schema, answers /healthz, logs in the
    demo account, serves the API with the token, logs to stderr and exits 0 on SIGTERM."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    config = _config(tmp_path / "console.json", **_base_config(dsn, recording_root, port))
    log = tmp_path / "console.log"
    with log.open("wb") as log_file:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "ccinspect.demo.platform_b.console",
            "--config",
            str(config),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            await _wait_healthy(session, base, proc, log)
            form = {"username": USERNAME, "password": PASSWORD}
            async with session.post(f"{base}/login", data=form, allow_redirects=False) as resp:
                assert resp.status == 302 and resp.headers["Location"] == "/calls"
            async with session.get(f"{base}/calls") as resp:
                assert resp.status == 200
            async with session.get(
                f"{base}/api/v1/settings", headers={"Authorization": f"Bearer {TOKEN}"}
            ) as resp:
                assert await resp.json() == {"code": 0, "data": {"recordingRetentionDays": 180}}
        proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(STOP_TIMEOUT):
            assert await proc.wait() == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    output = await asyncio.to_thread(log.read_text)
    assert "schema ready" in output and "console stopped" in output
    assert "ccb-db-pass" not in output


async def test_bad_config_exits_2_and_unreachable_database_exits_1(tmp_path: Path) -> None:
    """A config with a wrong key exits 2 naming it; a database that never answers exits 1."""
    bad = _config(tmp_path / "bad.json", dsn="postgresql+psycopg://x@/y", colour="blue")
    done = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ccinspect.demo.platform_b.console", "--config", str(bad),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(done.communicate(), STOP_TIMEOUT)
    assert done.returncode == 2
    assert b"missing keys" in out

    values = _base_config(f"postgresql+psycopg://nobody@/none?host={tmp_path}", tmp_path, _free_port())
    unreachable = _config(tmp_path / "down.json", **values, startup_timeout=1.5)
    done = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ccinspect.demo.platform_b.console", "--config", str(unreachable),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(done.communicate(), START_TIMEOUT)
    assert done.returncode == 1, out.decode()
    assert b"cannot start" in out


def test_config_file_errors_name_the_key(tmp_path: Path) -> None:
    """Wrong types, unknown keys, bad listen addresses and low retention are refused with the key."""
    base = _base_config("postgresql+psycopg://x@/y", tmp_path, 8180)
    cases = {
        "unknown keys ['colour']": {**base, "colour": "blue"},
        "'reply_days' must be a int": {**base, "reply_days": "15"},
        "'api_requires_token' must be a bool": {**base, "api_requires_token": "no"},
        "listen must be HOST:PORT": {**base, "listen": "8180"},
        "below purge_min_days": {**base, "retention_default_days": 7},
        "key 'account'": {**base, "account": {"username": "x"}},
    }
    for expected, values in cases.items():
        path = _config(tmp_path / "c.json", **values)
        with pytest.raises(ConfigError, match=expected.replace("[", r"\[").replace("]", r"\]")):
            load_config(path)
    config = load_config(_config(tmp_path / "ok.json", **base))
    assert config.host_port() == ("127.0.0.1", 8180)
    assert config.purge_min_days == 30 and config.orders_include_phone
    assert TOKEN not in repr(config) and PASSWORD not in repr(config)
