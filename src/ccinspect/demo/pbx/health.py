"""Health of a running demo PBX: Asterisk's version and registrations, SIP, ARI, the complaint API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ccinspect.demo.errors import DemoError
from ccinspect.demo.pbx import config as democonfig
from ccinspect.demo.pbx import probe
from ccinspect.demo.pbx.status import DemoState, DemoStatus


def probe_running(
    cfg: democonfig.DemoConfig,
    state: DemoState | None,
    *,
    asterisk_cli: Callable[..., str],
    backend: str,
    root: str,
) -> DemoStatus:
    """Ask Asterisk, SIP, ARI and the complaint API of a running demo how they are."""
    problems: list[str] = []
    version = ""
    registered: tuple[str, ...] = ()
    try:
        version = asterisk_cli("core show version", timeout=5).split(" built ")[0].strip()
        contacts = asterisk_cli("pjsip show contacts", timeout=5)
        registered = tuple(s.endpoint for s in cfg.seats if f"Contact:  {s.endpoint}/" in contacts)
    except DemoError as exc:
        problems.append(exc.message)
    sip_line = probe.sip_options_probe(cfg.site.sip, timeout=1.0)
    if sip_line is None:
        problems.append(f"no SIP answer to OPTIONS at {cfg.site.sip}")
    ari_url = f"http://{cfg.site.ari}/ari"
    ari_pw = _ari_password(cfg.path)
    ari = probe.http_get_sync(f"{ari_url}/asterisk/info", auth=("inspector", ari_pw))
    anon = probe.http_get_sync(f"{ari_url}/asterisk/info")
    if not ari.ok:
        problems.append(f"ARI at {ari_url} answered {ari.status or ari.error} for the inspector user")
    if anon.status != 401:
        problems.append(f"ARI at {ari_url} answered {anon.status or anon.error} to an anonymous request")
    comp_url = f"http://{cfg.site.complaints}/api"
    comp = probe.http_get_sync(f"{comp_url}/health")
    if not comp.ok:
        problems.append(f"complaint API at {comp_url} answered {comp.status or comp.error}")
    return DemoStatus(
        running=True,
        backend=backend,
        asterisk_version=version,
        seats=tuple(s.endpoint for s in cfg.seats),
        registered_seats=registered,
        trunk=str(cfg.site.trunk),
        sip=str(cfg.site.sip),
        sip_ok=sip_line is not None,
        ari_url=ari_url,
        ari_ok=ari.ok,
        ari_anonymous_refused=anon.status == 401,
        complaints_url=comp_url,
        complaints_ok=comp.ok,
        config_dir=state.config_dir if state else str(cfg.path),
        root=root,
        problems=tuple(problems),
    )


def _ari_password(config_dir: Path) -> str:
    """The inspector user's ARI password as written in the config dir's ari.conf."""
    section = ""
    try:
        text = (config_dir / "ari.conf").read_text(encoding="utf-8")
    except OSError:
        return ""
    for raw in text.splitlines():
        line = raw.split(";", 1)[0].strip()
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "inspector" and line.startswith("password") and "=" in line:
            key, _, value = line.partition("=")
            if key.strip() == "password":
                return value.strip()
    return ""
