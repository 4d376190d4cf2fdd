"""Alerts on regressions: the summary (pure) and its delivery to a webhook (never raises).

The summary is one JSON object, schema ``ccinspect.nightly-alert/1``::

    {
      "schema": "ccinspect.nightly-alert/1",
      "run_id": "20261130-020000-ab12",          # this nightly run
      "previous_run_id": "20261129-020000-cd34", # the run compared with, null for the first
      "time": "2026-11-30T02:00:00+00:00",       # when the run finished (ISO 8601, UTC)
      "target": "demo",                          # the target profile's name
      "verdict": "fail",                         # overall: fail > error > pass > skip
      "alert": true,                             # regressions, missing canaries or SLA breaches
      "regressions": [                           # checks whose verdict got worse (compare.py)
        {"check": "recording.complete", "previous": "pass", "current": "fail",
         "reason": {"en": "...", "zh": "..."}}   # the check's summary reason, null if unknown
      ],
      "missing_canaries": ["outbound-8004"],     # test calls the platform left no trace of
      "sla_breaches": [                          # complaints without a reply past 15 days
        {"ticket": 100007, "caller": "138****8000", "age_days": 17.2}
      ],
      "text": {"en": "...", "zh": "..."}         # one line for a chat message
    }

Caller numbers are masked; the webhook URL (which often carries a token) is never echoed, only
its scheme and host. Chat services (WeCom, DingTalk, Feishu, Slack) expect their own bodies:
put a small relay in front of them, or use ``text``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import aiohttp

from ccinspect.core.compare import compare
from ccinspect.core.sla import OverdueTicket
from ccinspect.core.verdict import CheckResult, Text, Verdict, aggregate

__all__ = [
    "SCHEMA",
    "AlertResult",
    "AlertSummary",
    "Regression",
    "SlaBreach",
    "build_summary",
    "post_webhook",
]

SCHEMA = "ccinspect.nightly-alert/1"
MAX_BACKOFF_S = 30.0
_RETRY_STATUSES = frozenset({408, 425, 429})


@dataclass(frozen=True, slots=True)
class Regression:
    """A check whose verdict got worse; ``previous`` None for a new check that fails."""

    check_id: str
    previous: Verdict | None
    current: Verdict
    reason: Text | None = None


@dataclass(frozen=True, slots=True)
class SlaBreach:
    """A complaint without a reply past the deadline (caller already masked)."""

    ticket_id: int
    caller: str
    age_days: float


@dataclass(frozen=True, slots=True)
class AlertSummary:
    """What a nightly run tells the on-call person (see the module docstring for the JSON)."""

    run_id: str
    time: datetime
    target: str
    verdict: Verdict
    regressions: tuple[Regression, ...] = ()
    missing_canaries: tuple[str, ...] = ()
    sla_breaches: tuple[SlaBreach, ...] = ()
    previous_run_id: str | None = None

    @property
    def alert(self) -> bool:
        """True when there is something to act on."""
        return bool(self.regressions or self.missing_canaries or self.sla_breaches)

    def text(self) -> Text:
        """One line for a chat message."""
        head = Text(
            f"ccinspect nightly {self.target}: {self.verdict.value.upper()}",
            f"ccinspect 夜间巡检 {self.target}：{self.verdict.value.upper()}",
        )
        parts: list[Text] = []
        if self.regressions:
            ids = ", ".join(r.check_id for r in self.regressions)
            parts.append(
                Text(f"{len(self.regressions)} regressed ({ids})", f"{len(self.regressions)} 项退化（{ids}）")
            )
        if self.missing_canaries:
            parts.append(
                Text(
                    f"{len(self.missing_canaries)} canaries missing",
                    f"{len(self.missing_canaries)} 个探测呼叫缺失",
                )
            )
        if self.sla_breaches:
            parts.append(
                Text(
                    f"{len(self.sla_breaches)} complaints unanswered > 15 d",
                    f"{len(self.sla_breaches)} 件投诉超期未答复",
                )
            )
        if not parts:
            return head + Text(", no regression", "，无退化")
        return head + Text(": " + "; ".join(p.en for p in parts), "：" + "；".join(p.zh for p in parts))

    def to_json(self) -> dict[str, object]:
        """The JSON object of schema :data:`SCHEMA`."""
        text = self.text()
        return {
            "schema": SCHEMA,
            "run_id": self.run_id,
            "previous_run_id": self.previous_run_id,
            "time": self.time.astimezone(UTC).isoformat(),
            "target": self.target,
            "verdict": self.verdict.value,
            "alert": self.alert,
            "regressions": [
                {
                    "check": r.check_id,
                    "previous": None if r.previous is None else r.previous.value,
                    "current": r.current.value,
                    "reason": None if r.reason is None else {"en": r.reason.en, "zh": r.reason.zh},
                }
                for r in self.regressions
            ],
            "missing_canaries": list(self.missing_canaries),
            "sla_breaches": [
                {"ticket": b.ticket_id, "caller": b.caller, "age_days": round(b.age_days, 1)}
                for b in self.sla_breaches
            ],
            "text": {"en": text.en, "zh": text.zh},
        }


def build_summary(
    *,
    run_id: str,
    time: datetime,
    target: str,
    current: Sequence[CheckResult],
    previous: Iterable[tuple[str, Verdict]] | None = None,
    previous_run_id: str | None = None,
    missing_canaries: Iterable[str] = (),
    overdue: Iterable[OverdueTicket] = (),
) -> AlertSummary:
    """The summary of a run: overall verdict of ``current``, regressions against ``previous``
    (none for a first run: nothing to compare with), reasons from the current check results."""
    if time.tzinfo is None:
        raise ValueError(f"time must be timezone-aware, got {time!r}")
    reasons: Mapping[str, Text] = {c.check_id: c.reason for c in current}
    regressions: tuple[Regression, ...] = ()
    if previous is not None:
        comparison = compare(previous, [(c.check_id, c.verdict) for c in current])
        regressions = tuple(
            Regression(c.check_id, c.previous, c.current, reasons.get(c.check_id))
            for c in comparison.regressions
            if c.current is not None
        )
    return AlertSummary(
        run_id=run_id,
        time=time,
        target=target,
        verdict=aggregate(c.verdict for c in current),
        regressions=regressions,
        missing_canaries=tuple(missing_canaries),
        sla_breaches=tuple(SlaBreach(o.id, o.caller, o.age_days) for o in overdue),
        previous_run_id=previous_run_id,
    )


# --- delivery -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlertResult:
    """How delivering the alert went. ``delivered`` is True after a 2xx answer; ``status`` is the
    last HTTP status (None when no answer came); ``error`` the last problem; ``log`` one line
    per attempt. ``endpoint`` is the webhook's scheme and host only (its path may hold a token)."""

    delivered: bool
    attempts: int
    status: int | None
    error: str | None
    elapsed_s: float
    endpoint: str
    log: tuple[str, ...] = ()


def _endpoint(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(invalid URL)"
    return f"{parts.scheme}://{parts.hostname or '?'}" + (f":{parts.port}" if parts.port else "")


def _retry_after(value: str | None) -> float | None:
    try:
        return None if value is None else max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


async def post_webhook(
    url: str,
    summary: AlertSummary,
    *,
    retries: int = 3,
    timeout: float = 5.0,
    backoff_s: float = 0.5,
    headers: Mapping[str, str] | None = None,
) -> AlertResult:
    """POST ``summary.to_json()`` to ``url``; at most ``1 + retries`` attempts, each bounded by
    ``timeout`` seconds, waiting ``backoff_s * 2**n`` (or the server's ``Retry-After``, at most
    :data:`MAX_BACKOFF_S`) in between.

    Retried: connection errors, timeouts, 5xx, 408, 425, 429. Not retried: other 4xx and
    redirects (the URL or the credentials are wrong; retrying cannot help). Never raises except
    for cancellation, which is passed on.
    """
    endpoint = _endpoint(url)
    body = json.dumps(summary.to_json(), ensure_ascii=False).encode("utf-8")
    send_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    started = time.monotonic()
    log: list[str] = []
    status: int | None = None
    error: str | None = None
    attempts = 0
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        for attempt in range(1 + max(0, retries)):
            attempts = attempt + 1
            wait: float | None = None
            try:
                async with session.post(url, data=body, headers=send_headers, allow_redirects=False) as resp:
                    status = resp.status
                    await resp.read()
                    if 200 <= status < 300:
                        log.append(f"attempt {attempts}: {status}")
                        return AlertResult(
                            True, attempts, status, None, time.monotonic() - started, endpoint, tuple(log)
                        )
                    error = f"{endpoint} answered {status}"
                    log.append(f"attempt {attempts}: {status}")
                    if status < 500 and status not in _RETRY_STATUSES:
                        break
                    wait = _retry_after(resp.headers.get("Retry-After"))
            except TimeoutError:
                status, error = None, f"{endpoint} did not answer within {timeout:g} s"
                log.append(f"attempt {attempts}: timeout")
            except (aiohttp.ClientError, OSError, ValueError) as exc:
                status, error = None, f"{endpoint}: {type(exc).__name__}: {exc}".replace(url, endpoint)
                log.append(f"attempt {attempts}: {type(exc).__name__}")
            if attempt < retries:
                delay = backoff_s * 2**attempt if wait is None else wait
                await asyncio.sleep(min(delay, MAX_BACKOFF_S))
    return AlertResult(False, attempts, status, error, time.monotonic() - started, endpoint, tuple(log))
