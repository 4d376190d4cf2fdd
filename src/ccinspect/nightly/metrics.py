"""Prometheus metrics of a nightly run, for node-exporter's textfile collector.

:func:`build_registry` is a pure builder: :class:`NightlyMetrics` (plain data) in, a private
:class:`~prometheus_client.CollectorRegistry` out. :func:`write_metrics` writes it with
:func:`~prometheus_client.write_to_textfile`, which writes a temporary file next to the target
and renames it over the target, so the collector never reads half a file. Point it at
``<collector dir>/ccinspect_<target>.prom``.

Every metric is a gauge labelled ``target``. Values that were not measured are left out (a
missing series, not a misleading zero). Metrics (prefix ``ccinspect_nightly_``):

==========================================  ===============================================
``check_verdict{check,requirement}``        0 skip, 1 pass, 2 error, 3 fail (the verdict's
                                            rank: alert on ``>= 2``)
``run_duration_seconds``                    wall time of the run
``last_run_timestamp_seconds``              when it finished (Unix time)
``last_run_success``                        1 when the run was carried out to the end
``calls_placed`` / ``calls_answered``       test calls of the run
``recordings_audited`` / ``_ok`` /          answered calls in the audit window judged, fine,
``_unchecked``                              and unreadable by ccinspect
``recording_gaps{reason}``                  gaps by reason, every reason present (0 included)
``canaries_proven`` / ``canaries_missing``  test calls found / not found on the platform
``complaints_overdue``                      complaints unanswered past the deadline
``complaints_year{year}``                   complaints created this year
``complaint_reply_ratio{year}``             share replied within the deadline (0..1)
==========================================  ===============================================
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge, generate_latest, write_to_textfile

from ccinspect.core.audit import AuditTotals, GapReason
from ccinspect.core.sla import YearlyStats
from ccinspect.core.verdict import CheckResult, Verdict
from ccinspect.errors import CcinspectError

__all__ = [
    "PREFIX",
    "CheckMetric",
    "MetricsWriteError",
    "NightlyMetrics",
    "build_registry",
    "check_metrics",
    "render",
    "write_metrics",
]

PREFIX = "ccinspect_nightly_"


class MetricsWriteError(CcinspectError):
    """The metrics file could not be written: names the file and the cause."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message, message_zh)


@dataclass(frozen=True, slots=True)
class CheckMetric:
    """One check's verdict; ``requirements`` become one comma-joined label (``R5,R6``)."""

    check_id: str
    requirements: tuple[str, ...]
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class NightlyMetrics:
    """Everything the metrics show about one run; None means "not measured this run"."""

    target: str
    finished_at: float
    success: bool
    duration_s: float
    checks: tuple[CheckMetric, ...] = ()
    calls_placed: int | None = None
    calls_answered: int | None = None
    audit: AuditTotals | None = None
    canaries_proven: int | None = None
    canaries_missing: int | None = None
    complaints_overdue: int | None = None
    complaints: YearlyStats | None = None


def check_metrics(results: tuple[CheckResult, ...] | list[CheckResult]) -> tuple[CheckMetric, ...]:
    """:class:`CheckMetric` values from check results."""
    return tuple(CheckMetric(r.check_id, r.requirements, r.verdict) for r in results)


def _gauge(registry: CollectorRegistry, name: str, doc: str, *labels: str) -> Gauge:
    return Gauge(PREFIX + name, doc, ["target", *labels], registry=registry)


def _single(registry: CollectorRegistry, target: str, name: str, doc: str, value: float | None) -> None:
    if value is not None:
        _gauge(registry, name, doc).labels(target).set(value)


def build_registry(m: NightlyMetrics) -> CollectorRegistry:
    """A private registry holding the run's metrics (see the module docstring)."""
    registry = CollectorRegistry(auto_describe=True)
    t = m.target
    verdict = _gauge(
        registry, "check_verdict", "Verdict rank: 0 skip, 1 pass, 2 error, 3 fail.", "check", "requirement"
    )
    for check in m.checks:
        verdict.labels(t, check.check_id, ",".join(check.requirements)).set(check.verdict.rank)
    _single(registry, t, "run_duration_seconds", "Wall time of the nightly run.", m.duration_s)
    _single(
        registry, t, "last_run_timestamp_seconds", "When the nightly run finished (Unix time).", m.finished_at
    )
    _single(
        registry,
        t,
        "last_run_success",
        "1 when the nightly run was carried out to the end.",
        float(m.success),
    )
    _single(registry, t, "calls_placed", "Test calls placed.", m.calls_placed)
    _single(registry, t, "calls_answered", "Test calls answered.", m.calls_answered)
    if m.audit is not None:
        _single(
            registry, t, "recordings_audited", "Answered calls in the audit window judged.", m.audit.audited
        )
        _single(registry, t, "recordings_ok", "Answered calls with a complete recording.", m.audit.ok)
        _single(
            registry, t, "recordings_unchecked", "Recordings ccinspect could not read.", m.audit.unchecked
        )
        gaps = _gauge(
            registry, "recording_gaps", "Answered calls without a usable recording, by reason.", "reason"
        )
        for reason in GapReason:
            gaps.labels(t, reason.value).set(m.audit.count(reason))
    _single(
        registry,
        t,
        "canaries_proven",
        "Test calls found on the platform (CDR, recording).",
        m.canaries_proven,
    )
    _single(registry, t, "canaries_missing", "Test calls the platform left no trace of.", m.canaries_missing)
    _single(
        registry,
        t,
        "complaints_overdue",
        "Complaints without a reply past the deadline.",
        m.complaints_overdue,
    )
    if m.complaints is not None:
        year = str(m.complaints.year)
        _gauge(registry, "complaints_year", "Complaints created this year.", "year").labels(t, year).set(
            m.complaints.complaints
        )
        if m.complaints.reply_rate is not None:
            _gauge(
                registry, "complaint_reply_ratio", "Share of this year's complaints replied in time.", "year"
            ).labels(t, year).set(m.complaints.reply_rate)
    return registry


def render(m: NightlyMetrics) -> str:
    """The metrics in Prometheus text format (what :func:`write_metrics` writes)."""
    return generate_latest(build_registry(m)).decode("utf-8")


def write_metrics(path: Path, m: NightlyMetrics) -> None:
    """Write the metrics to ``path`` atomically (temporary file, then rename).

    Raises :class:`MetricsWriteError` naming the file when the directory is missing or not
    writable.
    """
    try:
        write_to_textfile(str(path), build_registry(m))
    except OSError as exc:
        raise MetricsWriteError(
            f"cannot write metrics to {path}: {exc.strerror or exc}",
            f"无法写入指标文件 {path}：{exc.strerror or exc}",
        ) from exc
