"""Fault injection: a misconfigured demo PBX must make `ccinspect run` exit 1 with the right finding.

Each case starts the real demo PBX (`demo up --config-dir`) from a patched copy of
docker/asterisk/, runs the real CLI with the inspector's scenario, and checks that the expected
check FAILs and names the seat or call at fault. The checks do not know these faults: they judge
what was seen on the wire, in the recordings and in the ticket system.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ccinspect import paths
from ccinspect.demo.pbx import config as democonfig
from tests.support.pbx import DemoPbx
from tests.support.rehearsal import assert_found, edit_config, run_rehearsal

ROOT = Path(__file__).resolve().parents[2]


def remove_seat_8005(cfg: Path) -> None:
    text = (cfg / "pjsip.conf").read_text(encoding="utf-8")
    text = re.sub(r"\[8005\]\(seat-endpoint\).*?\[8005\]\(seat-aor\)\n", "", text, flags=re.S)
    (cfg / "pjsip.conf").write_text(text, encoding="utf-8")


def no_recording_outbound(cfg: Path) -> None:
    edit_config(
        cfg / "extensions.conf",
        "Dial(PJSIP/${EXTEN}@trunk,60,U(cci-answered^s^1))",
        "Dial(PJSIP/${EXTEN}@trunk,60)",
    )


def seat_number_leaks(cfg: Path) -> None:
    edit_config(
        cfg / "extensions.conf",
        'same => n(cidok),Set(CALLERID(all)="" <${CCI_CID}>)',
        "same => n(cidok),NoOp()",
    )


def dnc_not_enforced(cfg: Path) -> None:
    edit_config(
        cfg / "extensions.conf",
        "GotoIf(${DIALPLAN_EXISTS(cci-dnc,${CCI_NUM},1)}?dnc)",
        "NoOp(dnc check removed)",
    )


def seat_extension_in_display_name(cfg: Path) -> None:
    # The number presented is the allocated one, but the seat's extension stays as its name.
    edit_config(
        cfg / "extensions.conf",
        'same => n(cidok),Set(CALLERID(all)="" <${CCI_CID}>)',
        'same => n(cidok),Set(CALLERID(all)="${CALLERID(num)}" <${CCI_CID}>)',
    )


def dnc_checked_before_normalising(cfg: Path) -> None:
    # The do-not-call list is compared with the number as the seat dialled it: the national
    # form is refused, the +86 and 0086 forms of the same number go out.
    edit_config(
        cfg / "extensions.conf",
        "GotoIf(${DIALPLAN_EXISTS(cci-dnc,${CCI_NUM},1)}?dnc)",
        "GotoIf(${DIALPLAN_EXISTS(cci-dnc,${CCI_DIALED},1)}?dnc)",
    )


def ticket_linked_to_another_recording(cfg: Path) -> None:
    # The work order is linked to a recording name that is not the complaint call's.
    edit_config(
        cfg / "extensions.conf",
        "&recording=${URIENCODE(${CCI_COMPLAINT_REC})}",
        "&recording=${URIENCODE(${STRFTIME(${EPOCH},,%Y%m%d)}-greeting)}",
    )


def default_admin_account(cfg: Path) -> None:
    # The installer's default ARI account was never removed.
    edit_config(
        cfg / "ari.conf",
        "password_format=plain",
        "password_format=plain\n\n[admin]\ntype=user\nread_only=no\npassword=admin\npassword_format=plain",
    )


def complaint_api_broken(cfg: Path) -> None:
    edit_config(
        cfg / "extensions.conf",
        "http://127.0.0.1:8089/api/tickets.txt",
        "http://127.0.0.1:8089/api/no-such-endpoint.txt",
    )


def purge_at_7_days(cfg: Path) -> None:
    edit_config(cfg / "retention.conf", "RECORDING_RETENTION_DAYS=180", "RECORDING_RETENTION_DAYS=7")
    edit_config(cfg / "retention.conf", "RECORDING_RETENTION_FORCE=no", "RECORDING_RETENTION_FORCE=yes")


def passthrough_broken(cfg: Path) -> None:
    # The platform rewrites every inbound caller to its own fixed line before offering the call.
    edit_config(
        cfg / "extensions.conf",
        "exten => _X.,1,Set(CDR(direction)=",
        "exten => _X.,1,Set(CALLERID(num)=${FIXED_LINE})\n same => n,Set(CDR(direction)=",
    )


def display_name_shows_the_platform_number(cfg: Path) -> None:
    # The number passes through, but the seat's screen shows the platform's own line as the name.
    edit_config(
        cfg / "extensions.conf",
        "exten => _X.,1,Set(CDR(direction)=",
        "exten => _X.,1,Set(CALLERID(name)=${FIXED_LINE})\n same => n,Set(CDR(direction)=",
    )


FAULTS: list[tuple[str, Callable[[Path], None], str, list[str]]] = [
    ("one seat missing", remove_seat_8005, "seats.registered", ["seat 8005"]),
    ("outbound calls not recorded", no_recording_outbound, "recording.complete", ["call outbound-8001"]),
    (
        "seat's own number leaks as caller ID",
        seat_number_leaks,
        "callerid.outbound_allocated",
        ["call outbound-8001"],
    ),
    (
        "seat's extension shown as the caller's name",
        seat_extension_in_display_name,
        "callerid.outbound_allocated",
        ["the display name in From shows seat 8001"],
    ),
    ("do-not-call not enforced", dnc_not_enforced, "outbound.dnc", ["13900000001"]),
    (
        "do-not-call enforced for the national form only",
        dnc_checked_before_normalising,
        "outbound.dnc",
        ["its +86 form"],
    ),
    ("complaint tickets not created", complaint_api_broken, "complaint.flow", ["complaint"]),
    (
        "work order linked to another recording",
        ticket_linked_to_another_recording,
        "complaint.flow",
        ["is not the complaint call's"],
    ),
    ("recordings purged after 7 days", purge_at_7_days, "recording.retention", []),
    (
        "the default admin/admin account left on the recording interface",
        default_admin_account,
        "recording.access_control",
        ["admin/admin"],
    ),
    (
        "another number shown as the caller's name inbound",
        display_name_shows_the_platform_number,
        "callerid.inbound_passthrough",
        ["not the caller"],
    ),
    (
        "caller number rewritten inbound",
        passthrough_broken,
        "callerid.inbound_passthrough",
        ["call inbound-1"],
    ),
]


def _run_cli(out: Path) -> tuple[int, dict[str, Any], str]:
    return run_rehearsal(out, timeout=240)


@pytest.mark.parametrize(("name", "patch", "check_id", "subjects"), FAULTS, ids=[f[0] for f in FAULTS])
def test_fault_is_found(  # noqa: PLR0917 - pytest passes parametrised values positionally
    pbx: DemoPbx, tmp_path: Path, name: str, patch: Callable[[Path], None], check_id: str, subjects: list[str]
) -> None:
    """A misconfiguration makes the run exit 1 with the expected check failing on the right subject."""
    cfg_dir = tmp_path / "asterisk"
    shutil.copytree(paths.asterisk_config_dir(), cfg_dir)
    patch(cfg_dir)
    try:
        pbx.backend.up(democonfig.load(cfg_dir), timeout=90)
        code, report, output = _run_cli(tmp_path / "runs")
    finally:
        pbx.restore()
    assert_found(name, code, report, output, check_id=check_id, subjects=subjects)
