"""`ccinspect run` as a user meets it: wrong files, a PBX that is down, a wrong password, Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from tests.support.pbx import DemoPbx

ROOT = Path(__file__).resolve().parents[2]
ONSITE = ROOT / "scenarios" / "onsite-jiangsu.yaml"
DEMO = ROOT / "scenarios" / "targets" / "demo.yaml"


def _run(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ccinspect.cli", "run", "--lang", "en", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_typo_in_scenario_names_file_key_and_suggestion(tmp_path: Path) -> None:
    """A typo'd key is the user's mistake: exit 2, the file, the key path and what was meant."""
    bad = tmp_path / "typo.yaml"
    bad.write_text(ONSITE.read_text(encoding="utf-8").replace("  callers:", "  caller:", 1), encoding="utf-8")
    res = _run("--scenario", str(bad), "--out", str(tmp_path / "runs"), timeout=60)
    assert res.returncode == 2, res.stderr
    assert str(bad) in res.stderr
    assert "inbound.caller" in res.stderr
    assert "callers" in res.stderr
    assert not (tmp_path / "runs").exists(), "no run directory for a file the user must fix"


def test_target_whose_pbx_is_down_exits_2_quickly(tmp_path: Path) -> None:
    """A target whose PBX does not answer SIP ends in exit 2 within seconds, saying so."""
    target = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    target["sip"]["registrar"] = "127.0.0.1:5999"
    path = tmp_path / "down.yaml"
    path.write_text(yaml.safe_dump(target, allow_unicode=True), encoding="utf-8")
    started = time.monotonic()
    res = _run("--target", str(path), "--out", str(tmp_path / "runs"), timeout=60)
    assert res.returncode == 2, res.stdout + res.stderr
    assert time.monotonic() - started < 20
    assert "127.0.0.1:5999" in res.stderr
    assert "does not answer SIP" in res.stderr


def test_wrong_seat_password_fails_seats_registered_naming_the_seat(pbx: DemoPbx, tmp_path: Path) -> None:
    """A seat with a wrong password is a finding on that seat (exit 1) saying 401 / wrong password."""
    target = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    for seat in target["seats"]:
        if seat["id"] == "8003":
            seat["password"] = "not-the-password"
    tpath = tmp_path / "wrongpw.yaml"
    tpath.write_text(yaml.safe_dump(target, allow_unicode=True), encoding="utf-8")
    spath = tmp_path / "seats.yaml"
    spath.write_text(
        yaml.safe_dump(
            {
                "name": "seats-only",
                "title": {"zh": "坐席注册", "en": "Seats register"},
                "seats": ["8001", "8003"],
                "min_seats": 2,
                "checks": {"include": ["seats.registered"]},
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    res = _run("--scenario", str(spath), "--target", str(tpath), "--out", str(tmp_path / "runs"), timeout=120)
    assert res.returncode == 1, res.stdout + res.stderr
    report = json.loads((tmp_path / "runs" / "latest" / "report.json").read_text(encoding="utf-8"))
    check = next(c for c in report["checks"] if c["check_id"] == "seats.registered")
    assert check["verdict"] == "fail"
    bad = [s for s in check["subjects"] if s["verdict"] == "fail"]
    assert any(s["subject"] == "seat 8003" and "401" in s["reason"]["en"] for s in bad), bad
    assert "not-the-password" not in (tmp_path / "runs" / "latest" / "report.json").read_text(
        encoding="utf-8"
    )


def _ignore_sigint() -> None:
    """How a background job of a non-interactive shell (and some CI runners) starts a process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop_mid_call(pbx: DemoPbx, out: Path, sig: signal.Signals) -> tuple[int, float, str]:
    """Start a rehearsal that inherits SIGINT as ignored, send ``sig`` once its own calls are
    up, and return the exit code, the seconds it took to exit and its output."""
    if pbx.channels():  # left by an earlier test: they would make the signal go too early
        pbx.cli("channel request hangup all")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and pbx.channels():
            time.sleep(0.2)
    proc = subprocess.Popen(
        [sys.executable, "-m", "ccinspect.cli", "run", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_ignore_sigint,  # noqa: PLW1509 - a single-threaded test process
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not ((out / "latest").exists() and pbx.channels()):
            time.sleep(0.2)
        assert pbx.channels(), "the run's calls were up before the signal"
        sent = time.monotonic()
        proc.send_signal(sig)
        output, _ = proc.communicate(timeout=40)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, took, output


def _assert_clean_and_interrupted(pbx: DemoPbx, out: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and pbx.channels():
        time.sleep(0.3)
    assert pbx.channels() == [], "no channel is left up on Asterisk"
    report = json.loads((out / "latest" / "report.json").read_text(encoding="utf-8"))
    assert report["status"] == "interrupted"


def test_ctrl_c_hangs_up_and_keeps_the_evidence(pbx: DemoPbx, tmp_path: Path) -> None:
    """Ctrl-C mid-call ends the run (exit 130) within 5 s, even when SIGINT was inherited as
    ignored, leaves no channel up and marks the report interrupted."""
    out = tmp_path / "runs"
    code, took, output = _stop_mid_call(pbx, out, signal.SIGINT)
    assert code == 130, output[-2000:]
    assert took < 5, f"exit {took:.1f} s after the signal"
    _assert_clean_and_interrupted(pbx, out)


def test_sigterm_mid_call_hangs_up_and_keeps_the_evidence(pbx: DemoPbx, tmp_path: Path) -> None:
    """SIGTERM mid-call is a clean stop too: exit 143 within 5 s, no channel left, report
    interrupted (it used to kill the process at once, leaving calls up for ~90 s)."""
    out = tmp_path / "runs"
    code, took, output = _stop_mid_call(pbx, out, signal.SIGTERM)
    assert code == 143, output[-2000:]
    assert took < 5, f"exit {took:.1f} s after the signal"
    assert "SIGTERM" in output
    _assert_clean_and_interrupted(pbx, out)
