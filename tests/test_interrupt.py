"""ccinspect.cli.aio.run (the one event-loop entry): SIGINT and SIGTERM end async work cleanly,
even when inherited as ignored."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator

import pytest

from ccinspect.cli import aio as interrupt


@pytest.fixture(autouse=True)
def _keep_handlers() -> Iterator[None]:
    saved = {sig: signal.getsignal(sig) for sig in interrupt.STOP_SIGNALS}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def _signal_soon(sig: signal.Signals, after: float = 0.1) -> None:
    asyncio.get_running_loop().call_later(after, os.kill, os.getpid(), sig)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_cancels_the_task_runs_its_cleanup_and_raises_interrupted(
    sig: signal.Signals, code: int
) -> None:
    """Either signal cancels the main task; its finally blocks run; Interrupted carries 128+signal."""
    cleaned: list[str] = []

    async def work() -> None:
        _signal_soon(sig)
        try:
            await asyncio.sleep(30)
        finally:
            await asyncio.sleep(0.05)  # cleanup may still await (hang-ups, unregistration)
            cleaned.append("done")

    with pytest.raises(interrupt.Interrupted) as caught:
        interrupt.run(work())
    assert caught.value.exit_code == code
    assert caught.value.signum == sig
    assert cleaned == ["done"]


def test_sigint_inherited_as_ignored_still_stops_the_run() -> None:
    """A parent that ignores SIGINT (a background job of a script, some CI runners) used to make
    Ctrl-C a no-op: the rehearsal ran to its end and exited 0. It must stop all the same."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    async def work() -> str:
        _signal_soon(signal.SIGINT)
        await asyncio.sleep(30)
        return "finished"

    with pytest.raises(interrupt.Interrupted) as caught:
        interrupt.run(work())
    assert caught.value.exit_code == 130
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN, "the previous disposition is restored"


def test_a_task_that_swallows_the_cancellation_is_still_reported_interrupted() -> None:
    """Defence in depth: if something below swallows the CancelledError and the task returns,
    the signal is not lost: the caller still gets Interrupted."""

    async def work() -> str:
        _signal_soon(signal.SIGTERM)
        try:  # noqa: SIM105 -- spelled out: swallowing CancelledError is the bug this guards against
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            pass  # the bug this guards against
        return "finished"

    with pytest.raises(interrupt.Interrupted) as caught:
        interrupt.run(work())
    assert caught.value.exit_code == 143


def test_a_second_signal_does_not_cut_the_cleanup_short() -> None:
    """A second Ctrl-C while the first is honoured is reported; cleanup still completes."""
    told: list[str] = []
    cleaned: list[str] = []

    async def work() -> None:
        _signal_soon(signal.SIGINT, 0.05)
        try:
            await asyncio.sleep(30)
        finally:
            os.kill(os.getpid(), signal.SIGINT)
            await asyncio.sleep(0.2)
            cleaned.append("done")

    with pytest.raises(interrupt.Interrupted):
        interrupt.run(work(), on_signal=told.append)
    assert cleaned == ["done"]
    assert len(told) == 2 and "again" in told[1]


def test_without_a_signal_the_result_is_returned() -> None:
    async def work() -> int:
        await asyncio.sleep(0)
        return 7

    assert interrupt.run(work()) == 7


def test_install_overrides_an_inherited_ignore_in_synchronous_code() -> None:
    """After install(), SIGINT raises KeyboardInterrupt and SIGTERM raises Interrupted(143)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    interrupt.install()
    with pytest.raises(KeyboardInterrupt) as by_int:
        signal.raise_signal(signal.SIGINT)
    assert interrupt.exit_code_of(by_int.value) == 130
    with pytest.raises(interrupt.Interrupted) as by_term:
        signal.raise_signal(signal.SIGTERM)
    assert interrupt.exit_code_of(by_term.value) == 143
