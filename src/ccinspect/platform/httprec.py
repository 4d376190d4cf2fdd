"""Recordings under a plain HTTP URL (a JSON list of names or an HTML directory index)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote, urljoin

from ccinspect.platform.errors import AdapterError
from ccinspect.platform.httputil import HttpStoreBase
from ccinspect.platform.recordings import AccessProbe, StoredRecording

__all__ = ["HttpRecordings"]


class HttpRecordings(HttpStoreBase):
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
