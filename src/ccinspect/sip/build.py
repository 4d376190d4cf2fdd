"""Which pjsua2 this process would use, described without starting it.

``ccinspect doctor`` and the engine's start-up log read it; the facts come from
:mod:`ccinspect.sip._pj.buildinfo`, the only place that imports pjsua2 for it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pjsua2Build:
    """The installed pjsua2.

    ``ccinspect_build`` is the cache key that scripts/build-pjsua2.sh writes into its module
    (``pjsua2.__ccinspect_build__``), ``None`` for any other build such as the PyPI wheel.
    ``compiled_max_calls`` is ``PJSUA_MAX_CALLS`` (4 for the PyPI wheel, 512 for ours).
    """

    version: str
    distribution: str
    """The installed distribution: ``pjsua2`` (ours) or ``pjsua2-python`` (PyPI); '' if unknown."""
    distribution_version: str
    ccinspect_build: str | None
    compiled_max_calls: int

    @property
    def ours(self) -> bool:
        """True for the build made by scripts/build-pjsua2.sh."""
        return self.ccinspect_build is not None


def pjsua2_build() -> Pjsua2Build:
    """Describe the installed pjsua2 (raises ``ImportError`` if it cannot be imported).

    Safe to call while no engine runs and while one runs: it creates no Endpoint.
    """
    from ccinspect.sip._pj import read_build

    return read_build()
