"""The report's two kinds of failure, each with a message an operator can act on.

* :class:`RunDirError`: the run directory given is not one (missing, no report.json, not JSON,
  another schema, a field of the wrong type). The user's mistake; the CLI exits 2.
* :class:`PdfError`: the PDF could not be printed (Chromium missing, timed out or failed).

Library exceptions are translated here once, with ``raise ... from exc``.
"""

from __future__ import annotations

from ccinspect.errors import CcinspectError, Kind

__all__ = ["PdfError", "ReportError", "RunDirError"]


class ReportError(CcinspectError):
    """Base of the report's errors; ``message`` is what to print (English; ``message_zh`` when
    given)."""

    def __init__(self, message: str, message_zh: str | None = None) -> None:
        super().__init__(message, message_zh)


class RunDirError(ReportError):
    """The run directory is missing or is not a valid ccinspect run (says which file and key)."""

    kind = Kind.USER


class PdfError(ReportError):
    """Chromium could not print the report to PDF (says why and what to install)."""
