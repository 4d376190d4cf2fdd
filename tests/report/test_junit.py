"""JUnit XML: one testcase per check and subject, verdicts mapped to failure / error / skipped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ccinspect.core.facts import CallPurpose
from ccinspect.core.verdict import Text, Verdict, errored, failed, passed, skipped
from ccinspect.report import render_junit
from ccinspect.report.junit import xml_safe

from .builders import check, copy_sample, simple_call, write_run


def test_sample_run_gives_one_testcase_per_subject(tmp_path: Path) -> None:
    """Every subject is a testcase classed by its check id; a check without subjects is one
    testcase; totals match."""
    run = copy_sample(tmp_path)
    root = ET.parse(render_junit(run)).getroot()  # noqa: S314 -- our own output
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == int(root.get("tests", "0")) == 20
    assert {c.get("classname") for c in cases} >= {"seats.registered", "callerid.screening", "outbound.dnc"}
    assert [c.get("name") for c in cases if c.get("classname") == "callerid.screening"] == [
        "callerid.screening"
    ]
    assert root.get("failures") == root.get("errors") == root.get("skipped") == "0"
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["overall"] == "pass" and props["schema"] == "ccinspect.report/1"
    assert not any("13900000001" in (c.get("name") or "") for c in cases)  # masked: 139****0001


def test_fail_error_skip_map_to_failure_error_skipped(tmp_path: Path) -> None:
    """FAIL carries the reason, remedy and evidence in <failure>; ERROR is <error>; SKIP is <skipped>."""
    call = simple_call("inbound-1", CallPurpose.INBOUND, t0=1.0e9)
    subjects = [
        passed("seat 8001", Text("ok", "好")),
        failed(
            "seat 8002",
            Text("number changed to 13800138000", "号码被改"),
            Text("fix it", "修复"),
            "inbound-1",
        ),
        errored("seat 8003", Text("no INVITE arrived", "未收到")),
        skipped("seat 8004", Text("not in scenario", "不适用")),
    ]
    run = write_run(
        tmp_path / "run",
        calls=[call],
        checks=[check("callerid.inbound_passthrough", Verdict.FAIL, subjects)],
        media={},
        overall=Verdict.FAIL,
    )
    root = ET.parse(render_junit(run)).getroot()  # noqa: S314 -- our own output
    cases = {c.get("name"): c for c in root.iter("testcase")}
    failure = cases["seat 8002"].find("failure")
    assert failure is not None and failure.get("type") == "FAIL"
    assert failure.get("message") == "number changed to 138****8000 / 号码被改"
    assert "remedy / 整改建议: fix it / 修复" in (failure.text or "")
    assert "evidence / 证据: inbound-1" in (failure.text or "")
    error = cases["seat 8003"].find("error")
    assert error is not None and error.get("message") == "no INVITE arrived / 未收到"
    assert cases["seat 8004"].find("skipped") is not None
    assert len(list(cases["seat 8001"])) == 0
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == (
        "4",
        "1",
        "1",
        "1",
    )


def test_control_characters_never_make_invalid_xml(tmp_path: Path) -> None:
    """A subject or reason holding NUL, ESC or other control characters still gives parseable XML."""
    assert xml_safe("a\x00b\x1bc\td\n") == "a\\x00b\\x1bc\td\n"
    call = simple_call("c", CallPurpose.INBOUND, t0=1.0e9)
    bad = failed("seat \x00<x>", Text("reason \x1b[31m", "理由\x07"), Text("r", "r"))
    run = write_run(tmp_path / "run", calls=[call], checks=[check("x.y", Verdict.FAIL, [bad])], media={})
    root = ET.parse(render_junit(run)).getroot()  # noqa: S314 -- our own output
    case = next(root.iter("testcase"))
    assert case.get("name") == "seat \\x00<x>"
