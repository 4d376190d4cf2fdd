"""The recording store a target file names: one adapter per ``recordings.kind``.

A new kind of recording store is one adapter module in this package (implementing
:class:`~ccinspect.platform.recordings.RecordingStore`) plus its section in the target file.
Any kind may date its recordings by name (``name_time``): the store is then wrapped in
:class:`~ccinspect.platform.recordings.NameTimed`.
"""

from __future__ import annotations

from pathlib import Path

from ccinspect.core.facts import RecordingSource
from ccinspect.core.scenario import Target
from ccinspect.core.scenario.sources import AriRecordings as AriSpec
from ccinspect.core.scenario.sources import DirectoryRecordings as DirSpec
from ccinspect.core.scenario.sources import HttpRecordings as HttpSpec
from ccinspect.core.scenario.sources import SqlRecordings as SqlSpec
from ccinspect.core.scenario.sources import WebRecordings as WebSpec
from ccinspect.platform.ari import AriRecordings
from ccinspect.platform.directory import DirectoryRecordings
from ccinspect.platform.httprec import HttpRecordings
from ccinspect.platform.recordings import NameTimed, RecordingStore, base_store
from ccinspect.platform.sqlrec import SqlRecordings
from ccinspect.platform.web.recordings import WebRecordings
from ccinspect.platform.web.session import ConsoleSession

__all__ = ["open_store", "source_of"]


def open_store(
    target: Target, *, timeout: float = 10.0, console: ConsoleSession | None = None
) -> RecordingStore | None:
    """The recording store the target describes (None when it names none).

    ``timeout`` bounds each ARI request; the other kinds use their section's ``timeout_s``.
    ``kind: web`` plays recordings in the web console through ``console`` (the run's browser
    session on the target's ``console`` recipe).
    """
    spec = target.recordings
    if spec is None:
        return None
    store: RecordingStore
    if isinstance(spec, DirSpec):
        store = DirectoryRecordings(Path(spec.path).expanduser(), recursive=spec.recursive)
    elif isinstance(spec, AriSpec):
        password = spec.password.get_secret_value() if spec.password is not None else ""
        store = AriRecordings(
            str(spec.url),
            spec.username or "",
            password,
            timeout=timeout,
            retention_variable=spec.retention_variable,
        )
    elif isinstance(spec, HttpSpec):
        store = HttpRecordings(spec)
    elif isinstance(spec, SqlSpec):
        store = SqlRecordings(spec)
    elif isinstance(spec, WebSpec):
        if console is None:
            raise ValueError("recordings.kind web needs the run's web console session")
        seat_names = {seat.id: (seat.username,) for seat in target.seats}
        tolerance = target.cdr.tolerance_s if target.cdr is not None else 5.0
        store = WebRecordings(console, seat_names=seat_names, tolerance_s=tolerance)
    else:  # pragma: no cover - the target model admits no other kind
        raise NotImplementedError(spec.kind)
    return NameTimed(store, spec.name_time) if spec.name_time is not None else store


def source_of(store: RecordingStore) -> RecordingSource:
    """How the facts name where a recording came from (how it was fetched: a ``sql`` lookup
    reads its files from a directory or downloads them over HTTP)."""
    inner = base_store(store)
    if isinstance(inner, SqlRecordings):
        return RecordingSource.DIRECTORY if inner.root is not None else RecordingSource.HTTP
    return {"ari": RecordingSource.ARI, "http": RecordingSource.HTTP, "web": RecordingSource.WEB}.get(
        store.kind, RecordingSource.DIRECTORY
    )
