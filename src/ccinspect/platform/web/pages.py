"""The console's pages as the recipe describes them: searches, result rows, the player, settings.

Each function is one inspector action on a logged-in page (from :meth:`ConsoleSession.flow`):

* :func:`search` fills a search form (a number, a time range), submits it and reads the result
  rows' cells and links as plain :class:`WebRow` values;
* :func:`play` opens a recording's player page, waits (bounded) until the player can play, and
  reads what it reports (:class:`~ccinspect.core.facts.PlayerFact`);
* :func:`setting_days` reads the retention shown on a settings page.

Failures are :class:`~ccinspect.platform.web.session.WebStepError` naming the step and selector.
"""

from __future__ import annotations

import asyncio
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ccinspect.core.facts import PlayerFact
from ccinspect.core.scenario.access import TimeSpec
from ccinspect.core.scenario.console import CallSearch, OrderSearch, PlayerSpec, RetentionField
from ccinspect.platform.fieldmap import FieldError, format_time, parse_time
from ccinspect.platform.web.session import ConsoleSession

if TYPE_CHECKING:
    from playwright.async_api import Locator, Page

__all__ = ["HIGHLIGHT", "WebRow", "highlight", "play", "row_time", "search", "setting_days"]

#: How a row the evidence is about is marked before a screenshot.
HIGHLIGHT = "3px solid #f5222d"
#: The most rows one search reads (a console that lists more is searched too widely).
MAX_ROWS = 500

_PLAYER_STATE = """el => ({
  src: el.currentSrc || el.src || (el.querySelector('source') || {}).src || '',
  ready: el.readyState,
  duration: el.duration,
  error: el.error ? el.error.code : null,
})"""


@dataclass(frozen=True, slots=True)
class WebRow:
    """One result row: its position, each declared cell's text (stripped; '' for an empty
    cell, absent for a cell the row lacks) and the absolute address of each declared link."""

    index: int
    cells: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)

    def cell(self, name: str) -> str | None:
        return self.cells.get(name)


def row_time(row: WebRow, spec: TimeSpec) -> float | None:
    """The row's ``time`` cell as epoch seconds (None when empty or unreadable)."""
    try:
        return parse_time(row.cells.get("time") or None, spec)
    except FieldError:
        return None


async def _fill(
    page: Page, session: ConsoleSession, where: tuple[str, str], selector: str, value: str
) -> Locator:
    """Fill the field ``selector`` with ``value`` (``where``: the step and topic)."""
    box = await session.element(page, *where, selector, what="search field", what_zh="检索输入框")
    await box.fill(value)
    return box


async def search(
    session: ConsoleSession,
    page: Page,
    spec: CallSearch | OrderSearch,
    *,
    step: str,
    topic: str,
    phone: str | None = None,
    start: float | None = None,
    end: float | None = None,
) -> list[WebRow]:
    """Open the search page, fill what the recipe has fields for, submit, and read the rows."""
    await session.goto(page, step, topic, spec.path)
    async with session.step(page, step, topic):
        fields = spec.fields
        last = None
        values = (
            (fields.phone, phone),
            (fields.caller, phone),
            (fields.callee, phone),
            (fields.start, format_time(start, spec.time) if start is not None else None),
            (fields.end, format_time(end, spec.time) if end is not None else None),
        )
        for selector, value in values:
            if selector is not None and value is not None:
                last = await _fill(page, session, (step, topic), selector, value)
        if spec.submit is not None:
            button = await session.element(
                page, step, topic, spec.submit, what="search button", what_zh="查询按钮"
            )
            async with page.expect_navigation(wait_until="load"):
                await button.click()
        elif last is not None:
            async with page.expect_navigation(wait_until="load"):
                await last.press("Enter")
        await _results(session, page, spec, step=step, topic=topic)
        return await read_rows(session, page, spec, step=step, topic=topic)


async def _results(
    session: ConsoleSession, page: Page, spec: CallSearch | OrderSearch, *, step: str, topic: str
) -> None:
    """Wait until the page shows result rows or the empty-result element (within the step
    bound); neither is a :class:`WebStepError` naming both selectors."""
    loop = asyncio.get_running_loop()
    until = loop.time() + session.timeout_s
    while loop.time() < until:
        if await page.locator(spec.rows).count() or await page.locator(spec.empty).count():
            return
        await asyncio.sleep(0.1)
    raise await session.fail(
        step,
        topic,
        f"the search showed neither result rows nor its empty-result element within {session.timeout_s:g} s",
        f"{session.timeout_s:g} 秒内检索结果既无记录行也无“无结果”提示",
        selector=f"rows {spec.rows!r} / empty {spec.empty!r}",
    )


async def read_rows(
    session: ConsoleSession, page: Page, spec: CallSearch | OrderSearch, *, step: str, topic: str
) -> list[WebRow]:
    """The result rows on the page now, with the declared cells and links."""
    rows = page.locator(spec.rows)
    count = min(await rows.count(), MAX_ROWS)
    columns = {k: v for k, v in spec.columns.model_dump().items() if v}
    links: dict[str, str] = {}
    if isinstance(spec, CallSearch) and spec.open:
        links["open"] = spec.open
    if isinstance(spec, OrderSearch) and spec.recording:
        links["recording"] = spec.recording
    found: list[WebRow] = []
    for i in range(count):
        row = rows.nth(i)
        cells: dict[str, str] = {}
        for name, selector in columns.items():
            cell = row.locator(selector)
            if await cell.count():
                cells[name] = " ".join((await cell.first.inner_text()).split())
        hrefs: dict[str, str] = {}
        for name, selector in links.items():
            link = row.locator(selector)
            if await link.count():
                href = await link.first.get_attribute("href")
                if not href:
                    raise await session.fail(
                        step,
                        topic,
                        f"the {name} element of row {i + 1} is not a link (it has no href)",
                        f"第 {i + 1} 行的 {name} 元素不是链接（没有 href）",
                        selector=selector,
                    )
                hrefs[name] = session.url_of(page, href)
        found.append(WebRow(i, cells, hrefs))
    key = "time" if isinstance(spec, CallSearch) else "id"
    if found and not any(row.cells.get(key) for row in found):
        raise await session.fail(
            step,
            topic,
            f"none of the {len(found)} result rows has a {key} cell",
            f"{len(found)} 条结果中没有一行有 {key} 单元格",
            selector=columns.get(key),
        )
    return found


async def highlight(page: Page, selector: str, indexes: list[int]) -> None:
    """Outline the rows at ``indexes`` (and scroll the first into view) before a screenshot."""
    rows = page.locator(selector)
    for n, i in enumerate(indexes):
        row = rows.nth(i)
        await row.evaluate(f"e => {{ e.style.outline = '{HIGHLIGHT}'; e.style.outlineOffset = '-2px'; }}")
        if n == 0:
            await row.scroll_into_view_if_needed()


def _seconds(value: object) -> float | None:
    if isinstance(value, int | float) and math.isfinite(value) and value > 0:
        return float(value)
    return None


async def play(
    session: ConsoleSession,
    page: Page,
    url: str,
    spec: PlayerSpec,
    *,
    step: str,
    topic: str,
    call_key: str | None = None,
) -> PlayerFact:
    """Open the player page ``url`` and wait (``spec.ready_s``) until its player can play.

    The player element must exist (else a :class:`WebStepError`); a player that never becomes
    ready is reported with its ``readyState`` (a finding for the playback check, not an error).
    """
    path = url[len(session.spec.url.rstrip("/")) :] if url.startswith(session.spec.url.rstrip("/")) else url
    await session.goto(page, step, topic, url)
    player = await session.element(
        page, step, topic, spec.element, what="recording player", what_zh="录音播放器", call_key=call_key
    )
    async with session.step(page, step, topic, call_key=call_key):
        await player.evaluate("el => { try { el.load(); } catch (e) {} }")
        deadline = asyncio.get_running_loop().time() + spec.ready_s
        state = await player.evaluate(_PLAYER_STATE)
        while int(state.get("ready") or 0) < 2 and state.get("error") is None:
            if asyncio.get_running_loop().time() >= deadline:
                break
            await asyncio.sleep(0.2)
            state = await player.evaluate(_PLAYER_STATE)
    src = str(state.get("src") or "") or None
    error = None
    if src is None:
        error = "the player has no audio source"
    elif state.get("error") is not None:
        error = f"the player reported media error {state['error']}"
    return PlayerFact(
        page=path.split("?", 1)[0],
        audio_url=src,
        ready_state=int(state.get("ready") or 0),
        duration_s=_seconds(state.get("duration")),
        error=error,
    )


async def setting_days(session: ConsoleSession, page: Page, spec: RetentionField) -> int:
    """The retention in days the settings page shows (its element's value or text)."""
    await session.goto(page, "retention", "recordings", spec.path)
    box = await session.element(
        page, "retention", "recordings", spec.value, what="retention setting", what_zh="保存天数设置"
    )
    async with session.step(page, "retention", "recordings"):
        tag = (await box.evaluate("e => e.tagName")).lower()
        text = await box.input_value() if tag in ("input", "select", "textarea") else await box.inner_text()
    match = re.search(r"\d+", text)
    if match is None:
        raise await session.fail(
            "retention",
            "recordings",
            f"the retention setting shows no number ('{text.strip()}')",
            f"保存天数设置中没有数字（“{text.strip()}”）",
            selector=spec.value,
        )
    return int(match.group(0))
