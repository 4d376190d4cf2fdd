"""One error model for all of ccinspect: bilingual text, a next step, and a kind.

Every exception ccinspect raises on purpose derives from :class:`CcinspectError` (a test walks the
package and holds this). An error carries:

* its text in English (:attr:`~CcinspectError.message`) and Chinese
  (:attr:`~CcinspectError.message_zh`; the English text when no translation exists yet);
* an optional :attr:`~CcinspectError.hint`: the next step for the user;
* its :class:`Kind`, which says whose problem it is:

  ``USER``      a mistake in a file or an argument: the message says which file or key, and
                what is allowed.
  ``PLATFORM``  the platform under test refused or misbehaved, so ccinspect could not check
                (a *finding* about the platform is a FAIL verdict, never an exception).
  ``HARNESS``   ccinspect itself or this machine failed (pjsua2, a port in use, the database).

The CLI catches :class:`CcinspectError` once, prints :meth:`~CcinspectError.render` and exits
with :attr:`~CcinspectError.exit_code`. Exit codes of ccinspect (one place: :data:`EXIT_CODES`):

====  ==========================================================================
0     success: every check passed (:data:`EXIT_OK`)
1     a check failed: a finding about the platform (:data:`EXIT_FAIL`)
2     the work could not be done: a wrong file or argument (``USER``), the
      platform prevented the check (``PLATFORM``), or the harness failed
      (``HARNESS``) (:data:`EXIT_ERROR`; the kinds share it for now)
130   stopped by SIGINT (Ctrl-C); 143 stopped by SIGTERM (128 + the signal)
====  ==========================================================================

This module imports nothing but the standard library: every package may use it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

__all__ = [
    "EXIT_CODES",
    "EXIT_ERROR",
    "EXIT_FAIL",
    "EXIT_OK",
    "CcinspectError",
    "Kind",
]

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_ERROR = 2


class Kind(enum.Enum):
    """Whose problem an error is (see the module documentation)."""

    USER = "user"
    PLATFORM = "platform"
    HARNESS = "harness"


#: The exit code for each kind of error. All are 2 today; kept as a table so that splitting
#: them later (e.g. 3 for "the platform prevented the check") is a one-line change.
EXIT_CODES: Mapping[Kind, int] = {
    Kind.USER: EXIT_ERROR,
    Kind.PLATFORM: EXIT_ERROR,
    Kind.HARNESS: EXIT_ERROR,
}


class CcinspectError(Exception):
    """Base of every error ccinspect raises on purpose: bilingual text, a hint, a kind.

    Subclasses set the class attribute :attr:`kind` (the default for the class); a single
    instance may override it with ``kind=``. ``message_zh`` defaults to the English text (for
    the few errors not translated yet), so :meth:`render` never prints an empty line.
    """

    #: Whose problem this is; also decides :attr:`exit_code`.
    kind: Kind = Kind.HARNESS

    def __init__(
        self,
        message: str,
        message_zh: str | None = None,
        *,
        hint: str = "",
        kind: Kind | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message if message_zh is None else message_zh
        self.hint = hint
        if kind is not None:
            self.kind = kind

    @property
    def exit_code(self) -> int:
        """The process exit code for this error (:data:`EXIT_CODES` of its kind)."""
        return EXIT_CODES[self.kind]

    def details(self) -> str:
        """Evidence shown below the message (a log tail, a command's output); '' when none."""
        return ""

    def render(self) -> str:
        """The error for a terminal: English, Chinese (when it differs), the next step, evidence."""
        lines = [f"error: {self.message}"]
        if self.message_zh and self.message_zh != self.message:
            lines.append(f"错误：{self.message_zh}")
        if self.hint:
            lines.append(f"next: {self.hint}")
        detail = self.details()
        if detail:
            lines.append(detail.rstrip())
        return "\n".join(lines)
