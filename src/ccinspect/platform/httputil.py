"""Small HTTP helpers shared by the platform adapters, and the base of the HTTP recording stores."""

from __future__ import annotations

from collections.abc import Sequence

import aiohttp

from ccinspect.platform.accessprobe import basic_auth_header, http_probe
from ccinspect.platform.errors import AdapterError
from ccinspect.platform.recordings import AccessProbe

__all__ = ["HttpStoreBase", "basic_auth_header"]


class HttpStoreBase:
    """GET with basic auth (or none, or a wrong password) and the access probe, for HTTP stores."""

    def __init__(self, base_url: str, username: str, password: str, *, timeout: float) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.username = username
        self.password = password
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def _get(self, url: str, *, auth: bool = True, wrong: bool = False) -> tuple[int, bytes]:
        headers: dict[str, str] = {}
        if auth:
            headers = basic_auth_header(self.username, self.password + "-wrong" if wrong else self.password)
        try:
            async with (
                aiohttp.ClientSession(timeout=self.timeout) as session,
                session.get(url, headers=headers) as resp,
            ):
                return resp.status, await resp.read()
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise AdapterError(
                f"recording store at {url} unreachable: {type(exc).__name__}: {exc}",
                f"录音存储 {url} 无法访问：{type(exc).__name__}",
            ) from exc

    async def _probe(self, url: str, accounts: Sequence[tuple[str, str]] = ()) -> AccessProbe:
        wrong = basic_auth_header(self.username, self.password + "-wrong")
        return await http_probe(url, None, wrong=wrong, accounts=accounts, timeout=self.timeout)
