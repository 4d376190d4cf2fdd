"""The console's web pages (登录、通话记录、录音播放、工单、设置) and its media route.

Pages need a session cookie (``/login`` sets it): without one a page answers 302 to ``/login``
and ``/media/...`` answers 401 (unless the fault switch ``media_requires_login`` is false).
With the fault switch ``show_recordings`` false the pages hide every recording (no 播放 link,
no player); ``/media/...`` itself still serves them (see ``media.py`` for ``media_fault``).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from aiohttp import web

from .auth import SESSION_COOKIE, Session, verify_password
from .beijing import beijing_text, parse_beijing
from .common import CONFIG_KEY, SESSIONS_KEY, STORE_KEY, call_db, render
from .media import serve_recording
from .recordings import existing_recording
from .records import CallQuery

log = logging.getLogger(__name__)

PAGE_LIMIT = 500
"""At most this many rows on the calls and orders pages."""
ADMIN = "admin"


def current_session(request: web.Request) -> Session | None:
    """The live session of this request's cookie, if any."""
    now = request.app[CONFIG_KEY].clock()
    return request.app[SESSIONS_KEY].get(request.cookies.get(SESSION_COOKIE), now=now)


def require_session(request: web.Request) -> Session:
    """The session, or a redirect to the login page that comes back here afterwards."""
    session = current_session(request)
    if session is None:
        raise web.HTTPFound(request.app.router["login"].url_for().with_query(next=request.path_qs))
    return session


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/calls"


def require_admin(request: web.Request) -> Session:
    """The session of an administrator; anybody else gets 403."""
    session = require_session(request)
    if session.role != ADMIN:
        raise web.HTTPForbidden(text="only administrators may change settings (仅管理员可修改系统设置)")
    return session


def _time_field(value: str, label: str, errors: list[str]) -> datetime | None:
    if not value.strip():
        return None
    try:
        return parse_beijing(value)
    except ValueError:
        errors.append(f"{label}格式应为 YYYY-MM-DD HH:MM:SS（北京时间）")
        return None


# --- login -------------------------------------------------------------------------------------


async def login_form(request: web.Request) -> web.Response:
    if current_session(request) is not None:
        raise web.HTTPFound("/calls")
    return render(request, "login.html", error="", username="", next=_safe_next(request.query.get("next")))


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "")) or None)
    user = await call_db(request, request.app[STORE_KEY].get_user, username) if username else None
    valid = user is not None and await asyncio.to_thread(verify_password, password, user.password_hash)
    if user is None or not valid:
        log.info("login refused for %r from %s", username, request.remote)
        return render(
            request, "login.html", status=401, error="用户名或密码错误", username=username, next=target
        )
    config = request.app[CONFIG_KEY]
    session_id = request.app[SESSIONS_KEY].open(username, user.role, now=config.clock())
    log.info("login %r from %s", username, request.remote)
    response = web.HTTPFound(target)
    response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="Lax", path="/")
    raise response


async def logout(request: web.Request) -> web.Response:
    request.app[SESSIONS_KEY].close(request.cookies.get(SESSION_COOKIE))
    response = web.HTTPFound("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


# --- calls and recordings ----------------------------------------------------------------------


async def calls(request: web.Request) -> web.Response:
    session = require_session(request)
    phone = request.query.get("phone", "").strip()
    start_text, end_text = request.query.get("start", ""), request.query.get("end", "")
    errors: list[str] = []
    start = _time_field(start_text, "开始时间", errors)
    end = _time_field(end_text, "结束时间", errors)
    rows = []
    if not errors:
        query = CallQuery(phone=phone, start=start, end=end, limit=PAGE_LIMIT)
        rows = await call_db(request, request.app[STORE_KEY].search_calls, query)
    return render(
        request,
        "calls.html",
        status=400 if errors else 200,
        user=session.username,
        phone=phone,
        start=start_text,
        end=end_text,
        errors=errors,
        calls=rows,
        show_recordings=request.app[CONFIG_KEY].show_recordings,
        beijing=beijing_text,
    )


async def call_detail(request: web.Request) -> web.Response:
    session = require_session(request)
    call_id = request.match_info["call_id"]
    call = await call_db(request, request.app[STORE_KEY].get_call, call_id)
    if call is None:
        return render(request, "error.html", status=404, user=session.username, message="未找到该通话记录")
    config = request.app[CONFIG_KEY]
    path = existing_recording(config.recording_root, call)
    return render(
        request,
        "player.html",
        user=session.username,
        call=call,
        has_file=config.show_recordings and path is not None,
        beijing=beijing_text,
    )


async def media(request: web.Request) -> web.StreamResponse:
    config = request.app[CONFIG_KEY]
    if config.media_requires_login and current_session(request) is None:
        raise web.HTTPUnauthorized(text="unauthorized: please log in (请先登录)")
    call = await call_db(request, request.app[STORE_KEY].get_call, request.match_info["call_id"])
    response = await serve_recording(request, call)
    if response is None:
        raise web.HTTPNotFound(text="recording not found (录音不存在)")
    return response


# --- work orders and settings ------------------------------------------------------------------


async def orders(request: web.Request) -> web.Response:
    session = require_session(request)
    phone = request.query.get("phone", "").strip()
    rows = await call_db(request, request.app[STORE_KEY].list_orders, phone=phone, limit=PAGE_LIMIT)
    return render(
        request, "orders.html", user=session.username, phone=phone, orders=rows, beijing=beijing_text
    )


async def _settings_page(
    request: web.Request, session: Session, *, status: int = 200, error: str = "", saved: bool = False
) -> web.Response:
    days = await call_db(request, request.app[STORE_KEY].retention_days)
    return render(
        request,
        "settings.html",
        status=status,
        user=session.username,
        days=days,
        min_days=request.app[CONFIG_KEY].purge_min_days,
        error=error,
        saved=saved,
    )


async def settings(request: web.Request) -> web.Response:
    session = require_admin(request)
    return await _settings_page(request, session, saved=request.query.get("saved") == "1")


async def update_settings(request: web.Request) -> web.Response:
    session = require_admin(request)
    form = await request.post()
    min_days = request.app[CONFIG_KEY].purge_min_days
    raw = str(form.get("retention_days", "")).strip()
    if not raw.isdigit():
        return await _settings_page(request, session, status=400, error="保存天数必须是正整数")
    days = int(raw)
    if days < min_days or days > 36500:
        return await _settings_page(
            request, session, status=400, error=f"保存天数不能少于 {min_days} 天（也不能超过 36500 天）"
        )
    await call_db(request, request.app[STORE_KEY].set_retention_days, days)
    log.info("retention set to %d days by %s", days, session.username)
    raise web.HTTPFound("/settings?saved=1")
