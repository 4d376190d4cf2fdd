"""``ccinspect doctor`` with the demo PBX: the product's doctor (:mod:`ccinspect.doctor`) given
the demo's probe (root filesystem cache, running PBX), which the product cannot import."""

from __future__ import annotations

from ccinspect import doctor
from ccinspect.demo.pbx.rootfs import RootfsBackend
from ccinspect.doctor import DemoFacts

__all__ = ["probe_demo", "run_doctor"]


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


def run_doctor(json: bool) -> int:
    """The whole doctor with the demo probe; 0 when ready for ``make demo``, 2 otherwise."""
    return doctor.run_doctor(json, demo_probe=probe_demo)
