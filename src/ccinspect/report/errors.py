"""The report's two kinds of failure, each with a message an operator can act on.

* :class:`RunDirError`: the run directory given is not one (missing, no report.json, not JSON,
  another schema, a field of the wrong type). The user's mistake; the CLI exits 2.
* :class:`PdfError`: the PDF could not be printed (Chromium missing, timed out or failed).
* :class:`NoScreenshotsError`: the screenshots appendix was asked of a run that took none (the
  user's mistake: the message says how to get them). The CLI exits 2.

Library exceptions are translated here once, with ``raise ... from exc``.
"""

from __future__ import annotations

from ccinspect.errors import CcinspectError, Kind

__all__ = ["NoScreenshotsError", "PdfError", "ReportError", "RunDirError"]


class ReportError(CcinspectError):
    """Base of the report's errors; ``message`` is what to print (English; ``message_zh`` when
    given)."""

    def __init__(self, message: str, message_zh: str | None = None, *, hint: str = "") -> None:
        super().__init__(message, message_zh, hint=hint)


class RunDirError(ReportError):
    """The run directory is missing or is not a valid ccinspect run (says which file and key)."""

    kind = Kind.USER


class PdfError(ReportError):
    """Chromium could not print the report to PDF (says why and what to install)."""


class NoScreenshotsError(ReportError):
    """The run has no web-console screenshots, so there is no appendix to print (says how to get
    them)."""

    kind = Kind.USER

    def __init__(self, run_path: str) -> None:
        super().__init__(
            f"the run {run_path} has no web-console screenshots, so there is no screenshots.pdf to "
            "print (screenshots are taken when the target has a `console:` section and "
            "`recordings.kind: web`)",
            f"运行 {run_path} 没有网页控制台截图，无法生成截图附录 screenshots.pdf"
            "（被检平台配置含 `console:` 段且 `recordings.kind: web` 时才会截图）",
            hint="run the scenario against a target with a web console, then "
            "`ccinspect report RUN_DIR --format screenshots`",
        )
