"""Platform B's lifecycle through the CLI: up, a healthy status, SIP answers, and a clean down."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ccinspect.demo.errors import DemoError
from ccinspect.demo.platform_b import config as bconfig
from ccinspect.demo.platform_b import pg
from ccinspect.demo.platform_b.backend import PlatformB
from ccinspect.demo.platform_b.rootfs import Rootfs
from ccinspect.platform.sipprobe import HostPort, sip_options_probe
from tests.support.pbx_b import PlatformBHandle, console_available


def _cli(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ccinspect.cli", "demo", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _no_console() -> tuple[str, ...]:
    return () if console_available() else ("--no-console",)


def test_status_json_is_healthy_and_both_sip_servers_answer(platform_b: PlatformBHandle) -> None:
    """`demo status --platform b --json` exits 0 with healthy true; Kamailio and Asterisk answer OPTIONS."""
    res = _cli("status", "--platform", "b", "--json", timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    data = json.loads(res.stdout)
    assert data["healthy"] is True and data["platform"] == "b"
    assert data["asterisk_version"].startswith("Asterisk 16")
    assert data["agents"] == list(bconfig.AGENTS)
    for address in (bconfig.KAMAILIO_SIP, bconfig.ASTERISK_SIP):
        line = sip_options_probe(HostPort.parse(address, default_port=5060), timeout=2.0)
        assert line is not None and line.startswith("SIP/2.0 200"), (address, line)


def test_port_held_by_someone_else_is_refused_naming_the_holder(platform_b: PlatformBHandle) -> None:
    """While platform B is down, a foreign process on 5080/udp makes `up` fail naming that process."""
    platform_b.backend.down()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as holder:
            holder.bind(("127.0.0.1", 5080))
            with pytest.raises(DemoError) as info:
                platform_b.backend.up(platform_b.config, console=console_available())
        assert "port 5080/udp" in info.value.message and "python" in info.value.message.lower()
    finally:
        platform_b.restore()


def test_kamailio_config_error_stops_everything_and_shows_the_log(
    platform_b: PlatformBHandle, tmp_path: Path
) -> None:
    """A broken kamailio.cfg fails `up` with Kamailio's log tail, and nothing is left running."""
    broken = tmp_path / "platform-b"
    shutil.copytree(platform_b.config.path, broken)
    with (broken / "kamailio/kamailio.cfg").open("a") as fh:
        fh.write('\nloadmodule "ccinspect_missing.so"\n')
    try:
        with pytest.raises(DemoError) as info:
            platform_b.backend.up(bconfig.load(broken), timeout=60, console=console_available())
        assert "Kamailio" in info.value.message
        assert "ccinspect_missing" in info.value.detail
        _assert_nothing_left(platform_b.backend)
    finally:
        platform_b.restore()


def test_down_leaves_no_process_and_no_mount(platform_b: PlatformBHandle) -> None:
    """`demo down --platform b` stops all four pieces and unmounts; status then exits 2."""
    try:
        res = _cli("down", "--platform", "b", timeout=60)
        assert res.returncode == 0, res.stderr
        _assert_nothing_left(platform_b.backend)
        res = _cli("status", "--platform", "b", "--json", timeout=60)
        assert res.returncode == 2 and json.loads(res.stdout)["running"] is False
        res = _cli("up", "--platform", "b", "--json", *_no_console())
        assert res.returncode == 0, res.stdout + res.stderr
        assert json.loads(res.stdout)["healthy"] is True
    finally:
        platform_b.restore()


def _assert_nothing_left(backend: PlatformB) -> None:
    assert backend.kamailio.processes() == []
    assert backend.asterisk.processes() == []
    assert not backend.pg.running()
    assert backend._console_process() is None
    for root in (backend.kamailio.root, backend.asterisk.root, pg.RUN_DIR):
        assert Rootfs.mounts_below(root) == [], root
