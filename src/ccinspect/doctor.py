"""``ccinspect doctor``: is this machine ready for ``make demo``, and if not, what to do next.

It reports, in English and Chinese: the Python and ccinspect versions; which pjsua2 is
installed (ccinspect's own build, ``pjsua2.__ccinspect_build__``, or the PyPI wheel) and its
call capacity *measured*: an engine is started, its ``capacity`` read, and then that many call
legs (at most :data:`PROOF_LEGS`) are really opened as peer-to-peer loopback calls on ephemeral
ports, and the figure proven and the time it took are reported; the Debian tools ccinspect uses;
the demo root filesystem cache; whether the demo PBX is running (read-only:
``RootfsBackend().status()``). The last line is a verdict with the next step for anything
missing. Exit status 0 when everything ``make demo`` needs is present, 2 otherwise.

Facts are gathered by small probe functions (the I/O) into a :class:`DoctorReport`; the verdict
and both renderings are pure functions of it. :func:`doctor` is the coroutine;
:func:`ccinspect.cli.doctor.run_doctor` runs it from the command line through the CLI's one
event-loop entry, :func:`ccinspect.cli.aio.run`.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import platform
import shutil
import sys
import tempfile
import time
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ccinspect import __version__

EXIT_READY = 0
EXIT_NOT_READY = 2

PROOF_LEGS = 64
"""At most this many call legs (half as many loopback calls) are opened to prove the capacity."""
PROOF_TIMEOUT = 60.0
"""Bound of the whole capacity proof (start, calls, hang-up, stop), seconds."""
MIN_LEGS = 4
"""Fewest call legs ``make demo`` can run with (the PyPI wheel's limit)."""
TOOLS: dict[str, tuple[tuple[str, ...], str, bool]] = {
    # name: (executables, Debian package, needed by `make demo` itself)
    "debootstrap": (("debootstrap",), "debootstrap", True),
    "chromium": (("chromium", "chromium-browser"), "chromium", False),
    "pdftoppm": (("pdftoppm",), "poppler-utils", False),
    "sox": (("sox",), "sox", False),
}


@dataclass(frozen=True)
class Pjsua2Facts:
    """The installed pjsua2, or why it cannot be used."""

    importable: bool
    version: str = ""
    distribution: str = ""
    ours: bool = False
    build: str | None = None
    compiled_max_calls: int = 0
    error: str = ""


@dataclass(frozen=True)
class CapacityFacts:
    """The engine's reported capacity and what was proven by opening real loopback calls."""

    reported_legs: int
    proven_legs: int
    attempted_legs: int
    seconds: float
    error: str = ""

    @property
    def proven(self) -> bool:
        """Every attempted leg reached CONFIRMED."""
        return not self.error and self.attempted_legs > 0 and self.proven_legs == self.attempted_legs


@dataclass(frozen=True)
class ToolFacts:
    """A Debian tool: where it is, if anywhere."""

    name: str
    package: str
    path: str | None
    needed_for_demo: bool


@dataclass(frozen=True)
class DemoFacts:
    """The demo PBX's root filesystem cache and whether the PBX runs (read-only look)."""

    rootfs_ready: bool
    rootfs_path: str
    pbx_running: bool
    pbx_healthy: bool
    pbx_problems: tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class DoctorReport:
    """Everything the doctor found."""

    python: str
    ccinspect: str
    pjsua2: Pjsua2Facts
    capacity: CapacityFacts | None
    tools: tuple[ToolFacts, ...]
    demo: DemoFacts
    seconds: float = 0.0


@dataclass(frozen=True)
class Verdict:
    """Ready or not, and what to do next, in both languages."""

    ready: bool
    todo_en: tuple[str, ...] = field(default_factory=tuple)
    todo_zh: tuple[str, ...] = field(default_factory=tuple)
    notes_en: tuple[str, ...] = field(default_factory=tuple)
    notes_zh: tuple[str, ...] = field(default_factory=tuple)

    @property
    def exit_code(self) -> int:
        """0 when ready for ``make demo``, 2 otherwise."""
        return EXIT_READY if self.ready else EXIT_NOT_READY

    def line(self) -> str:
        """One bilingual verdict line."""
        if self.ready:
            en = "READY for make demo"
            zh = "可以运行 make demo"
            if self.notes_en:
                en += " (" + "; ".join(self.notes_en) + ")"
                zh += "（" + "；".join(self.notes_zh) + "）"
            return f"verdict: {en} / 结论：{zh}"
        return f"verdict: NOT READY: {'; '.join(self.todo_en)} / 结论：未就绪：{'；'.join(self.todo_zh)}"


# -- probes (I/O) ---------------------------------------------------------------------------


def probe_pjsua2() -> Pjsua2Facts:
    """Describe the installed pjsua2 without starting it."""
    try:
        from ccinspect.sip import pjsua2_build

        build = pjsua2_build()
    except ImportError as exc:
        return Pjsua2Facts(importable=False, error=str(exc))
    return Pjsua2Facts(
        importable=True,
        version=build.version,
        distribution=build.distribution,
        ours=build.ours,
        build=build.ccinspect_build,
        compiled_max_calls=build.compiled_max_calls,
    )


async def probe_capacity(limit_legs: int = PROOF_LEGS, timeout: float = PROOF_TIMEOUT) -> CapacityFacts:
    """Start an engine, read its capacity, and open min(capacity, ``limit_legs``) legs as
    silent peer-to-peer loopback calls on ephemeral 127.0.0.1 ports; count the legs that
    reach CONFIRMED. Nothing leaves the loopback interface."""
    from ccinspect.sip import (
        AnswerMode,
        AnswerPolicy,
        CallHandle,
        Engine,
        EngineConfig,
        SeatConfig,
        SipError,
        TrunkConfig,
    )

    started = time.monotonic()
    reported = attempted = proven = 0
    error = ""
    with tempfile.TemporaryDirectory(prefix="ccinspect-doctor-") as tmp:
        try:
            async with asyncio.timeout(timeout), Engine(EngineConfig(evidence_dir=Path(tmp))) as eng:
                reported = eng.capacity
                calls = max(1, min(reported, limit_legs) // 2)
                attempted = 2 * calls
                trunk = await eng.add_trunk(
                    TrunkConfig(
                        port=0, answer=AnswerPolicy(mode=AnswerMode.AUTO, silent=True), name="doctor trunk"
                    )
                )
                seat = await eng.add_seat(
                    SeatConfig(user="doctor", password="unused", register=False, name="doctor seat")  # noqa: S106 - an unregistered loopback seat
                )
                results = await asyncio.gather(
                    *(seat.call(f"sip:{i}@{trunk.address}", timeout=20, silent=True) for i in range(calls)),
                    return_exceptions=True,
                )
                up = [r for r in results if isinstance(r, CallHandle)]
                incoming: list[CallHandle] = []
                for _ in up:
                    handle = await trunk.next_incoming(timeout=10)
                    await handle.wait_answered(timeout=10)
                    incoming.append(handle)
                proven = len(up) + len(incoming)
                failed = [r for r in results if not isinstance(r, CallHandle)]
                if failed:
                    error = f"{len(failed)} of {calls} loopback calls failed: {failed[0]}"
                await asyncio.gather(*(c.hangup(timeout=10) for c in up), return_exceptions=True)
        except (SipError, TimeoutError) as exc:
            error = str(exc) or f"no result within {timeout:g} s"
    return CapacityFacts(reported, proven, attempted, time.monotonic() - started, error)


def probe_tools() -> tuple[ToolFacts, ...]:
    """Where each Debian tool ccinspect uses is (first executable name found on PATH)."""
    found = []
    for name, (executables, package, needed) in TOOLS.items():
        path = next((p for p in (shutil.which(e) for e in executables) if p), None)
        found.append(ToolFacts(name, package, path, needed))
    return tuple(found)


# -- verdict and rendering (pure) -----------------------------------------------------------


def engine_works(cap: CapacityFacts | None) -> bool:
    """The engine started and opened at least :data:`MIN_LEGS` legs (or all it tried)."""
    return cap is not None and cap.attempted_legs > 0 and cap.proven_legs >= min(MIN_LEGS, cap.attempted_legs)


def verdict(report: DoctorReport) -> Verdict:
    """Ready for ``make demo`` or not, with the next step for each missing piece."""
    todo_en: list[str] = []
    todo_zh: list[str] = []
    notes_en: list[str] = []
    notes_zh: list[str] = []
    pj = report.pjsua2
    cap = report.capacity
    if not pj.importable:
        todo_en.append("pjsua2 is missing: run `make install` (builds it with scripts/build-pjsua2.sh)")
        todo_zh.append("缺少 pjsua2：请运行 `make install`（用 scripts/build-pjsua2.sh 构建）")
    elif not engine_works(cap):
        reason = cap.error if cap is not None and cap.error else "no loopback call could be opened"
        todo_en.append(
            f"the SIP engine does not work ({reason}): rebuild pjsua2 with `scripts/build-pjsua2.sh .venv`"
        )
        todo_zh.append(f"SIP 引擎无法工作（{reason}）：请用 `scripts/build-pjsua2.sh .venv` 重新构建 pjsua2")
    elif cap is not None:
        if not pj.ours:
            notes_en.append(
                f"pjsua2 is the PyPI wheel: {cap.reported_legs} call legs per process; "
                "for load tests build ours with `scripts/build-pjsua2.sh .venv`"
            )
            notes_zh.append(
                f"pjsua2 为 PyPI 版本：每进程 {cap.reported_legs} 路呼叫分支；"
                "压力测试请用 `scripts/build-pjsua2.sh .venv` 构建"
            )
        if not cap.proven:
            notes_en.append(f"only {cap.proven_legs} of {cap.attempted_legs} legs proven: {cap.error}")
            notes_zh.append(f"仅验证 {cap.proven_legs}/{cap.attempted_legs} 路：{cap.error}")
    tools = {t.name: t for t in report.tools}
    if not report.demo.rootfs_ready and tools["debootstrap"].path is None:
        todo_en.append(
            "debootstrap is missing and no Asterisk root filesystem is cached: "
            "`apt-get install debootstrap` (or `make install`)"
        )
        todo_zh.append(
            "缺少 debootstrap 且没有缓存的 Asterisk 根文件系统：请运行 "
            "`apt-get install debootstrap`（或 `make install`）"
        )
    missing = [t for t in report.tools if t.path is None and not t.needed_for_demo]
    if missing:
        packages = " ".join(sorted({t.package for t in missing}))
        notes_en.append(f"for reports and tests install: apt-get install {packages}")
        notes_zh.append(f"生成报告和运行测试还需安装：apt-get install {packages}")
    if not report.demo.rootfs_ready and tools["debootstrap"].path is not None:
        notes_en.append("the first `make demo` builds the Asterisk root filesystem (about a minute)")
        notes_zh.append("首次 `make demo` 会构建 Asterisk 根文件系统（约一分钟）")
    return Verdict(not todo_en, tuple(todo_en), tuple(todo_zh), tuple(notes_en), tuple(notes_zh))


def display_width(text: str) -> int:
    """Terminal columns of ``text``: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def render_text(report: DoctorReport, result: Verdict) -> str:
    """The report as aligned ``label: value`` lines, bilingual labels, verdict last."""
    pj, cap, demo = report.pjsua2, report.capacity, report.demo
    rows: list[tuple[str, str]] = [
        ("Python", report.python),
        ("ccinspect", report.ccinspect),
    ]
    if pj.importable:
        dist = pj.distribution or "unknown distribution"
        kind = f"ccinspect build {pj.build}" if pj.ours else f"not ccinspect's build ({dist}: PyPI wheel?)"
        rows.append(("pjsua2", f"{pj.version} - {kind}; compiled limit {pj.compiled_max_calls} legs"))
    else:
        rows.append(("pjsua2", f"MISSING ({pj.error})"))
    if cap is not None:
        proof = (
            f"{cap.proven_legs}/{cap.attempted_legs} legs opened as {cap.attempted_legs // 2} "
            f"loopback calls in {cap.seconds:.1f} s"
        )
        if cap.error:
            proof += f" ({cap.error})"
        rows.append(("capacity 容量", f"{cap.reported_legs} legs reported; measured: {proof}"))
    for tool in report.tools:
        where = tool.path or f"MISSING (apt-get install {tool.package})"
        rows.append((f"{tool.name}", where))
    cache = "cached" if demo.rootfs_ready else "not built yet"
    rows.append(("rootfs 根文件系统", f"{cache}: {demo.rootfs_path}"))
    if demo.error:
        pbx = f"unknown ({demo.error})"
    elif demo.pbx_healthy:
        pbx = "running, healthy"
    elif demo.pbx_running:
        pbx = "running, NOT healthy: " + "; ".join(demo.pbx_problems)
    else:
        pbx = "not running (make demo starts it)"
    rows.append(("demo PBX 演示 PBX", pbx))
    width = max(display_width(label) for label, _ in rows)
    lines = [f"{label}{' ' * (width - display_width(label))}  {value}" for label, value in rows]
    lines.append(result.line())
    return "\n".join(lines)


def render_json(report: DoctorReport, result: Verdict) -> str:
    """The report and the verdict as one JSON document."""
    data = asdict(report)
    data["capacity_proven"] = report.capacity.proven if report.capacity else False
    data["verdict"] = {
        "ready": result.ready,
        "exit_code": result.exit_code,
        "line": result.line(),
        "todo_en": list(result.todo_en),
        "todo_zh": list(result.todo_zh),
        "notes_en": list(result.notes_en),
        "notes_zh": list(result.notes_zh),
    }
    return jsonlib.dumps(data, ensure_ascii=False, indent=2)


# -- entry points ---------------------------------------------------------------------------


async def doctor(
    *,
    as_json: bool,
    demo_probe: Callable[[], DemoFacts],
    capacity_probe: Callable[[], Awaitable[CapacityFacts]] | None = None,
    out: Callable[[str], object] = print,
) -> int:
    """Gather, judge, print; return the exit status. ``demo_probe`` looks at the demo PBX (the
    product does not know it: :func:`ccinspect.demo.doctor.probe_demo` is the real one); the
    capacity probe can be replaced (tests), by default it is this module's ``probe_capacity``."""
    started = time.monotonic()
    pj = probe_pjsua2()
    capacity = await (capacity_probe or probe_capacity)() if pj.importable else None
    demo = await asyncio.to_thread(demo_probe)
    report = DoctorReport(
        python=f"{platform.python_version()} ({sys.executable})",
        ccinspect=__version__,
        pjsua2=pj,
        capacity=capacity,
        tools=probe_tools(),
        demo=demo,
        seconds=time.monotonic() - started,
    )
    result = verdict(report)
    out(render_json(report, result) if as_json else render_text(report, result))
    return result.exit_code
