"""Probing who a recording interface lets in (R8): anonymous, a wrong password, default accounts.

Each request is made without following redirects first: a redirect is then followed once, and it
counts as serving the recording only when it ends in audio. A redirect to a login page is the
interface refusing (the status and where it pointed are kept), never "200 after the redirect".
Well-known default accounts (``admin``/``admin``…, the scenario's list) are tried with HTTP
basic authentication. Blocking nothing, bounded by the store's timeout.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

import aiohttp

from ccinspect.platform.errors import AdapterError
from ccinspect.platform.recordings import AccessProbe

__all__ = ["Answer", "ask", "basic_auth_header", "http_probe", "is_audio"]

_AUDIO_MAGIC = (b"RIFF", b"ID3", b"OggS", b"\xff\xfb", b"\xff\xf3", b"#!AMR")


def basic_auth_header(user: str, password: str) -> dict[str, str]:
    """The ``Authorization: Basic`` header for ``user``/``password`` (UTF-8)."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def is_audio(content_type: str, head: bytes) -> bool:
    """Whether a response is a recording (its type, or the first bytes of its body)."""
    return content_type.lower().startswith("audio/") or head.startswith(_AUDIO_MAGIC)


@dataclass(frozen=True)
class Answer:
    """The status a request got; ``redirect`` where a redirect pointed that did not end in audio."""

    status: int
    redirect: str | None = None


async def ask(
    url: str,
    params: Mapping[str, str] | None,
    headers: Mapping[str, str],
    *,
    timeout: aiohttp.ClientTimeout,
) -> Answer:
    """GET ``url`` as :mod:`the module <ccinspect.platform.accessprobe>` says; AdapterError
    when it cannot be reached."""
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get(
                url, params=dict(params or {}), headers=dict(headers), allow_redirects=False
            ) as r:
                status, location = r.status, r.headers.get("Location")
            if not (300 <= status < 400 and location):
                return Answer(status)
            target = urljoin(url, location)
            async with session.get(target, headers=dict(headers), max_redirects=5) as final:
                head = await final.content.read(16)
                if final.status < 300 and is_audio(final.headers.get("Content-Type", ""), head):
                    return Answer(final.status)
            return Answer(status, location)
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise AdapterError(
            f"the access probe of {url} failed: {type(exc).__name__}: {exc}",
            f"对 {url} 的访问探测失败：{type(exc).__name__}",
        ) from exc


async def http_probe(
    url: str,
    params: Mapping[str, str] | None,
    *,
    wrong: Mapping[str, str],
    accounts: Sequence[tuple[str, str]],
    timeout: aiohttp.ClientTimeout,
) -> AccessProbe:
    """Anonymous, ``wrong`` credentials (headers) and each default account on ``url``."""
    try:
        anonymous = await ask(url, params, {}, timeout=timeout)
        refused = await ask(url, params, wrong, timeout=timeout)
        defaults = []
        for user, password in accounts:
            answer = await ask(url, params, basic_auth_header(user, password), timeout=timeout)
            defaults.append((f"{user}/{password}", answer.status))
    except AdapterError as exc:
        return AccessProbe(url, None, None, exc.message)
    redirects = tuple(
        (who, a.redirect)
        for who, a in (("anonymous", anonymous), ("wrong credentials", refused))
        if a.redirect
    )
    return AccessProbe(
        url, anonymous.status, refused.status, redirects=redirects, default_accounts=tuple(defaults)
    )
