"""Reading the demo PBX configuration (docker/asterisk/) and preparing a copy to install.

The Asterisk files are the single source of truth: allocated numbers come from numbers.conf,
seats and their passwords from pjsip.conf, the retention policy from retention.conf.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ccinspect.demo.errors import ConfigDirError
from ccinspect.platform.sipprobe import HostPort as HostPort  # noqa: PLC0414 - re-exported for the demo CLI

REQUIRED_FILES = ("pjsip.conf", "extensions.conf", "numbers.conf")


@dataclass(frozen=True)
class SeatAccount:
    """A seat endpoint of the demo PBX with its digest credentials."""

    endpoint: str
    username: str
    password: str


@dataclass(frozen=True)
class Numbers:
    """The allocated numbers of the demo call center (numbers.conf)."""

    access_number: str
    complaint_number: str
    fixed_line: str
    outbound_caller_id: str
    allocated: tuple[str, ...]
    allow_95_outbound: bool


@dataclass(frozen=True)
class Retention:
    """The recording retention policy (retention.conf)."""

    days: int
    force: bool


@dataclass(frozen=True)
class SiteSettings:
    """Addresses that differ between installations; ``demo up`` writes them into the copy."""

    sip: HostPort
    trunk: HostPort
    ari: HostPort
    complaints: HostPort


@dataclass(frozen=True)
class DemoConfig:
    """Everything ccinspect needs to know about a demo PBX configuration directory."""

    path: Path
    numbers: Numbers
    seats: tuple[SeatAccount, ...]
    retention: Retention
    site: SiteSettings


def _read_kv(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(";", 1)[0].strip()
        if "=" in line and not line.startswith(("[", "#")):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().lstrip(">").strip()
    return values


def _sections(path: Path) -> list[tuple[str, str, dict[str, str]]]:
    """(name, template, options) per section of an Asterisk config file, in file order."""
    out: list[tuple[str, str, dict[str, str]]] = []
    current: dict[str, str] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(";", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"\[([^\]]+)\](?:\(([^)]*)\))?", line)
        if m:
            current = {}
            out.append((m.group(1), m.group(2) or "", current))
        elif current is not None and "=" in line:
            key, _, value = line.partition("=")
            current[key.strip()] = value.strip().lstrip(">").strip()
    return out


def _site_value(text: str, key: str, *, default: HostPort) -> HostPort:
    for raw in text.splitlines():
        code = raw.split(";", 1)[0]
        if "site:" in raw and code.strip().startswith(key):
            value = code.split("=", 1)[1].strip().removeprefix("sip:")
            return HostPort.parse(value, default_port=default.port)
    return default


def load(path: Path) -> DemoConfig:
    """Read a demo config directory; raise ConfigDirError naming the file and what is missing."""
    if not path.is_dir():
        raise ConfigDirError(
            f"config dir {path} does not exist or is not a directory",
            f"配置目录 {path} 不存在或不是目录",
            hint="pass a copy of docker/asterisk/ to --config-dir",
        )
    for name in REQUIRED_FILES:
        if not (path / name).is_file():
            raise ConfigDirError(
                f"config dir {path} has no {name}",
                f"配置目录 {path} 缺少 {name}",
                hint="copy docker/asterisk/ and patch the copy; every file listed in "
                + ", ".join(REQUIRED_FILES)
                + " must be there",
            )
    kv = _read_kv(path / "numbers.conf")
    try:
        numbers = Numbers(
            access_number=kv["ACCESS_NUMBER"],
            complaint_number=kv["COMPLAINT_NUMBER"],
            fixed_line=kv["FIXED_LINE"],
            outbound_caller_id=kv["OUTBOUND_CALLER_ID"],
            allocated=tuple(n.strip() for n in kv["ALLOCATED_NUMBERS"].split(",") if n.strip()),
            allow_95_outbound=kv.get("ALLOW_95_OUTBOUND", "no").lower() == "yes",
        )
    except KeyError as exc:
        raise ConfigDirError(
            f"{path / 'numbers.conf'}: key {exc.args[0]} is missing",
            f"{path / 'numbers.conf'}：缺少键 {exc.args[0]}",
            hint="numbers.conf must set ACCESS_NUMBER, COMPLAINT_NUMBER, FIXED_LINE, "
            "OUTBOUND_CALLER_ID and ALLOCATED_NUMBERS",
        ) from exc

    sections = _sections(path / "pjsip.conf")
    auths = {n: o for n, t, o in sections if o.get("type") == "auth" or "seat-auth" in t}
    seats = tuple(
        SeatAccount(name, auths.get(name, {}).get("username", name), auths.get(name, {}).get("password", ""))
        for name, template, _ in sections
        if "seat-endpoint" in template
    )

    retention = Retention(days=180, force=False)
    rpath = path / "retention.conf"
    if rpath.is_file():
        rkv = _read_kv(rpath)
        try:
            retention = Retention(
                days=int(rkv.get("RECORDING_RETENTION_DAYS", "180")),
                force=rkv.get("RECORDING_RETENTION_FORCE", "no").lower() in {"yes", "true", "1"},
            )
        except ValueError as exc:
            raise ConfigDirError(
                f"{rpath}: RECORDING_RETENTION_DAYS must be a whole number ({exc})",
                f"{rpath}：RECORDING_RETENTION_DAYS 必须是整数（{exc}）",
            ) from exc

    pjsip = (path / "pjsip.conf").read_text(encoding="utf-8")
    http = _read_kv(path / "http.conf") if (path / "http.conf").is_file() else {}
    ext = (path / "extensions.conf").read_text(encoding="utf-8")
    m = re.search(r"^COMPLAINT_API=https?://([^/\s;]+)", ext, re.M)
    complaints = HostPort.parse(m.group(1), default_port=80) if m else HostPort("127.0.0.1", 8089)
    try:
        ari = HostPort(http.get("bindaddr", "127.0.0.1"), int(http.get("bindport", "8088")))
    except ValueError as exc:
        raise ConfigDirError(
            f"{path / 'http.conf'}: bindport is not a number", f"{path / 'http.conf'}：bindport 不是数字"
        ) from exc
    site = SiteSettings(
        sip=_site_value(pjsip, "bind", default=HostPort("127.0.0.1", 5060)),
        trunk=_site_value(pjsip, "match", default=HostPort("127.0.0.1", 5070)),
        ari=ari,
        complaints=complaints,
    )
    return DemoConfig(path=path, numbers=numbers, seats=seats, retention=retention, site=site)


def prepare_copy(
    source: DemoConfig, dest: Path, *, sip: HostPort | None, trunk: HostPort | None
) -> DemoConfig:
    """Copy a config dir to ``dest`` and write the site overrides into the copy's pjsip.conf."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source.path, dest)
    pjsip_path = dest / "pjsip.conf"
    lines = pjsip_path.read_text(encoding="utf-8").splitlines(keepends=True)
    out: list[str] = []
    for line in lines:
        code = line.split(";", 1)[0].strip()
        new = line
        if sip is not None and "site:" in line and code.startswith("bind"):
            new = f"bind={sip} ; site: SIP address of the PBX\n"
        elif trunk is not None and "site:" in line and code.startswith("contact"):
            new = f"contact=sip:{trunk} ; site: trunk simulator (carrier side)\n"
        elif trunk is not None and "site:" in line and code.startswith("match"):
            new = f"match={trunk} ; site: trunk simulator source address\n"
        out.append(new)
    pjsip_path.write_text("".join(out), encoding="utf-8")
    return load(dest)


def replace_site(cfg: DemoConfig, *, sip: HostPort) -> DemoConfig:
    """``cfg`` as it will be once ``demo up --sip-bind`` has rewritten its SIP address."""
    return dataclasses.replace(cfg, site=dataclasses.replace(cfg.site, sip=sip))
