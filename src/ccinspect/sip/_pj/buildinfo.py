"""Which pjsua2 is installed: version, ccinspect's own build or the PyPI wheel, compiled limit."""

from __future__ import annotations

import ctypes
import logging
import sys
from importlib import metadata

import pjsua2 as pj

from ccinspect.sip.records import Pjsua2Build

log = logging.getLogger("ccinspect.sip")

DISTRIBUTIONS = ("pjsua2", "pjsua2-python")
"""ccinspect's build installs ``pjsua2``; the PyPI wheel is ``pjsua2-python``."""


def _library_version() -> str:
    """pjlib's own version string (``pj_get_version``), or '' if the build does not export it."""
    module = next((m for n, m in sys.modules.items() if n.endswith("_pjsua2")), None)
    path = getattr(module, "__file__", None)
    if not path:
        return ""
    try:
        getter = ctypes.CDLL(path).pj_get_version
    except (OSError, AttributeError):
        return ""
    getter.restype = ctypes.c_char_p
    raw = getter()
    return raw.decode() if isinstance(raw, bytes) else ""


def _distribution() -> tuple[str, str]:
    for name in DISTRIBUTIONS:
        try:
            return name, metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "", ""


def read_build() -> Pjsua2Build:
    """Describe the installed pjsua2 without creating an Endpoint (safe while none runs)."""
    dist, dist_version = _distribution()
    return Pjsua2Build(
        version=_library_version() or dist_version.split("+", 1)[0],
        distribution=dist,
        distribution_version=dist_version,
        ccinspect_build=getattr(pj, "__ccinspect_build__", None),
        compiled_max_calls=int(pj.EpConfig().uaConfig.maxCalls),
    )
