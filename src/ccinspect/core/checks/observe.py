"""How a platform shows its screening verdict, as plain rule data (R3).

The target file's ``screening.observe`` list (:class:`ccinspect.core.scenario.sources.Screening`)
is converted into these frozen rules by :func:`ccinspect.core.scenario.build_context`; the
screening check (:mod:`ccinspect.core.checks.screening`) applies them to the facts. Nothing here
knows any particular platform: header names, display-name patterns and the platform's values
are all data.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

__all__ = ["ObserveKind", "ScreeningObservation"]


class ObserveKind(enum.Enum):
    """Where the platform shows its screening verdict.

    * ``HEADER``: a SIP header of the INVITE a seat receives.
    * ``DISPLAY_NAME``: the caller's display name (From, P-Asserted-Identity) a seat is shown.
    * ``CDR``: a field of the call's CDR.
    * ``MANUAL``: an operator reads the agent's screen and answers.
    * ``WEB``: the screening cell of the call's row in the platform's web console.
    """

    HEADER = "header"
    DISPLAY_NAME = "display_name"
    CDR = "cdr"
    MANUAL = "manual"
    WEB = "web"


@dataclass(frozen=True, slots=True)
class ScreeningObservation:
    """One way to observe the verdict, with the platform's values mapped to reason tokens.

    * ``kind``: see :class:`ObserveKind`; ``name``: the header name (``HEADER``) or the CDR
      field the target maps (``CDR``, for evidence); ``pattern``: the display-name regular
      expression (``DISPLAY_NAME``: its group ``flag``, else its first group, else the whole
      match is the value; no match means not flagged).
    * ``values``: the platform's value → the scenario's reason token (exact text first, then
      case-insensitively); an unmapped value is kept, lower-cased.
    * ``clear``: values (or mapped tokens) meaning "not flagged" (case-insensitive; '' always is).
    """

    kind: ObserveKind
    name: str = ""
    pattern: str = ""
    values: tuple[tuple[str, str], ...] = ()
    clear: frozenset[str] = frozenset({"pass"})

    def token(self, value: str | None) -> str | None:
        """The reason token ``value`` stands for; None when it means "not flagged"."""
        clear = {c.strip().casefold() for c in self.clear}
        text = (value or "").strip()
        if not text or text.casefold() in clear:
            return None
        mapped = next((t for v, t in self.values if v == text), None)
        if mapped is None:
            mapped = next((t for v, t in self.values if v.strip().casefold() == text.casefold()), None)
        token = (text.lower() if mapped is None else mapped).strip()
        return None if not token or token.casefold() in clear else token

    def flag_in(self, display_name: str | None) -> str | None:
        """The value the display-name ``pattern`` finds in ``display_name`` (None: no match).

        Raises :class:`re.error` for an invalid pattern (the target file validates it first).
        """
        if display_name is None:
            return None
        match = re.search(self.pattern, display_name)
        if match is None:
            return None
        if "flag" in match.re.groupindex:
            return match.group("flag") or ""
        if match.re.groups:
            return match.group(1) or ""
        return match.group(0)
