"""Recordings located through the platform's database (``recordings.kind: sql``).

The target's ``query`` returns columns ``id``, ``time`` and ``file`` for the recordings made
between ``:start`` and ``:end`` (bound as naive times in the section's ``timezone``, the way
zone-less timestamp columns hold them). ``file`` is read from ``root`` (a mounted directory:
the path is joined under it and may not leave it) or downloaded from the ``download`` URL
template (``{file}`` and ``{id}`` filled in, without credentials: the template is the
platform's public download link, and the access probe asks it anonymously and with a wrong
password, so an open link is reported by ``recording.access_control``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp

from ccinspect.core.scenario.access import TimeSpec
from ccinspect.core.scenario.sources import SqlRecordings as SqlSpec
from ccinspect.platform.accessprobe import basic_auth_header, http_probe
from ccinspect.platform.errors import AdapterError
from ccinspect.platform.fieldmap import FieldError, naive_local, parse_time
from ccinspect.platform.recordings import AccessProbe, StoredRecording, TimeWindow, split_name
from ccinspect.platform.sqlquery import query_rows

__all__ = ["SqlRecordings"]


class SqlRecordings:
    """Recordings found by a query on the platform's database, read from a directory or a URL."""

    kind = "sql"
    windowed = True

    def __init__(self, spec: SqlSpec) -> None:
        self.spec = spec
        self.root = Path(spec.root).expanduser() if spec.root else None
        self.timeout = aiohttp.ClientTimeout(total=spec.timeout_s)
        self._last: StoredRecording | None = None

    async def list(self, window: TimeWindow | None = None) -> Sequence[StoredRecording]:
        span = window or TimeWindow.recent()
        params = {
            "start": naive_local(span.start, self.spec.timezone),
            "end": naive_local(span.end, self.spec.timezone),
        }
        rows = await query_rows(self.spec, self.spec.query, params, what="recording lookup")
        out: dict[str, StoredRecording] = {}
        for row in rows:
            try:
                rec = self._row(row)
            except FieldError as exc:
                raise AdapterError(
                    f"recording lookup: {exc} (the query must return columns id, time and file)",
                    f"录音查询：{exc}（查询须返回 id、time、file 三列）",
                ) from None
            out.setdefault(rec.name, rec)
        listing = list(out.values())
        if listing:
            self._last = max(listing, key=lambda r: r.time or 0.0)
        return listing

    def _row(self, row: dict[str, Any]) -> StoredRecording:
        missing = [c for c in ("id", "file") if row.get(c) in (None, "")]
        if missing:
            raise FieldError(f"a row has no {' / '.join(missing)} (columns: {', '.join(row)})")
        rec_id, file = str(row["id"]), str(row["file"])
        value = row.get("time")
        # A timestamp column, ISO text, or epoch seconds (a number column).
        spec = TimeSpec(
            format="epoch" if isinstance(value, int | float) else "iso", timezone=self.spec.timezone
        )
        stamp = parse_time(value, spec)
        _, ext = split_name(file.rsplit("/", 1)[-1])
        return StoredRecording(rec_id, ext, stamp, None, file)

    def _url(self, rec: StoredRecording) -> str:
        assert self.spec.download is not None
        file = rec.locator or rec.name
        return self.spec.download.replace("{file}", quote(file)).replace("{id}", quote(rec.name, safe=""))

    def _path(self, rec: StoredRecording) -> Path:
        assert self.root is not None
        path = (self.root / (rec.locator or rec.name).lstrip("/")).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise AdapterError(
                f"recording {rec.name}: file {rec.locator!r} lies outside {self.root}",
                f"录音 {rec.name}：文件 {rec.locator!r} 不在 {self.root} 之下",
            )
        return path

    async def fetch(self, rec: StoredRecording) -> bytes:
        if self.root is not None:
            path = self._path(rec)
            try:
                return await asyncio.to_thread(path.read_bytes)
            except OSError as exc:
                raise AdapterError(f"cannot read {path}: {exc}", f"无法读取录音 {path}") from exc
        if self.spec.download is None:
            raise AdapterError(
                "recordings.sql names neither root nor download: nowhere to fetch recordings from",
                "recordings.sql 未配置 root 或 download：无处获取录音",
            )
        url = self._url(rec)
        status, body = await self._get(url)
        if status != 200:
            raise AdapterError(f"{url} answered {status}", f"{url} 返回 {status}")
        return body

    async def _get(self, url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        try:
            async with (
                aiohttp.ClientSession(timeout=self.timeout) as session,
                session.get(url, headers=headers or {}) as resp,
            ):
                return resp.status, await resp.read()
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise AdapterError(
                f"recording download {url} unreachable: {type(exc).__name__}: {exc}",
                f"录音下载地址 {url} 无法访问：{type(exc).__name__}",
            ) from exc

    async def probe_access(self, accounts: Sequence[tuple[str, str]] = ()) -> AccessProbe:
        if self.root is not None or self.spec.download is None:
            where = str(self.root) if self.root is not None else self.spec.url
            return AccessProbe(where, None, None, "a mounted directory has no access control to probe")
        rec = self._last
        if rec is None:
            return AccessProbe(
                self.spec.download, None, None, "no recording was listed, so no download URL could be probed"
            )
        url = self._url(rec)
        wrong = basic_auth_header("inspector", "wrong-password")
        return await http_probe(url, None, wrong=wrong, accounts=accounts, timeout=self.timeout)

    async def retention_policy(self) -> int | None:
        return None
