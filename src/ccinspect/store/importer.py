"""Loading an existing run directory into the run store (``ccinspect import RUN_DIR``).

Reads report.json (schema ``ccinspect.report/1``) and calls/*.json: a call written to calls/
but not yet into report.json (the run was killed between phases) is imported too. Every file of
the run directory that a bundle would hold is hashed as the run's evidence.

Idempotent: the run's earlier record, if any, is replaced in one transaction, keeping only the
bundle hash already recorded for it. A run another live process on this host is recording right
now is refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from ccinspect.bundle import run_files
from ccinspect.core.facts import CallFact
from ccinspect.core.verdict import Verdict
from ccinspect.store import decode, queries
from ccinspect.store.errors import RunDirInvalid, StoreError
from ccinspect.store.liveness import liveness
from ccinspect.store.models import RunRow
from ccinspect.store.results import Liveness, RunStatus, RunSummary
from ccinspect.store.writes import put_call, put_checks, put_evidence, put_recordings

if TYPE_CHECKING:
    from ccinspect.store.runstore import RunStore

REPORT_SCHEMA_PREFIX = "ccinspect.report/"
_HINT = "give a run directory written by `ccinspect run` (one that holds report.json), e.g. runs/latest"


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RunDirInvalid(
            f"{path.parent} is not a run directory: {path.name} is missing",
            f"{path.parent} 不是运行目录：缺少 {path.name}",
            hint=_HINT,
        ) from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise RunDirInvalid(
            f"cannot read {path}: {exc}",
            f"无法读取 {path}：{exc}",
            hint="the file is damaged or still being written; try again after the run has finished",
        ) from exc


def _invalid(path: Path, exc: decode.Malformed) -> RunDirInvalid:
    return RunDirInvalid(
        f"{path} is not a valid ccinspect report at {exc.path}: {exc.problem}",
        f"{path} 在 {exc.path} 处不符合 ccinspect 报告格式：{exc.problem}",
        hint="the file was edited or written by an incompatible version; re-run the inspection",
    )


def _name(report: Mapping[str, Any], key: str) -> str:
    value = report.get(key)
    if isinstance(value, Mapping):
        value = value.get("name")
    return value if isinstance(value, str) else ""


def _header(report: Any, path: Path) -> tuple[str, RunStatus, float]:
    if not isinstance(report, dict):
        raise RunDirInvalid(f"{path} does not hold a JSON object", f"{path} 不是 JSON 对象", hint=_HINT)
    schema = report.get("schema")
    if not isinstance(schema, str) or not schema.startswith(REPORT_SCHEMA_PREFIX):
        raise RunDirInvalid(
            f"{path} has schema {schema!r}, not {REPORT_SCHEMA_PREFIX}1",
            f"{path} 的格式为 {schema!r}，不是 ccinspect 报告",
            hint=_HINT,
        )
    try:
        run_id = decode.req_str(report, "run_id", "report")
        status = RunStatus(decode.req_str(report, "status", "report"))
        started = decode.req_num(report, "started_at", "report")
    except decode.Malformed as exc:
        raise _invalid(path, exc) from exc
    except ValueError as exc:
        raise RunDirInvalid(
            f"{path}: unknown run status {report.get('status')!r}",
            f"{path}：未知的运行状态 {report.get('status')!r}",
            hint=_HINT,
        ) from exc
    return run_id, status, started


def _calls(run_dir: Path, report: Mapping[str, Any]) -> list[CallFact]:
    facts = report.get("facts") or {}
    report_path = run_dir / "report.json"
    try:
        calls = [
            decode.call_fact(c, f"facts.calls[{i}]")
            for i, c in enumerate(decode.list_field(facts, "calls", "facts"))
        ]
    except decode.Malformed as exc:
        raise _invalid(report_path, exc) from exc
    known = {c.key for c in calls}
    extra: list[CallFact] = []
    calls_dir = run_dir / "calls"
    for file in sorted(calls_dir.glob("*.json")) if calls_dir.is_dir() else []:
        data = _read_json(file)
        try:
            fact = decode.call_fact(data.get("fact", data) if isinstance(data, dict) else data, "fact")
        except decode.Malformed as exc:
            raise _invalid(file, exc) from exc
        if fact.key not in known:
            extra.append(fact)
            known.add(fact.key)
    return calls + sorted(extra, key=lambda c: c.started_at)


def import_run_dir(store: RunStore, path: Path) -> RunSummary:
    """Load run directory ``path`` into ``store`` (see the module docstring) and summarise it.

    Raises :class:`~ccinspect.store.errors.RunDirInvalid` naming the file and key that is wrong,
    or :class:`~ccinspect.store.errors.StoreError`.
    """
    run_dir = Path(path).resolve()
    if not run_dir.is_dir():
        raise RunDirInvalid(f"{path} is not a directory", f"{path} 不是目录", hint=_HINT)
    report_path = run_dir / "report.json"
    report = _read_json(report_path)
    run_id, status, started_at = _header(report, report_path)
    facts = report.get("facts") or {}
    try:
        checks = [
            decode.check_result(c, f"checks[{i}]")
            for i, c in enumerate(decode.list_field(report, "checks", "report"))
        ]
        recordings = [
            decode.recording_fact(r, f"facts.recordings[{i}]")
            for i, r in enumerate(decode.list_field(facts, "recordings", "facts"))
        ]
        finished_at = decode.opt_num(report, "finished_at", "report")
        overall_text = decode.opt_str(report, "overall", "report")
        overall = Verdict(overall_text) if overall_text is not None else None
    except decode.Malformed as exc:
        raise _invalid(report_path, exc) from exc
    except ValueError as exc:
        raise RunDirInvalid(f"{report_path}: {exc}", f"{report_path}：{exc}", hint=_HINT) from exc
    calls = _calls(run_dir, report)
    try:
        files = run_files(run_dir)
    except OSError as exc:
        raise RunDirInvalid(
            f"cannot read a file of {run_dir}: {exc}",
            f"无法读取 {run_dir} 中的文件：{exc}",
            hint="check the permissions of the run directory",
        ) from exc
    last_seen = max([started_at, finished_at or 0.0, *(c.ended_at or c.started_at for c in calls)])

    with store.db.writing("import a run", "导入运行") as session:
        old = session.scalar(select(RunRow).where(RunRow.run_id == run_id))
        bundle = (old.bundle_sha256, old.bundle_path) if old is not None else (None, None)
        if (
            old is not None
            and old.status is RunStatus.RUNNING
            and (liveness(old.recorder_host, old.recorder_pid, old.recorder_started) is Liveness.ALIVE)
        ):
            raise StoreError(
                f"run {run_id} is being recorded right now by pid {old.recorder_pid}; "
                "it cannot be imported over it",
                f"运行 {run_id} 正在由进程 {old.recorder_pid} 记录，不能导入覆盖",
                hint="wait until that run has finished; it is then already in the store",
            )
        session.execute(delete(RunRow).where(RunRow.run_id == run_id))
        row = RunRow(
            run_id=run_id,
            status=status,
            started_at=started_at,
            finished_at=finished_at,
            updated_at=last_seen,
            target=_name(report, "target"),
            scenario=_name(report, "scenario"),
            overall=overall,
            ccinspect_version=str(report.get("ccinspect_version") or ""),
            run_dir=str(run_dir),
            bundle_sha256=bundle[0],
            bundle_path=bundle[1],
            error=decode.opt_str(report, "error", "report"),
            recorder_host=None,
            recorder_pid=None,
            recorder_started=None,
        )
        session.add(row)
        session.flush()
        for fact in calls:
            put_call(session, row, fact)
        put_recordings(session, row, recordings)
        put_checks(session, row, checks)
        put_evidence(session, row, files)
        session.flush()
        failed = sum(1 for c in checks if c.verdict is Verdict.FAIL)
        return queries.summary(row, len(calls), failed)
