"""Demo complaint service (用户投诉处理) that the demo PBX's complaint line posts tickets to.

See ``app.py`` for the routes and definitions, ``__main__.py`` for the command line.
"""

from .app import RunningService, build_app, serve
from .config import ServiceConfig

__all__ = ["RunningService", "ServiceConfig", "build_app", "serve"]
