"""Retention canaries: choice, due selection and verdicts (pure), and their store table."""

from __future__ import annotations

from pathlib import Path

from ccinspect.core.canary import (
    DAY_S,
    Canary,
    CanaryIdentity,
    CanaryStatus,
    Observation,
    Outcome,
    choose,
    due,
    judge,
    overall,
)
from ccinspect.core.facts import RecordingFact, RecordingSource
from ccinspect.core.verdict import Verdict

T0 = 1_793_318_400.0  # 2026-10-30T00:00:00Z
IDENT = CanaryIdentity(
    "20261030-020000-ab12", "demo", "inbound-8004", "x.wav", 12.0, "a" * 64, 1000, (3, 7), T0
)


def _canary(status: CanaryStatus = CanaryStatus.PENDING, created: float = T0, cid: int = 1) -> Canary:
    ident = CanaryIdentity(**{**{f: getattr(IDENT, f) for f in IDENT.__slots__}, "created_at": created})
    return Canary(cid, ident, status)


def _rec(key: str, found: tuple[bool, ...], **kw: object) -> RecordingFact:
    base: dict[str, object] = dict(
        call_key=key,
        name=f"{key}.wav",
        source=RecordingSource.ARI,
        fetched=True,
        fetch_status=200,
        duration_s=10.0,
        expected_duration_s=10.0,
        fingerprints=tuple(enumerate(found)),
    )
    base.update(kw)
    return RecordingFact(**base)  # type: ignore[arg-type]


def test_choose_takes_a_complete_recording_by_call_key() -> None:
    """Only a fetched, decoded recording holding every fingerprint can be a canary; ties go by call key."""
    recs = [
        _rec("b", (True, True)),
        _rec("a", (True, False)),
        _rec("c", (True, True), decode_error="bad"),
        _rec("a2", (True, True)),
    ]
    chosen = choose(recs)
    assert chosen is not None and chosen.call_key == "a2"
    assert choose([_rec("a", (False, True)), _rec("n", (True,), name=None)]) is None


def test_due_only_pending_canaries_past_retention() -> None:
    """A canary is due when pending and at least the retention period old, oldest first."""
    old = _canary(created=T0, cid=1)
    older = _canary(created=T0 - DAY_S, cid=2)
    young = _canary(created=T0 + 10 * DAY_S, cid=3)
    proven = _canary(CanaryStatus.PROVEN, created=T0 - 100 * DAY_S, cid=4)
    now = T0 + 30 * DAY_S
    assert due([old, young, proven, older], now, 30) == (older, old)
    assert due([old], now - 1, 30) == ()


def test_judge_outcomes() -> None:
    """Same bytes → proven; gone → missing naming the date and days; changed bytes, lost fingerprint
    or undecodable → altered; re-encoding is accepted only when declared; no answer → unchecked."""
    c = _canary()
    good = Observation(listed=True, sha256="a" * 64, duration_s=12.0, found=((3, True), (7, True)))
    assert judge(c, good, retention_days=30).outcome is Outcome.PROVEN
    gone = judge(c, Observation(listed=False), retention_days=30)
    assert gone.outcome is Outcome.MISSING and gone.verdict is Verdict.FAIL
    assert "canary of 2026-10-30 (run 20261030-020000-ab12" in gone.message.en
    assert "recordings are not kept 30 days" in gone.message.en and "2026-10-30" in gone.message.zh
    other = Observation(listed=True, sha256="b" * 64, duration_s=12.3, found=((3, True), (7, True)))
    assert judge(c, other, retention_days=30).outcome is Outcome.ALTERED
    assert judge(c, other, retention_days=30, reencodes=True).outcome is Outcome.PROVEN_REENCODED
    short = Observation(listed=True, sha256="b" * 64, duration_s=5.0, found=((3, True), (7, True)))
    assert judge(c, short, retention_days=30, reencodes=True).outcome is Outcome.ALTERED
    lost = Observation(listed=True, sha256="a" * 64, duration_s=12.0, found=((3, True), (7, False)))
    assert "7" in judge(c, lost, retention_days=30).message.en
    assert (
        judge(c, Observation(listed=True, sha256="x", decode_error="bad header"), retention_days=30).outcome
        is Outcome.ALTERED
    )
    unchecked = judge(c, Observation(listed=True, error="ARI down"), retention_days=30)
    assert unchecked.outcome is Outcome.UNCHECKED and unchecked.outcome.status is CanaryStatus.PENDING
    assert overall([]) is None
    assert overall([judge(c, good, retention_days=30), unchecked]) is Verdict.ERROR
    assert overall([unchecked, gone]) is Verdict.FAIL


def test_store_keeps_and_marks_canaries(tmp_path: Path) -> None:
    """open_store applies the migrations (0002 made the canaries); canaries round-trip as frozen
    dataclasses and statuses update."""
    from ccinspect.store import open_store
    from ccinspect.store.canaries import add_canary, list_canaries, mark_canary
    from ccinspect.store.db import current_revision, head_revision

    with open_store(f"sqlite:///{tmp_path / 's.sqlite'}") as store:
        assert current_revision(store.db.engine) == head_revision()
        kept = add_canary(store, IDENT)
        assert kept.identity == IDENT and kept.status is CanaryStatus.PENDING
        add_canary(store, IDENT)  # the same run again: replaced, not duplicated
        assert len(list_canaries(store)) == 1
        (only,) = list_canaries(store, target="demo", statuses=[CanaryStatus.PENDING])
        marked = mark_canary(store, only.id, CanaryStatus.MISSING, checked_at=T0 + 31 * DAY_S, detail="gone")
        assert marked.status is CanaryStatus.MISSING and marked.detail == "gone"
        assert list_canaries(store, statuses=[CanaryStatus.PENDING]) == ()
        assert list_canaries(store, target="other") == ()
