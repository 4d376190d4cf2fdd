"""Fixtures shared by every test folder.

The demo PBX (Asterisk 22 in a chroot) is started once per session, the first time a test asks
for it, from docker/asterisk/, and stopped at the end if this session started it; demo platform B
(docker/platform-b/) likewise. It is never
skipped: if it cannot start, every PBX test errors with the reason (missing debootstrap, a port
in use, Asterisk's log tail).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ccinspect.demo.pbx.rootfs import RootfsBackend
from tests.support.pbx import DemoPbx, _start
from tests.support.pbx_b import PlatformBHandle, ensure_running


@pytest.fixture(scope="session")
def demo_pbx() -> Iterator[DemoPbx]:
    """The demo PBX running the default configuration (started here if needed, stopped after)."""
    already = RootfsBackend().status().healthy
    pbx = _start()
    yield pbx
    if not already:
        pbx.backend.down()


@pytest.fixture
def pbx(demo_pbx: DemoPbx) -> DemoPbx:
    """The demo PBX, healthy and on the default configuration at the start of the test."""
    demo_pbx.restore()
    return demo_pbx


@pytest.fixture(scope="session")
def platform_b_session() -> Iterator[PlatformBHandle]:
    """Demo platform B (Kamailio + Asterisk 16 + console), started here if needed, stopped after."""
    handle, started = ensure_running()
    yield handle
    if started:
        handle.backend.down()


@pytest.fixture
def platform_b(platform_b_session: PlatformBHandle) -> PlatformBHandle:
    """Platform B, healthy and on the default configuration at the start of the test."""
    platform_b_session.restore()
    return platform_b_session
