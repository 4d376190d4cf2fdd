"""Writing a run's rows inside a caller's transaction (shared by the recorder and the importer).

Each ``put_*`` replaces what the run already holds of that kind, so repeating a write is harmless:
a call recorded twice under the same key keeps the later version; checks, recordings and evidence
files are replaced as a whole. Child rows go with their parent by ``ON DELETE CASCADE``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ccinspect.bundle import BundleFile
from ccinspect.core.facts import CallFact, RecordingFact
from ccinspect.core.verdict import CheckResult
from ccinspect.store.mapping import call_row, check_row, recording_row
from ccinspect.store.models import CallRow, CheckRow, EvidenceRow, RecordingRow, RunRow


def touch(row: RunRow, now: float | None = None) -> None:
    """Record that the run's recorder is still at work (its heartbeat)."""
    row.updated_at = now if now is not None else time.time()


def put_call(session: Session, row: RunRow, fact: CallFact) -> None:
    """Add one call (with legs and SIP messages) after the run's other calls; same key replaces."""
    existing = session.scalar(select(CallRow).where(CallRow.run_pk == row.id, CallRow.key == fact.key))
    position: int
    if existing is not None:
        position = existing.position
        session.execute(delete(CallRow).where(CallRow.id == existing.id))
    else:
        last = session.scalar(select(func.max(CallRow.position)).where(CallRow.run_pk == row.id))
        position = 0 if last is None else last + 1
    new = call_row(fact, position)
    new.run_pk = row.id
    session.add(new)


def put_checks(session: Session, row: RunRow, results: Sequence[CheckResult]) -> None:
    """Replace the run's check results (and their subjects), keeping the order given."""
    session.execute(delete(CheckRow).where(CheckRow.run_pk == row.id))
    for i, result in enumerate(results):
        new = check_row(result, i)
        new.run_pk = row.id
        session.add(new)


def put_recordings(session: Session, row: RunRow, facts: Sequence[RecordingFact]) -> None:
    """Replace the run's recording facts, keeping the order given."""
    session.execute(delete(RecordingRow).where(RecordingRow.run_pk == row.id))
    for i, fact in enumerate(facts):
        new = recording_row(fact, i)
        new.run_pk = row.id
        session.add(new)


def put_evidence(session: Session, row: RunRow, files: Sequence[BundleFile]) -> None:
    """Replace the run's evidence file list (path relative to the run directory, size, SHA-256)."""
    session.execute(delete(EvidenceRow).where(EvidenceRow.run_pk == row.id))
    for f in files:
        session.add(EvidenceRow(run_pk=row.id, path=f.path, size=f.size, sha256=f.sha256))
