"""The screening flag the platform's web console shows for each screening call.

The console's call search lists the run's calls with their screening cell; its rows are paired
with the screening calls the way CDR rows are (:func:`~ccinspect.core.cdrmatch.match_cdrs`:
time, then numbers and agent), so a row is read for the call it belongs to whatever the console
shows first. The rows of the matched calls are marked and photographed once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping, Sequence

from ccinspect.core.cdrmatch import CdrRecord, awaiting, cdr_window, match_cdrs
from ccinspect.core.checks.screenobs import SCREENING_TOPIC
from ccinspect.core.facts import CallFact, WebReadingFact
from ccinspect.platform.errors import AdapterError
from ccinspect.platform.web import pages
from ccinspect.platform.web.session import ConsoleSession

__all__ = ["read_screening"]

#: The console's rows are searched this far beyond the calls (its clock, late rows).
MARGIN_S = 60.0


def _record(row: pages.WebRow, started_at: float | None) -> CdrRecord:
    return CdrRecord(
        started_at=started_at,
        src=row.cell("caller"),
        dst=row.cell("callee"),
        screening=row.cell("screening"),
        agent=row.cell("agent"),
        record_id=str(row.index),
    )


async def read_screening(
    session: ConsoleSession,
    calls: Sequence[CallFact],
    *,
    tolerance_s: float = 5.0,
    wait_s: float = 10.0,
    seat_names: Mapping[str, Collection[str]] | None = None,
) -> list[WebReadingFact]:
    """One reading per call in ``calls``: its row's screening cell, or why it was not read.

    The search is repeated (every second, for at most ``wait_s``) while an answered call has no
    row yet (:func:`~ccinspect.core.cdrmatch.awaiting`): the console may list a call only once
    its record is written at hang-up; a refused call may never be listed.
    """
    spec = session.spec.calls
    window = cdr_window(calls, tolerance_s)
    if spec is None or window is None:
        return []
    start, end = window
    loop = asyncio.get_running_loop()
    until = loop.time() + wait_s
    try:
        async with session.flow() as page:
            while True:
                rows = await pages.search(
                    session,
                    page,
                    spec,
                    step="screening",
                    topic="screening",
                    start=start - MARGIN_S,
                    end=end + MARGIN_S,
                )
                records = [_record(r, pages.row_time(r, spec.time)) for r in rows]
                matched = match_cdrs(calls, records, tolerance_s=tolerance_s, seat_names=seat_names)
                if not awaiting(calls, matched) or loop.time() >= until:
                    break
                await asyncio.sleep(1.0)
            await pages.highlight(page, spec.rows, sorted(int(r.record_id or 0) for r in matched.values()))
            shot = await session.shot(
                "screening",
                "screening",
                f"screening flags in the console's call records for the {len(matched)} screening calls",
                f"控制台通话记录中 {len(matched)} 通甄别测试呼叫的号码甄别标记",
                full_page=True,
            )
    except AdapterError as exc:
        return [WebReadingFact(SCREENING_TOPIC, c.key, False, error=exc.message) for c in calls]
    facts = []
    for call in calls:
        row = matched.get(call.key)
        if row is None:
            facts.append(
                WebReadingFact(
                    SCREENING_TOPIC,
                    call.key,
                    False,
                    screenshot=shot,
                    error=f"the console lists no row for this call ({len(rows)} rows in the run's window)",
                )
            )
        else:
            facts.append(WebReadingFact(SCREENING_TOPIC, call.key, True, row.screening or "", shot))
    return facts
