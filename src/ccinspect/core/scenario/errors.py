"""The user's mistakes in scenario and target files, said precisely and in both languages."""

from __future__ import annotations

import difflib
from pathlib import Path

from ccinspect.core.verdict import Text
from ccinspect.errors import CcinspectError, Kind

__all__ = ["FileProblem", "ScenarioFileError", "did_you_mean"]


class ScenarioFileError(CcinspectError):
    """A scenario or target file is wrong: the user's mistake, reported before anything runs.

    ``file``: the file; ``key_path``: where in it (``inbound.callers[2]``, '' for the whole file);
    ``text``: what is wrong in both languages (``message_en`` is its English alone);
    ``allowed``: what would be accepted (with a "did you mean" suggestion when one is close);
    ``line`` / ``column``: 1-based, when known. ``message`` / ``message_zh`` are the whole
    located sentence in each language (what :meth:`render` prints).
    """

    kind = Kind.USER

    def __init__(
        self,
        file: str | Path,
        key_path: str,
        message: Text,
        allowed: str | None = None,
        *,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.file = str(file)
        self.key_path = key_path
        self.text = message
        self.message_en = message.en
        self.allowed = allowed
        self.line = line
        self.column = column
        where = (
            self.file
            + (f":{self.line}" if self.line else "")
            + (f":{self.column}" if self.line and self.column else "")
            + ":"
            + (f" {self.key_path}:" if self.key_path else "")
        )
        super().__init__(
            f"{where} {message.en}." + (f" Allowed: {allowed}." if allowed else ""),
            f"{where} {message.zh}" + (f"。允许：{allowed}" if allowed else ""),
        )
        self._one_line = f"{self.message} / {message.zh}"

    def __str__(self) -> str:
        return self._one_line


class FileProblem(ValueError):
    """Raised inside validators: a bilingual message, what is allowed, an optional sub-key."""

    def __init__(self, en: str, zh: str, allowed: str | None = None, key: str | None = None):
        super().__init__(en)
        self.text, self.allowed, self.key = Text(en, zh), allowed, key


def did_you_mean(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    listed = ", ".join(options)
    return f"{listed} (did you mean '{close[0]}'?)" if close else listed
