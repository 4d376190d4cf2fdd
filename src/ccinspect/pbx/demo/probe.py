"""Health probes of a running demo PBX: SIP OPTIONS, ARI, complaint API, port owners.

The SIP probe sends one out-of-dialog OPTIONS over UDP and accepts any SIP response: it checks
that the PBX's SIP stack answers, nothing more (calls go through pjsua2, never through this).
"""

from __future__ import annotations

import asyncio
import secrets
import socket
from dataclasses import dataclass

import aiohttp
import psutil

from ccinspect.pbx.demo.config import HostPort
from ccinspect.pbx.httputil import basic_auth_header


def sip_options_probe(target: HostPort, *, timeout: float = 1.0) -> str | None:
    """Send SIP OPTIONS to ``target``; return the response's status line, or None if no answer."""
    branch = "z9hG4bK-cci-" + secrets.token_hex(6)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.bind(("127.0.0.1" if target.host.startswith("127.") else "0.0.0.0", 0))  # noqa: S104 - probe source
        local_host, local_port = sock.getsockname()
        msg = (
            f"OPTIONS sip:{target} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {local_host}:{local_port};branch={branch};rport\r\n"
            "Max-Forwards: 70\r\n"
            f"From: <sip:probe@{local_host}>;tag={secrets.token_hex(4)}\r\n"
            f"To: <sip:{target}>\r\n"
            f"Call-ID: cci-probe-{secrets.token_hex(8)}\r\n"
            "CSeq: 1 OPTIONS\r\n"
            "User-Agent: ccinspect-probe\r\n"
            "Content-Length: 0\r\n\r\n"
        )
        try:
            sock.sendto(msg.encode(), (target.host, target.port))
            data, _ = sock.recvfrom(65535)
        except OSError:
            return None
    first = data.split(b"\r\n", 1)[0].decode("utf-8", "replace")
    return first if first.startswith("SIP/2.0 ") else None


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
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return PortOwner(None, "an unidentified process")
    return None
