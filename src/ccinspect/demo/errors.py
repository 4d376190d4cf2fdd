"""Errors of the demo platforms (A and B): what failed, where, and what to do next, in English and Chinese."""

from __future__ import annotations

from ccinspect.errors import CcinspectError, Kind


class DemoError(CcinspectError):
    """The demo PBX could not be built, started, stopped or inspected.

    ``hint`` says what the user can do next; ``detail`` carries evidence (a log tail, a command's
    output) shown below the message.
    """

    def __init__(self, message: str, message_zh: str, *, hint: str = "", detail: str = "") -> None:
        super().__init__(message, message_zh, hint=hint)
        self.detail = detail

    def details(self) -> str:
        """The evidence shown below the message (a log tail, a command's output)."""
        return self.detail


class ConfigDirError(DemoError):
    """A --config-dir that is not a usable Asterisk configuration (the user's mistake)."""

    kind = Kind.USER
