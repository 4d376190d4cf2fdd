"""The run's web-console phase: one browser session for the target's ``console`` recipe.

The session is opened lazily (the browser starts on first use) and closed when the run ends,
also when it is stopped. Besides the recordings (``recordings.kind: web``) and work orders
(``complaints.kind: web``) read through it by their adapters, this phase reads the screening
flags the console shows (``screening.observe`` of ``kind: web``) and performs the inspector's
playback demonstration for one answered inbound call: search it by number, open it, play it,
each step photographed for the system description's function screenshots.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ccinspect.core.checks.legs import answered_seat_leg
from ccinspect.core.facts import CallFact, CallPurpose, ScreenshotFact, WebReadingFact
from ccinspect.core.scenario import Target
from ccinspect.core.scenario.sources import ObserveWeb
from ccinspect.platform.errors import AdapterError
from ccinspect.platform.web.recordings import demonstrate
from ccinspect.platform.web.screening import read_screening
from ccinspect.platform.web.session import ConsoleSession
from ccinspect.runner.progress import Progress

__all__ = ["demonstration", "open_console", "screening_readings"]


def open_console(
    target: Target, run_dir: Path, shots: list[ScreenshotFact], progress: Progress
) -> ConsoleSession | None:
    """The session on the target's console recipe (None when the target has no console); its
    screenshots are added to ``shots``, and a failed step's is noted on ``progress``."""
    if target.console is None:
        return None

    def keep(shot: ScreenshotFact) -> None:
        shots.append(shot)
        if not shot.ok:
            progress.note(f"web console: {shot.caption} ({shot.path})")

    directory = run_dir / "screenshots"
    return ConsoleSession(target.console, recipe=target.source, shots_dir=directory, on_shot=keep)


def _observes_web(target: Target) -> bool:
    return target.screening is not None and any(isinstance(r, ObserveWeb) for r in target.screening.observe)


async def screening_readings(
    console: ConsoleSession | None, target: Target, calls: Sequence[CallFact]
) -> list[WebReadingFact]:
    """The console's screening flag of every screening call (empty when not declared); rows
    are paired with calls within the CDR section's ``tolerance_s`` (5 s without one)."""
    if console is None or not _observes_web(target):
        return []
    screening = [c for c in calls if c.purpose is CallPurpose.SCREENING]
    if not screening:
        return []
    seat_names = {s.id: (s.username,) for s in target.seats}
    tolerance = target.cdr.tolerance_s if target.cdr is not None else 5.0
    return await read_screening(console, screening, tolerance_s=tolerance, seat_names=seat_names)


async def demonstration(
    console: ConsoleSession | None, target: Target, calls: Sequence[CallFact], progress: Progress
) -> None:
    """Play one answered inbound call's recording in the console, as the inspector does
    (screenshots of the search and the player); a failure is noted, its screenshot kept."""
    if console is None or target.console is None or target.console.calls is None:
        return
    call = next(
        (
            c
            for c in calls
            if c.purpose is CallPurpose.INBOUND and answered_seat_leg(c) is not None and c.caller_number_sent
        ),
        None,
    )
    if call is None or call.caller_number_sent is None:
        return
    try:
        await demonstrate(
            console, call_key=call.key, number=call.caller_number_sent, started_at=call.started_at
        )
    except AdapterError as exc:
        progress.note(f"web console playback demonstration: {exc.message}")
