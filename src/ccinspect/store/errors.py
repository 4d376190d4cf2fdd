"""What the run store raises on purpose: every error says what failed, where, and what to do next.

Library exceptions (SQLAlchemy, Alembic, the DB driver, JSON) are translated once, where they are
caught in ``store/``, with ``raise ... from exc``; nothing outside ``store/`` sees them.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class: a bilingual message and a hint (the next step for the user)."""

    def __init__(self, message: str, message_zh: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.message_zh, self.hint = message, message_zh, hint

    def render(self) -> str:
        """The error for a terminal: English, Chinese, then the next step when there is one."""
        lines = [f"error: {self.message}", f"错误：{self.message_zh}"]
        if self.hint:
            lines.append(f"next: {self.hint}")
        return "\n".join(lines)


class StoreUnavailable(StoreError):
    """The database could not be opened, migrated or queried (a harness problem)."""


class RunNotFound(StoreError):
    """No run matches the id, prefix or ``latest`` given."""


class AmbiguousRun(StoreError):
    """A prefix matches more than one run; ``candidates`` lists them (newest first)."""

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
