"""The store: the only package that imports SQLAlchemy.

* Runs (this module's exports): every rehearsal with its checks, calls, SIP messages,
  recordings and evidence files; see docs/store.md.
  Comparisons between runs are :mod:`ccinspect.core.compare`'s (``RunStore.compare``).
"""

from ccinspect.core.rundoc import RunStatus
from ccinspect.store.errors import AmbiguousRun, RunDirInvalid, RunNotFound, StoreError, StoreUnavailable
from ccinspect.store.recorder import RunRecorder
from ccinspect.store.results import (
    CallSummary,
    EvidenceFile,
    LegSummary,
    Liveness,
    RunDetail,
    RunSummary,
)
from ccinspect.store.runstore import RunStore, open_store

__all__ = [
    "AmbiguousRun",
    "CallSummary",
    "EvidenceFile",
    "LegSummary",
    "Liveness",
    "RunDetail",
    "RunDirInvalid",
    "RunNotFound",
    "RunRecorder",
    "RunStatus",
    "RunStore",
    "RunSummary",
    "StoreError",
    "StoreUnavailable",
    "open_store",
]
