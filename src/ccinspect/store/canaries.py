"""The nightly job's retention canaries in the run store (table ``canaries``, migration 0002).

Functions take an open :class:`~ccinspect.store.RunStore` and return the frozen dataclasses of
:mod:`ccinspect.core.canary`; nothing SQLAlchemy leaves this module. Every database error is a
:class:`~ccinspect.store.errors.StoreUnavailable` (via the store's ``reading``/``writing``).
The table is SQLAlchemy Core on its own ``MetaData`` so the run tables' models stay untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Double,
    Enum,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)

from ccinspect.core.canary import Canary, CanaryIdentity, CanaryStatus
from ccinspect.store.runstore import RunStore

__all__ = ["add_canary", "canaries_table", "get_canary", "list_canaries", "mark_canary"]

_metadata = MetaData()

#: The ``canaries`` table as migration 0002 creates it.
canaries_table = Table(
    "canaries",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", String(64), nullable=False, unique=True),
    Column("target", String(200), nullable=False),
    Column("call_key", String(200), nullable=False),
    Column("recording", String(1024), nullable=False),
    Column("duration_s", Double, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("fingerprints", JSON, nullable=False),
    Column("created_at", Double, nullable=False),
    Column(
        "status",
        Enum(
            *[s.value for s in CanaryStatus],
            name="canary_status",
            native_enum=False,
            length=16,
            create_constraint=True,
        ),
        nullable=False,
    ),
    Column("checked_at", Double),
    Column("detail", Text),
)


def _canary(row: Any) -> Canary:
    identity = CanaryIdentity(
        run_id=row.run_id,
        target=row.target,
        call_key=row.call_key,
        recording=row.recording,
        duration_s=float(row.duration_s),
        sha256=row.sha256,
        size=int(row.size),
        fingerprints=tuple(int(f) for f in row.fingerprints),
        created_at=float(row.created_at),
    )
    return Canary(
        id=int(row.id),
        identity=identity,
        status=CanaryStatus(row.status),
        checked_at=row.checked_at,
        detail=row.detail,
    )


def add_canary(store: RunStore, identity: CanaryIdentity) -> Canary:
    """Store ``identity`` as a pending canary; a canary already kept for the same run is replaced."""
    values = {
        "run_id": identity.run_id,
        "target": identity.target,
        "call_key": identity.call_key,
        "recording": identity.recording,
        "duration_s": identity.duration_s,
        "sha256": identity.sha256,
        "size": identity.size,
        "fingerprints": list(identity.fingerprints),
        "created_at": identity.created_at,
        "status": CanaryStatus.PENDING.value,
    }
    with store.db.writing("store the canary", "保存探测录音") as session:
        session.execute(delete(canaries_table).where(canaries_table.c.run_id == identity.run_id))
        new_id = session.execute(
            insert(canaries_table).values(**values).returning(canaries_table.c.id)
        ).scalar_one()
    return Canary(id=int(new_id), identity=identity, status=CanaryStatus.PENDING)


def get_canary(store: RunStore, canary_id: int) -> Canary | None:
    """The canary with row id ``canary_id``, or None."""
    with store.db.reading("read a canary", "读取探测录音") as session:
        row = session.execute(select(canaries_table).where(canaries_table.c.id == canary_id)).first()
    return None if row is None else _canary(row)


def list_canaries(
    store: RunStore, *, target: str | None = None, statuses: Sequence[CanaryStatus] | None = None
) -> tuple[Canary, ...]:
    """Canaries, oldest first, optionally of one target and with the given statuses."""
    query = select(canaries_table).order_by(canaries_table.c.created_at, canaries_table.c.id)
    if target is not None:
        query = query.where(canaries_table.c.target == target)
    if statuses is not None:
        query = query.where(canaries_table.c.status.in_([s.value for s in statuses]))
    with store.db.reading("list the canaries", "列出探测录音") as session:
        return tuple(_canary(r) for r in session.execute(query))


def mark_canary(
    store: RunStore, canary_id: int, status: CanaryStatus, *, checked_at: float, detail: str | None
) -> Canary:
    """Record a proof attempt: new status, when (the job's clock) and what was found."""
    with store.db.writing("mark the canary", "更新探测录音状态") as session:
        session.execute(
            update(canaries_table)
            .where(canaries_table.c.id == canary_id)
            .values(status=status.value, checked_at=checked_at, detail=detail)
        )
        row = session.execute(select(canaries_table).where(canaries_table.c.id == canary_id)).one()
    return _canary(row)
