"""Platform B as tests see it: started once per session if it is not healthy, never skipped."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

import psycopg
import pytest

from ccinspect.demo.errors import DemoError
from ccinspect.demo.platform_b import config as bconfig
from ccinspect.demo.platform_b import pg
from ccinspect.demo.platform_b.backend import CONSOLE_MODULE, PlatformB


@dataclass
class PlatformBHandle:
    """The running platform B: its backend, its config, and readers of what it wrote."""

    backend: PlatformB
    config: bconfig.PlatformBConfig

    def cli(self, command: str) -> str:
        return self.backend.asterisk_cli(command)

    def cdr_rows(self, where: str = "TRUE", params: tuple[object, ...] = ()) -> list[dict[str, object]]:
        """Rows of the ``cdr`` table (as the ccb role), oldest first."""
        with psycopg.connect(
            host="127.0.0.1", port=pg.PORT, user=pg.USER, password=pg.PASSWORD, dbname="callcenter"
        ) as conn:
            cur = conn.execute(f"SELECT * FROM cdr WHERE {where} ORDER BY calldate, sequence", params)  # noqa: S608 - test-only SQL
            names = [d.name for d in cur.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def channels(self) -> list[str]:
        out = self.cli("core show channels concise")
        return [line for line in out.splitlines() if line.strip()]

    def restore(self) -> None:
        """Bring platform B back to the default configuration if a test changed or stopped it."""
        status = self.backend.status()
        if not status.healthy or status.config_dir != str(self.config.path):
            start(self.backend, self.config)


def console_available() -> bool:
    """Whether the vendor console package is installed (platform B starts it when it is)."""
    return importlib.util.find_spec(CONSOLE_MODULE) is not None


def start(backend: PlatformB, cfg: bconfig.PlatformBConfig) -> None:
    """Start platform B, turning a failure into a test failure with the reason (never a skip)."""
    try:
        backend.up(cfg, timeout=120, console=console_available())
    except DemoError as exc:
        pytest.fail(
            "platform B could not start, so its tests cannot run:\n" + exc.render() + "\n" + exc.detail,
            pytrace=False,
        )


def ensure_running() -> tuple[PlatformBHandle, bool]:
    """Platform B on the default config; True when this call started it."""
    backend = PlatformB(progress=lambda m: print(f"[demo b] {m}"))
    cfg = bconfig.load()
    status = backend.status()
    started = False
    if not (status.healthy and status.config_dir == str(cfg.path)):
        start(backend, cfg)
        started = True
    return PlatformBHandle(backend=backend, config=cfg), started
