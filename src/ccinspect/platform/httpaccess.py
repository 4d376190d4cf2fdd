"""HTTP access as a target file describes it (:class:`~ccinspect.core.scenario.access.HttpAccess`):
authentication headers, bounded GETs of JSON or bytes, and the anonymous / wrong-secret probe.

Every request is bounded by the section's ``timeout_s``; anything unreachable or unreadable is an
:class:`~ccinspect.platform.errors.AdapterError` naming the URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urljoin

import aiohttp

from ccinspect.core.scenario.access import HttpAccess
from ccinspect.platform.errors import AdapterError
from ccinspect.platform.httputil import basic_auth_header

__all__ = ["HttpClient"]


class HttpClient:
    """GETs against one HTTP interface with the target file's authentication."""

    def __init__(self, spec: HttpAccess, *, what: str = "HTTP interface") -> None:
        self.spec = spec
        self.base_url = str(spec.url).rstrip("/") + "/"
        self.what = what
        self.timeout = aiohttp.ClientTimeout(total=spec.timeout_s)

    def url(self, path: str) -> str:
        """``path`` resolved against the interface's URL (absolute URLs and /paths allowed)."""
        return urljoin(self.base_url, path) if path else self.base_url.rstrip("/")

    def headers(self, *, wrong: bool = False) -> dict[str, str]:
        """The authentication headers (with a deliberately wrong secret when ``wrong``)."""
        secret = self.spec.password.get_secret_value() if self.spec.password is not None else ""
        if wrong:
            secret += "-wrong"
        if self.spec.auth == "basic":
            return basic_auth_header(self.spec.username or "", secret)
        if self.spec.auth == "bearer":
            return {"Authorization": f"Bearer {secret}"}
        if self.spec.auth == "header":
            return {self.spec.header: secret}
        return {}

    async def get(
        self, url: str, params: Mapping[str, str] | None = None, *, auth: bool = True, wrong: bool = False
    ) -> tuple[int, bytes]:
        """``GET url`` → (status, body); AdapterError when it cannot be reached in time."""
        headers = self.headers(wrong=wrong) if auth else {}
        try:
            async with (
                aiohttp.ClientSession(timeout=self.timeout) as session,
                session.get(url, params=dict(params or {}), headers=headers) as resp,
            ):
                return resp.status, await resp.read()
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise AdapterError(
                f"{self.what} at {url} unreachable: {type(exc).__name__}: {exc}",
                f"{self.what} {url} 无法访问：{type(exc).__name__}",
            ) from exc

    async def get_json(self, url: str, params: Mapping[str, str] | None = None) -> object:
        """The JSON body of a 200 answer; AdapterError for any other status or invalid JSON."""
        import json

        status, body = await self.get(url, params)
        if status != 200:
            raise AdapterError(f"{self.what} {url} answered {status}", f"{self.what} {url} 返回 {status}")
        try:
            return json.loads(body)
        except ValueError:
            raise AdapterError(
                f"{self.what} {url} sent invalid JSON ({len(body)} bytes)",
                f"{self.what} {url} 返回了无效的 JSON",
            ) from None

    async def get_bytes(self, url: str) -> bytes:
        """The body of a 200 answer; AdapterError for any other status."""
        status, body = await self.get(url)
        if status != 200:
            raise AdapterError(f"{self.what} {url} answered {status}", f"{self.what} {url} 返回 {status}")
        return body
