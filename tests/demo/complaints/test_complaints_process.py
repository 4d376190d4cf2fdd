"""The real ``python -m ccinspect.demo.complaints`` process: start, serve, stop on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp

START_TIMEOUT = 20.0
STOP_TIMEOUT = 15.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _wait_healthy(
    session: aiohttp.ClientSession, base: str, proc: asyncio.subprocess.Process, log: Path
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    while loop.time() < deadline:
        if proc.returncode is not None:
            output = await asyncio.to_thread(log.read_text)
            raise AssertionError(f"service exited with {proc.returncode}:\n{output}")
        try:
            async with session.get(f"{base}/api/health") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.1)
    output = await asyncio.to_thread(log.read_text)
    raise AssertionError(f"service not healthy after {START_TIMEOUT}s:\n{output}")


async def test_module_entry_point_serves_pbx_form_and_stops_on_sigterm(tmp_path: Path) -> None:
    """The command-line service takes a curl-style form post from loopback without a token,
    answers the digits, enforces the --token-env token elsewhere, logs one line per request and
    exits 0 on SIGTERM."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "service.log"
    db = tmp_path / "complaints.sqlite"
    with log.open("wb") as log_file:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "ccinspect.demo.complaints",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--db",
            str(db),
            "--token-env",
            "CCINSPECT_TEST_TOKEN",
            env={**os.environ, "CCINSPECT_TEST_TOKEN": "proc-token"},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        timeout = aiohttp.ClientTimeout(total=5)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            await _wait_healthy(session, base, proc, log)
            # What Asterisk's CURL(url,postdata) sends: a urlencoded body from libcurl.
            form = "caller=%2B8613800138000&time=1740815700&recording=c-1&uniqueid=1740815700.1"
            async with session.post(
                f"{base}/api/tickets.txt",
                data=form.encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ) as resp:
                assert resp.status == 201
                assert await resp.read() == b"100001"
            async with session.get(f"{base}/api/tickets/100001") as resp:
                assert resp.status == 401  # the token from --token-env is enforced
            auth = {"Authorization": "Bearer proc-token"}
            async with session.get(f"{base}/api/tickets/100001", headers=auth) as resp:
                assert (await resp.json())["caller_number"] == "+8613800138000"

        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), STOP_TIMEOUT)
        output = log.read_text()
        assert code == 0, output
        assert '"POST /api/tickets.txt HTTP/1.1" 201' in output
        assert '"GET /api/tickets/100001 HTTP/1.1" 200' in output
        assert "proc-token" not in output
        assert "complaint service stopped" in output
        assert db.exists()
    finally:
        if proc.returncode is None:
            proc.kill()
            await asyncio.wait_for(proc.wait(), STOP_TIMEOUT)


def test_token_env_must_be_set(tmp_path: Path) -> None:
    """--token-env naming an unset variable is a usage error (exit 2), not an open service."""
    env = {k: v for k, v in os.environ.items() if k != "CCINSPECT_TEST_UNSET_TOKEN"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ccinspect.demo.complaints",
            "--port",
            str(_free_port()),
            "--db",
            str(tmp_path / "x.sqlite"),
            "--token-env",
            "CCINSPECT_TEST_UNSET_TOKEN",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=STOP_TIMEOUT,
        check=False,
    )
    assert result.returncode == 2
    assert "CCINSPECT_TEST_UNSET_TOKEN" in result.stderr


def test_unopenable_database_exits_1(tmp_path: Path) -> None:
    """A --db that cannot be opened stops the service at start with exit status 1 and a reason."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ccinspect.demo.complaints",
            "--port",
            str(_free_port()),
            "--db",
            str(tmp_path / "no-such-dir" / "x.sqlite"),
        ],
        capture_output=True,
        text=True,
        timeout=STOP_TIMEOUT,
        check=False,
    )
    assert result.returncode == 1
    assert "cannot start" in result.stderr
