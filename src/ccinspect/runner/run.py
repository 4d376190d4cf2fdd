"""Driving one inspection rehearsal: scenario + target in, facts, verdicts and a run directory out.

Order of work (every step bounded by the scenario's timeouts):
preflight (the PBX answers SIP) → seats register concurrently → the complaint call starts (it
only needs the trunk side) → inbound calls, one per seat at once → outbound calls → forged
caller IDs → do-not-call → screening cases in batches → recordings, retention, access control and
the ticket are read from the platform → the operator answers what only a person can see
(``runner.manual``) → the checks judge the facts.

Evidence is written as it is produced; Ctrl-C (cancellation) hangs up every call, unregisters the
seats and still writes report.json, marked interrupted.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ccinspect import __version__
from ccinspect.core.catalog import overall, run_checks
from ccinspect.core.checks.base import CheckContext
from ccinspect.core.facts import (
    CallFact,
    CallPurpose,
    MessageDirection,
    RecordingSource,
    SipMessageFact,
    is_trunk_side,
)
from ccinspect.core.rundoc import MediaRef, PbxInfo, RunDocument, RunStatus, ScenarioInfo, TargetInfo
from ccinspect.core.scenario import PlannedCall, Scenario, Target, build_context, plan_calls
from ccinspect.core.verdict import CheckResult, Text
from ccinspect.errors import CcinspectError
from ccinspect.platform import cdrsource, recfacts, stores
from ccinspect.platform.errors import AdapterError
from ccinspect.platform.sipprobe import HostPort, sip_options_probe
from ccinspect.platform.tickets import existing_ticket_ids, ticket_facts
from ccinspect.platform.web.session import ConsoleSession
from ccinspect.runner import manual, webconsole
from ccinspect.runner.answering import answer_bound, call_batches, designation
from ccinspect.runner.calls import CallSpec, not_placed, run_batch
from ccinspect.runner.outcome import EXIT_ERROR, EXIT_FAIL, EXIT_PASS, Gathered, RunOutcome, exit_code_for
from ccinspect.runner.output import RunDir, new_run_id
from ccinspect.runner.progress import Progress, QuietProgress
from ccinspect.runner.setup import caller_id, register_seats, trunk_side
from ccinspect.sip import Agent, CallerId, CallRecord, Engine, EngineConfig, Seat, SipError
from ccinspect.store import RunRecorder, RunStore

__all__ = [
    "EXIT_ERROR",
    "EXIT_FAIL",
    "EXIT_PASS",
    "Inspection",
    "Progress",
    "QuietProgress",
    "RunError",
    "RunOutcome",
    "exit_code_for",
    "run_inspection",
]

#: Time allowed for the complaint line's spoken prompt before the caller's message counts
#: (the caller speaks ``complaint.message_s`` after it, then presses # to end the message).
COMPLAINT_PROMPT_S = 4.0


class RunError(CcinspectError):
    """The run could not be carried out (PBX unreachable, engine failure): exit 2."""

    def __init__(self, message: str, message_zh: str, *, hint: str = "") -> None:
        super().__init__(message, message_zh, hint=hint)


class Inspection:
    """One run of a scenario against a target."""

    def __init__(
        self,
        scenario: Scenario,
        target: Target,
        *,
        out_root: Path,
        progress: Progress | None = None,
        scenario_file: str = "",
        target_file: str = "",
        store: RunStore | None = None,
        asker: manual.Asker | None = None,
    ) -> None:
        self.scenario = scenario
        self.asker: manual.Asker = asker or manual.NoAsker()
        self.target = target
        self.ctx: CheckContext = build_context(scenario, target)
        self.plan: tuple[PlannedCall, ...] = plan_calls(scenario, target)
        self.out_root = out_root
        self.progress = progress or QuietProgress()
        self.scenario_file = scenario_file
        self.target_file = target_file
        self.gathered = Gathered()
        self.started_at = time.time()
        self.run_dir: RunDir | None = None
        self.server_header: str | None = None
        self._tickets_before: set[str] | None = None
        self.console: ConsoleSession | None = None
        self.media: dict[str, tuple[MediaRef, ...]] = {}
        self.recorder: RunRecorder | None = None
        if store is not None:
            self.recorder = RunRecorder(
                store, on_error=lambda e: self.progress.note(f"run store: {e.message}")
            )

    # -- report ---------------------------------------------------------------------------------
    def _document(
        self, run_dir: RunDir, status: RunStatus, results: Sequence[CheckResult], error: str | None
    ) -> RunDocument:
        title = self.scenario.title
        return RunDocument(
            ccinspect_version=__version__,
            run_id=run_dir.run_id,
            status=status,
            started_at=self.started_at,
            finished_at=time.time() if status is not RunStatus.RUNNING else None,
            error=error,
            target=TargetInfo(
                self.target.name, self.target.description, str(self.target.sip.registrar), self.target_file
            ),
            scenario=ScenarioInfo(self.scenario.name, Text(title.en, title.zh), self.scenario_file),
            pbx=PbxInfo(self.server_header),
            overall=overall(results) if results else None,
            checks=tuple(results),
            facts=self.gathered.facts(),
            media=dict(self.media),
        )

    def _save(self, status: RunStatus, results: Sequence[CheckResult] = (), error: str | None = None) -> None:
        if self.run_dir is not None:
            self.run_dir.write_report(self._document(self.run_dir, status, results, error))

    # -- the run --------------------------------------------------------------------------------
    async def run(self) -> RunOutcome:
        """Carry out the run; never raises for platform findings, raises RunError only before evidence."""
        timeouts = self.scenario.timeouts
        registrar = HostPort.parse(str(self.target.sip.registrar), default_port=5060)
        self.progress.phase("preflight", f"SIP OPTIONS to {registrar}")
        answer = None
        for _ in range(3):
            answer = await asyncio.to_thread(sip_options_probe, registrar, timeout=1.0)
            if answer is not None:
                break
        if answer is None:
            raise RunError(
                f"the PBX at {registrar} does not answer SIP (OPTIONS got no response within 3 s)",
                f"{registrar} 上的 PBX 未响应 SIP（OPTIONS 3 秒内无应答）",
                hint="start it (`ccinspect demo up` for the demo) or fix sip.registrar in the target file",
            )
        self.run_dir = RunDir(self.out_root, new_run_id(self.started_at))
        self.run_dir.point_latest()
        self._save(RunStatus.RUNNING)
        if self.recorder is not None:
            await asyncio.to_thread(
                self.recorder.start,
                self.run_dir.run_id,
                self.target.name,
                self.scenario.name,
                self.run_dir.path,
                self.started_at,
            )
        status: RunStatus = RunStatus.COMPLETE
        error: str | None = None
        try:
            try:
                await self._run_phases(timeouts)
            except (SipError, RunError) as exc:
                status, error = RunStatus.ERROR, getattr(exc, "message", str(exc))
            results = run_checks(self.gathered.facts(), self.ctx, self.scenario.selected_checks())
            verdict = overall(results)
            code = exit_code_for(verdict) if status is RunStatus.COMPLETE else EXIT_ERROR
            self._save(status, results, error)
            if self.recorder is not None:
                recorder = self.recorder
                await asyncio.to_thread(recorder.checks, results, verdict)
                await asyncio.to_thread(recorder.finish, status, error)
        except asyncio.CancelledError:
            # Stopped (Ctrl-C, SIGTERM, a caller's cancel) at any step, even while the verdicts
            # were being written: everything gathered so far is kept, marked interrupted.
            self._save(RunStatus.INTERRUPTED)
            if self.recorder is not None:
                self.recorder.finish(RunStatus.INTERRUPTED)
            raise
        return RunOutcome(
            self.run_dir.run_id,
            self.run_dir.path,
            status,
            verdict,
            results,
            code,
            error,
            time.time() - self.started_at,
        )

    async def _run_phases(self, timeouts: Any) -> None:
        assert self.run_dir is not None
        shots = self.gathered.screenshots
        self.console = webconsole.open_console(self.target, self.run_dir.path, shots, self.progress)
        try:
            await self._phases(timeouts)
        finally:
            if self.console is not None:
                await self.console.close()

    async def _phases(self, timeouts: Any) -> None:
        assert self.run_dir is not None
        store = stores.open_store(self.target, timeout=timeouts.recording_fetch, console=self.console)
        before: set[str] = set()
        store_error: str | None = None
        if store is not None:
            try:
                before = await recfacts.snapshot(store, since=self.started_at)
            except AdapterError as exc:
                store_error = exc.message
        config = EngineConfig(
            evidence_dir=self.run_dir.evidence,
            log_dir=self.run_dir.evidence,
            run_id=self.run_dir.run_id,
            stimulus_seconds=max(20.0, timeouts.hold * 3),
        )
        async with Engine(config) as engine:
            trunk = await trunk_side(engine, self.target, self.progress)
            seats = await register_seats(
                engine,
                self.target,
                self.ctx,
                self.gathered.registrations,
                timeout_s=timeouts.register,
                progress=self.progress,
            )
            self._save(RunStatus.RUNNING)
            if (briefing := manual.briefing(self.target)) is not None:
                self.progress.note(briefing)
            # The complaint call runs beside the other phases; once they are over it gets at most
            # its own bound more. Stopped, failed or out of time, it is cancelled (so hung up)
            # and waited for before the engine stops. Not a TaskGroup: that would wrap a
            # SipError of the phases in an ExceptionGroup, and the run must record it as an error.
            complaint = asyncio.create_task(self._complaint(engine, trunk))
            try:
                await self._call_phases(engine, seats, trunk)
                try:
                    async with asyncio.timeout(timeouts.complaint):
                        await complaint  # a timeout cancels it: the call is hung up
                except TimeoutError:
                    self.progress.note(
                        f"the complaint call did not end within {timeouts.complaint:g} s: hung up "
                        f"/ 投诉呼叫未在 {timeouts.complaint:g} 秒内结束，已挂断"
                    )
            finally:
                complaint.cancel()
                # asyncio.wait neither raises the complaint's outcome nor swallows a cancellation
                # of this task (a second Ctrl-C still propagates).
                await asyncio.wait([complaint])
        await self._platform_side(store, before, store_error)

    def _spec(
        self, planned: PlannedCall, origin: Agent, caller_id: CallerId | None, **extra: Any
    ) -> CallSpec:
        t = self.scenario.timeouts
        return CallSpec(
            planned=planned,
            origin=origin,
            caller_id=caller_id,
            hold_s=t.hold,
            answer_timeout_s=t.call_setup + t.answer,
            **extra,
        )

    async def _batch(
        self, engine: Engine, specs: list[CallSpec], callees: Sequence[Agent], link_by: str
    ) -> None:
        if not specs:
            return
        run_dir = self.run_dir
        assert run_dir is not None

        async def on_call(fact: CallFact, media: Sequence[MediaRef]) -> None:
            self.media[fact.key] = tuple(
                MediaRef(m.agent, m.role, run_dir.relative(m.heard), m.stimulus) for m in media
            )
            run_dir.write_call(fact.key, {"fact": fact, "media": self.media[fact.key]})
            if self.recorder is not None:
                await asyncio.to_thread(self.recorder.call, fact)
            self.gathered.calls.append(fact)
            self.progress.call(fact)

        _facts, unclaimed = await run_batch(
            specs,
            callee_agents=callees,
            next_stimulus=engine.next_stimulus_id,
            link_by=link_by,
            on_call=on_call,
        )
        for record in unclaimed:
            self._stray(record)
        self._save(RunStatus.RUNNING)

    def _stray(self, record: CallRecord) -> None:
        """Keep an INVITE that reached the carrier side but belongs to none of our calls."""
        if record.invite is not None and is_trunk_side(record.agent):
            at = record.timeline[0].at.wall if record.timeline else time.time()
            self.gathered.stray.append(
                SipMessageFact(at, MessageDirection.RECEIVED, record.agent, record.invite)
            )

    async def _call_phases(self, engine: Engine, seats: dict[str, Seat], trunk_side: Agent) -> None:
        host = str(self.target.sip.registrar).rsplit(":", 1)[0]
        seat_list = list(seats.values())
        by_id = seats
        # Each call through the PBX takes two of our legs; one more is the complaint call.
        room = max(1, (engine.capacity - 1) // 2)
        size = max(1, min(len(seat_list), room))
        if room < len(seat_list):
            self.progress.note(
                f"this pjsua2 build holds {engine.capacity} call legs: calls go {size} at a time "
                f"(build pjsua2 with scripts/build-pjsua2.sh for full concurrency)"
            )

        def seat_for(planned: PlannedCall) -> Seat | None:
            return by_id.get(planned.seat or "")

        ring = self.target.sip.ring_timeout_s
        decline = self.scenario.inbound.decline if self.scenario.inbound is not None else None

        for purpose, label, link_by in (
            (CallPurpose.INBOUND, "inbound calls / 呼入", "from"),
            (CallPurpose.OUTBOUND, "outbound calls / 外呼", "ruri"),
            (CallPurpose.FORGED_CALLER_ID, "forged caller IDs / 伪造主叫", "ruri"),
            (CallPurpose.DNC, "do-not-call / 拒接名单", "ruri"),
            (CallPurpose.SCREENING, "caller screening / 主叫号码甄别", "from"),
        ):
            for batch in call_batches(self.plan, purpose, size):
                self.progress.phase(label, ", ".join(c.key for c in batch))
                specs: list[CallSpec] = []
                for planned in batch:
                    if planned.seat is None:
                        spec = self._spec(planned, trunk_side, caller_id(planned.caller, host))
                        wait = answer_bound(
                            spec.answer_timeout_s, planned, ring_timeout_s=ring, seats=len(by_id)
                        )
                        specs.append(replace(spec, answer_timeout_s=wait))
                        continue
                    seat = seat_for(planned)
                    if seat is None:
                        fact = not_placed(planned, f"seat {planned.seat} is not registered / 坐席未注册")
                        self.gathered.calls.append(fact)
                        self.progress.call(fact)
                        if self.recorder is not None:
                            await asyncio.to_thread(self.recorder.call, fact)
                        continue
                    specs.append(self._spec(planned, seat, caller_id(planned.caller, host)))
                callees: Sequence[Agent] = seat_list if link_by == "from" else [trunk_side]
                with designation(by_id, batch, decline=decline):
                    await self._batch(engine, specs, callees, link_by)

    async def _complaint(self, engine: Engine, trunk_side: Agent) -> None:
        planned = next((c for c in self.plan if c.purpose is CallPurpose.COMPLAINT), None)
        if planned is None:
            return
        try:
            await self._complaint_call(engine, trunk_side, planned)
        except (SipError, AdapterError, OSError, ValueError) as exc:
            # The complaint call runs beside the other phases: its failure must become a fact
            # (ERROR for complaint.flow), never vanish with an unawaited task.
            cause = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            fact = not_placed(planned, f"the complaint call failed: {cause}")
            self.gathered.calls.append(fact)
            self.progress.call(fact)

    async def _complaint_call(self, engine: Engine, trunk_side: Agent, planned: PlannedCall) -> None:
        self._tickets_before = await existing_ticket_ids(
            self.target,
            caller=planned.caller or "",
            since=time.time() - self.ctx.complaint_time_tolerance_s,
            console=self.console,
        )
        host = str(self.target.sip.registrar).rsplit(":", 1)[0]
        message_s = self.scenario.complaint.message_s
        spec = CallSpec(
            planned=planned,
            origin=trunk_side,
            caller_id=caller_id(planned.caller, host),
            hold_s=4.0,
            answer_timeout_s=self.scenario.timeouts.call_setup + self.scenario.timeouts.answer,
            dtmf="#",
            dtmf_after_s=message_s + COMPLAINT_PROMPT_S,
        )
        await self._batch(engine, [spec], [], "from")

    async def _platform_side(self, store: Any, before: set[str], store_error: str | None) -> None:
        t = self.scenario.timeouts
        complaint = next((c for c in self.gathered.calls if c.purpose is CallPurpose.COMPLAINT), None)
        self.progress.phase(
            "platform", "recordings, retention, access control, tickets / 录音、保存、访问控制、工单"
        )

        async def recordings() -> None:
            if store is None:
                return
            if store_error is not None:
                self.gathered.recordings = recfacts.unreadable(store, self.gathered.calls, store_error)
                return
            self.gathered.recordings = await recfacts.gather_recordings(
                store,
                before,
                self.gathered.calls,
                exclude=set(self.ctx.recording_exclude),
                bound_s=t.recording_fetch,
                save_dir=self.run_dir.recordings if self.run_dir else Path("."),
                since=self.started_at,
                stereo=self.ctx.recording_stereo,
            )

        async def retention() -> None:
            if store is None:
                return
            spec = self.target.recordings
            self.gathered.retention = await recfacts.retention_fact(
                store, days=self.ctx.retention_days, policy_days=getattr(spec, "retention_days", None)
            )
            through_interface = stores.source_of(store) is not RecordingSource.DIRECTORY
            accounts = self.scenario.recording.accounts()
            self.gathered.access = [await recfacts.access_fact(store, accounts)] if through_interface else []

        async def tickets() -> None:
            self.gathered.tickets, self.gathered.backlog = await ticket_facts(
                self.target,
                complaint,
                bound_s=t.complaint,
                tolerance_s=self.ctx.complaint_time_tolerance_s,
                known_before=self._tickets_before,
                console=self.console,
                store=store,
            )

        async def cdrs() -> None:
            seat_names = {s.id: (s.username,) for s in self.target.seats}
            calls = self.gathered.calls
            self.gathered.cdrs = await cdrsource.gather_cdrs(self.target.cdr, calls, seat_names=seat_names)

        async def web() -> None:
            calls = self.gathered.calls
            self.gathered.web_readings = await webconsole.screening_readings(self.console, self.target, calls)

        # The inspector's own sequence first (search the call, play it), so the function
        # screenshots start login → search → playback.
        await webconsole.demonstration(self.console, self.target, self.gathered.calls, self.progress)
        await asyncio.gather(recordings(), retention(), tickets(), cdrs(), web())
        answers, by_hand = await manual.ask_operator(
            self.asker,
            self.target,
            self.gathered.calls,
            bound_s=t.manual,
            run_dir=self.run_dir.path if self.run_dir else Path("."),
            progress=self.progress,
        )
        self.gathered.answers.extend(answers)
        self.gathered.tickets.extend(by_hand)
        self._save(RunStatus.RUNNING)
        if self.recorder is not None:
            await asyncio.to_thread(self.recorder.recordings, self.gathered.recordings)


async def run_inspection(
    scenario: Scenario,
    target: Target,
    *,
    out_root: Path,
    progress: Progress | None = None,
    scenario_file: str = "",
    target_file: str = "",
    on_start: Callable[[Inspection], None] | None = None,
    store: RunStore | None = None,
    asker: manual.Asker | None = None,
) -> RunOutcome:
    """Run ``scenario`` against ``target``; see :class:`Inspection` (``asker``: who answers
    the questions left to the operator; none given: they go unanswered)."""
    inspection = Inspection(
        scenario,
        target,
        out_root=out_root,
        progress=progress,
        scenario_file=scenario_file,
        target_file=target_file,
        store=store,
        asker=asker,
    )
    if on_start is not None:
        on_start(inspection)
    return await inspection.run()
