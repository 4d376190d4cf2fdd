"""The run directory: evidence written as it is produced, and the versioned report.json.

Layout of ``runs/<run-id>/``::

    report.json          the run document (``core.rundoc``, schema ``ccinspect.report/1``),
                         rewritten after every phase
    calls/<key>.json     one call's facts, written as soon as the call is over
    evidence/            what each of our legs heard (WAV), pjsip's log
    recordings/          the platform's recordings as fetched through its interface

``runs/latest`` points at the newest run. Secrets never enter any of these files. Reading a run
directory back is ``ccinspect.rundir``'s job.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

from ccinspect.core.codec import to_jsonable
from ccinspect.core.rundoc import SCHEMA, RunDocument

__all__ = ["SCHEMA", "RunDir", "new_run_id", "to_jsonable"]


def new_run_id(now: float | None = None) -> str:
    """``YYYYMMDD-HHMMSS-xxxx`` in local time: sortable, unique, readable."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    return f"{stamp}-{secrets.token_hex(2)}"


class RunDir:
    """Writes one run's files; every write is atomic (temp file, then rename)."""

    def __init__(self, root: Path, run_id: str) -> None:
        self.root = root
        self.run_id = run_id
        self.path = root / run_id
        self.path.mkdir(parents=True, exist_ok=False)
        (self.path / "calls").mkdir()

    @property
    def evidence(self) -> Path:
        return self.path / "evidence"

    @property
    def recordings(self) -> Path:
        return self.path / "recordings"

    @property
    def report_path(self) -> Path:
        return self.path / "report.json"

    def _write(self, path: Path, data: Any) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(to_jsonable(data), ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)

    def relative(self, path: str | None) -> str | None:
        """``path`` relative to the run directory when it lies inside it."""
        if path is None:
            return None
        try:
            return str(Path(path).resolve().relative_to(self.path.resolve()))
        except ValueError:
            return path

    def write_call(self, key: str, fact: Any) -> None:
        self._write(self.path / "calls" / f"{key}.json", fact)

    def write_report(self, document: RunDocument) -> None:
        """Write report.json: ``document`` in its one JSON form (:meth:`RunDocument.to_json`)."""
        self._write(self.report_path, document.to_json())

    def point_latest(self) -> None:
        """Make ``runs/latest`` point at this run (a relative symlink)."""
        link = self.root / "latest"
        tmp = self.root / f".latest-{os.getpid()}"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(self.run_id)
        tmp.replace(link)
