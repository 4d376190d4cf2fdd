"""Recording retention for the demo PBX: delete recordings older than the configured days.

The regulator's minimum is 30 days (R5). A policy below that is refused unless forced, which
exists only so that tests can inject a retention fault.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ccinspect.demo.errors import DemoError
from ccinspect.demo.pbx.config import Retention

MINIMUM_DAYS = 30
DAY = 86400.0


@dataclass(frozen=True)
class PurgeResult:
    """What a purge did: files deleted and kept, and the policy it applied."""

    days: int
    deleted: tuple[str, ...]
    kept: int


def check_policy(policy: Retention) -> None:
    """Raise DemoError when the policy keeps recordings for fewer than 30 days and is not forced."""
    if policy.days < 0:
        raise DemoError(
            f"retention days must not be negative (got {policy.days})",
            f"录音保存天数不能为负数（当前 {policy.days}）",
            hint="set days= in retention.conf to 30 or more",
        )
    if policy.days < MINIMUM_DAYS and not policy.force:
        raise DemoError(
            f"retention of {policy.days} days is below the regulator's 30-day minimum",
            f"录音保存 {policy.days} 天，低于监管要求的 30 天",
            hint="set days= in retention.conf to 30 or more, or force=yes to inject this fault on purpose",
        )


def select_expired(files: Iterable[tuple[str, float]], *, days: int, now: float) -> list[str]:
    """Names among (name, mtime) pairs whose age exceeds ``days`` days at time ``now``."""
    limit = now - days * DAY
    return sorted(name for name, mtime in files if mtime < limit)


def purge(directory: Path, policy: Retention, *, now: float | None = None) -> PurgeResult:
    """Delete recordings in ``directory`` older than the policy allows; return what was done."""
    check_policy(policy)
    current = time.time() if now is None else now
    entries = (
        [(p.name, p.stat().st_mtime) for p in directory.iterdir() if p.is_file()]
        if directory.is_dir()
        else []
    )
    expired = select_expired(entries, days=policy.days, now=current)
    for name in expired:
        (directory / name).unlink(missing_ok=True)
    return PurgeResult(days=policy.days, deleted=tuple(expired), kept=len(entries) - len(expired))
