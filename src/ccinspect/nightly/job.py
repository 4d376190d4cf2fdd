"""The nightly job: run the nightly scenario, keep tonight's canary, prove old ones, compare, alert.

:func:`nightly` is the whole job, bounded by ``bound_s``. Its steps:

1. run the scenario with the run store (a PBX that does not answer: the attempt is stored as a
   run with status ``error`` and the job ends with exit 2);
2. pick tonight's canary among the run's recordings, fetch it again through the platform's own
   recording interface and store its identity (:mod:`ccinspect.store.canaries`);
3. prove every pending canary of the target at least ``retention_days`` old (by the injected
   clock ``now``): fetch, decode, look for its fingerprints, compare its SHA-256
   (:func:`ccinspect.core.canary.judge`);
4. compare with the previous complete nightly run of the same target (``RunStore.compare``);
5. optionally post an alert (webhook) and write Prometheus metrics.

Exit codes: 0 all good, 1 a FAIL, a regression or a missing/altered canary, 2 could not run.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import soundfile

from ccinspect.core import canary as canaries
from ccinspect.core.auditcheck import audit_check, audit_unavailable
from ccinspect.core.cdrfacts import seat_pattern_for
from ccinspect.core.compare import CheckChange
from ccinspect.core.scenario import Scenario, Target
from ccinspect.core.scenario.target import DemoApiComplaints, DirectoryAudit
from ccinspect.core.sla import sla_check
from ccinspect.core.verdict import CheckResult, Text, Verdict, aggregate
from ccinspect.media.analysis import analyse_recording
from ccinspect.media.fingerprint import fingerprint_for
from ccinspect.nightly import alerts, metrics
from ccinspect.platform.cdrcsv import ASTERISK_MASTER_CSV, CdrMappingError
from ccinspect.platform.complaints import gather_sla
from ccinspect.platform.errors import AdapterError
from ccinspect.platform.recordings import RecordingStore, StoredRecording, TimeWindow, file_name
from ccinspect.platform.recstore import audit_directory_store
from ccinspect.platform.stores import open_store
from ccinspect.runner.output import new_run_id
from ccinspect.runner.run import (
    EXIT_ERROR,
    EXIT_FAIL,
    EXIT_PASS,
    Progress,
    RunError,
    RunOutcome,
    run_inspection,
)
from ccinspect.store import RunRecorder, RunStatus, RunStore, StoreError
from ccinspect.store import canaries as canary_store

__all__ = ["NightlyOptions", "NightlyResult", "nightly"]

#: Default bound of the whole job (the nightly scenario takes well under a minute on the demo).
DEFAULT_BOUND_S = 1800.0


@dataclass(frozen=True)
class NightlyOptions:
    """What one nightly job needs besides the scenario, target and store."""

    out_root: Path
    now: float
    retention_days: float = 30.0
    reencodes: bool = False
    alert_webhook: str | None = None
    metrics_file: Path | None = None
    bound_s: float = DEFAULT_BOUND_S
    scenario_file: str = ""
    target_file: str = ""


@dataclass
class NightlyResult:
    """What the job did; ``lines`` are bilingual messages for the operator, in order."""

    exit_code: int
    run_id: str | None = None
    run: RunOutcome | None = None
    canary: canaries.Canary | None = None
    proofs: tuple[canaries.CanaryJudgement, ...] = ()
    previous_run_id: str | None = None
    changes: tuple[CheckChange, ...] = ()
    alert: alerts.AlertResult | None = None
    extra: tuple[CheckResult, ...] = ()
    """Production checks of the nightly job itself: recording-store audit, complaint SLA."""
    lines: list[Text] = field(default_factory=list)

    @property
    def regressions(self) -> tuple[CheckChange, ...]:
        """The changes for the worse since the previous nightly run."""
        return tuple(c for c in self.changes if c.regressed)


def _analyse(data: bytes, fingerprint_ids: tuple[int, ...]) -> tuple[float, tuple[tuple[int, bool], ...]]:
    audio, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=False)
    result = analyse_recording(audio, int(rate), [fingerprint_for(f) for f in fingerprint_ids])
    return result.duration_s, tuple((f, result.detections[f].found) for f in fingerprint_ids)


async def _observe(
    rec: StoredRecording | None, recs: RecordingStore, ids: tuple[int, ...]
) -> canaries.Observation:
    """Fetch and analyse one recording; ``rec`` None means the platform no longer lists it."""
    if rec is None:
        return canaries.Observation(listed=False)
    try:
        data = await recs.fetch(rec)
    except AdapterError as exc:
        return canaries.Observation(listed=True, error=exc.message)
    digest = hashlib.sha256(data).hexdigest()
    try:
        duration, found = await asyncio.to_thread(_analyse, data, ids)
    except (RuntimeError, ValueError, soundfile.LibsndfileError) as exc:
        return canaries.Observation(listed=True, sha256=digest, decode_error=str(exc))
    return canaries.Observation(listed=True, sha256=digest, duration_s=duration, found=found)


def _by_name(listing: list[StoredRecording]) -> dict[str, StoredRecording]:
    return {file_name(r): r for r in listing}


async def _keep_canary(
    store: RunStore, recs: RecordingStore, outcome: RunOutcome, target: Target, now: float
) -> tuple[canaries.Canary | None, Text]:
    facts = await asyncio.to_thread(store.get_recordings, outcome.run_id)
    chosen = canaries.choose(facts)
    if chosen is None or chosen.name is None:
        return None, Text(
            "no canary tonight: no answered call was recorded completely",
            "今晚无探测录音：没有完整录音的已接通话",
        )
    ids = tuple(fid for fid, _found in chosen.fingerprints)
    try:
        rec = _by_name(list(await recs.list())).get(chosen.name)
    except AdapterError as exc:
        return None, Text(f"no canary tonight: {exc.message}", f"今晚无探测录音：{exc.message_zh}")
    seen = await _observe(rec, recs, ids)
    if seen.error or seen.sha256 is None or seen.duration_s is None or not all(f for _i, f in seen.found):
        why = seen.error or seen.decode_error or "fetched again, it no longer holds every fingerprint"
        return None, Text(f"no canary tonight: {chosen.name}: {why}", f"今晚无探测录音：{chosen.name}：{why}")
    assert rec is not None
    data_size = rec.size if rec.size is not None else 0
    identity = canaries.CanaryIdentity(
        run_id=outcome.run_id,
        target=target.name,
        call_key=chosen.call_key,
        recording=chosen.name,
        duration_s=seen.duration_s,
        sha256=seen.sha256,
        size=data_size,
        fingerprints=ids,
        created_at=now,
    )
    kept = await asyncio.to_thread(canary_store.add_canary, store, identity)
    return kept, Text("tonight's ", "今晚的") + identity.label() + Text(
        f" kept (SHA-256 {seen.sha256[:12]}…)", f"已记录（SHA-256 {seen.sha256[:12]}…）"
    )


async def _prove(
    store: RunStore, recs: RecordingStore, target: Target, opts: NightlyOptions, skip_run: str | None
) -> tuple[canaries.CanaryJudgement, ...]:
    pending = await asyncio.to_thread(
        canary_store.list_canaries, store, target=target.name, statuses=[canaries.CanaryStatus.PENDING]
    )
    ready = [c for c in canaries.due(pending, opts.now, opts.retention_days) if c.identity.run_id != skip_run]
    if not ready:
        return ()
    try:
        # A search store is asked for the days the canaries were recorded on.
        made = [c.identity.created_at for c in ready]
        window = TimeWindow(min(made) - 86_400.0, max(made) + 3_600.0)
        listing: dict[str, StoredRecording] | None = _by_name(list(await recs.list(window)))
        list_error = None
    except AdapterError as exc:
        listing, list_error = None, exc.message
    out: list[canaries.CanaryJudgement] = []
    for c in ready:
        if listing is None:
            seen = canaries.Observation(listed=True, error=list_error)
        else:
            seen = await _observe(listing.get(c.identity.recording), recs, c.identity.fingerprints)
        verdict = canaries.judge(c, seen, retention_days=opts.retention_days, reencodes=opts.reencodes)
        await asyncio.to_thread(
            canary_store.mark_canary,
            store,
            c.id,
            verdict.outcome.status,
            checked_at=opts.now,
            detail=f"{verdict.outcome.value}: {verdict.message.en}",
        )
        out.append(verdict)
    return tuple(out)


def _previous_run(store: RunStore, target: Target, scenario: Scenario) -> str | None:
    for run in store.list_runs(limit=100, target=target.name):
        if run.scenario == scenario.name and run.status is RunStatus.COMPLETE:
            return run.run_id
    return None


def _record_attempt(store: RunStore, target: Target, scenario: Scenario, started: float, error: str) -> str:
    run_id = new_run_id(started)
    recorder = RunRecorder(store)
    recorder.start(run_id, target.name, scenario.name, None, started)
    recorder.finish(RunStatus.ERROR, error, time.time())
    return run_id


def _change_line(c: CheckChange) -> Text:
    before = c.before.value if c.before else "—"
    after = c.after.value if c.after else "—"
    kind = ("regression", "退化") if c.regressed else ("change", "变化")
    return Text(f"{kind[0]}: {c.check_id} {before} → {after}", f"{kind[1]}：{c.check_id} {before} → {after}")


def _exit_code(result: NightlyResult) -> int:
    run = result.run
    assert run is not None
    worst = {Verdict.PASS: EXIT_PASS, Verdict.SKIP: EXIT_PASS, Verdict.FAIL: EXIT_FAIL}.get(
        run.verdict, EXIT_ERROR
    )
    if run.status is not RunStatus.COMPLETE:
        worst = EXIT_ERROR
    proofs = canaries.overall(result.proofs)
    extra = aggregate(c.verdict for c in result.extra)
    if result.regressions or Verdict.FAIL in (proofs, extra, run.verdict):
        return EXIT_FAIL
    if Verdict.ERROR in (proofs, extra):
        return EXIT_ERROR
    return worst


def _answered(store: RunStore, run_id: str) -> tuple[int, int]:
    calls = store.get_calls(run_id)
    return len(calls), sum(1 for c in calls if any(leg.answered for leg in c.legs))


async def _report_out(
    store: RunStore,
    result: NightlyResult,
    target: Target,
    opts: NightlyOptions,
    results: tuple[CheckResult, ...],
) -> None:
    when = datetime.fromtimestamp(opts.now, UTC)
    failed = tuple(j.canary.identity.label().en for j in result.proofs if j.verdict is Verdict.FAIL)
    previous: list[tuple[str, Verdict]] | None = None
    if result.previous_run_id is not None:
        detail = await asyncio.to_thread(store.get_run, result.previous_run_id)
        previous = [(c.check_id, c.verdict) for c in detail.checks]
    summary = alerts.build_summary(
        run_id=result.run_id or "",
        time=when,
        target=target.name,
        current=results,
        previous=previous,
        previous_run_id=result.previous_run_id,
        missing_canaries=failed,
    )
    if opts.alert_webhook and (summary.alert or result.exit_code != EXIT_PASS):
        result.alert = await alerts.post_webhook(opts.alert_webhook, summary)
        if result.alert.delivered:
            result.lines.append(
                Text(f"alert sent to {result.alert.endpoint}", f"告警已发送至 {result.alert.endpoint}")
            )
        else:
            result.lines.append(
                Text(f"alert NOT delivered: {result.alert.error}", f"告警未送达：{result.alert.error}")
            )
    if opts.metrics_file is not None:
        placed = answered = None
        if result.run_id is not None and result.run is not None:
            placed, answered = await asyncio.to_thread(_answered, store, result.run_id)
        figures = metrics.NightlyMetrics(
            target=target.name,
            finished_at=opts.now,
            success=result.run is not None and result.run.status is RunStatus.COMPLETE,
            duration_s=result.run.seconds if result.run is not None else 0.0,
            checks=metrics.check_metrics(results),
            calls_placed=placed,
            calls_answered=answered,
            canaries_proven=sum(1 for j in result.proofs if j.verdict is Verdict.PASS),
            canaries_missing=len(failed),
        )
        try:
            await asyncio.to_thread(metrics.write_metrics, opts.metrics_file, figures)
        except metrics.MetricsWriteError as exc:
            result.lines.append(Text(exc.message, exc.message_zh))


def _audit(spec: DirectoryAudit, now: datetime, seats: re.Pattern[str]) -> CheckResult:
    """Audit the recording store against the CDR (blocking: run it in a thread)."""
    cdr_path, rec_dir = Path(spec.cdr).expanduser(), Path(spec.recordings).expanduser()
    csv = replace(ASTERISK_MASTER_CSV, timezone=spec.timezone)
    mapping = csv if spec.cdr_format == "asterisk-csv" else None
    pattern = re.compile(spec.seat_pattern) if spec.seat_pattern is not None else seats
    try:
        audited = audit_directory_store(
            cdr_path,
            rec_dir,
            now=now,
            days=spec.days,
            mapping=mapping,
            tz=ZoneInfo(spec.timezone),
            seat_pattern=pattern,
        )
    except (AdapterError, CdrMappingError, OSError) as exc:
        message = getattr(exc, "message", str(exc))
        return audit_unavailable(
            Text(f"recording-store audit failed: {message}", f"录音存储审计失败：{message}")
        )
    return audit_check(audited)


async def _production_checks(target: Target, opts: NightlyOptions) -> tuple[CheckResult, ...]:
    """The recording-store audit (R5) and the complaint reply deadline (R10), when configured."""
    checks: list[CheckResult] = []
    now = datetime.fromtimestamp(opts.now, UTC)
    spec = target.audit
    if spec is not None:
        seats = seat_pattern_for([n for s in target.seats for n in (s.id, s.username)])
        checks.append(await asyncio.to_thread(_audit, spec, now, seats))
    complaints = target.complaints
    if spec is not None and spec.complaint_sla and isinstance(complaints, DemoApiComplaints):
        base = str(complaints.url).rstrip("/").removesuffix("/api")
        facts = await gather_sla(base, now=now, tz="Asia/Shanghai")
        checks.append(sla_check(facts))
    return tuple(checks)


async def _job(
    scenario: Scenario, target: Target, store: RunStore, opts: NightlyOptions, progress: Progress | None
) -> NightlyResult:
    previous = await asyncio.to_thread(_previous_run, store, target, scenario)
    started = time.time()
    try:
        outcome = await run_inspection(
            scenario,
            target,
            out_root=opts.out_root,
            progress=progress,
            scenario_file=opts.scenario_file,
            target_file=opts.target_file,
            store=store,
        )
    except RunError as exc:
        run_id = await asyncio.to_thread(_record_attempt, store, target, scenario, started, exc.message)
        result = NightlyResult(EXIT_ERROR, run_id=run_id)
        result.lines.append(
            Text(f"could not run: {exc.message}", f"无法运行：{exc.message_zh}")
            + Text(
                f" (attempt stored as run {run_id}, status error)", f"（已记录为运行 {run_id}，状态 error）"
            )
        )
        await _report_out(store, result, target, opts, ())
        return result
    result = NightlyResult(EXIT_PASS, run_id=outcome.run_id, run=outcome, previous_run_id=previous)
    recs = open_store(target)
    if recs is None:
        result.lines.append(
            Text("no canaries: the target names no recording store", "无探测录音：目标未配置录音存储")
        )
    else:
        if outcome.status is RunStatus.COMPLETE:
            result.canary, line = await _keep_canary(store, recs, outcome, target, opts.now)
            result.lines.append(line)
        result.proofs = await _prove(store, recs, target, opts, outcome.run_id)
        result.lines.extend(j.message for j in result.proofs)
    extra = await _production_checks(target, opts)
    result.extra = extra
    for check in extra:
        result.lines.append(
            Text(f"{check.check_id}: {check.verdict.value}: ", f"{check.check_id}：{check.verdict.value}：")
            + check.reason
        )
    if previous is None:
        result.lines.append(
            Text("first nightly run of this target: nothing to compare", "该目标的首次夜间巡检：无可比较")
        )
    else:
        comparison = await asyncio.to_thread(store.compare, previous, outcome.run_id)
        result.changes = comparison.changed
        result.lines.append(
            Text(f"compared with run {previous}: ", f"与运行 {previous} 比较：")
            + (Text("no change", "无变化") if not comparison.changed else Text("", ""))
        )
        result.lines.extend(_change_line(c) for c in comparison.changed)
    result.exit_code = _exit_code(result)
    await _report_out(store, result, target, opts, outcome.results + extra)
    return result


async def nightly(
    scenario: Scenario,
    target: Target,
    store: RunStore,
    opts: NightlyOptions,
    *,
    progress: Progress | None = None,
    on_line: Callable[[Text], None] | None = None,
) -> NightlyResult:
    """Run the nightly job (see the module docstring); never runs longer than ``opts.bound_s``.

    Store failures end the job with exit 2 and a line saying why; cancellation is passed on.
    """
    try:
        async with asyncio.timeout(opts.bound_s):
            result = await _job(scenario, target, store, opts, progress)
    except TimeoutError:
        result = NightlyResult(EXIT_ERROR)
        result.lines.append(
            Text(
                f"the nightly job did not finish within {opts.bound_s:g} s",
                f"夜间巡检未在 {opts.bound_s:g} 秒内完成",
            )
        )
    except StoreError as exc:
        result = NightlyResult(EXIT_ERROR)
        result.lines.append(Text(exc.message, exc.message_zh))
    if on_line is not None:
        for line in result.lines:
            on_line(line)
    return result
