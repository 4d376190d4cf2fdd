"""Small HTTP helpers shared by the platform adapters."""

from __future__ import annotations

import base64


def basic_auth_header(user: str, password: str) -> dict[str, str]:
    """The ``Authorization: Basic`` header for ``user``/``password`` (UTF-8)."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}
