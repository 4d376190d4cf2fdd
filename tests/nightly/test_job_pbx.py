"""The nightly job against the real demo PBX: canaries kept, proven, caught altered or purged;
regressions alerted (the PBX-down case is in test_job.py: it needs no PBX).

Each nightly run is a subprocess (``python -m ccinspect.cli nightly``) with an injected clock.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from ccinspect import paths
from ccinspect.core.canary import Canary, CanaryStatus
from ccinspect.demo.pbx import config as democonfig
from ccinspect.store import open_store
from ccinspect.store.canaries import list_canaries
from tests.support.pbx import DemoPbx

REPO = Path(__file__).resolve().parents[2]
T = "2026-10-30T02:00:00+00:00"
T31 = "2026-11-30T02:00:00+00:00"
DAY = 86400.0


def _nightly(tmp: Path, now: str, *extra: str, timeout: float = 300) -> tuple[int, str]:
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "ccinspect.cli",
            "nightly",
            "--out",
            str(tmp / "runs"),
            "--db",
            f"sqlite:///{tmp / 'store.sqlite'}",
            "--now",
            now,
            "--lang",
            "en",
            *extra,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )
    return res.returncode, res.stdout + res.stderr


def _canaries(tmp: Path) -> list[Canary]:
    with open_store(f"sqlite:///{tmp / 'store.sqlite'}") as store:
        return list(list_canaries(store))


def _first_canary(pbx: DemoPbx, tmp: Path) -> tuple[Path, str]:
    code, output = _nightly(tmp, T)
    assert code == 0, output[-3000:]
    (canary,) = _canaries(tmp)
    name = canary.identity.recording
    return pbx.backend.recording_dir / name, canary.identity.run_id


def test_canary_kept_then_proven_after_retention(pbx: DemoPbx, tmp_path: Path) -> None:
    """A canary picked at T is proven at T+31 d on a PBX keeping 180 days (exit 0, marked proven)."""
    _file, run_id = _first_canary(pbx, tmp_path)
    code, output = _nightly(tmp_path, T31)
    assert code == 0, output[-3000:]
    assert f"canary of 2026-10-30 (run {run_id}" in output and "unchanged" in output
    statuses = {c.identity.run_id: c.status for c in _canaries(tmp_path)}
    assert statuses[run_id] is CanaryStatus.PROVEN and len(statuses) == 2


def test_altered_canary_is_caught(pbx: DemoPbx, tmp_path: Path) -> None:
    """A canary whose WAV was rewritten on the platform (a second of audio zeroed) fails at T+31 d, named."""
    path, run_id = _first_canary(pbx, tmp_path)
    data = bytearray(path.read_bytes())
    data[1000 : 1000 + 16000] = bytes(16000)
    path.write_bytes(bytes(data))
    code, output = _nightly(tmp_path, T31)
    assert code == 1, output[-3000:]
    assert f"canary of 2026-10-30 (run {run_id}" in output and "was altered" in output


def test_purged_canary_is_missing(pbx: DemoPbx, tmp_path: Path) -> None:
    """A PBX purging after 7 days loses the canary: nightly at T+31 d exits 1 naming the missing canary."""
    path, run_id = _first_canary(pbx, tmp_path)
    old = time.time() - 31 * DAY
    os.utime(path, (old, old))
    cfg_dir = tmp_path / "asterisk"
    shutil.copytree(paths.asterisk_config_dir(), cfg_dir)
    (cfg_dir / "retention.conf").write_text(
        "RECORDING_RETENTION_DAYS=7\nRECORDING_RETENTION_FORCE=yes\n", encoding="utf-8"
    )
    try:
        pbx.backend.up(democonfig.load(cfg_dir), timeout=90)
        assert not path.exists(), "demo up should have purged the aged canary"
        code, output = _nightly(tmp_path, T31)
    finally:
        pbx.restore()
    assert code == 1, output[-3000:]
    assert f"canary of 2026-10-30 (run {run_id}" in output
    assert "is gone: recordings are not kept 30 days" in output


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local aiohttp server collecting the JSON bodies POSTed to /hook."""
    received: list[dict[str, Any]] = []
    loop = asyncio.new_event_loop()
    started = threading.Event()
    holder: dict[str, Any] = {}

    async def hook(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.Response(text="ok")

    async def serve() -> None:
        app = web.Application()
        app.router.add_post("/hook", hook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        holder["runner"] = runner
        holder["port"] = runner.addresses[0][1]
        started.set()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(serve(), loop)
    assert started.wait(10)
    yield f"http://127.0.0.1:{holder['port']}/hook", received
    asyncio.run_coroutine_threadsafe(holder["runner"].cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def test_regression_alerts_and_shows_in_metrics(
    pbx: DemoPbx, tmp_path: Path, webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    """Recording switched off between two nightly runs: exit 1, the webhook gets the regression and
    the metrics file shows recording.complete at error or fail."""
    url, received = webhook
    code, output = _nightly(tmp_path, T)
    assert code == 0, output[-3000:]
    cfg_dir = tmp_path / "asterisk"
    shutil.copytree(paths.asterisk_config_dir(), cfg_dir)
    ext = cfg_dir / "extensions.conf"
    text = ext.read_text(encoding="utf-8")
    text = text.replace("Dial(PJSIP/${EXTEN}@trunk,60,U(cci-answered^s^1))", "Dial(PJSIP/${EXTEN}@trunk,60)")
    text = text.replace(",60,,cci-answered)", ",60,,)")
    ext.write_text(text, encoding="utf-8")
    prom = tmp_path / "nightly.prom"
    try:
        pbx.backend.up(democonfig.load(cfg_dir), timeout=90)
        code, output = _nightly(
            tmp_path, "2026-10-31T02:00:00+00:00", "--alert-webhook", url, "--metrics", str(prom)
        )
    finally:
        pbx.restore()
    assert code == 1, output[-3000:]
    # With no recording at all the check may judge FAIL or ERROR (nothing to analyse): both regress.
    assert re.search(r"regression: recording\.complete pass → (fail|error)", output), output[-3000:]
    assert received and received[-1]["alert"] is True
    assert "recording.complete" in [r["check"] for r in received[-1]["regressions"]]
    metrics = prom.read_text(encoding="utf-8")
    assert re.search(r'ccinspect_nightly_check_verdict\{check="recording.complete".*\} [23]\.0', metrics), (
        metrics
    )
