"""The store: the only package that imports SQLAlchemy.

* Runs (this module's exports): every rehearsal with its checks, calls, SIP messages,
  recordings and evidence files; see docs/store.md.
* ``complaints``: the demo complaint service's tickets.
"""

from ccinspect.core.rundoc import RunStatus
from ccinspect.store.errors import AmbiguousRun, RunDirInvalid, RunNotFound, StoreError, StoreUnavailable
from ccinspect.store.recorder import RunRecorder
from ccinspect.store.results import (
    CallSummary,
    CheckChange,
    Comparison,
    EvidenceFile,
    LegSummary,
    Liveness,
    RunDetail,
    RunSummary,
    SubjectChange,
)
from ccinspect.store.runstore import RunStore, open_store

__all__ = [
    "AmbiguousRun",
    "CallSummary",
    "CheckChange",
    "Comparison",
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
    "SubjectChange",
    "open_store",
]
