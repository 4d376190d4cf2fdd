"""Live progress and the final verdict table on the terminal (rich), in Chinese and English."""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from ccinspect.core.checks.legs import seat_offers
from ccinspect.core.facts import CallFact, LegRole, seat_id_of
from ccinspect.core.verdict import CheckResult, Verdict

STYLE = {Verdict.PASS: "green", Verdict.FAIL: "bold red", Verdict.ERROR: "yellow", Verdict.SKIP: "dim"}


class ConsoleProgress:
    """Prints each phase, each finished call (who answered, status) and notes as they happen."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.started = time.monotonic()

    def _stamp(self) -> str:
        return f"[dim]{time.monotonic() - self.started:5.1f}s[/dim]"

    def phase(self, name: str, detail: str = "") -> None:
        self.console.print(f"{self._stamp()} [bold]{name}[/bold] {detail}", highlight=False)

    def call(self, fact: CallFact) -> None:
        callee = next((leg for leg in fact.legs if leg.role is LegRole.CALLEE and leg.answered), None)
        caller = next((leg for leg in fact.legs if leg.role is LegRole.CALLER), None)
        if fact.harness_error:
            what = f"[yellow]not placed: {fact.harness_error}[/yellow]"
        elif callee is not None:
            heard = callee.audio.far_found if callee.audio else None
            audio = "" if heard is None else (" audio ok" if heard else " [red]no audio[/red]")
            who = f"seat {seat_id_of(callee.agent)}" if seat_id_of(callee.agent) else callee.agent
            others = [f"{seat} {how}" for seat, how in seat_offers(fact) if how != "answered"]
            rang = f" (also offered to: {'; '.join(others)})" if others else ""
            what = f"answered by {who}{audio}{rang}"
        elif caller is not None and caller.answered:
            what = "answered by the platform"
        else:
            status = caller.final_status if caller else None
            what = f"refused {status} {caller.final_reason if caller else ''}".strip()
        self.console.print(
            f"{self._stamp()}   {fact.key:<14} {fact.requested_number:<16} {what}", highlight=False
        )

    def note(self, text: str) -> None:
        self.console.print(f"{self._stamp()}   {text}", highlight=False)


def verdict_table(results: Sequence[CheckResult], *, lang: str = "zh") -> Table:
    """The checks with their requirement ids, verdicts and reasons; failing subjects listed."""
    table = Table(title="核查结果 / Inspection result", show_lines=False, expand=True)
    table.add_column("check 检查项", no_wrap=True)
    table.add_column("req", no_wrap=True)
    table.add_column("verdict 结论", no_wrap=True)
    table.add_column("reason 说明", overflow="fold")
    for r in results:
        style = STYLE[r.verdict]
        reason = r.reason.zh if lang == "zh" else r.reason.en
        lines = [reason]
        for s in r.subjects:
            if s.verdict in (Verdict.FAIL, Verdict.ERROR):
                text = s.reason.zh if lang == "zh" else s.reason.en
                lines.append(f"• {s.subject}: {text}")
                if s.remedy is not None:
                    lines.append(f"  → {s.remedy.zh if lang == 'zh' else s.remedy.en}")
        table.add_row(
            r.check_id,
            ",".join(r.requirements),
            f"[{style}]{r.verdict.value} {r.verdict.label.zh}[/{style}]",
            "\n".join(lines),
        )
    return table
