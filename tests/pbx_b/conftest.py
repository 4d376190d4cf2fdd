"""Platform B runs once per session for these tests (started here if needed, stopped after)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.pbx_b import PlatformBHandle, ensure_running


@pytest.fixture(scope="session")
def platform_b_session() -> Iterator[PlatformBHandle]:
    handle, started = ensure_running()
    yield handle
    if started:
        handle.backend.down()


@pytest.fixture
def platform_b(platform_b_session: PlatformBHandle) -> PlatformBHandle:
    """Platform B, healthy and on the default configuration at the start of the test."""
    platform_b_session.restore()
    return platform_b_session
