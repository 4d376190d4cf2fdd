"""The demo PBX's probe for ``ccinspect doctor`` (root filesystem cache, running PBX): the CLI
hands it to the product's doctor (:mod:`ccinspect.doctor`), which cannot import the demo."""

from __future__ import annotations

from ccinspect.demo.pbx.rootfs import RootfsBackend
from ccinspect.doctor import DemoFacts

__all__ = ["probe_demo"]


def probe_demo() -> DemoFacts:
    """The root filesystem cache and the demo PBX's status (read-only, never starts it)."""
    backend = RootfsBackend()
    try:
        status = backend.status()
    except Exception as exc:  # noqa: BLE001 - a doctor reports what it cannot read, it does not crash
        return DemoFacts(backend.rootfs_ready(), str(backend.root), False, False, error=str(exc))
    return DemoFacts(
        backend.rootfs_ready(), str(backend.root), status.running, status.healthy, status.problems
    )
