"""The web console's evidence as the report shows it: screenshots, the recording player, tickets.

* :func:`screenshot_views`: every :class:`~ccinspect.core.facts.ScreenshotFact` of the run in the
  order taken, numbered (图 1 / Figure 1), with its image placed through :class:`.Assets`, its
  caption in the report's language and the other one, the call it is about, and a failed step
  marked with its error.
* :func:`player_view`, :func:`ticket_view`, :func:`reading_views`: per call, what the console's
  recording player reported, how the complaint ticket was read (web console, API, operator) and
  what the console showed, each linked to its screenshot.

Captions, errors and pages come from the decoded run, which is masked before decoding
(:mod:`.rundir`), so numbers in them are masked like every other free text of the report. The
pixels of a screenshot cannot be masked; the section says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from ccinspect.core.facts import PlayerFact, ScreenshotFact, TicketFact, WebReadingFact
from ccinspect.report.assets import Assets
from ccinspect.report.i18n import Catalogue
from ccinspect.report.rundir import RunReport

__all__ = [
    "PlayerView",
    "ReadingView",
    "ShotLink",
    "ShotView",
    "Shots",
    "TicketView",
    "shot_anchor",
]


def shot_anchor(index: int) -> str:
    """The in-page anchor of screenshot number ``index`` (``shot-01``)."""
    return f"shot-{index:02d}"


@dataclass(frozen=True, slots=True)
class ShotView:
    """One screenshot as a figure: number, image URL (None: file missing), captions, call, outcome."""

    index: int
    anchor: str
    label: str
    url: str | None
    file: str
    caption: str
    caption_other: str
    call_key: str | None
    call_anchor: str | None
    ok: bool
    error: str | None
    step: str
    topic: str
    taken: str


@dataclass(frozen=True, slots=True)
class ShotLink:
    """A link to a screenshot: the figure in the report, else the image; ``href`` None when the
    file is missing (``text`` then names it)."""

    href: str | None
    text: str


@dataclass(frozen=True, slots=True)
class PlayerView:
    """What the web console's player reported for a call's recording (``line`` is '' when the
    player could not be examined at all: ``error`` says why)."""

    line: str
    audio_url: str | None
    error: str | None
    shot: ShotLink | None


@dataclass(frozen=True, slots=True)
class TicketView:
    """The complaint ticket of a call: its number, how it was read, its screenshot."""

    ticket_id: str
    via: str
    shot: ShotLink | None


@dataclass(frozen=True, slots=True)
class ReadingView:
    """A value the web console showed about a call (e.g. the screening flag)."""

    topic: str
    value: str
    error: str | None
    shot: ShotLink | None


def _caption(t: Catalogue, shot: ScreenshotFact, *, other: bool) -> str:
    zh = (t.lang == "zh") != other
    return shot.caption_zh if zh else shot.caption


class Shots:
    """The screenshots of one run placed for one report (``assets`` decides linked or inline)."""

    def __init__(self, run: RunReport, t: Catalogue, assets: Assets, call_anchors: dict[str, str]) -> None:
        self._run = run
        self._t = t
        self._assets = assets
        self.views = tuple(self._view(s, call_anchors) for s in run.info.facts.screenshots)
        self._by_file = {v.file: v for v in self.views}

    def _url(self, path: str) -> str | None:
        source = self._run.screenshot_files.get(path)
        return self._assets.image(source) if source is not None else None

    def _view(self, shot: ScreenshotFact, call_anchors: dict[str, str]) -> ShotView:
        t = self._t
        return ShotView(
            index=shot.index,
            anchor=shot_anchor(shot.index),
            label=t("figure", n=shot.index),
            url=self._url(shot.path),
            file=shot.path,
            caption=_caption(t, shot, other=False),
            caption_other=_caption(t, shot, other=True),
            call_key=shot.call_key,
            call_anchor=call_anchors.get(shot.call_key) if shot.call_key else None,
            ok=shot.ok,
            error=shot.error,
            step=shot.step,
            topic=shot.topic,
            taken=t.when(shot.taken_at),
        )

    def link(self, path: str | None) -> ShotLink | None:
        """A link to the screenshot at ``path``: its figure when listed, else the image itself."""
        if not path:
            return None
        listed = self._by_file.get(path)
        if listed is not None:
            return ShotLink(f"#{listed.anchor}", listed.label)
        url = self._url(path)
        return ShotLink(url, path if url else f"{path} ({self._t('shot_missing')})")

    def player(self, player: PlayerFact | None) -> PlayerView | None:
        """The player line of a recording played in the web console (None when it was not)."""
        if player is None:
            return None
        t = self._t
        failed = player.error is not None and player.ready_state is None
        line = (
            ""
            if failed
            else t(
                "player_line",
                state="—" if player.ready_state is None else player.ready_state,
                duration=t.seconds(player.duration_s) or "—",
                page=player.page,
            )
        )
        return PlayerView(line, player.audio_url, player.error, self.link(player.screenshot))

    def ticket(self, ticket: TicketFact | None) -> TicketView | None:
        """The ticket line of a complaint call (None when no ticket was looked up)."""
        if ticket is None:
            return None
        found = ticket.ticket_id or (self._t("not_found") if not ticket.found else "—")
        return TicketView(found, self._t.via(ticket.via), self.link(ticket.screenshot))

    def readings(self, readings: tuple[WebReadingFact, ...], call_key: str) -> tuple[ReadingView, ...]:
        """What the web console showed about call ``call_key``, one view per reading."""
        t = self._t
        return tuple(
            ReadingView(
                t.topic(w.topic),
                (w.value or t("none_seen")) if w.found else t("not_in_console"),
                w.error,
                self.link(w.screenshot),
            )
            for w in readings
            if w.call_key == call_key
        )
