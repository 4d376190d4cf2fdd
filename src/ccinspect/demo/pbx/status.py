"""The demo PBX's status as shown by ``ccinspect demo status`` and used by tests."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class DemoStatus:
    """A snapshot of the demo PBX. ``running`` means Asterisk's process is alive."""

    running: bool
    backend: str
    asterisk_version: str = ""
    seats: tuple[str, ...] = ()
    registered_seats: tuple[str, ...] = ()
    trunk: str = ""
    sip: str = ""
    sip_ok: bool = False
    ari_url: str = ""
    ari_ok: bool = False
    ari_anonymous_refused: bool = False
    complaints_url: str = ""
    complaints_ok: bool = False
    config_dir: str = ""
    root: str = ""
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def healthy(self) -> bool:
        """Running and every interface answers."""
        return self.running and self.sip_ok and self.ari_ok and self.complaints_ok

    def to_json(self) -> str:
        data: dict[str, Any] = asdict(self)
        data["healthy"] = self.healthy
        return json.dumps(data, ensure_ascii=False, indent=2)


@dataclass(frozen=True)
class DemoState:
    """What ``demo up`` leaves behind for ``down``/``status``/``logs`` (a JSON file)."""

    backend: str
    root: str
    config_dir: str
    installed_config: str
    asterisk_pid: int | None
    complaints_pid: int | None
    started_at: float

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> DemoState | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**data)
        except (OSError, ValueError, TypeError):
            return None
