"""Complaint work orders found in the platform's web console (``complaints.kind: web``).

:func:`web_tickets` is the ticket search the poll in :mod:`ccinspect.platform.tickets` repeats:
the work-order search filled with the complaint caller's number (and the call's start, when the
recipe has a time field), its rows read as :class:`~ccinspect.platform.ticketsearch.TicketRecord`.
:func:`show_ticket` takes the evidence once the ticket is known: the work-order list with its row
marked, and its recording playing in the console's player when the order links one.
"""

from __future__ import annotations

from ccinspect.core.scenario.console import OrderSearch
from ccinspect.platform.fieldmap import FieldError, parse_time
from ccinspect.platform.ticketsearch import TicketFieldError, TicketRecord
from ccinspect.platform.web import pages
from ccinspect.platform.web.session import ConsoleSession

__all__ = ["show_ticket", "web_tickets"]


def _spec(session: ConsoleSession) -> OrderSearch:
    spec = session.spec.work_orders
    assert spec is not None, "validated by the target model"
    return spec


def _time(row: pages.WebRow, column: str, spec: OrderSearch, recipe: str) -> float | None:
    try:
        return parse_time(row.cell(column) or None, spec.time)
    except FieldError as exc:
        raise TicketFieldError(
            f"{recipe}: console.work_orders: the {column} cell '{row.cell(column)}' does not fit "
            f"console.work_orders.time ({spec.time.format}): {exc}",
            f"{recipe}：console.work_orders：{column} 单元格“{row.cell(column)}”与 "
            f"console.work_orders.time（{spec.time.format}）不符：{exc}",
        ) from exc


async def web_tickets(session: ConsoleSession, *, caller: str, since: float) -> list[TicketRecord]:
    """The work orders the console lists for ``caller`` (since ``since`` where it can filter)."""
    spec = _spec(session)
    async with session.flow() as page:
        rows = await pages.search(
            session, page, spec, step="work-orders", topic="complaints", phone=caller, start=since
        )
    return [
        TicketRecord(
            id=row.cell("id") or "",
            caller=row.cell("caller"),
            created=_time(row, "created", spec, session.recipe),
            recording=row.links.get("recording"),
            deadline=_time(row, "deadline", spec, session.recipe),
        )
        for row in rows
        if row.cell("id")
    ]


async def show_ticket(session: ConsoleSession, *, call_key: str, caller: str, ticket_id: str) -> str | None:
    """Screenshots of work order ``ticket_id`` (its row marked) and of its recording in the
    player when the order links one; the path of the work-order screenshot."""
    spec = _spec(session)
    async with session.flow() as page:
        rows = await pages.search(session, page, spec, step="work-order", topic="complaints", phone=caller)
        mine = [r.index for r in rows if r.cell("id") == ticket_id]
        if mine:
            await pages.highlight(page, spec.rows, mine)
        shot = await session.shot(
            "work-order",
            "complaints",
            f"complaint work order {ticket_id} created for the caller {caller}",
            f"为来电号码 {caller} 生成的投诉工单 {ticket_id}",
            call_key=call_key,
        )
        link = next((r.links.get("recording") for r in rows if r.cell("id") == ticket_id), None)
        if link:
            player = await pages.play(
                session,
                page,
                link,
                session.spec.player,
                step="work-order-recording",
                topic="complaints",
                call_key=call_key,
            )
            await session.shot(
                "work-order-recording",
                "complaints",
                f"the recording linked from work order {ticket_id} in the console's player "
                f"(readyState {player.ready_state})",
                f"工单 {ticket_id} 关联录音在控制台播放器中（readyState {player.ready_state}）",
                call_key=call_key,
            )
    return shot
