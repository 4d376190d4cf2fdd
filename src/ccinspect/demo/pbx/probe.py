"""Health probes of a running demo PBX: ARI, complaint API, port owners (SIP OPTIONS is the
product's :func:`ccinspect.platform.sipprobe.sip_options_probe`, re-exported here)."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass

import aiohttp
import psutil

from ccinspect.platform.httputil import basic_auth_header
from ccinspect.platform.sipprobe import sip_options_probe

__all__ = ["HttpProbe", "PortOwner", "http_get", "http_get_sync", "port_owner", "sip_options_probe"]


@dataclass(frozen=True)
class HttpProbe:
    """Result of one HTTP probe: status code (None when unreachable) and an error text."""

    status: int | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200


async def http_get(url: str, *, auth: tuple[str, str] | None = None, timeout: float = 2.0) -> HttpProbe:
    """GET ``url`` with optional basic auth; never raises."""
    headers = basic_auth_header(*auth) if auth else {}
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
            session.get(url, headers=headers) as resp,
        ):
            await resp.read()
            return HttpProbe(resp.status)
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return HttpProbe(None, f"{type(exc).__name__}: {exc}")


def http_get_sync(url: str, *, auth: tuple[str, str] | None = None, timeout: float = 2.0) -> HttpProbe:
    """Synchronous wrapper of :func:`http_get` for the backend's blocking lifecycle code."""
    return asyncio.run(http_get(url, auth=auth, timeout=timeout))


@dataclass(frozen=True)
class PortOwner:
    """Who holds a local port: pid and process name (either may be unknown)."""

    pid: int | None
    name: str

    def describe(self) -> str:
        return f"{self.name} (pid {self.pid})" if self.pid else self.name


def port_owner(port: int, kind: str) -> PortOwner | None:
    """The process listening on ``port`` (kind 'udp' or 'tcp'), or None when the port is free."""
    try:
        conns = psutil.net_connections(kind=kind)
    except (psutil.Error, OSError):
        conns = []
    for c in conns:
        if not c.laddr or c.laddr.port != port:
            continue
        if kind == "tcp" and c.status != psutil.CONN_LISTEN:
            continue
        name = "unknown process"
        if c.pid:
            try:
                proc = psutil.Process(c.pid)
                name = " ".join(proc.cmdline()[:3]) or proc.name()
            except psutil.Error:
                pass
        return PortOwner(c.pid, name)
    # Not visible through psutil (another namespace, or no permission): try to bind.
    sock_type = socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM
    with socket.socket(socket.AF_INET, sock_type) as s:
        # As the servers themselves do: a TIME-WAIT connection left by a closed server on this
        # port does not make it busy.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return PortOwner(None, "an unidentified process")
    return None
