"""JUnit XML of a run, for CI dashboards: one testcase per check and subject.

* ``classname`` is the check id (``callerid.screening``), ``name`` the subject (``seat 8003``);
  a check without subjects is one testcase named after the check id.
* FAIL → ``<failure>``, ERROR → ``<error>``, SKIP → ``<skipped>``, each with ``message`` = the
  reason (English / Chinese) and, as text, reason, remedy and evidence. PASS → an empty testcase.
* Suite totals count testcases; ``properties`` carry the run id, target, scenario, overall
  verdict and ccinspect's version.

Numbers are masked as in the HTML unless ``unmask``. Characters XML 1.0 cannot carry (control
characters a hostile peer may send) are written as ``\\xNN``, so the file always parses.
"""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from ccinspect.core.verdict import SubjectResult, Text, Verdict
from ccinspect.report.rundir import RunReport, open_run

__all__ = ["default_junit_path", "junit_tree", "render_junit", "write_junit", "xml_safe"]

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TAGS = {Verdict.FAIL: "failure", Verdict.ERROR: "error", Verdict.SKIP: "skipped"}


def xml_safe(text: str) -> str:
    """``text`` with characters XML 1.0 forbids replaced by ``\\xNN`` (``\\uNNNN``)."""
    return _NOT_XML.sub(
        lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 256 else f"\\u{ord(m.group(0)):04x}", text
    )


def _both(text: Text | None) -> str:
    return "" if text is None else xml_safe(f"{text.en} / {text.zh}")


def _case(parent: ET.Element, check_id: str, s: SubjectResult) -> None:
    case = ET.SubElement(parent, "testcase", classname=xml_safe(check_id), name=xml_safe(s.subject), time="0")
    tag = _TAGS.get(s.verdict)
    if tag is None:
        return
    element = ET.SubElement(case, tag, message=_both(s.reason), type=s.verdict.name)
    lines = [_both(s.reason)]
    if s.remedy is not None:
        lines.append("remedy / 整改建议: " + _both(s.remedy))
    lines.extend("evidence / 证据: " + xml_safe(e) for e in s.evidence)
    element.text = "\n".join(lines)


def junit_tree(run: RunReport) -> ET.ElementTree:
    """The JUnit document of a loaded run (see the module doc)."""
    info = run.info
    suites = ET.Element("testsuites", name="ccinspect")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=xml_safe(f"ccinspect {info.scenario.name or 'run'}"),
        timestamp=_iso(info.started_at),
        id=xml_safe(info.run_id or ""),
    )
    props = ET.SubElement(suite, "properties")
    for key, value in (
        ("run_id", info.run_id or ""),
        ("status", info.status.value),
        ("target", info.target.name),
        ("scenario", info.scenario.name),
        ("overall", info.overall.value if info.overall else ""),
        ("ccinspect_version", info.ccinspect_version),
        ("schema", info.schema),
    ):
        ET.SubElement(props, "property", name=key, value=xml_safe(value))
    for check in info.checks:
        whole = SubjectResult(check.check_id, check.verdict, check.reason, check.remedy)
        for subject in check.subjects or (whole,):
            _case(suite, check.check_id, subject)
    cases = suite.findall("testcase")
    totals = {
        "tests": len(cases),
        "failures": sum(1 for c in cases if c.find("failure") is not None),
        "errors": sum(1 for c in cases if c.find("error") is not None),
        "skipped": sum(1 for c in cases if c.find("skipped") is not None),
    }
    for element in (suite, suites):
        for name, count in totals.items():
            element.set(name, str(count))
        element.set("time", f"{_duration(run):.3f}")
    ET.indent(suites)
    return ET.ElementTree(suites)


def _duration(run: RunReport) -> float:
    info = run.info
    if info.started_at is None or info.finished_at is None:
        return 0.0
    return max(info.finished_at - info.started_at, 0.0)


def _iso(epoch: float | None) -> str:
    if epoch is None:
        return ""
    return datetime.datetime.fromtimestamp(epoch).isoformat(timespec="seconds")


def default_junit_path(run_path: Path, *, unmask: bool = False) -> Path:
    """Where :func:`render_junit` writes: ``<run dir>/report/junit[-unmasked].xml``."""
    return run_path / "report" / f"junit{'-unmasked' if unmask else ''}.xml"


def write_junit(run: RunReport, target: Path) -> Path:
    """Write a loaded run's JUnit XML to ``target`` atomically and return ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    junit_tree(run).write(tmp, encoding="utf-8", xml_declaration=True)
    tmp.replace(target)
    return target


def render_junit(run_dir: str | Path, *, unmask: bool = False, out: str | Path | None = None) -> Path:
    """Write the run's JUnit XML and return its path (see the module doc)."""
    run = open_run(run_dir, unmask=unmask)
    return write_junit(run, Path(out) if out is not None else default_junit_path(run.path, unmask=unmask))
