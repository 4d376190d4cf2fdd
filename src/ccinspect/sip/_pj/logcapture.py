"""pjsip's log as ccinspect sees it: SIP messages into the store, the rest into Python logging.

Also the one piece of start-up hygiene pjlib needs: it prints its first lines to fd 1 before any
log writer exists, so ``libCreate`` runs with fd 1 pointed at /dev/null.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from typing import Any

import pjsua2 as pj

from ccinspect.sip._pj.convert import now
from ccinspect.sip.capture import MessageStore, parse_log_entry

pjlog = logging.getLogger("ccinspect.sip.pjsip")

_PY_LEVELS = {0: logging.ERROR, 1: logging.ERROR, 2: logging.WARNING}


@contextlib.contextmanager
def stdout_silenced() -> Iterator[None]:
    """Send fd 1 to /dev/null: pjlib prints its start-up lines there before a log writer exists."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


class LogWriter(pj.LogWriter):  # type: ignore[misc]  # pjsua2 has no stubs
    """Routes pjsip's log: SIP messages into ``store``, lines at or below ``python_level``
    (pjsip's 0-6 scale) into the ``ccinspect.sip.pjsip`` logger. Never raises."""

    def __init__(self, store: MessageStore, python_level: int) -> None:
        super().__init__()
        self._store = store
        self._python_level = python_level

    def write(self, entry: Any) -> None:
        """pjsua2 callback, owner thread (or a pjmedia thread for media-side lines)."""
        try:
            text = entry.msg
            msg = parse_log_entry(text, now())
            if msg is not None:
                self._store.add(msg)
                return
            level = int(entry.level)
            if level <= self._python_level:
                pjlog.log(_PY_LEVELS.get(level, logging.DEBUG), "%s", text.rstrip())
        except Exception:  # noqa: BLE001 - must not raise into pjsip; logged
            pjlog.exception("pjsip log callback failed")
