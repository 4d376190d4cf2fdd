"""Every wait has a bound: :func:`bounded`, the one way ccinspect turns an expired
``asyncio.timeout`` into an error that says what did not finish and within what bound.

Cancellation is never swallowed: a task cancelled from outside (Ctrl-C, a TaskGroup sibling
failing) leaves :func:`bounded` with its ``CancelledError``; only the expiry of this bound becomes
an error. A ``TimeoutError`` raised by the body itself (not by this bound) passes unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType

from ccinspect.errors import CcinspectError, Kind

__all__ = ["BoundExceeded", "bounded"]


class BoundExceeded(CcinspectError):
    """A step did not finish within its bound: names the step (both languages) and the bound."""

    kind = Kind.HARNESS

    def __init__(self, what: str, seconds: float, *, what_zh: str | None = None) -> None:
        zh = what if what_zh is None else what_zh
        super().__init__(f"{what} did not complete within {seconds:g} s", f"{zh} 未在 {seconds:g} 秒内完成")
        self.what, self.seconds = what, seconds


class bounded:  # lower case: read like a function, ``async with bounded(...)``
    """``async with bounded(what, seconds):`` runs the block within ``seconds``.

    When the bound expires the block is cancelled and this raises ``error()`` when given (a
    caller's more specific error, e.g. a SIP timeout naming the seat and the peer), else
    :class:`BoundExceeded` naming ``what`` (``what_zh`` in Chinese) and the bound.
    """

    def __init__(
        self,
        what: str,
        seconds: float,
        *,
        what_zh: str | None = None,
        error: Callable[[], BaseException] | None = None,
    ) -> None:
        self.what, self.what_zh, self.seconds = what, what_zh, seconds
        self._error = error
        self._timeout = asyncio.timeout(seconds)

    async def __aenter__(self) -> bounded:
        await self._timeout.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self._timeout.__aexit__(exc_type, exc, tb)
        except TimeoutError:
            # Raised by asyncio.timeout only when this bound expired (never for an outside
            # cancellation, which it lets through as CancelledError).
            if self._error is not None:
                raise self._error() from None
            raise BoundExceeded(self.what, self.seconds, what_zh=self.what_zh) from None
