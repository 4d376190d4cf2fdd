"""bounded(): an expired bound becomes an error naming the step and the bound; cancellation
from outside always propagates; a TimeoutError from the body itself passes unchanged."""

from __future__ import annotations

import asyncio

import pytest

from ccinspect.bounds import BoundExceeded, bounded
from ccinspect.errors import CcinspectError, Kind


async def test_expiry_names_the_step_and_the_bound_in_both_languages() -> None:
    """A block that outlives its bound raises BoundExceeded, a HARNESS error, with both texts."""
    with pytest.raises(BoundExceeded) as caught:
        async with bounded("fetch recordings", 0.05, what_zh="获取录音"):
            await asyncio.sleep(5)
    exc = caught.value
    assert exc.message == "fetch recordings did not complete within 0.05 s"
    assert exc.message_zh == "获取录音 未在 0.05 秒内完成"
    assert exc.kind is Kind.HARNESS and exc.seconds == 0.05


async def test_expiry_raises_the_callers_error_when_given() -> None:
    """``error=`` replaces BoundExceeded with the caller's more specific error."""

    class Specific(CcinspectError):
        pass

    with pytest.raises(Specific):
        async with bounded("x", 0.01, error=lambda: Specific("too slow", "太慢")):
            await asyncio.sleep(5)


async def test_a_block_within_its_bound_returns_normally() -> None:
    """Nothing happens when the block finishes in time."""
    async with bounded("quick", 5):
        await asyncio.sleep(0)


async def test_outside_cancellation_propagates_as_cancelled_error() -> None:
    """A task cancelled while inside bounded() ends cancelled, not with a timeout error."""
    entered = asyncio.Event()

    async def work() -> None:
        async with bounded("long wait", 30):
            entered.set()
            await asyncio.sleep(30)

    task = asyncio.create_task(work())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()


async def test_timeout_error_from_the_body_is_not_mistaken_for_the_bound() -> None:
    """The body's own TimeoutError passes through unchanged (only this bound's expiry translates)."""
    with pytest.raises(TimeoutError) as caught:
        async with bounded("step", 30):
            raise TimeoutError("from the body")
    assert not isinstance(caught.value, CcinspectError)
