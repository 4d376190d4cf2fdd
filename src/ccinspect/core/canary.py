"""Retention canaries: one recording per nightly run, proven still intact once it is old enough (pure).

Every nightly run picks one answered call whose platform recording held every leg's fingerprint
(:func:`choose`) and keeps that recording's identity: its name, SHA-256, length and fingerprint
ids (a :class:`Canary`). When a canary has reached the retention period (:func:`due`), the job
fetches it again through the platform's own interface and :func:`judge` decides, from what was
observed (an :class:`Observation`), whether the platform really kept it:

* **proven**: same bytes (SHA-256), fingerprints still in it;
* **proven, re-encoded**: only for a platform declared to re-encode stored recordings: other
  bytes, but every fingerprint is still in it and the length is within
  :data:`REENCODE_TOLERANCE_S` of the original;
* **missing**: the platform no longer lists it (FAIL: recordings are not kept long enough);
* **altered**: it is there but cannot be decoded, lost a fingerprint, or its bytes changed on a
  platform that does not re-encode (FAIL);
* **unchecked**: the platform could not be asked (ERROR; the canary stays pending and is tried
  again the next night).

Nothing here does I/O, reads a clock or imports SQLAlchemy: times are passed in as epoch seconds.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ccinspect.core.facts import RecordingFact
from ccinspect.core.verdict import Text, Verdict

__all__ = [
    "DAY_S",
    "REENCODE_TOLERANCE_S",
    "Canary",
    "CanaryIdentity",
    "CanaryJudgement",
    "CanaryStatus",
    "Observation",
    "Outcome",
    "choose",
    "due",
    "judge",
    "overall",
]

DAY_S = 86400.0
#: How far a re-encoded canary's length may drift from the original before it counts as altered.
REENCODE_TOLERANCE_S = 1.0


class CanaryStatus(enum.Enum):
    """Where a stored canary stands. Only ``pending`` canaries are checked again."""

    PENDING = "pending"
    PROVEN = "proven"
    MISSING = "missing"
    ALTERED = "altered"


class Outcome(enum.Enum):
    """What one proof attempt concluded."""

    PROVEN = "proven"
    PROVEN_REENCODED = "proven-reencoded"
    MISSING = "missing"
    ALTERED = "altered"
    UNCHECKED = "unchecked"

    @property
    def verdict(self) -> Verdict:
        """PASS for a proven canary, FAIL for a missing or altered one, ERROR when unchecked."""
        if self in {Outcome.PROVEN, Outcome.PROVEN_REENCODED}:
            return Verdict.PASS
        return Verdict.ERROR if self is Outcome.UNCHECKED else Verdict.FAIL

    @property
    def status(self) -> CanaryStatus:
        """The canary's stored status after this outcome (unchecked stays pending)."""
        return {
            Outcome.PROVEN: CanaryStatus.PROVEN,
            Outcome.PROVEN_REENCODED: CanaryStatus.PROVEN,
            Outcome.MISSING: CanaryStatus.MISSING,
            Outcome.ALTERED: CanaryStatus.ALTERED,
        }.get(self, CanaryStatus.PENDING)


@dataclass(frozen=True, slots=True)
class CanaryIdentity:
    """What identifies a canary recording, taken when it was picked.

    ``recording`` is the platform's name with its extension (as in
    :attr:`RecordingFact.name`); ``fingerprints`` the ids found in it; ``created_at`` the
    nightly job's clock (epoch seconds) when it was picked.
    """

    run_id: str
    target: str
    call_key: str
    recording: str
    duration_s: float
    sha256: str
    size: int
    fingerprints: tuple[int, ...]
    created_at: float

    @property
    def date(self) -> str:
        """The day it was picked (``YYYY-MM-DD``, UTC): how people refer to a canary."""
        return datetime.fromtimestamp(self.created_at, UTC).date().isoformat()

    def label(self) -> Text:
        """``canary of 2026-10-30 (run …, call …, recording …)``."""
        where = f"run {self.run_id}, call {self.call_key}, recording {self.recording}"
        where_zh = f"运行 {self.run_id}，通话 {self.call_key}，录音 {self.recording}"
        return Text(f"canary of {self.date} ({where})", f"{self.date} 的探测录音（{where_zh}）")


@dataclass(frozen=True, slots=True)
class Canary:
    """A stored canary: its identity, row id, status and the last proof's time and detail."""

    id: int
    identity: CanaryIdentity
    status: CanaryStatus
    checked_at: float | None = None
    detail: str | None = None

    def age_days(self, now: float) -> float:
        """Days since it was picked, by the job's clock."""
        return (now - self.identity.created_at) / DAY_S


@dataclass(frozen=True, slots=True)
class Observation:
    """What fetching a canary again showed (filled in by the job; judged here).

    ``error``: the platform could not be asked (listing or download failed): nothing is known.
    ``listed``: the platform still lists the recording. ``sha256``/``duration_s``: of the bytes
    fetched. ``decode_error``: why they could not be decoded. ``found``: fingerprint id → found.
    """

    listed: bool
    error: str | None = None
    sha256: str | None = None
    duration_s: float | None = None
    decode_error: str | None = None
    found: tuple[tuple[int, bool], ...] = ()


@dataclass(frozen=True, slots=True)
class CanaryJudgement:
    """The outcome of one proof with its bilingual explanation."""

    canary: Canary
    outcome: Outcome
    message: Text

    @property
    def verdict(self) -> Verdict:
        """PASS, FAIL or ERROR (see :attr:`Outcome.verdict`)."""
        return self.outcome.verdict


def choose(recordings: Iterable[RecordingFact]) -> RecordingFact | None:
    """Tonight's canary: the first (by call key) fetched, decoded recording holding every fingerprint.

    None when no recording qualifies (no answered call was recorded completely).
    """
    good = [
        r
        for r in recordings
        if r.name
        and r.fetched
        and r.error is None
        and r.decode_error is None
        and r.fingerprints
        and all(found for _fid, found in r.fingerprints)
    ]
    return min(good, key=lambda r: r.call_key, default=None)


def due(canaries: Iterable[Canary], now: float, retention_days: float) -> tuple[Canary, ...]:
    """The pending canaries at least ``retention_days`` old at ``now``, oldest first."""
    ready = [
        c
        for c in canaries
        if c.status is CanaryStatus.PENDING and now - c.identity.created_at >= retention_days * DAY_S
    ]
    return tuple(sorted(ready, key=lambda c: (c.identity.created_at, c.id)))


def judge(  # noqa: PLR0911 -- one return per outcome reads as the decision table it is
    canary: Canary, seen: Observation, *, retention_days: float, reencodes: bool = False
) -> CanaryJudgement:
    """Decide whether ``canary`` survived ``retention_days`` from what ``seen`` shows.

    ``reencodes`` declares that the platform rewrites stored recordings (transcoding, archive
    formats): then other bytes are accepted when every fingerprint is still found and the length
    is within :data:`REENCODE_TOLERANCE_S`.
    """
    ident = canary.identity
    label = ident.label()
    days = f"{retention_days:g}"

    def result(outcome: Outcome, en: str, zh: str) -> CanaryJudgement:
        return CanaryJudgement(canary, outcome, label + Text(f" {en}", zh))

    if seen.error is not None:
        return result(
            Outcome.UNCHECKED,
            f"could not be checked: {seen.error}",
            f"无法检查：{seen.error}",
        )
    if not seen.listed:
        return result(
            Outcome.MISSING,
            f"is gone: recordings are not kept {days} days",
            f"已不存在：录音未保存 {days} 天",
        )
    if seen.decode_error is not None:
        return result(
            Outcome.ALTERED,
            f"was altered: it can no longer be decoded ({seen.decode_error})",
            f"已被改动：无法再解码（{seen.decode_error}）",
        )
    found = dict(seen.found)
    lost = [fid for fid in ident.fingerprints if not found.get(fid, False)]
    if lost:
        ids = ", ".join(str(f) for f in lost)
        return result(
            Outcome.ALTERED,
            f"was altered: fingerprint(s) {ids} are no longer in it",
            f"已被改动：录音中已找不到指纹 {ids}",
        )
    if seen.sha256 == ident.sha256:
        return result(Outcome.PROVEN, f"kept {days} days, unchanged", f"已保存 {days} 天，内容未变")
    drift = abs((seen.duration_s or 0.0) - ident.duration_s)
    if reencodes and drift <= REENCODE_TOLERANCE_S:
        return result(
            Outcome.PROVEN_REENCODED,
            f"kept {days} days, re-encoded by the platform (fingerprints and length intact)",
            f"已保存 {days} 天，平台已重新编码（指纹与时长完好）",
        )
    if reencodes:
        return result(
            Outcome.ALTERED,
            f"was altered: its length changed by {drift:.1f} s",
            f"已被改动：时长变化 {drift:.1f} 秒",
        )
    return result(
        Outcome.ALTERED,
        "was altered: its bytes changed (SHA-256 differs) and the platform does not re-encode",
        "已被改动：内容已变（SHA-256 不同），而平台不会重新编码",
    )


def overall(judgements: Sequence[CanaryJudgement]) -> Verdict | None:
    """FAIL if any canary is missing or altered, else ERROR if any was unchecked, else PASS;
    None when no canary was due."""
    if not judgements:
        return None
    verdicts = {j.verdict for j in judgements}
    for worst in (Verdict.FAIL, Verdict.ERROR):
        if worst in verdicts:
            return worst
    return Verdict.PASS
