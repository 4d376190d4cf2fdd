"""Fixtures shared by every test folder.

The demo PBX (Asterisk 22 in a chroot) is started once per session, the first time a test asks
for it, from docker/asterisk/, and stopped at the end if this session started it. It is never
skipped: if it cannot start, every PBX test errors with the reason (missing debootstrap, a port
in use, Asterisk's log tail).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ccinspect.demo.pbx.rootfs import RootfsBackend
from tests.support.pbx import DemoPbx, _start


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
