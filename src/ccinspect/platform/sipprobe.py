"""Is a SIP server there? One out-of-dialog OPTIONS over plain UDP, and ``host:port`` parsing.

The probe accepts any SIP response: it checks that the server's SIP stack answers, nothing more
(calls go through pjsua2, never through this). It is blocking: call it through
``asyncio.to_thread`` from async code.
"""

from __future__ import annotations

import re
import secrets
import socket
from dataclasses import dataclass

__all__ = ["HostPort", "sip_options_probe"]


@dataclass(frozen=True)
class HostPort:
    """An IPv4 address and port, as written in Asterisk's config (``127.0.0.1:5060``)."""

    host: str
    port: int

    @classmethod
    def parse(cls, text: str, *, default_port: int) -> HostPort:
        """Parse ``HOST[:PORT]``; raise ValueError with the text when it is not one."""
        m = re.fullmatch(r"\s*([0-9A-Za-z.\-]+)(?::(\d{1,5}))?\s*", text)
        if not m:
            raise ValueError(f"not HOST[:PORT]: {text!r}")
        port = int(m.group(2)) if m.group(2) else default_port
        if not 0 < port < 65536:
            raise ValueError(f"port out of range in {text!r}")
        return cls(m.group(1), port)

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


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
