"""The check catalogue's building blocks: pure functions from run facts to verdicts.

One module per family: :mod:`.seats` (R20), :mod:`.callerid` (R1, R2), :mod:`.screening` (R3),
:mod:`.audio`, :mod:`.recording` (R5, R6), :mod:`.archive` (R5, R8), :mod:`.complaint` (R9, R10),
:mod:`.dnc` (R14). Each exports ``CHECKS``; :mod:`ccinspect.core.catalog` lists them all.
Nothing here does I/O, touches asyncio, pjsua2, numpy or a database.
"""

from ccinspect.core.checks.base import Check, CheckContext, CheckSpec, ScreeningExpectation, SeatRef

__all__ = ["Check", "CheckContext", "CheckSpec", "ScreeningExpectation", "SeatRef"]
