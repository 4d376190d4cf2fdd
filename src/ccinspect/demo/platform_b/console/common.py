"""What the console's handlers share: typed application keys, the database call wrapper, the
vendor-style API error and template rendering."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import ParamSpec, TypeVar

import jinja2
from aiohttp import web

from ccinspect.errors import CcinspectError, Kind

from .auth import SessionStore
from .config import ConsoleConfig
from .records import DatabaseUnavailable
from .store import ConsoleStore

CONFIG_KEY = web.AppKey("ccb_console_config", ConsoleConfig)
STORE_KEY = web.AppKey("ccb_console_store", ConsoleStore)
SESSIONS_KEY = web.AppKey("ccb_console_sessions", SessionStore)
TEMPLATES_KEY = web.AppKey("ccb_console_templates", jinja2.Environment)

_P = ParamSpec("_P")
_T = TypeVar("_T")


def dumps(value: object) -> str:
    """JSON with Chinese kept readable (no \\u escapes)."""
    return json.dumps(value, ensure_ascii=False)


class ApiError(CcinspectError):
    """An API answer ``{"code": status, "msg": msg}`` with that HTTP status (the vendor's shape)."""

    kind = Kind.USER

    def __init__(self, status: int, msg: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(msg)
        self.status = status
        self.msg = msg
        self.headers: Mapping[str, str] = headers or {}

    def response(self) -> web.Response:
        body = {"code": self.status, "msg": self.msg}
        return web.json_response(body, status=self.status, headers=self.headers, dumps=dumps)


async def call_db(request: web.Request, func: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """Run a store method in a worker thread, bounded: a hang becomes DatabaseUnavailable.

    The engine's connect and statement timeouts end the thread itself; this bound only keeps the
    request from waiting longer than them (plus a margin for the pool).
    """
    bound = request.app[CONFIG_KEY].db_timeout * 3
    try:
        async with asyncio.timeout(bound):
            return await asyncio.to_thread(func, *args, **kwargs)
    except TimeoutError as exc:
        raise DatabaseUnavailable(
            f"the database did not answer within {bound:.0f} s", f"数据库 {bound:.0f} 秒内无响应"
        ) from exc


def templates() -> jinja2.Environment:
    """The console's Jinja2 templates (package data under ``templates/``), autoescaped."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader(__package__ or "ccinspect.demo.platform_b.console", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(request: web.Request, name: str, *, status: int = 200, **context: object) -> web.Response:
    """An HTML page from template ``name``."""
    html = request.app[TEMPLATES_KEY].get_template(name).render(**context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
