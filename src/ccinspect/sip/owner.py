"""The owner thread: the one thread that touches pjsua2, fed by a command queue.

pjsua2 is thread-hostile from Python: it must be created, polled and destroyed on one thread
(``threadCnt=0``, ``mainThreadOnly=True``). :class:`OwnerThread` is that thread. It loops:
run queued commands (plain callables), then let the host pump pjsip events for a few
milliseconds, then run the host's housekeeping. Results go back to asyncio futures through
``loop.call_soon_threadsafe``; exceptions are stripped of their tracebacks first, so no frame
(and no pjsua2 object in one) is kept alive by asyncio code and later collected on the wrong
thread.

The thread knows nothing of pjsua2 itself: it drives any object with the :class:`Pumped`
protocol.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from ccinspect.sip.errors import PjError

T = TypeVar("T")
log = logging.getLogger("ccinspect.sip")


class Pumped(Protocol):
    """What the owner thread drives."""

    def create(self) -> int:
        """Create the library on the calling thread; return its call capacity."""

    def pump(self, ms: int) -> None:
        """Handle events for at most ``ms`` milliseconds."""

    def tick(self, *, force_seal: bool) -> None:
        """Housekeeping between pumps."""

    def destroy(self, calls_bound: float, unregister_bound: float) -> None:
        """Shut everything down in an order that does not abort."""


def _detach(exc: BaseException) -> BaseException:
    """Make ``exc`` safe to hand to asyncio code.

    Tracebacks (and the frames, with any pjsua2 objects, they keep alive) are stripped from
    the whole chain; suppressed contexts are dropped; an untranslated pjsua2 exception is
    replaced by a plain :class:`PjError`.
    """
    if type(exc).__module__.startswith("pjsua2"):
        status = getattr(exc, "status", -1)
        reason = str(getattr(exc, "reason", "") or getattr(exc, "title", "") or "pjsua2 error")
        exc = PjError("pjsua2", status if isinstance(status, int) else -1, reason)
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        node.__traceback__ = None
        if node.__suppress_context__:
            node.__context__ = None
        node = node.__cause__ or node.__context__
    return exc


class OwnerThread:
    """A thread that owns a :class:`Pumped` host and runs commands on it.

    ``emit`` (called on the owner thread) hands an event to ``deliver`` on the asyncio loop.
    """

    def __init__(
        self,
        host: Pumped,
        loop: asyncio.AbstractEventLoop,
        deliver: Callable[[Any], None],
        *,
        poll_ms: int,
        name: str = "ccinspect-sip",
    ) -> None:
        self._host = host
        self._loop = loop
        self._deliver = deliver
        self._poll_ms = poll_ms
        self._commands: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._stop_bounds: tuple[float, float] | None = None
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._started = threading.Event()
        self._start_error: BaseException | None = None
        self.capacity = 0
        self.finished = threading.Event()

    # -- asyncio side ----------------------------------------------------------------------

    async def start(self, timeout: float) -> int:
        """Start the thread and create the host on it; return the capacity or raise."""
        self._thread.start()
        ready = await asyncio.to_thread(self._started.wait, timeout)
        if not ready:
            raise TimeoutError(f"pjsua2 did not start within {timeout:g} s")
        if self._start_error is not None:
            raise self._start_error
        return self.capacity

    @property
    def alive(self) -> bool:
        """True while the thread runs and has not been asked to stop."""
        return self._thread.is_alive() and self._stop_bounds is None

    def submit(self, fn: Callable[[], T]) -> asyncio.Future[T]:
        """Queue ``fn`` to run on the owner thread; its result resolves the returned future."""
        fut: asyncio.Future[T] = self._loop.create_future()

        def command() -> None:
            try:
                result = fn()
            except BaseException as exc:
                log.debug("owner command failed", exc_info=exc)
                self._resolve(fut, None, _detach(exc))
            else:
                self._resolve(fut, result, None)

        self._commands.put(command)
        return fut

    def post(self, fn: Callable[[], object]) -> None:
        """Queue ``fn`` to run on the owner thread; nobody waits for it (errors are logged)."""

        def command() -> None:
            try:
                fn()
            except Exception:
                log.exception("owner command failed")

        self._commands.put(command)

    async def stop(self, calls_bound: float, unregister_bound: float, timeout: float) -> bool:
        """Ask the thread to shut the host down and exit; wait at most ``timeout`` seconds.

        Returns true if the thread exited in time.
        """
        if self._thread.is_alive() and self._stop_bounds is None:
            self._stop_bounds = (calls_bound, unregister_bound)
            self._commands.put(lambda: None)  # wake the loop
        return await asyncio.to_thread(self.finished.wait, timeout)

    # -- owner thread ----------------------------------------------------------------------

    def emit(self, event: object) -> None:
        """Hand ``event`` to the asyncio side (owner thread; never raises)."""
        try:
            self._loop.call_soon_threadsafe(self._deliver, event)
        except RuntimeError:
            log.debug("event dropped, event loop closed: %r", event)

    def _resolve(self, fut: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
        def settle() -> None:
            if fut.done():
                return
            if exc is not None:
                fut.set_exception(exc)
            else:
                fut.set_result(result)

        try:
            self._loop.call_soon_threadsafe(settle)
        except RuntimeError:
            log.debug("result dropped, event loop closed")

    def _main(self) -> None:
        try:
            self.capacity = self._host.create()
        except BaseException as exc:  # noqa: BLE001 - must not raise here; logged
            self._start_error = _detach(exc)
            self._safe_destroy(0.0, 0.0)
            self._started.set()
            self.finished.set()
            return
        self._started.set()
        # Python's cyclic garbage collector runs on whichever thread happens to allocate, and a
        # pjsua2 object caught in a cycle would then be destroyed in C++ on that thread, which
        # corrupts pjsip (seen as aborts under load while worker threads synthesised stimuli).
        # While the engine runs, automatic collection is off and this thread collects instead.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        last_young = last_full = time.monotonic()
        try:
            while self._stop_bounds is None:
                self._drain()
                self._host.pump(self._poll_ms)
                self._host.tick(force_seal=False)
                now = time.monotonic()
                if now - last_full >= 5.0:
                    gc.collect()
                    last_full = last_young = now
                elif now - last_young >= 0.25:
                    gc.collect(0)
                    last_young = now
            self._drain()
            self._safe_destroy(*self._stop_bounds)
        finally:
            if gc_was_enabled:
                gc.enable()
            self.finished.set()

    def _drain(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            command()

    def _safe_destroy(self, calls_bound: float, unregister_bound: float) -> None:
        try:
            self._host.destroy(calls_bound, unregister_bound)
        except Exception:
            log.exception("pjsua2 shutdown failed")
