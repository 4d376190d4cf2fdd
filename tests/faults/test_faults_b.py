"""Fault injection on platform B: a misconfigured vendor-style platform must make `ccinspect run`
exit 1 with the right finding.

Each case starts platform B (`demo up --platform b --config-dir`) from a patched copy of
docker/platform-b/, runs the real CLI with the inspector's scenario and platform B's target file,
and checks that the expected check FAILs and names the seat or call at fault. These faults are
different from platform A's where B's stack allows (Kamailio, the console, stereo recordings);
the checks know none of them: they judge what was seen on the wire, in the recordings, in the CDR
and through the console's interfaces.
"""

from __future__ import annotations

import http.cookiejar
import shutil
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ccinspect.demo.platform_b import config as bconfig
from tests.support.pbx_b import PlatformBHandle, start
from tests.support.rehearsal import DEMO_B, assert_found, edit_config, run_rehearsal

ROOT = Path(__file__).resolve().parents[2]
#: Platform B's console and its inspection demo account (docker/platform-b/console.yaml).
CONSOLE = "http://127.0.0.1:8180"
CONSOLE_USER = "inspector"
CONSOLE_PASSWORD = "ccb-inspect-2024"


def kamailio_rewrites_caller(cfg: Path) -> None:
    # The SIP edge overwrites every carrier caller with the platform's own general line.
    carrier = '\tremove_hf("X-CCB-Source");\n\tremove_hf("X-CCB-Agent");\n\tappend_hf("X-CCB-Source: carrier'
    rewrite = '\t$fU = "02586660000";\n\tremove_hf("P-Asserted-Identity");\n'
    edit_config(cfg / "kamailio/kamailio.cfg", carrier, rewrite + carrier)


def api_without_token(cfg: Path) -> None:
    # The console's recording API answers anyone.
    edit_config(cfg / "console.yaml", "api_requires_token: true", "api_requires_token: false")


def orders_without_phone(cfg: Path) -> None:
    # Work orders are created, but without the caller's number.
    edit_config(cfg / "console.yaml", "orders_include_phone: true", "orders_include_phone: false")


def agent_channel_silent(cfg: Path) -> None:
    # The stereo merge keeps the agent's channel but writes silence into it.
    edit_config(
        cfg / "asterisk/ccb-stereo.sh",
        'sox -M "$left" "$right" -r 8000',
        'sox -M "$left" -v 0 "$right" -r 8000',
    )


def agent_channel_lost_after_4_s(cfg: Path) -> None:
    # The stereo merge keeps only the first 4 s of the agent's leg; sox pads the rest of the
    # channel with silence, so the recording keeps the call's length.
    edit_config(
        cfg / "asterisk/ccb-stereo.sh",
        'sox -M "$left" "$right" -r 8000',
        'sox -M "$left" "|sox $right -p trim 0 4" -r 8000',
    )


def short_retention_allowed(cfg: Path) -> None:
    # The console lets an administrator set any retention (the setting itself is made below).
    edit_config(cfg / "console.yaml", "purge_min_days: 30", "purge_min_days: 1")


def set_retention_days(days: int) -> None:
    """Log in to platform B's console as its administrator and set the recording retention."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = urllib.parse.urlencode({"username": CONSOLE_USER, "password": CONSOLE_PASSWORD, "next": "/calls"})
    opener.open(f"{CONSOLE}/login", data=login.encode(), timeout=10).read()
    saved = opener.open(
        f"{CONSOLE}/settings", data=urllib.parse.urlencode({"retention_days": str(days)}).encode(), timeout=10
    )
    assert "saved=1" in saved.geturl(), f"the console did not save retention {days}: {saved.geturl()}"


def screening_not_shown(cfg: Path) -> None:
    # Screening still runs, but the agent never sees the verdict and the CDR says OK.
    ext = cfg / "asterisk/extensions.conf"
    edit_config(ext, 'same => n(done),GotoIf($["${flag}" = ""]?clean)', "same => n(done),Goto(clean)")
    edit_config(ext, "Set(CDR(screen_result)=${CCB_SCREEN})", "Set(CDR(screen_result)=OK)")


def agent_account_missing(cfg: Path) -> None:
    # Agent 100105 has no account on the SIP edge.
    sql = cfg / "kamailio/subscriber.sql"
    text = sql.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if "'100105'" not in line]
    assert len(lines) < len(text.splitlines()), "subscriber.sql no longer names 100105: update this fault"
    fixed = "\n".join(lines).rstrip()
    if fixed.endswith(","):
        fixed = fixed[:-1] + ";"
    sql.write_text(fixed + "\n", encoding="utf-8")


FAULTS: list[tuple[str, Callable[[Path], None], str, list[str]]] = [
    (
        "Kamailio rewrites the caller number",
        kamailio_rewrites_caller,
        "callerid.inbound_passthrough",
        ["inbound"],
    ),
    ("recording API answers without a token", api_without_token, "recording.access_control", []),
    ("work orders without the caller number", orders_without_phone, "complaint.flow", ["complaint"]),
    ("agent channel of the recordings silent", agent_channel_silent, "recording.complete", ["agent"]),
    ("screening verdict never shown", screening_not_shown, "callerid.screening", ["12345"]),
    ("one agent has no SIP account", agent_account_missing, "seats.registered", ["seat 100105"]),
]


def _run_cli(out: Path) -> tuple[int, dict[str, Any], str]:
    return run_rehearsal(out, target=DEMO_B)


@pytest.mark.parametrize(("name", "patch", "check_id", "subjects"), FAULTS, ids=[f[0] for f in FAULTS])
def test_fault_on_platform_b_is_found(  # noqa: PLR0917 - pytest passes parametrised values positionally
    platform_b: PlatformBHandle,
    tmp_path: Path,
    name: str,
    patch: Callable[[Path], None],
    check_id: str,
    subjects: list[str],
) -> None:
    """A misconfigured platform B makes the run exit 1 with the expected check failing on the
    right subject, each failure carrying a remedy."""
    cfg_dir = tmp_path / "platform-b"
    shutil.copytree(bconfig.default_dir(), cfg_dir)
    patch(cfg_dir)
    try:
        start(platform_b.backend, bconfig.load(cfg_dir))
        code, report, output = _run_cli(tmp_path / "runs")
    finally:
        platform_b.restore()
    assert_found(name, code, report, output, check_id=check_id, subjects=subjects)


def test_retention_set_to_7_days_in_the_console_is_found(platform_b: PlatformBHandle, tmp_path: Path) -> None:
    """An administrator shortens the console's retention setting to 7 days: the policy read
    through the console's API fails recording.retention, with a remedy."""
    cfg_dir = tmp_path / "platform-b"
    shutil.copytree(bconfig.default_dir(), cfg_dir)
    short_retention_allowed(cfg_dir)
    try:
        start(platform_b.backend, bconfig.load(cfg_dir))
        set_retention_days(7)
        try:
            code, report, output = _run_cli(tmp_path / "runs")
        finally:
            set_retention_days(180)
    finally:
        platform_b.restore()
    assert code == 1, f"expected exit 1, got {code}\n{output[-3000:]}"
    check = next(c for c in report["checks"] if c["check_id"] == "recording.retention")
    assert check["verdict"] == "fail", check["reason"]["en"]
    assert "7" in check["reason"]["en"] + " ".join(s["reason"]["en"] for s in check["subjects"])
    assert all(s.get("remedy") for s in check["subjects"] if s["verdict"] == "fail")


# --- faults seen through the web console (target demo-b-web.yaml) -----------------------------

DEMO_B_WEB = ROOT / "scenarios" / "targets" / "demo-b-web.yaml"
WEB_QUICK = ROOT / "tests" / "pbx_b" / "data" / "web-quick.yaml"

#: (name, console.yaml edit, check that FAILs, words its failing subjects must hold)
WEB_FAULTS: list[tuple[str, tuple[str, str], str, list[str]]] = [
    (
        "the console plays another call's recording",
        ("media_fault: none", "media_fault: wrong-call"),
        "recording.complete",
        ["holds the audio of call"],
    ),
    (
        "the console plays half of the recording",
        ("media_fault: none", "media_fault: truncated"),
        "recording.complete",
        ["it is truncated"],
    ),
    (
        "the console shows no recording for the calls",
        ("show_recordings: true", "show_recordings: false"),
        "recording.complete",
        ["no recording was found"],
    ),
]


def _web_run(
    platform_b: PlatformBHandle, tmp_path: Path, edit: tuple[str, str]
) -> tuple[int, dict[str, Any], str]:
    cfg_dir = tmp_path / "platform-b"
    shutil.copytree(bconfig.default_dir(), cfg_dir)
    edit_config(cfg_dir / "console.yaml", *edit)
    try:
        start(platform_b.backend, bconfig.load(cfg_dir))
        return run_rehearsal(tmp_path / "runs", target=DEMO_B_WEB, scenario=WEB_QUICK)
    finally:
        platform_b.restore()


@pytest.mark.parametrize(("name", "edit", "check_id", "subjects"), WEB_FAULTS, ids=[f[0] for f in WEB_FAULTS])
def test_fault_seen_through_the_web_console_is_found(  # noqa: PLR0917 - pytest passes parametrised values positionally
    platform_b: PlatformBHandle,
    tmp_path: Path,
    name: str,
    edit: tuple[str, str],
    check_id: str,
    subjects: list[str],
) -> None:
    """The console playing the wrong call, half a recording, or no recording at all: found
    through the console's own player (exit 1, the check FAILs with a remedy)."""
    code, report, output = _web_run(platform_b, tmp_path, edit)
    assert_found(name, code, report, output, check_id=check_id, subjects=subjects)


def test_a_login_the_console_refuses_is_an_error_naming_the_step(
    platform_b: PlatformBHandle, tmp_path: Path
) -> None:
    """The demo account's password was changed on the platform: the recording checks cannot be
    made (ERROR, exit 2) and say the step `login` failed and what the console said; the
    failure's screenshot is in the run, nothing is reported as a finding."""
    code, report, output = _web_run(
        platform_b, tmp_path, (f"password: {CONSOLE_PASSWORD}", "password: changed-by-the-operator")
    )
    assert code == 2, output[-3000:]
    verdicts = {c["check_id"]: c for c in report["checks"]}
    for check_id in ("recording.complete", "recording.playback"):
        check = verdicts[check_id]
        assert check["verdict"] == "error", f"{check_id}: {check['verdict']}"
        assert "step `login`" in check["reason"]["en"], check["reason"]["en"]
        assert "用户名或密码错误" in check["reason"]["en"]
    failed = [s for s in report["facts"]["screenshots"] if not s["ok"]]
    assert failed and failed[0]["step"] == "login"
    assert (tmp_path / "runs" / "latest" / failed[0]["path"]).is_file()


def test_a_recording_that_loses_the_agent_mid_call_is_found(
    platform_b: PlatformBHandle, tmp_path: Path
) -> None:
    """The recorder keeps the agent's audio only for the first 4 s of 12 s calls (the file keeps
    its length): recording.complete FAILs saying whose audio is lost and from when."""
    cfg_dir = tmp_path / "platform-b"
    shutil.copytree(bconfig.default_dir(), cfg_dir)
    agent_channel_lost_after_4_s(cfg_dir)
    try:
        start(platform_b.backend, bconfig.load(cfg_dir))
        code, report, output = run_rehearsal(
            tmp_path / "runs",
            target=DEMO_B,
            scenario=ROOT / "tests" / "faults" / "data" / "long-calls-b.yaml",
        )
    finally:
        platform_b.restore()
    assert_found(
        "agent lost after 4 s",
        code,
        report,
        output,
        check_id="recording.complete",
        subjects=["seat 100101's audio from"],
    )
