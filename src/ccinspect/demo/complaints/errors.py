"""Client-facing errors of the complaint service, each with an English and a Chinese message."""

from __future__ import annotations

import json
from collections.abc import Mapping

from aiohttp import web

from ccinspect.errors import CcinspectError, Kind


def dumps(value: object) -> str:
    """JSON with Chinese kept readable (no \\u escapes)."""
    return json.dumps(value, ensure_ascii=False)


class ApiError(CcinspectError):
    """An HTTP error answer: status, English and Chinese message, optional extra JSON fields.

    Rendered as ``{"error": en, "error_zh": zh, **extra}``, or, for the PBX's plain-text endpoint,
    as the single line ``en / zh``. Raised inside the demo complaint service and answered to
    its HTTP client; it never reaches the CLI.
    """

    kind = Kind.USER

    def __init__(
        self,
        status: int,
        en: str,
        zh: str,
        *,
        extra: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(en, zh)
        self.status = status
        self.en = en
        self.zh = zh
        self.extra: Mapping[str, object] = extra or {}
        self.headers: Mapping[str, str] = headers or {}

    def json_response(self) -> web.Response:
        body = {"error": self.en, "error_zh": self.zh, **self.extra}
        return web.json_response(body, status=self.status, headers=self.headers, dumps=dumps)

    def text_response(self) -> web.Response:
        return web.Response(
            text=f"{self.en} / {self.zh}",
            status=self.status,
            headers=self.headers,
            content_type="text/plain",
            charset="utf-8",
        )


def bad_request(en: str, zh: str) -> ApiError:
    """A 400 for a request the client got wrong."""
    return ApiError(400, en, zh)


# Bilingual wording for the statuses aiohttp itself raises (unknown route, wrong method, ...).
HTTP_STATUS_MESSAGES: Mapping[int, tuple[str, str]] = {
    404: ("not found", "未找到该资源"),
    405: ("method not allowed", "不支持该请求方法"),
    413: ("request body too large", "请求体过大"),
}
