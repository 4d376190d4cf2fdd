"""The demo PBX as tests see it: a handle on the running Asterisk, its CDR and its CLI."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from ccinspect import paths
from ccinspect.demo.errors import DemoError
from ccinspect.demo.pbx import config as democonfig
from ccinspect.demo.pbx.rootfs import RootfsBackend


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
