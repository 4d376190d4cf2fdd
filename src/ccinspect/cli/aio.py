"""Stopping ccinspect with SIGINT (Ctrl-C) or SIGTERM: the run ends cleanly, whatever the parent did.

A process inherits its parent's signal dispositions. Started from a non-interactive shell's
background job (``make test &``, many CI runners, cron wrappers), SIGINT arrives *ignored*; Python
then installs no KeyboardInterrupt handler and ``asyncio.run`` installs none either, so a Ctrl-C
or ``kill -INT`` was silently dropped and the rehearsal ran to its end. SIGTERM's default action
killed the process at once, leaving calls up on the PBX and the run recorded as running.

ccinspect therefore takes both signals itself, always:

* :func:`install` (called first by the CLI) makes SIGINT raise :class:`KeyboardInterrupt` and
  SIGTERM raise :class:`Interrupted` in synchronous code, even if the parent ignored them;
* :func:`run` runs a coroutine on a fresh event loop where either signal cancels the main task
  (cleanup runs: calls hung up, seats unregistered, evidence kept) and then raises
  :class:`Interrupted` carrying the signal, so the CLI exits ``128 + signal`` (130 / 143).

A second signal while the first is being honoured is reported, not acted on: cleanup is what
keeps the PBX free of stale calls, and it is bounded by the engine's own timeouts.

:func:`run` is the only function in ccinspect that creates an event loop: every async command
goes through it.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Coroutine
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")

#: The signals that end a run cleanly.
STOP_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """The work was stopped by a signal; the process should exit with :attr:`exit_code`.

    A KeyboardInterrupt, so that code which already treats Ctrl-C as "the user wants out"
    (asyncio's task machinery included) treats SIGTERM the same way.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """128 + the signal number, as shells report a process ended by that signal."""
        return 128 + self.signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


def exit_code_of(exc: KeyboardInterrupt) -> int:
    """The exit code for an interrupt: 128 + its signal (SIGINT: 130, SIGTERM: 143)."""
    return exc.exit_code if isinstance(exc, Interrupted) else 128 + signal.SIGINT


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


def install() -> None:
    """Take SIGINT and SIGTERM in synchronous code, overriding an inherited "ignore"."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_interrupted)


def run(main: Coroutine[Any, Any, T], *, on_signal: Callable[[str], None] | None = None) -> T:
    """Run ``main`` to completion on a new event loop; SIGINT/SIGTERM cancel it.

    When a signal arrives, the main task is cancelled (once) and, after it has unwound, this
    raises :class:`Interrupted` for the first signal received, even if the task swallowed the
    cancellation and returned. ``on_signal`` is told about each signal (for a progress line).
    The previous handlers are restored afterwards.
    """
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    with asyncio.Runner() as runner:
        loop = runner.get_loop()
        task = loop.create_task(main)
        received: list[int] = []

        def handle(signum: int) -> None:
            received.append(signum)
            name = signal.Signals(signum).name
            if len(received) == 1:
                if on_signal is not None:
                    on_signal(
                        f"{name}: stopping, hanging up calls and keeping the evidence "
                        "/ 正在停止：挂断呼叫并保存证据"
                    )
                task.cancel(f"stopped by {name}")
            elif on_signal is not None:
                on_signal(f"{name} again: still stopping (bounded) / 仍在停止（有时限）")

        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, handle, int(sig))
        try:
            result = loop.run_until_complete(task)
        except asyncio.CancelledError:
            if received:
                raise Interrupted(received[0]) from None
            raise
        finally:
            for sig in STOP_SIGNALS:
                loop.remove_signal_handler(sig)
                handler = previous[sig]
                if handler is not None:
                    signal.signal(sig, handler)
        if received:
            # The task finished although it was asked to stop (the signal came as it ended,
            # or something below swallowed the cancellation): the user still asked to stop.
            raise Interrupted(received[0])
        return result
