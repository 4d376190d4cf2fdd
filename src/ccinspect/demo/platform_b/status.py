"""Platform B's status (``ccinspect demo status --platform b``) and the state ``up`` leaves behind."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class PlatformBStatus:
    """A snapshot of platform B. ``running`` means at least one of its processes is alive."""

    running: bool
    kamailio_running: bool = False
    asterisk_running: bool = False
    postgres_running: bool = False
    console_running: bool = False
    kamailio_sip: str = ""
    kamailio_ok: bool = False
    asterisk_sip: str = ""
    asterisk_ok: bool = False
    asterisk_version: str = ""
    db_ok: bool = False
    console_url: str = ""
    console_ok: bool = False
    console_enabled: bool = True
    agents: tuple[str, ...] = ()
    registered_agents: tuple[str, ...] = ()
    carrier: str = ""
    config_dir: str = ""
    recording_root: str = ""
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def healthy(self) -> bool:
        """Kamailio and Asterisk answer SIP OPTIONS, PostgreSQL accepts connections, the console
        answers /healthz (unless it was deliberately started without the console)."""
        console = self.console_ok or not self.console_enabled
        return self.kamailio_ok and self.asterisk_ok and self.db_ok and console

    def to_json(self) -> str:
        data: dict[str, Any] = asdict(self)
        data["platform"] = "b"
        data["healthy"] = self.healthy
        return json.dumps(data, ensure_ascii=False, indent=2)


@dataclass(frozen=True)
class PlatformBState:
    """What ``up`` leaves for ``down``/``status``/``logs`` (``demo-b/state.json``)."""

    config_dir: str
    console_enabled: bool
    console_pid: int | None
    asterisk_pid: int | None
    kamailio_pid: int | None
    started_at: float

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> PlatformBState | None:
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None
