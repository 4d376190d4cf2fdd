"""Fixtures for tests that run against the real demo PBX (Asterisk 22 in a chroot).

The PBX is started once per test session from docker/asterisk/ and stopped at the end if this
session started it. It is never skipped: if it cannot start, every PBX test errors with the
reason (missing debootstrap, a port in use, Asterisk's log tail).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ccinspect import paths
from ccinspect.pbx.demo import config as democonfig
from ccinspect.pbx.demo.errors import DemoError
from ccinspect.pbx.demo.rootfs import RootfsBackend


@dataclass
class DemoPbx:
    """The running demo PBX as tests see it."""

    backend: RootfsBackend
    config: democonfig.DemoConfig

    def cli(self, command: str) -> str:
        return self.backend.asterisk_cli(command)

    def cdr_rows(self) -> list[dict[str, str]]:
        """Every CDR row written so far (cdr_custom's JSON lines)."""
        try:
            lines = self.backend.cdr_file.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in lines if line.strip()]

    def channels(self) -> list[str]:
        """Channels up on Asterisk right now (``core show channels concise``)."""
        out = self.cli("core show channels concise")
        return [line for line in out.splitlines() if line.strip()]

    def restore(self) -> None:
        """Bring the PBX back to the default configuration if a test changed it."""
        status = self.backend.status()
        if not status.healthy or Path(status.config_dir) != self.config.path:
            self.backend.up(self.config)


def _start() -> DemoPbx:
    backend = RootfsBackend(progress=lambda m: print(f"[demo] {m}"))
    cfg = democonfig.load(paths.asterisk_config_dir())
    try:
        status = backend.status()
        if not (status.healthy and Path(status.config_dir) == cfg.path):
            backend.up(cfg, timeout=90)
    except DemoError as exc:
        pytest.fail("the demo PBX could not start, so PBX tests cannot run:\n" + exc.render(), pytrace=False)
    return DemoPbx(backend=backend, config=cfg)


@pytest.fixture(scope="session")
def demo_pbx() -> Iterator[DemoPbx]:
    """The demo PBX running the default configuration (started here if needed, stopped after)."""
    already = RootfsBackend().status().healthy
    pbx = _start()
    yield pbx
    if not already:
        pbx.backend.down()


@pytest.fixture
def pbx(demo_pbx: DemoPbx) -> DemoPbx:
    """The demo PBX, healthy and on the default configuration at the start of the test."""
    demo_pbx.restore()
    return demo_pbx
