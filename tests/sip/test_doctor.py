"""`ccinspect doctor`: the verdict rules on recorded facts, and one real run without the PBX."""

from __future__ import annotations

import dataclasses
import json

import pytest

from ccinspect import doctor
from ccinspect.cli.doctor import run_doctor
from ccinspect.demo import doctor as demodoctor
from ccinspect.doctor import (
    EXIT_NOT_READY,
    EXIT_READY,
    CapacityFacts,
    DemoFacts,
    DoctorReport,
    Pjsua2Facts,
    ToolFacts,
    render_json,
    render_text,
    verdict,
)

OUR_PJSUA2 = Pjsua2Facts(
    importable=True,
    version="2.17",
    distribution="pjsua2",
    ours=True,
    build="pjproject-2.17-test",
    compiled_max_calls=512,
)
PROVEN = CapacityFacts(reported_legs=512, proven_legs=64, attempted_legs=64, seconds=1.5)
DEMO_CACHED = DemoFacts(rootfs_ready=True, rootfs_path="/cache/rootfs", pbx_running=False, pbx_healthy=False)


def tools(*missing: str) -> tuple[ToolFacts, ...]:
    """Every tool present except ``missing``."""
    return tuple(
        ToolFacts(name, pkg, None if name in missing else f"/usr/bin/{name}", needed)
        for name, (_, pkg, needed) in doctor.TOOLS.items()
    )


def report(**changes: object) -> DoctorReport:
    """A report of a ready machine, with ``changes``."""
    base = DoctorReport(
        python="3.11.7",
        ccinspect="0.1.0",
        pjsua2=OUR_PJSUA2,
        capacity=PROVEN,
        tools=tools(),
        demo=DEMO_CACHED,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_everything_present_is_ready_with_exit_0() -> None:
    """A machine with our pjsua2 proven, the tools and the cached rootfs is ready (exit 0)."""
    result = verdict(report())
    assert result.ready and result.exit_code == EXIT_READY
    assert result.line().startswith("verdict: READY for make demo / 结论：可以运行 make demo")


def test_missing_pjsua2_is_not_ready_and_says_make_install() -> None:
    """No pjsua2: exit 2, and the verdict tells to run make install, in both languages."""
    result = verdict(
        report(pjsua2=Pjsua2Facts(importable=False, error="No module named 'pjsua2'"), capacity=None)
    )
    assert result.exit_code == EXIT_NOT_READY
    assert "make install" in result.line() and "未就绪" in result.line()


def test_engine_that_opens_no_call_is_not_ready() -> None:
    """pjsua2 imports but no loopback call can be opened: not ready, the error is shown."""
    broken = CapacityFacts(
        reported_legs=512, proven_legs=0, attempted_legs=64, seconds=3.0, error="pjsua2 failed to start"
    )
    result = verdict(report(capacity=broken))
    assert not result.ready
    assert "pjsua2 failed to start" in result.line() and "build-pjsua2.sh" in result.line()


def test_pypi_wheel_is_ready_with_a_note_on_its_four_legs() -> None:
    """The PyPI wheel runs the demo but holds 4 legs: ready, with a note to build ours."""
    wheel = Pjsua2Facts(importable=True, version="2.15.1", distribution="pjsua2-python", compiled_max_calls=4)
    result = verdict(report(pjsua2=wheel, capacity=CapacityFacts(4, 4, 4, 0.5)))
    assert result.ready
    assert "PyPI wheel" in result.line() and "4 call legs" in result.line()


def test_debootstrap_is_needed_only_without_a_cached_rootfs() -> None:
    """Without debootstrap the demo still starts from a cached rootfs, but not without one."""
    assert verdict(report(tools=tools("debootstrap"))).ready
    uncached = dataclasses.replace(DEMO_CACHED, rootfs_ready=False)
    result = verdict(report(tools=tools("debootstrap"), demo=uncached))
    assert not result.ready and "apt-get install debootstrap" in result.line()


def test_report_tools_missing_are_a_note_not_a_blocker() -> None:
    """chromium, pdftoppm and sox serve reports and tests: missing ones are named, still ready."""
    result = verdict(report(tools=tools("chromium", "sox")))
    assert result.ready
    assert "apt-get install chromium sox" in result.line()


def test_text_and_json_show_the_measured_capacity_and_the_verdict() -> None:
    """Both renderings carry the reported and proven capacity, the time, and the verdict."""
    rep = report()
    result = verdict(rep)
    text = render_text(rep, result)
    assert "512 legs reported; measured: 64/64 legs opened as 32 loopback calls in 1.5 s" in text
    assert "ccinspect build pjproject-2.17-test" in text
    assert text.splitlines()[-1] == result.line()
    data = json.loads(render_json(rep, result))
    assert data["capacity"]["proven_legs"] == 64 and data["capacity_proven"] is True
    assert data["verdict"]["exit_code"] == EXIT_READY


async def test_real_run_proves_capacity_with_loopback_calls() -> None:
    """A real doctor run starts an engine and opens min(capacity, 64) legs as loopback calls;
    the JSON names the figure and the time (the demo PBX is not needed: its probe is replaced)."""
    printed: list[str] = []
    code = await doctor.doctor(as_json=True, demo_probe=lambda: DEMO_CACHED, out=printed.append)
    data = json.loads(printed[0])
    cap = data["capacity"]
    assert cap["reported_legs"] >= 4
    assert cap["attempted_legs"] == min(cap["reported_legs"], doctor.PROOF_LEGS) // 2 * 2
    assert cap["proven_legs"] == cap["attempted_legs"], cap["error"]
    assert cap["seconds"] > 0
    assert data["pjsua2"]["importable"] and data["pjsua2"]["version"]
    assert code == data["verdict"]["exit_code"]


def test_run_doctor_is_the_synchronous_entry(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """run_doctor(json) runs the whole doctor from synchronous code and returns its exit code."""

    async def quick_capacity() -> CapacityFacts:
        return PROVEN

    monkeypatch.setattr(doctor, "probe_capacity", quick_capacity)
    monkeypatch.setattr(demodoctor, "probe_demo", lambda: DEMO_CACHED)
    code = run_doctor(False)
    out = capsys.readouterr().out
    assert "verdict:" in out.splitlines()[-1]
    assert code in (EXIT_READY, EXIT_NOT_READY)
