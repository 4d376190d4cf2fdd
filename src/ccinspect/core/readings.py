"""What was read from the platform rather than heard on the wire: the operator's answers, and
the web console's screenshots, readings and recording player (re-exported by
:mod:`ccinspect.core.facts`, where the run's facts are gathered)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ManualAnswerFact", "PlayerFact", "ScreenshotFact", "WebReadingFact"]


@dataclass(frozen=True, slots=True)
class PlayerFact:
    """What the web console's recording player reported when the recording was opened in it.

    * ``page``: the player page's path (no query string); ``audio_url``: the address the player
      loaded (what ccinspect then fetched through the page's own session).
    * ``ready_state``: the ``<audio>``/``<video>`` element's ``readyState`` after loading
      (``HAVE_CURRENT_DATA`` = 2 or more means it can play); None when no player was found.
    * ``duration_s``: the length the player reports (None: unknown or not finite).
    * ``screenshot``: the screenshot of the player (relative path in the run), if one was taken.
    * ``error``: why the player could not be examined (a step that failed, with its selector).
    """

    page: str
    audio_url: str | None
    ready_state: int | None
    duration_s: float | None
    screenshot: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ManualAnswerFact:
    """What an operator answered when the runner asked them to look at the platform.

    * ``topic``: ``complaint`` (the ticket of a complaint call) or ``screening`` (what the agent's
      screen showed for a screening call); ``call_key`` the call asked about.
    * ``question``: what the operator was shown (caller number, call time, what to look for).
    * ``answered``: False when no answer came within the bound (``error`` says why).
    * ``confirmed``: the operator confirmed what was asked (a ticket exists; a warning was shown);
      ``value``: what they read back (the ticket number, the warning text; '' for nothing).
    * ``source``: ``interactive`` or the answers file's name; ``evidence``: an attached file
      kept in the run (relative path), None when none.
    """

    topic: str
    call_key: str
    question: str
    answered: bool
    confirmed: bool | None = None
    value: str | None = None
    note: str | None = None
    source: str | None = None
    evidence: str | None = None
    answered_at: float | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ScreenshotFact:
    """One screenshot of the platform's web console taken during the run, in the order taken.

    * ``index``: 1, 2, … (the ``NN`` of ``screenshots/NN-step.png``); ``path`` relative to the
      run directory.
    * ``step``: the recipe step that took it (``login``, ``search``, ``playback``,
      ``work-order``, ``screening``…); ``topic``: ``login``, ``recordings``, ``complaints`` or
      ``screening``; ``caption``/``caption_zh``: what it shows, for the report and the appendix.
    * ``call_key``: the call it is about, None for the login.
    * ``ok``: False for the screenshot of a step that failed (``error`` says how).
    """

    index: int
    step: str
    topic: str
    caption: str
    caption_zh: str
    path: str
    taken_at: float
    call_key: str | None = None
    ok: bool = True
    error: str | None = None


@dataclass(frozen=True, slots=True)
class WebReadingFact:
    """A value read from the platform's web console about one call (``topic`` ``screening``: the
    screening flag the console shows for a screening call).

    ``found``: the call's row or page was found; ``value``: the text read there ('' for an empty
    cell, None when not found); ``screenshot``: relative path in the run; ``error``: why it could
    not be read (the step and selector that failed).
    """

    topic: str
    call_key: str
    found: bool
    value: str | None = None
    screenshot: str | None = None
    error: str | None = None
