"""Recordings over HTTP, as the target's ``recordings.kind: http`` section describes them.

* With ``search``: a JSON recording API. ``GET url + search.path`` with ``search.params`` and
  the time window in ``start_param``/``end_param`` (written as ``param_time``), page after page
  while pages come back full when the API pages; the recordings are the list at
  ``search.items``; each item's ``id`` names it, its ``time`` (read as ``time_format``) dates
  it, and it is downloaded from its ``file`` field (absolute, or relative to the url's origin)
  or from the ``download`` template (``{id}`` filled in, relative to ``url``).
* Without ``search``: a plain listing at ``url`` (a JSON list of file names or an HTML
  directory index); files are fetched next to it.

Authentication (none, basic, bearer, a header) is the section's, through
:class:`~ccinspect.platform.httpaccess.HttpClient`; the access probe asks the same listing or
search URL the inspector uses, anonymously and with a wrong secret. ``retention`` names where
the platform publishes its purge policy (``path`` relative to ``url``, ``field`` in its JSON).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from ccinspect.core.scenario.sources import HttpRecordings as HttpSpec
from ccinspect.core.scenario.sources import RecordingSearch
from ccinspect.platform.accessprobe import http_probe
from ccinspect.platform.errors import AdapterError
from ccinspect.platform.fieldmap import FieldError, dig, format_time, items_at, parse_time, text_at
from ccinspect.platform.httpaccess import HttpClient
from ccinspect.platform.recordings import AccessProbe, StoredRecording, TimeWindow, split_name

__all__ = ["HttpRecordings"]

_INDEX_LINK = re.compile(r'href="([^"?/]+\.(?:wav|WAV|gsm|mp3|ogg))"')
_FORMATS = {"wav", "gsm", "ulaw", "alaw", "sln", "mp3", "ogg"}


class HttpRecordings:
    """Recordings through an HTTP interface: a JSON search API or a plain listing."""

    kind = "http"

    def __init__(self, spec: HttpSpec) -> None:
        self.spec = spec
        self.search = spec.search
        self.client = HttpClient(spec, what="recording interface")
        self.windowed = spec.search is not None

    @property
    def list_url(self) -> str:
        """The URL the inspector lists recordings at (the search URL with ``search``)."""
        return self.client.url(self.search.path) if self.search is not None else self.client.base_url

    async def list(self, window: TimeWindow | None = None) -> Sequence[StoredRecording]:
        if self.search is None:
            return await self._plain_listing()
        return await self._search(self.search, window or TimeWindow.recent())

    async def _plain_listing(self) -> Sequence[StoredRecording]:
        url = self.client.base_url
        status, body = await self.client.get(url)
        if status != 200:
            raise AdapterError(f"{url} answered {status}", f"{url} 返回 {status}")
        text = body.decode("utf-8", "replace")
        if text.lstrip().startswith("["):
            try:
                names = [str(n) for n in json.loads(text)]
            except ValueError:
                raise AdapterError(f"{url} sent invalid JSON", f"{url} 返回了无效的 JSON") from None
        else:
            names = _INDEX_LINK.findall(text)
        out = []
        for n in names:
            stem, ext = split_name(n)
            out.append(StoredRecording(stem, ext, locator=urljoin(self.client.base_url, quote(n))))
        return out

    def _params(self, search: RecordingSearch, window: TimeWindow, page: int | None) -> dict[str, str]:
        params = dict(search.params)
        if search.start_param:
            params[search.start_param] = format_time(window.start, search.param_time)
        if search.end_param:
            params[search.end_param] = format_time(window.end, search.param_time)
        if page is not None and search.page_param:
            params[search.page_param] = str(page)
            if search.size_param:
                params[search.size_param] = str(search.page_size)
        return params

    async def _search(self, search: RecordingSearch, window: TimeWindow) -> Sequence[StoredRecording]:
        url = self.list_url
        out: dict[str, StoredRecording] = {}
        pages = search.max_pages if search.page_param else 1
        for n in range(pages):
            page = search.first_page + n if search.page_param else None
            body = await self.client.get_json(url, self._params(search, window, page))
            try:
                items = items_at(body, search.items)
                for item in items:
                    rec = self._item(search, item)
                    out.setdefault(rec.name, rec)
            except FieldError as exc:
                raise AdapterError(
                    f"recording search {url}: {exc} (check recordings.search in the target file)",
                    f"录音检索 {url}：{exc}（请检查目标文件中的 recordings.search）",
                ) from None
            if not search.page_param or len(items) < search.page_size:
                return list(out.values())
        raise AdapterError(
            f"recording search {url} still had full pages after {search.max_pages} pages of "
            f"{search.page_size}: narrow the search (recordings.search.params) or raise max_pages",
            f"录音检索 {url} 读取 {search.max_pages} 页（每页 {search.page_size} 条）后仍未结束："
            "请缩小检索范围或调大 max_pages",
        )

    def _item(self, search: RecordingSearch, item: Any) -> StoredRecording:
        rec_id = text_at(item, search.id)
        if rec_id is None:
            raise FieldError(f"an item has no id at '{search.id}'")
        stamp = parse_time(dig(item, search.time), search.time_format) if search.time else None
        if search.file is not None and (file := text_at(item, search.file)) is not None:
            parts = urlsplit(self.client.base_url)
            locator = urljoin(f"{parts.scheme}://{parts.netloc}/", file)
        elif search.download is not None:
            locator = self.client.url(search.download.replace("{id}", quote(rec_id, safe="")))
        else:
            raise FieldError(f"item {rec_id} has no download URL at '{search.file}'")
        _, ext = split_name(urlsplit(locator).path.rsplit("/", 1)[-1])
        return StoredRecording(rec_id, ext if ext.lower() in _FORMATS else "wav", stamp, None, locator)

    async def fetch(self, rec: StoredRecording) -> bytes:
        url = rec.locator or self.client.url(quote(f"{rec.name}.{rec.format}"))
        status, body = await self.client.get(url)
        if status != 200:
            raise AdapterError(f"{url} answered {status}", f"{url} 返回 {status}")
        return body

    async def probe_access(self, accounts: Sequence[tuple[str, str]] = ()) -> AccessProbe:
        url = self.list_url
        search = self.search
        params = self._params(search, TimeWindow.recent(), search.first_page) if search else None
        wrong = self.client.headers(wrong=True)
        return await http_probe(url, params, wrong=wrong, accounts=accounts, timeout=self.client.timeout)

    async def retention_policy(self) -> int | None:
        source = self.spec.retention
        if source is None:
            return None
        url = self.client.url(source.path)
        value = dig(await self.client.get_json(url), source.field)
        try:
            return int(str(value))
        except ValueError:
            raise AdapterError(
                f"{url} has no number of days at '{source.field}' (found {value!r})",
                f"{url} 的 '{source.field}' 处没有天数（得到 {value!r}）",
            ) from None
