"""Is the process recording a run still there? Host name, pid and the process's start time.

The start time guards against pid reuse: a recycled pid belongs to a process that started later.
A zombie (killed, not yet reaped) counts as gone. From another host nothing can be told.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

import psutil

from ccinspect.store.results import Liveness

#: Start times are compared with this tolerance (psutil reports them rounded on some systems).
START_TOLERANCE_S = 1.0


@dataclass(frozen=True, slots=True)
class ProcessIdentity:
    """Who records a run: host name, pid, and the process's start time (epoch seconds)."""

    host: str
    pid: int
    started: float


def current_identity() -> ProcessIdentity:
    """This process's identity."""
    pid = os.getpid()
    return ProcessIdentity(socket.gethostname(), pid, psutil.Process(pid).create_time())


def liveness(host: str | None, pid: int | None, started: float | None) -> Liveness:
    """Whether the recorder identified by ``host``/``pid``/``started`` still runs.

    No identity at all (an imported run) is GONE; another host is UNKNOWN; on this host the
    process must exist, not be a zombie, and have started when the identity says.
    """
    if host is None or pid is None:
        return Liveness.GONE
    if host != socket.gethostname():
        return Liveness.UNKNOWN
    try:
        process = psutil.Process(pid)
        zombie = process.status() == psutil.STATUS_ZOMBIE
        reused = started is not None and abs(process.create_time() - started) > START_TOLERANCE_S
    except psutil.NoSuchProcess:
        return Liveness.GONE
    except psutil.Error:
        # Access denied and the like: the process exists, we just may not look at it.
        return Liveness.ALIVE
    return Liveness.GONE if zombie or reused else Liveness.ALIVE
