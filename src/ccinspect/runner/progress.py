"""Live progress of a run: what the runner reports while it works (phases, calls, notes)."""

from __future__ import annotations

from typing import Protocol

from ccinspect.core.facts import CallFact

__all__ = ["Progress", "QuietProgress"]


class Progress(Protocol):
    """Live progress: phases, finished calls and notes."""

    def phase(self, name: str, detail: str = "") -> None: ...

    def call(self, fact: CallFact) -> None: ...

    def note(self, text: str) -> None: ...


class QuietProgress:
    """Progress that shows nothing."""

    def phase(self, name: str, detail: str = "") -> None:
        return None

    def call(self, fact: CallFact) -> None:
        return None

    def note(self, text: str) -> None:
        return None
