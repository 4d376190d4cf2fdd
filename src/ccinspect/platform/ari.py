"""Recordings over Asterisk ARI (``/ari/recordings/stored``), and ARI's global variables.

ARI lists no time for a stored recording: the target's ``name_time`` supplies it where the
platform writes the time into the name (see :class:`~ccinspect.platform.recordings.NameTimed`).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote, urljoin

from ccinspect.platform.errors import AdapterError
from ccinspect.platform.httputil import HttpStoreBase
from ccinspect.platform.recordings import AccessProbe, StoredRecording, TimeWindow

__all__ = ["AriRecordings"]


class AriRecordings(HttpStoreBase):
    """Stored recordings over Asterisk ARI (read-only user)."""

    kind = "ari"
    windowed = False

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        timeout: float,
        retention_variable: str | None = None,
    ) -> None:
        super().__init__(base_url, username, password, timeout=timeout)
        self.retention_variable = retention_variable

    @property
    def _list_url(self) -> str:
        return urljoin(self.base_url, "recordings/stored")

    async def list(self, window: TimeWindow | None = None) -> Sequence[StoredRecording]:
        del window  # ARI lists every stored recording
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

    async def probe_access(self, accounts: Sequence[tuple[str, str]] = ()) -> AccessProbe:
        return await self._probe(self._list_url, accounts)

    async def retention_policy(self) -> int | None:
        """The purge policy in the global variable the target names (``retention_variable``)."""
        if not self.retention_variable:
            return None
        value = await self.global_variable(self.retention_variable)
        try:
            return int(value)
        except ValueError:
            raise AdapterError(
                f"ARI variable {self.retention_variable} is {value!r}, not a number of days",
                f"ARI 变量 {self.retention_variable} 的值 {value!r} 不是天数",
            ) from None

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
