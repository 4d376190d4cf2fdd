"""Where ccinspect finds its bundled files and keeps its caches and state.

Nothing here creates anything: callers create what they write into.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def repo_root() -> Path | None:
    """The source checkout this package runs from (editable install), or None for a wheel."""
    candidate = _PACKAGE_DIR.parents[1]
    if (candidate / "pyproject.toml").is_file() and (candidate / "docker").is_dir():
        return candidate
    return None


def asterisk_config_dir() -> Path:
    """The demo PBX's Asterisk configuration shipped with ccinspect (docker/asterisk/)."""
    root = repo_root()
    if root is not None:
        return root / "docker" / "asterisk"
    return Path(str(resources.files("ccinspect") / "_data" / "asterisk"))


def docker_dir() -> Path | None:
    """The docker/ folder (Dockerfile, compose file, install script), when running from a checkout."""
    root = repo_root()
    return root / "docker" if root is not None else None


def install_config_script() -> Path:
    """The shell script that installs a config dir into an Asterisk root filesystem."""
    root = repo_root()
    if root is not None:
        return root / "docker" / "install-config.sh"
    return Path(str(resources.files("ccinspect") / "_data" / "install-config.sh"))


def cache_dir() -> Path:
    """Cache for expensive builds (root filesystem, pjsua2): $CCINSPECT_CACHE or ~/.cache/ccinspect."""
    env = os.environ.get("CCINSPECT_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "ccinspect"


def demo_state_dir() -> Path:
    """Runtime state of the demo PBX (state file, logs, complaint database)."""
    env = os.environ.get("CCINSPECT_DEMO_STATE")
    return Path(env) if env else cache_dir() / "demo"
