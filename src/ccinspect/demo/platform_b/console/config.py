"""The console's settings: the JSON file the lifecycle writes (keys in the issue-10 contract).

Every key is validated once, when the file is read; a wrong key raises :class:`ConfigError`
naming the file and the key. The fault switches default to the compliant behaviour.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ccinspect.errors import CcinspectError, Kind

DEFAULT_LISTEN = "127.0.0.1:8180"
DEFAULT_COMPLAINT_NUMBER = "02586669315"
DEFAULT_REPLY_DAYS = 15
DEFAULT_RETENTION_DAYS = 180
DEFAULT_PURGE_MIN_DAYS = 30


def utc_now() -> datetime:
    """The real clock: the current time, aware, in UTC."""
    return datetime.now(UTC)


class MediaFault(enum.StrEnum):
    """The fault switch ``media_fault``: what the recording routes serve instead of the call's file."""

    NONE = "none"
    """The call's own recording (compliant)."""
    WRONG_CALL = "wrong-call"
    """The most recent other call's recording (a 0.5 s silent WAV when no other call has one)."""
    TRUNCATED = "truncated"
    """A valid WAV holding the first half of the recording's frames."""


class ConfigError(CcinspectError):
    """The console's config file is missing, unreadable or has a wrong key."""

    kind = Kind.USER


@dataclass(frozen=True, slots=True)
class Account:
    """The demo inspection account, created or updated (password re-hashed) at every start."""

    username: str
    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    """How to run the console. Intervals and timeouts are seconds; tests shorten them.

    ``clock`` returns the current aware time; tests inject one to age recordings and orders.
    """

    dsn: str
    recording_root: Path
    api_token: str = field(repr=False)
    account: Account
    listen: str = DEFAULT_LISTEN
    complaint_number: str = DEFAULT_COMPLAINT_NUMBER
    reply_days: int = DEFAULT_REPLY_DAYS
    retention_default_days: int = DEFAULT_RETENTION_DAYS
    media_requires_login: bool = True
    api_requires_token: bool = True
    orders_include_phone: bool = True
    show_recordings: bool = True
    media_fault: MediaFault = MediaFault.NONE
    purge_min_days: int = DEFAULT_PURGE_MIN_DAYS
    order_sync_interval: float = 1.0
    purge_interval: float = 60.0
    db_timeout: float = 5.0
    startup_timeout: float = 30.0
    session_hours: float = 8.0
    clock: Callable[[], datetime] = utc_now

    def __post_init__(self) -> None:
        if not self.dsn:
            raise ValueError("dsn must be an SQLAlchemy URL (postgresql+psycopg://...)")
        if not self.api_token.strip():
            raise ValueError("api_token must not be empty")
        if not self.account.username or not self.account.password:
            raise ValueError("account needs a username and a password")
        if self.reply_days < 1:
            raise ValueError(f"reply_days must be at least 1, got {self.reply_days}")
        if self.purge_min_days < 0:
            raise ValueError(f"purge_min_days must not be negative, got {self.purge_min_days}")
        if self.retention_default_days < self.purge_min_days:
            raise ValueError(
                f"retention_default_days ({self.retention_default_days}) is below "
                f"purge_min_days ({self.purge_min_days})"
            )
        for name in ("order_sync_interval", "purge_interval", "db_timeout", "startup_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        self.host_port()

    def host_port(self) -> tuple[str, int]:
        """``listen`` split into host and port."""
        host, sep, port = self.listen.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
            raise ValueError(f"listen must be HOST:PORT, got {self.listen!r}")
        return host, int(port)


_REQUIRED = ("dsn", "recording_root", "api_token", "account")
_INTS = ("reply_days", "retention_default_days", "purge_min_days")
_BOOLS = ("media_requires_login", "api_requires_token", "orders_include_phone", "show_recordings")
_CHOICES: dict[str, type[enum.StrEnum]] = {"media_fault": MediaFault}
_STRS = ("listen", "complaint_number")
_FLOATS = ("order_sync_interval", "purge_interval", "db_timeout", "startup_timeout", "session_hours")


def _typed(path: Path, key: str, value: object, kind: type) -> object:
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not ok:
        raise ConfigError(
            f"{path}: key {key!r} must be a {kind.__name__}, got {value!r}",
            f"{path}：配置项 {key!r} 应为 {kind.__name__}，实际为 {value!r}",
        )
    return value


def _choice(path: Path, key: str, value: object, kind: type[enum.StrEnum]) -> enum.StrEnum:
    allowed = [member.value for member in kind]
    if isinstance(value, str) and value in allowed:
        return kind(value)
    raise ConfigError(
        f"{path}: key {key!r} must be one of {allowed}, got {value!r}",
        f"{path}：配置项 {key!r} 应为 {allowed} 之一，实际为 {value!r}",
    )


def config_from_mapping(data: Mapping[str, object], path: Path) -> ConsoleConfig:
    """Validate the decoded JSON of ``path`` into a :class:`ConsoleConfig`."""
    missing = [key for key in _REQUIRED if key not in data]
    if missing:
        raise ConfigError(f"{path}: missing keys {missing}", f"{path}：缺少配置项 {missing}")
    known = {*_REQUIRED, *_INTS, *_BOOLS, *_STRS, *_FLOATS, *_CHOICES}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"{path}: unknown keys {unknown} (allowed: {sorted(known)})",
            f"{path}：未知配置项 {unknown}（允许：{sorted(known)}）",
        )
    account = data["account"]
    if not isinstance(account, Mapping) or set(account) != {"username", "password"}:
        raise ConfigError(
            f'{path}: key \'account\' must be {{"username": ..., "password": ...}}',
            f'{path}：配置项 \'account\' 应为 {{"username": ..., "password": ...}}',
        )
    kwargs: dict[str, object] = {
        "dsn": _typed(path, "dsn", data["dsn"], str),
        "recording_root": Path(str(_typed(path, "recording_root", data["recording_root"], str))),
        "api_token": _typed(path, "api_token", data["api_token"], str),
        "account": Account(
            username=str(_typed(path, "account.username", account["username"], str)),
            password=str(_typed(path, "account.password", account["password"], str)),
        ),
    }
    for keys, kind in ((_INTS, int), (_BOOLS, bool), (_STRS, str), (_FLOATS, float)):
        for key in keys:
            if key in data:
                kwargs[key] = _typed(path, key, data[key], kind)
    for key, choices in _CHOICES.items():
        if key in data:
            kwargs[key] = _choice(path, key, data[key], choices)
    try:
        return ConsoleConfig(**kwargs)  # type: ignore[arg-type]  # each value was type-checked above
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}", f"{path}：配置无效：{exc}") from exc


def load_config(path: Path) -> ConsoleConfig:
    """Read and validate the JSON config file at ``path``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc}", f"无法读取 {path}：{exc}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path} is not valid JSON: {exc}", f"{path} 不是有效的 JSON：{exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be an object", f"{path}：顶层必须是 JSON 对象")
    return config_from_mapping(data, path)
