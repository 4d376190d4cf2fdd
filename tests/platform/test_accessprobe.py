"""The access probe against a real aiohttp server: redirects to a login page refuse, redirects to
audio serve, default accounts are tried with basic authentication."""

from __future__ import annotations

import aiohttp
from aiohttp import web

from ccinspect.platform.accessprobe import basic_auth_header, http_probe
from tests.platform.support import serve

AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt "
TIMEOUT = aiohttp.ClientTimeout(total=10)


def _app() -> web.Application:
    async def to_login(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") == basic_auth_header("admin", "admin")["Authorization"]:
            return web.Response(body=AUDIO, content_type="audio/wav")
        raise web.HTTPFound("/login?next=/rec.wav")

    async def login(request: web.Request) -> web.Response:
        return web.Response(text="<form>登录</form>", content_type="text/html")

    async def to_file(request: web.Request) -> web.Response:
        raise web.HTTPFound("/files/rec.wav")

    async def file(request: web.Request) -> web.Response:
        return web.Response(body=AUDIO, content_type="application/octet-stream")

    app = web.Application()
    app.router.add_get("/rec.wav", to_login)
    app.router.add_get("/login", login)
    app.router.add_get("/open.wav", to_file)
    app.router.add_get("/files/rec.wav", file)
    return app


async def test_a_redirect_to_a_login_page_is_kept_as_the_refusal_and_a_default_account_is_tried() -> None:
    """Anonymous and wrong credentials get 302 to /login (no audio there): recorded as
    redirects; admin/admin gets the audio (200) and root/root the redirect."""
    async with serve(_app()) as base:
        probe = await http_probe(
            f"{base}/rec.wav",
            None,
            wrong=basic_auth_header("inspector", "wrong"),
            accounts=(("admin", "admin"), ("root", "root")),
            timeout=TIMEOUT,
        )
    assert (probe.anonymous_status, probe.wrong_credentials_status) == (302, 302)
    assert dict(probe.redirects) == {
        "anonymous": "/login?next=/rec.wav",
        "wrong credentials": "/login?next=/rec.wav",
    }
    assert probe.default_accounts == (("admin/admin", 200), ("root/root", 302))


async def test_a_redirect_that_ends_in_audio_serves_the_recording() -> None:
    """302 to the file itself is serving it: the probe reports the final 200, no redirect."""
    async with serve(_app()) as base:
        probe = await http_probe(f"{base}/open.wav", None, wrong={}, accounts=(), timeout=TIMEOUT)
    assert probe.anonymous_status == 200 and probe.redirects == ()


async def test_an_unreachable_interface_is_an_error_not_a_status() -> None:
    """Nothing listening: the probe carries the cause, no status."""
    probe = await http_probe("http://127.0.0.1:9/rec.wav", None, wrong={}, accounts=(), timeout=TIMEOUT)
    assert probe.anonymous_status is None and probe.error is not None
