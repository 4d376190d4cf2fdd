"""Platform B's configuration directory (docker/platform-b/ or a patched copy of it).

Layout: ``kamailio/kamailio.cfg`` and ``kamailio/*.sql`` (provisioning of the edge's database),
``asterisk/*.conf`` plus ``asterisk/ccb-stereo.sh`` (the recording post-processor), and
``console.yaml`` (the console's settings and fault switches). Platform B shares no file with
platform A.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ccinspect import paths
from ccinspect.demo.errors import ConfigDirError
from ccinspect.demo.platform_b import pg

REQUIRED = (
    "kamailio/kamailio.cfg",
    "asterisk/pjsip.conf",
    "asterisk/extensions.conf",
    "asterisk/ccb-stereo.sh",
    "console.yaml",
)
AGENTS = tuple(str(n) for n in range(100101, 100106))
KAMAILIO_SIP = "127.0.0.1:5080"
ASTERISK_SIP = "127.0.0.1:5090"
CARRIER = "127.0.0.1:5072"
CONSOLE_DEFAULTS: dict[str, Any] = {
    "listen": "127.0.0.1:8180",
    "complaint_number": "02586669315",
    "api_token": "ccb-api-token-2024",
    "account": {"username": "inspector", "password": "ccb-inspect-2024"},
    "reply_days": 15,
    "retention_default_days": 180,
    "media_requires_login": True,
    "api_requires_token": True,
    "orders_include_phone": True,
    "show_recordings": True,
    "media_fault": "none",
    "purge_min_days": 30,
}


def agent_password(agent: str) -> str:
    """The digest password of an agent seat (contract: ``ccb-agent-<id>``)."""
    return f"ccb-agent-{agent}"


def default_dir() -> Path:
    """docker/platform-b of the source tree."""
    root = paths.repo_root()
    if root is None:
        raise ConfigDirError(
            "platform B's configuration (docker/platform-b) is only available in a source checkout",
            "平台 B 的配置（docker/platform-b）只存在于源码目录中",
            hint="run from the ccinspect source tree, or pass --config-dir",
        )
    return root / "docker" / "platform-b"


@dataclass(frozen=True)
class PlatformBConfig:
    """A checked platform B configuration directory and the console settings read from it."""

    path: Path
    console: dict[str, Any]

    @property
    def console_listen(self) -> str:
        return str(self.console["listen"])

    def sql_scripts(self) -> list[Path]:
        """The edge database's provisioning scripts, in name order."""
        return sorted((self.path / "kamailio").glob("*.sql"))

    def console_json(self, recording_root: Path) -> str:
        """The console's JSON config: console.yaml plus the database URL and recordings path."""
        data = dict(self.console)
        data["dsn"] = pg.dsn("callcenter")
        data["recording_root"] = str(recording_root)
        return json.dumps(data, ensure_ascii=False, indent=2)


def load(path: Path | None = None) -> PlatformBConfig:
    """Check a platform B config dir and read its console settings (ConfigDirError if unusable)."""
    path = (path or default_dir()).resolve()
    missing = [name for name in REQUIRED if not (path / name).is_file()]
    if missing:
        raise ConfigDirError(
            f"{path} is not a platform B config dir: missing {', '.join(missing)}",
            f"{path} 不是平台 B 的配置目录：缺少 {', '.join(missing)}",
            hint="copy docker/platform-b and change only what the fault needs",
        )
    try:
        raw = yaml.safe_load((path / "console.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigDirError(
            f"{path / 'console.yaml'} cannot be read: {exc}",
            f"无法读取 {path / 'console.yaml'}",
            hint="fix the YAML syntax",
        ) from exc
    if not isinstance(raw, dict):
        raise ConfigDirError(
            f"{path / 'console.yaml'} must be a mapping of settings",
            f"{path / 'console.yaml'} 必须是键值映射",
        )
    unknown = sorted(set(raw) - set(CONSOLE_DEFAULTS))
    if unknown:
        raise ConfigDirError(
            f"{path / 'console.yaml'}: unknown keys {', '.join(unknown)}",
            f"{path / 'console.yaml'}：未知的键 {', '.join(unknown)}",
            hint="allowed: " + ", ".join(CONSOLE_DEFAULTS),
        )
    return PlatformBConfig(path=path, console={**CONSOLE_DEFAULTS, **raw})
