"""Lifecycle of the real demo PBX: status, actionable errors, and a clean `down`."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ccinspect import paths
from ccinspect.demo.errors import DemoError
from ccinspect.demo.pbx import config as democonfig
from ccinspect.demo.pbx.probe import http_get_sync
from ccinspect.demo.pbx.rootfs import RootfsBackend
from tests.support.pbx import DemoPbx


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ccinspect.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_status_json_reports_seats_trunk_ari_and_complaints(pbx: DemoPbx) -> None:
    """`demo status --json` shows running, backend, version, 5 seats, the trunk, ari_ok, complaints_ok."""
    res = _cli("demo", "status", "--json")
    assert res.returncode == 0, res.stdout + res.stderr
    data = json.loads(res.stdout)
    assert data["running"] is True and data["backend"] == "rootfs"
    assert data["asterisk_version"].startswith("Asterisk 22")
    assert data["seats"] == ["8001", "8002", "8003", "8004", "8005"]
    assert data["trunk"] == "127.0.0.1:5070"
    assert data["ari_ok"] is True and data["complaints_ok"] is True


def test_ari_refuses_anonymous_and_serves_the_inspector(pbx: DemoPbx) -> None:
    """ARI answers 401 without credentials and 200 for the read-only inspector (R8)."""
    base = f"http://{pbx.config.site.ari}/ari"
    assert http_get_sync(f"{base}/recordings/stored").status == 401
    assert http_get_sync(f"{base}/recordings/stored", auth=("inspector", "wrong")).status == 401
    assert http_get_sync(f"{base}/recordings/stored", auth=("inspector", "cci-inspector")).status == 200


def test_missing_debootstrap_is_reported_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without debootstrap, building the root filesystem fails saying how to install it."""
    monkeypatch.setenv("PATH", str(tmp_path))
    backend = RootfsBackend(cache=tmp_path / "cache", state_dir=tmp_path / "state")
    with pytest.raises(DemoError) as info:
        backend.ensure_rootfs()
    assert "debootstrap" in info.value.message and "make install" in info.value.hint


def test_port_in_use_names_the_process(pbx: DemoPbx) -> None:
    """A SIP port held by another process is refused before anything is stopped, naming the holder."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as holder:
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]
        with pytest.raises(DemoError) as info:
            pbx.backend.up(pbx.config, sip=democonfig.HostPort("127.0.0.1", port))
    assert f"port {port}/udp" in info.value.message
    assert "python" in info.value.message.lower()
    assert pbx.backend.status().healthy, "the running PBX was left alone"


def test_asterisk_failing_to_start_shows_its_log(pbx: DemoPbx, tmp_path: Path) -> None:
    """When Asterisk exits during start-up, the error carries the tail of its log."""
    broken = tmp_path / "broken"
    shutil.copytree(paths.asterisk_config_dir(), broken)
    with (broken / "modules.conf").open("a") as fh:
        fh.write("require => res_ccinspect_missing.so\n")
    try:
        with pytest.raises(DemoError) as info:
            pbx.backend.up(democonfig.load(broken), timeout=60)
        assert "exited during start-up" in info.value.message
        assert "res_ccinspect_missing" in info.value.detail
        assert not pbx.backend._mounts_below(pbx.backend.root), "a failed start unmounts"
    finally:
        pbx.restore()


def test_down_leaves_no_process_and_no_mount(pbx: DemoPbx) -> None:
    """`demo down` stops Asterisk and the complaint service and unmounts /proc and /dev."""
    try:
        res = _cli("demo", "down")
        assert res.returncode == 0, res.stderr
        backend = pbx.backend
        assert backend._processes_in_root() == []
        assert backend._mounts_below(backend.root) == []
        assert subprocess.run(["pgrep", "-f", "ccinspect.demo.complaints"], check=False).returncode == 1
        res = _cli("demo", "status", "--json")
        assert res.returncode == 2 and json.loads(res.stdout)["running"] is False
    finally:
        pbx.restore()
