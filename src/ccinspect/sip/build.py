"""Which pjsua2 this process would use, described without starting it.

``ccinspect doctor`` and the engine's start-up log read it; the facts come from
:mod:`ccinspect.sip._pj.buildinfo`, the only place that imports pjsua2 for it. The record
itself, :class:`Pjsua2Build`, lives in :mod:`ccinspect.sip.records` (plain data both modules
import, so neither imports the other at module level).
"""

from __future__ import annotations

from ccinspect.sip.records import Pjsua2Build

__all__ = ["Pjsua2Build", "pjsua2_build"]


def pjsua2_build() -> Pjsua2Build:
    """Describe the installed pjsua2 (raises ``ImportError`` if it cannot be imported).

    Safe to call while no engine runs and while one runs: it creates no Endpoint.
    """
    from ccinspect.sip._pj import read_build

    return read_build()
