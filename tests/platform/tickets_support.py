"""Builders for the ticket-system tests: a target whose complaints section is given as YAML, and
the complaint call (no tests here)."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

from ccinspect.core.facts import TRUNK, CallFact, CallPurpose, LegFact, LegRole
from ccinspect.core.scenario import Target, load_target

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scenarios" / "targets" / "demo.yaml"
CALLER = "13800138000"
DEMO_COMPLAINTS = "complaints:\n  kind: demo-api\n  url: http://127.0.0.1:8089/api\n"
DEMO_SCREENING = "screening:\n  observe:\n    - {kind: header, name: X-Caller-Screening}\n"


def target_with(tmp_path: Path, complaints_yaml: str) -> Target:
    """The demo target with its ``complaints`` section replaced by ``complaints_yaml`` (and its
    ``screening`` section too when the YAML has one), loaded as ``ccinspect run --target`` would."""
    text = DEMO.read_text(encoding="utf-8")
    assert DEMO_COMPLAINTS in text
    if "\nscreening:" in "\n" + textwrap.dedent(complaints_yaml):
        assert DEMO_SCREENING in text
        text = text.replace(DEMO_SCREENING, "")
    path = tmp_path / "target.yaml"
    path.write_text(text.replace(DEMO_COMPLAINTS, textwrap.dedent(complaints_yaml)), encoding="utf-8")
    return load_target(path)


def complaint_call(started_at: float | None = None, caller: str = CALLER) -> CallFact:
    """The trunk's complaint call, answered by the IVR, started ``started_at`` (default now)."""
    start = time.time() if started_at is None else started_at
    leg = LegFact(TRUNK, LegRole.CALLER, "c1@ccinspect", 200, "OK", True, start + 1, start + 11, None)
    return CallFact("complaint", CallPurpose.COMPLAINT, (leg,), "02586669315", caller, start, start + 11)
