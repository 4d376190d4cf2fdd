"""Probes of a running platform B: SIP OPTIONS to Kamailio and Asterisk, PostgreSQL, the console."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Protocol

import psutil

from ccinspect.demo.errors import DemoError
from ccinspect.demo.pbx import probe
from ccinspect.demo.platform_b import config as bconfig
from ccinspect.demo.platform_b.pg import PgCluster
from ccinspect.demo.platform_b.rootfs import Rootfs
from ccinspect.demo.platform_b.status import PlatformBState, PlatformBStatus
from ccinspect.platform.sipprobe import HostPort


class PlatformB(Protocol):
    """What the probes need of :class:`~ccinspect.demo.platform_b.backend.PlatformB`."""

    kamailio: Rootfs
    asterisk: Rootfs
    pg: PgCluster
    state_dir: Path

    @property
    def state_file(self) -> Path: ...

    @property
    def recording_root(self) -> Path: ...

    def asterisk_cli(self, command: str, *, timeout: float = 10.0) -> str: ...

    def _console_process(self) -> psutil.Process | None: ...


def registered_agents(backend: PlatformB) -> tuple[str, ...]:
    """Agents with a registration at Kamailio (``kamcmd ul.dump brief``); () when unknown."""
    try:
        res = backend.kamailio.run(
            "/usr/sbin/kamcmd", "-s", "unix:/run/kamailio/kamailio_ctl", "ul.dump", "brief"
        )
    except DemoError:
        return ()
    found = set(re.findall(r"AoR:\s*(\d+)", res.stdout))
    return tuple(a for a in bconfig.AGENTS if a in found)


def probe_status(backend: PlatformB) -> PlatformBStatus:
    """Ask every piece of platform B how it is (never raises)."""
    state = PlatformBState.load(backend.state_file)
    kam_running = any(_named(p, "kamailio") for p in backend.kamailio.processes())
    ast_running = any(_named(p, "asterisk") for p in backend.asterisk.processes())
    pg_running = backend.pg.running()
    console_proc = backend._console_process()
    console_enabled = state.console_enabled if state is not None else True
    running = kam_running or ast_running or pg_running or console_proc is not None
    problems: list[str] = []
    if not running:
        return PlatformBStatus(running=False, problems=("platform B is not running",))
    kam_sip = HostPort.parse(bconfig.KAMAILIO_SIP, default_port=5080)
    ast_sip = HostPort.parse(bconfig.ASTERISK_SIP, default_port=5090)
    kam_ok = kam_running and probe.sip_options_probe(kam_sip, timeout=1.0) is not None
    if not kam_ok:
        problems.append(f"Kamailio does not answer SIP OPTIONS at {kam_sip}")
    ast_ok = ast_running and probe.sip_options_probe(ast_sip, timeout=1.0) is not None
    if not ast_ok:
        problems.append(f"Asterisk 16 does not answer SIP OPTIONS at {ast_sip}")
    version = ""
    if ast_running:
        try:
            version = backend.asterisk_cli("core show version", timeout=5).split(" built ")[0].strip()
        except DemoError as exc:
            problems.append(exc.message)
    db_ok = backend.pg.accepts()
    if not db_ok:
        problems.append("PostgreSQL at 127.0.0.1:5442 does not accept the ccb role's connections")
    listen = "127.0.0.1:8180"
    if state is not None:
        with contextlib.suppress(DemoError):
            listen = bconfig.load(Path(state.config_dir)).console_listen
    console_url = f"http://{listen}"
    console_ok = False
    if console_enabled:
        answer = probe.http_get_sync(f"{console_url}/healthz", timeout=2.0)
        console_ok = answer.ok
        if not console_ok:
            problems.append(f"the console's {console_url}/healthz answered {answer.status or answer.error}")
    return PlatformBStatus(
        running=True,
        kamailio_running=kam_running,
        asterisk_running=ast_running,
        postgres_running=pg_running,
        console_running=console_proc is not None,
        kamailio_sip=str(kam_sip),
        kamailio_ok=kam_ok,
        asterisk_sip=str(ast_sip),
        asterisk_ok=ast_ok,
        asterisk_version=version,
        db_ok=db_ok,
        console_url=console_url,
        console_ok=console_ok,
        console_enabled=console_enabled,
        agents=bconfig.AGENTS,
        registered_agents=registered_agents(backend) if kam_ok else (),
        carrier=bconfig.CARRIER,
        config_dir=state.config_dir if state is not None else "",
        recording_root=str(backend.recording_root),
        problems=tuple(problems),
    )


def _named(proc: psutil.Process, name: str) -> bool:
    try:
        return proc.name() == name and "-r" not in proc.cmdline()
    except psutil.Error:
        return False
