"""Errors of the demo PBX backends: what failed, where, and what to do next, in English and Chinese."""

from __future__ import annotations


class DemoError(Exception):
    """The demo PBX could not be built, started, stopped or inspected.

    ``hint`` says what the user can do next; ``detail`` carries evidence (a log tail, a command's
    output) shown below the message.
    """

    def __init__(self, message: str, message_zh: str, *, hint: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh
        self.hint = hint
        self.detail = detail

    def render(self) -> str:
        """The full text for a terminal: message in both languages, hint, then evidence."""
        parts = [f"error: {self.message}", f"错误：{self.message_zh}"]
        if self.hint:
            parts.append(f"next: {self.hint}")
        if self.detail:
            parts.append(self.detail.rstrip())
        return "\n".join(parts)


class ConfigDirError(DemoError):
    """A --config-dir that is not a usable Asterisk configuration (the user's mistake)."""
