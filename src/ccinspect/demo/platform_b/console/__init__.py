"""Platform B's vendor-style web console (呼叫中心管理平台): call records, recordings, work orders.

See ``app.py`` for startup and routes, ``pages.py`` for the web UI, ``api.py`` for the JSON API,
``media.py`` for the recording audio both serve (and the ``media_fault`` switch), ``jobs.py``
for the background jobs and ``__main__.py`` for the command line.
"""

from .app import RunningConsole, build_app, serve
from .config import Account, ConfigError, ConsoleConfig, MediaFault, load_config

__all__ = [
    "Account",
    "ConfigError",
    "ConsoleConfig",
    "MediaFault",
    "RunningConsole",
    "build_app",
    "load_config",
    "serve",
]
