"""What the run store raises on purpose: every error says what failed, where, and what to do next.

Library exceptions (SQLAlchemy, Alembic, the DB driver, JSON) are translated once, where they are
caught in ``store/``, with ``raise ... from exc``; nothing outside ``store/`` sees them.
"""

from __future__ import annotations

from ccinspect.errors import CcinspectError, Kind


class StoreError(CcinspectError):
    """Base class: a bilingual message and a hint (the next step for the user)."""

    def __init__(self, message: str, message_zh: str, *, hint: str = "") -> None:
        super().__init__(message, message_zh, hint=hint)


class StoreUnavailable(StoreError):
    """The database could not be opened, migrated or queried (a harness problem)."""


class RunNotFound(StoreError):
    """No run matches the id, prefix or ``latest`` given."""

    kind = Kind.USER


class AmbiguousRun(StoreError):
    """A prefix matches more than one run; ``candidates`` lists them (newest first)."""

    kind = Kind.USER

    def __init__(self, prefix: str, candidates: tuple[str, ...]) -> None:
        shown = ", ".join(candidates[:5]) + (" …" if len(candidates) > 5 else "")
        super().__init__(
            f"run prefix {prefix!r} matches {len(candidates)} runs: {shown}",
            f"运行编号前缀 {prefix!r} 匹配到 {len(candidates)} 个运行：{shown}",
            hint="give more characters of the run id",
        )
        self.prefix, self.candidates = prefix, candidates


class RunDirInvalid(StoreError):
    """A run directory cannot be imported: report.json is missing, unreadable or not ours."""

    kind = Kind.USER
