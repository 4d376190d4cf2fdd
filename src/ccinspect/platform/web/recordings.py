"""Recordings played back in the platform's own web console (``recordings.kind: web``).

:class:`WebRecordings` is a :class:`~ccinspect.platform.recordings.RecordingStore`: ``list``
searches the console's call records for a time window and keeps every row that links to a
player; ``fetch`` opens that player as the inspector would, waits until it can play, and
downloads the audio the player loaded through the page's own session, so what is analysed is
exactly what the console plays. What each player reported is kept (:meth:`player_of`) for the
playback check. ``probe_access`` fetches a player's audio without a session and after a login
with a wrong password; ``retention_policy`` reads the settings page the recipe names.

:func:`demonstrate` is the inspector's own sequence for one call, with screenshots for the
system description: search the call by its number and time, open it, play it.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

from ccinspect.core.cdrmatch import CdrRecord, match_cdrs
from ccinspect.core.facts import CallFact, PlayerFact
from ccinspect.core.numbers import same_number
from ccinspect.core.scenario.console import CallSearch, Console
from ccinspect.platform.errors import AdapterError
from ccinspect.platform.recordings import AccessProbe, StoredRecording, TimeWindow
from ccinspect.platform.web import pages
from ccinspect.platform.web.session import ConsoleSession

__all__ = ["WebRecordings", "demonstrate"]

#: A call's row is looked for this far either side of the call's start.
SEARCH_MARGIN_S = 120.0


def _name(row: pages.WebRow, href: str) -> str:
    """The recording's name: the row's id cell, else the last part of its player link."""
    ident = row.cell("id")
    if ident:
        return ident
    parts = [p for p in urlsplit(href).path.split("/") if p]
    return unquote(parts[-1]) if parts else href


class WebRecordings:
    """The recordings the console's call search lists, played in its player."""

    kind = "web"
    windowed = True

    def __init__(
        self,
        session: ConsoleSession,
        *,
        seat_names: Mapping[str, Collection[str]] | None = None,
        tolerance_s: float = 5.0,
    ) -> None:
        spec = session.spec
        assert spec.calls is not None, "validated by the target model"
        self.session = session
        self.console: Console = spec
        self.calls: CallSearch = spec.calls
        self.seat_names = dict(seat_names or {})
        self.tolerance_s = tolerance_s
        self._players: dict[str, PlayerFact] = {}
        self._rows: dict[str, CdrRecord] = {}
        self._audio: str | None = None

    async def list(self, window: TimeWindow | None = None) -> Sequence[StoredRecording]:
        window = window or TimeWindow.recent()
        async with self.session.flow() as page:
            rows = await pages.search(
                self.session,
                page,
                self.calls,
                step="search",
                topic="recordings",
                start=window.start,
                end=window.end,
            )
        found = []
        for row in rows:
            href = row.links.get("open")
            if href:
                when = pages.row_time(row, self.calls.time)
                rec = StoredRecording(_name(row, href), "wav", when, None, href)
                found.append(rec)
                self._rows[rec.name] = CdrRecord(
                    when, row.cell("caller"), row.cell("callee"), agent=row.cell("agent"), record_id=rec.name
                )
        return found

    def pair(
        self, calls: Sequence[CallFact], listing: Sequence[StoredRecording]
    ) -> dict[str, StoredRecording]:
        """Which listed recording the console shows for each call: its row, paired with the call
        by time and numbers as a CDR row is (:func:`~ccinspect.core.cdrmatch.match_cdrs`). The
        inspector opens the call's own row; what it plays is then judged by its content."""
        by_name = {r.name: r for r in listing}
        rows = [self._rows[name] for name in by_name if name in self._rows]
        matched = match_cdrs(calls, rows, tolerance_s=self.tolerance_s, seat_names=self.seat_names)
        return {key: by_name[row.record_id] for key, row in matched.items() if row.record_id in by_name}

    def player_of(self, rec: StoredRecording) -> PlayerFact | None:
        """What the player reported when ``rec`` was fetched (None: not fetched yet)."""
        return self._players.get(rec.name)

    async def fetch(self, rec: StoredRecording) -> bytes:
        url = rec.locator or rec.name
        async with self.session.flow() as page:
            player = await pages.play(
                self.session, page, url, self.console.player, step="playback", topic="recordings"
            )
        self._players[rec.name] = player
        if player.audio_url is None:
            raise AdapterError(
                f"the console's player for {rec.name} ({player.page}) has no audio source",
                f"控制台中 {rec.name} 的播放器（{player.page}）没有音频来源",
            )
        status, body = await self.session.fetch(player.audio_url)
        if status >= 400:
            raise AdapterError(
                f"the console's player for {rec.name} loads {player.audio_url}, which answered HTTP {status}",
                f"控制台中 {rec.name} 的播放器加载 {player.audio_url}，返回 HTTP {status}",
            )
        self._audio = self._audio or player.audio_url
        return body

    async def _some_audio(self) -> str | None:
        if self._audio is None:
            for rec in await self.list():
                try:
                    await self.fetch(rec)
                except AdapterError:
                    continue
                break
        return self._audio

    async def probe_access(self, accounts: Sequence[tuple[str, str]] = ()) -> AccessProbe:
        """The audio a player loads, fetched with no session, after a login with a wrong
        password, and after a login with each default account (``accounts``)."""
        try:
            url = await self._some_audio()
        except AdapterError as exc:
            return AccessProbe(self.console.url, None, None, exc.message)
        if url is None:
            return AccessProbe(self.console.url, None, None, "the console lists no recording to probe")
        try:
            anonymous = await self.session.anonymous_status(url)
            wrong = await self.session.status_after_login(
                self.console.username, secrets.token_urlsafe(12), url
            )
            defaults = [
                (f"{user}/{password}", await self.session.status_after_login(user, password, url))
                for user, password in accounts
            ]
        except AdapterError as exc:
            return AccessProbe(url, None, None, exc.message)
        return AccessProbe(url, anonymous, wrong, default_accounts=tuple(defaults))

    async def retention_policy(self) -> int | None:
        spec = self.console.retention
        if spec is None:
            return None
        async with self.session.flow() as page:
            days = await pages.setting_days(self.session, page, spec)
            await self.session.shot(
                "retention",
                "recordings",
                f"the console's recording retention setting: {days} days",
                f"控制台的录音保存天数设置：{days} 天",
            )
        return days


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%H:%M:%S UTC")


async def demonstrate(
    session: ConsoleSession, *, call_key: str, number: str, started_at: float, tolerance_s: float = 10.0
) -> PlayerFact:
    """Find call ``call_key`` (``number`` at ``started_at``) in the console's call search, as
    the inspector does, open its player and let it load; screenshots of both.

    The search is repeated until the row shows, for at most the recipe's step bound; no row is
    a :class:`~ccinspect.platform.web.session.WebStepError` ("no row for 13800138000 within 10 s").
    """
    spec = session.spec.calls
    assert spec is not None
    async with session.flow() as page:
        loop = asyncio.get_running_loop()
        until = loop.time() + session.timeout_s
        while True:
            rows = await pages.search(
                session,
                page,
                spec,
                step="search",
                topic="recordings",
                phone=number,
                start=started_at - SEARCH_MARGIN_S,
                end=started_at + SEARCH_MARGIN_S,
            )
            best = _closest(rows, spec, number, started_at, tolerance_s)
            if best is not None or loop.time() >= until:
                break
            await asyncio.sleep(1.0)
        if best is None:
            raise await session.fail(
                "search",
                "recordings",
                f"no row for {number} at {_when(started_at)} within {session.timeout_s:g} s",
                f"{session.timeout_s:g} 秒内未找到 {number}（{_when(started_at)}）的记录",
                selector=spec.rows,
                call_key=call_key,
            )
        await pages.highlight(page, spec.rows, [best.index])
        await session.shot(
            "search",
            "recordings",
            f"call record search by the number {number}: call {call_key} found",
            f"按号码 {number} 查询通话记录：找到呼叫 {call_key}",
            call_key=call_key,
        )
        href = best.links.get("open")
        if href is None:
            raise await session.fail(
                "playback",
                "recordings",
                f"the row of call {call_key} has no link to a recording player",
                f"呼叫 {call_key} 的记录没有录音播放链接",
                selector=spec.open,
                call_key=call_key,
            )
        player = await pages.play(
            session, page, href, session.spec.player, step="playback", topic="recordings", call_key=call_key
        )
        length = f"{player.duration_s:.1f} s" if player.duration_s else "unknown length"
        shot = await session.shot(
            "playback",
            "recordings",
            f"the recording of call {call_key} in the console's player "
            f"(readyState {player.ready_state}, {length})",
            f"控制台播放器中的呼叫 {call_key} 录音（readyState {player.ready_state}，{length}）",
            call_key=call_key,
        )
    return replace(player, screenshot=shot)


def _closest(
    rows: Sequence[pages.WebRow], spec: CallSearch, number: str, started_at: float, tolerance_s: float
) -> pages.WebRow | None:
    """The row showing ``number`` (as caller or callee) whose time is nearest ``started_at``,
    within ``tolerance_s``; None when none is."""
    best: tuple[float, pages.WebRow] | None = None
    for row in rows:
        shown = [row.cell("caller") or "", row.cell("callee") or ""]
        if not any(same_number(n, number) or n == number for n in shown if n):
            continue
        when = pages.row_time(row, spec.time)
        if when is None or abs(when - started_at) > tolerance_s:
            continue
        gap = abs(when - started_at)
        if best is None or gap < best[0]:
            best = (gap, row)
    return best[1] if best else None
