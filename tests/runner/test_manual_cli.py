"""The operator's answers end to end: `ccinspect run --answers FILE` against demo platform B,
described as a platform whose tickets and screening only a person can see.

The target is platform B's own target file with ``complaints.kind: manual`` and a
``screening.observe`` of ``manual`` only; the answers file is written before the run. A confirmed
ticket PASSes complaint.flow, a denied one FAILs it, and no answer within ``timeouts.manual`` is
ERROR; the screening verdicts come from the answers too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.pbx_b import PlatformBHandle
from tests.support.rehearsal import run_rehearsal

ROOT = Path(__file__).resolve().parents[2]

MANUAL_SECTIONS = """\
screening:
  observe:
    - kind: manual
      values: {"[无主叫]": absent, "[号码异常]": malformed, "[国际格式]": intl-format, "[境外来电]": foreign}
complaints:
  kind: manual
  instructions: 在控制台“工单”页按主叫号码查找 / Find the work order by caller number in the console
"""

SCREENING_ANSWERS = """\
screening:
  "13800138000": ""
  "051266661234": ""
  "": "[无主叫]"
  "anonymous": "[无主叫]"
  "12345": "[号码异常]"
  "138001380001": "[号码异常]"
  "+8613800138002": "[国际格式]"
  "+14155550123": "[境外来电]"
"""

COMPLAINT_ANSWERS = {
    "confirmed": 'complaint:\n  confirmed: true\n  ticket: "GD202612070001"\n  note: found in the console\n',
    "denied": "complaint:\n  confirmed: false\n  note: no work order for this caller\n",
    "unanswered": "",
}


def _manual_target(tmp_path: Path) -> Path:
    text = (ROOT / "scenarios/targets/demo-b.yaml").read_text(encoding="utf-8")
    # Drop platform B's own screening and complaints sections (each runs to the next top-level key).
    for section in ("screening", "complaints"):
        text, count = re.subn(rf"(?ms)^{section}:\n.*?(?=^\S|\Z)", "", text)
        assert count == 1, f"demo-b.yaml has no {section} section: update this test"
    path = tmp_path / "target.yaml"
    path.write_text(text + MANUAL_SECTIONS, encoding="utf-8")
    return path


def _scenario(tmp_path: Path, manual_s: int) -> Path:
    text = (ROOT / "scenarios/onsite-jiangsu.yaml").read_text(encoding="utf-8")
    text, count = re.subn(r"(?m)^  manual: \d+", f"  manual: {manual_s}", text)
    assert count == 1, "onsite-jiangsu.yaml has no timeouts.manual: update this test"
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _run(tmp_path: Path, answers: str, manual_s: int) -> tuple[int, dict[str, Any], str]:
    answers_file = tmp_path / "answers.yaml"
    answers_file.write_text(answers, encoding="utf-8")
    return run_rehearsal(
        tmp_path / "runs",
        target=_manual_target(tmp_path),
        scenario=_scenario(tmp_path, manual_s),
        extra=("--answers", str(answers_file)),
    )


def _check(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["check_id"] == check_id)


@pytest.mark.parametrize(
    ("case", "exit_code", "complaint_verdict"),
    [("confirmed", 0, "pass"), ("denied", 1, "fail"), ("unanswered", 2, "error")],
)
def test_answers_file_decides_the_manual_checks(
    platform_b: PlatformBHandle, tmp_path: Path, case: str, exit_code: int, complaint_verdict: str
) -> None:
    """Answers from a file: a confirmed ticket PASSes, a denied one FAILs, none within the bound
    is ERROR; the screening case answers judge callerid.screening in every case."""
    code, report, output = _run(tmp_path, COMPLAINT_ANSWERS[case] + SCREENING_ANSWERS, manual_s=3)
    assert code == exit_code, f"{case}: expected exit {exit_code}, got {code}\n{output[-3000:]}"
    complaint = _check(report, "complaint.flow")
    assert complaint["verdict"] == complaint_verdict, complaint["reason"]["en"]
    screening = _check(report, "callerid.screening")
    assert screening["verdict"] == "pass", screening["reason"]["en"]
    topics = {a["topic"] for a in report["facts"]["answers"]}
    assert topics == {"complaint", "screening"}
    if case == "confirmed":
        assert "GD202612070001" in json.dumps(complaint, ensure_ascii=False)
