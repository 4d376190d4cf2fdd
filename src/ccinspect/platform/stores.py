"""The recording store a target file names: one adapter per ``recordings.kind``.

A new kind of recording store is one adapter module in this package (implementing
:class:`~ccinspect.platform.recordings.RecordingStore`) plus its section in the target file.
"""

from __future__ import annotations

from pathlib import Path

from ccinspect.core.facts import RecordingSource
from ccinspect.core.scenario import Target
from ccinspect.core.scenario.target import AriRecordings as AriSpec
from ccinspect.core.scenario.target import DirectoryRecordings as DirSpec
from ccinspect.core.scenario.target import HttpRecordings as HttpSpec
from ccinspect.platform.ari import AriRecordings
from ccinspect.platform.directory import DirectoryRecordings
from ccinspect.platform.httprec import HttpRecordings
from ccinspect.platform.recordings import RecordingStore

__all__ = ["open_store", "source_of"]


def open_store(target: Target, *, timeout: float = 10.0) -> RecordingStore | None:
    """The recording store the target describes (None when it names none)."""
    spec = target.recordings
    if spec is None:
        return None
    if isinstance(spec, DirSpec):
        return DirectoryRecordings(Path(spec.path))
    if not isinstance(spec, AriSpec | HttpSpec):
        raise NotImplementedError(spec.kind)
    password = spec.password.get_secret_value() if spec.password is not None else ""
    cls = AriRecordings if isinstance(spec, AriSpec) else HttpRecordings
    return cls(str(spec.url), spec.username or "", password, timeout=timeout)


def source_of(store: RecordingStore) -> RecordingSource:
    """How the facts name where a recording came from."""
    return {"ari": RecordingSource.ARI, "http": RecordingSource.HTTP}.get(
        store.kind, RecordingSource.DIRECTORY
    )
