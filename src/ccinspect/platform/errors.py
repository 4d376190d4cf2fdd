"""Errors raised by the platform-side adapters (recordings, complaints, CDR).

They mean "ccinspect could not read the platform" (an ERROR outcome), never a finding: a
platform that answers but refuses or lacks something is reported through facts instead.
"""

from __future__ import annotations

from ccinspect.errors import CcinspectError, Kind


class AdapterError(CcinspectError):
    """Reading the platform failed: names the adapter, the URL or path, and the cause."""

    kind = Kind.PLATFORM

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message, message_zh)
