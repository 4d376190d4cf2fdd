"""Recording stores the inspector reads through the platform's own interface (R6, R8).

Three kinds: Asterisk ARI (``/ari/recordings/stored``), a plain HTTP listing (a directory index
or a JSON list of names), and a mounted directory. All share one small async interface:
``list()`` names with their sizes/mtimes, ``fetch(name)`` bytes, and ``probe_access()`` which
reports how the store answers without and with wrong credentials.
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urljoin

import aiohttp

from ccinspect.platform.errors import AdapterError
from ccinspect.platform.httputil import basic_auth_header

AUDIO_EXTENSIONS = (".wav", ".WAV", ".gsm", ".ulaw", ".alaw", ".sln", ".mp3", ".ogg")


@dataclass(frozen=True)
class StoredRecording:
    """One recording in a store: its name (no extension for ARI), format and, if known, age."""

    name: str
    format: str
    mtime: float | None = None
    size: int | None = None


@dataclass(frozen=True)
class AccessProbe:
    """How the store answered an anonymous and a wrong-password request (None: unreachable)."""

    url: str
    anonymous_status: int | None
    wrong_credentials_status: int | None
    error: str | None = None


class RecordingStore(Protocol):
    """What the runner needs from a recording store."""

    kind: str

    async def list(self) -> Sequence[StoredRecording]: ...

    async def fetch(self, rec: StoredRecording) -> bytes: ...

    async def probe_access(self) -> AccessProbe: ...


class _HttpBase:
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

    async def _probe(self, url: str) -> AccessProbe:
        try:
            anon, _ = await self._get(url, auth=False)
            wrong, _ = await self._get(url, wrong=True)
        except AdapterError as exc:
            return AccessProbe(url, None, None, exc.message)
        return AccessProbe(url, anon, wrong)


class AriRecordings(_HttpBase):
    """Stored recordings over Asterisk ARI (read-only user)."""

    kind = "ari"

    @property
    def _list_url(self) -> str:
        return urljoin(self.base_url, "recordings/stored")

    async def list(self) -> Sequence[StoredRecording]:
        status, body = await self._get(self._list_url)
        if status != 200:
            raise AdapterError(
                f"ARI {self._list_url} answered {status} to the inspector user",
                f"ARI {self._list_url} 对核查用户返回 {status}",
            )
        import json

        try:
            items = json.loads(body)
        except ValueError as exc:
            raise AdapterError(f"ARI {self._list_url} sent invalid JSON", "ARI 返回了无效的 JSON") from exc
        return [StoredRecording(str(i["name"]), str(i.get("format", "wav"))) for i in items]

    async def fetch(self, rec: StoredRecording) -> bytes:
        url = urljoin(self.base_url, f"recordings/stored/{quote(rec.name, safe='')}/file")
        status, body = await self._get(url)
        if status != 200:
            raise AdapterError(f"ARI {url} answered {status}", f"ARI {url} 返回 {status}")
        return body

    async def probe_access(self) -> AccessProbe:
        return await self._probe(self._list_url)

    async def global_variable(self, name: str) -> str:
        """A global dialplan variable's value (``GET /ari/asterisk/variable``)."""
        import json

        url = urljoin(self.base_url, f"asterisk/variable?variable={quote(name)}")
        status, body = await self._get(url)
        if status != 200:
            raise AdapterError(f"ARI {url} answered {status}", f"ARI {url} 返回 {status}")
        try:
            return str(json.loads(body)["value"])
        except (ValueError, KeyError) as exc:
            raise AdapterError(f"ARI {url} sent no value", f"ARI {url} 未返回变量值") from exc


class HttpRecordings(_HttpBase):
    """Recordings under a plain HTTP URL: a JSON list of names or an HTML directory index."""

    kind = "http"

    async def list(self) -> Sequence[StoredRecording]:
        status, body = await self._get(self.base_url)
        if status != 200:
            raise AdapterError(f"{self.base_url} answered {status}", f"{self.base_url} 返回 {status}")
        text = body.decode("utf-8", "replace")
        names: list[str] = []
        if text.lstrip().startswith("["):
            import json

            names = [str(n) for n in json.loads(text)]
        else:
            names = re.findall(r'href="([^"?/]+\.(?:wav|WAV|gsm|mp3|ogg))"', text)
        return [
            StoredRecording(n.rsplit(".", 1)[0], n.rsplit(".", 1)[1] if "." in n else "wav") for n in names
        ]

    async def fetch(self, rec: StoredRecording) -> bytes:
        url = urljoin(self.base_url, quote(f"{rec.name}.{rec.format}"))
        status, body = await self._get(url)
        if status != 200:
            raise AdapterError(f"{url} answered {status}", f"{url} 返回 {status}")
        return body

    async def probe_access(self) -> AccessProbe:
        return await self._probe(self.base_url)


class DirectoryRecordings:
    """Recordings in a mounted directory (no access control to probe: reported as unknown)."""

    kind = "directory"

    def __init__(self, path: Path) -> None:
        self.path = path

    async def list(self) -> Sequence[StoredRecording]:
        if not self.path.is_dir():
            raise AdapterError(
                f"recording directory {self.path} does not exist", f"录音目录 {self.path} 不存在"
            )
        out = []
        for p in sorted(self.path.iterdir()):
            if p.is_file() and p.suffix in AUDIO_EXTENSIONS:
                st = p.stat()
                out.append(StoredRecording(p.stem, p.suffix.lstrip("."), st.st_mtime, st.st_size))
        return out

    async def fetch(self, rec: StoredRecording) -> bytes:
        try:
            return (self.path / f"{rec.name}.{rec.format}").read_bytes()
        except OSError as exc:
            raise AdapterError(f"cannot read {rec.name}: {exc}", f"无法读取录音 {rec.name}") from exc

    async def probe_access(self) -> AccessProbe:
        return AccessProbe(str(self.path), None, None, "a mounted directory has no access control to probe")


def age_days(rec: StoredRecording, *, now: float | None = None) -> float | None:
    """Age of a recording in days from its mtime, or from a YYYYMMDD-HHMMSS prefix in its name."""
    current = time.time() if now is None else now
    if rec.mtime is not None:
        return (current - rec.mtime) / 86400.0
    m = re.match(r"(\d{8})-(\d{6})", rec.name)
    if not m:
        return None
    # The demo PBX names recordings in the chroot's time zone, UTC.
    stamp = calendar.timegm(time.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M%S"))
    return (current - stamp) / 86400.0
