"""Inspecting platform B through its own web console (the target demo-b-web.yaml): the whole
rehearsal, and the recipe's errors against the real console (login refused, wrong selectors)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pydantic import SecretStr

from ccinspect.core.facts import ScreenshotFact
from ccinspect.core.scenario import Target, load_target
from ccinspect.platform.recordings import TimeWindow
from ccinspect.platform.web.recordings import WebRecordings
from ccinspect.platform.web.session import ConsoleSession, WebStepError
from tests.support.pbx_b import PlatformBHandle
from tests.support.rehearsal import ROOT, run_rehearsal

DEMO_B_WEB = ROOT / "scenarios" / "targets" / "demo-b-web.yaml"
#: A step bound short enough for the error tests; the outer slack is the session's own.
STEP_S = 3.0


def _target(**console: object) -> Target:
    target = load_target(DEMO_B_WEB)
    assert target.console is not None
    return target.model_copy(
        update={"console": target.console.model_copy(update={"step_timeout_s": STEP_S, **console})}
    )


async def _list(target: Target, run: Path) -> tuple[list[ScreenshotFact], float, WebStepError | None]:
    shots: list[ScreenshotFact] = []
    assert target.console is not None
    started = time.monotonic()
    error = None
    async with ConsoleSession(
        target.console, recipe=target.source, shots_dir=run / "screenshots", on_shot=shots.append
    ) as session:
        try:
            await WebRecordings(session).list(TimeWindow.recent(600))
        except WebStepError as exc:
            error = exc
    return shots, time.monotonic() - started, error


def test_rehearsal_through_the_web_console_passes_with_its_screenshots(
    platform_b: PlatformBHandle, tmp_path: Path
) -> None:
    """Every check PASSes with recordings played in the console's player, the work order and
    the screening flag read there; report.json says so; ≥ 5 screenshots, login → search →
    playback first."""
    code, report, output = run_rehearsal(tmp_path / "runs", target=DEMO_B_WEB)
    assert code == 0, output[-4000:]
    assert {c["verdict"] for c in report["checks"]} == {"pass"}
    facts = report["facts"]
    assert facts["recordings"] and {r["source"] for r in facts["recordings"]} == {"web"}
    assert all(r["player"] and r["player"]["ready_state"] >= 2 for r in facts["recordings"])
    playback = next(c for c in report["checks"] if c["check_id"] == "recording.playback")
    assert "web console" in playback["evidence_used"]["en"]
    (ticket,) = facts["tickets"]
    assert ticket["via"] == "web" and ticket["screenshot"]
    assert {w["value"] for w in facts["web_readings"] if w["found"]} >= {"OK", "BAD_FORMAT", "NO_CLI"}
    shots = facts["screenshots"]
    assert len(shots) >= 5 and all(s["ok"] for s in shots)
    assert [s["step"] for s in shots[:3]] == ["login", "search", "playback"]
    run_dir = tmp_path / "runs" / "latest"
    for shot in shots:
        assert (run_dir / shot["path"]).stat().st_size > 10_000, shot["path"]


async def test_a_refused_login_names_the_step_and_what_the_console_said(
    platform_b: PlatformBHandle, tmp_path: Path
) -> None:
    """A wrong password: the console's refusal is quoted, the error names the target file and
    the step `login`, its screenshot is kept, and it comes within the step bound."""
    shots, took, error = await _list(_target(password=SecretStr("not-the-password")), tmp_path)
    assert error is not None
    assert "demo-b-web.yaml" in error.message and "step `login`" in error.message
    assert "用户名或密码错误" in error.message and error.screenshot
    assert (tmp_path / error.screenshot).is_file()
    assert [s.ok for s in shots] == [True, False]  # the filled form, then the refusal
    assert took < 3 * STEP_S + 10


@pytest.mark.parametrize(
    ("section", "key", "value", "step"),
    [
        ("login", "success", "text=这个元素不存在", "login"),
        ("calls", "rows", "table#callz tbody tr", "search"),
        ("calls", "empty", "text=nothing", "search"),
    ],
)
async def test_a_wrong_selector_names_file_step_and_selector_within_its_bound(  # noqa: PLR0917
    platform_b: PlatformBHandle, tmp_path: Path, section: str, key: str, value: str, step: str
) -> None:
    """A selector that matches nothing on the real console is an error naming the recipe file,
    the step and the selector, raised within the step bound (not a silent empty result)."""
    base = _target()
    assert base.console is not None
    part = getattr(base.console, section)
    changed = {section: part.model_copy(update={key: value})}
    if key == "empty":  # rows wrong as well, so that neither can show
        changed = {section: part.model_copy(update={"rows": "table#none tr", "empty": value})}
    _, took, error = await _list(_target(**changed), tmp_path)
    assert error is not None, "the wrong selector went unnoticed"
    assert "demo-b-web.yaml" in error.message and f"step `{step}`" in error.message
    assert value in error.message, error.message
    assert took < 3 * STEP_S + 10, f"took {took:.1f} s"
