"""The target's screening.observe and cdr sections become the checks' rule data, or a named mistake."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ccinspect.core.checks.observe import ObserveKind, ScreeningObservation
from ccinspect.core.scenario import ScenarioFileError, Target, build_context, load_scenario, load_target
from ccinspect.core.scenario.sources import CdrFile, CdrHttp, CdrSql

ROOT = Path(__file__).resolve().parents[2]

HEAD = """\
name: b
sip: {registrar: "127.0.0.1:5080"}
seats:
  - {id: "100101", username: "100101", password: ccb-agent-100101}
trunk: {mode: simulated, bind: "127.0.0.1:5072"}
numbers:
  access_number: "955088"
  allocated: ["955088", "02586660000"]
  blacklisted_callers: ["17000000000"]
"""

PLATFORM_B = """\
cdr:
  kind: sql
  url: postgresql+psycopg://ccb@127.0.0.1:5442/callcenter
  password: ccb-db-pass
  timezone: Asia/Shanghai
  query: "SELECT * FROM cdr WHERE calldate BETWEEN :start AND :end"
  fields: {time: calldate, screening: screen_result, agent: agent_id, id: uniqueid}
  wait_s: 3
screening:
  observe:
    - kind: display_name
      pattern: '^\\[(?P<flag>[^\\]]+)\\]'
      values: {无主叫: absent, 号码异常: malformed, 国际格式: intl-format, 境外来电: foreign}
    - kind: cdr
      values: {NO_CLI: absent, BAD_FORMAT: malformed, INTL_FORMAT: intl-format, FOREIGN: foreign}
      clear: [OK]
"""


def target(tmp_path: Path, extra: str) -> Target:
    """A platform-B-like target with ``extra`` sections."""
    path = tmp_path / "t.yaml"
    path.write_text(HEAD + textwrap.dedent(extra), encoding="utf-8")
    return load_target(path)


SCENARIO = """\
name: s
title: {zh: 甄别, en: screening}
min_seats: 1
screening:
  cases:
    - {number: "12345", expect: flag, reasons: [malformed]}
checks: {include: [callerid.screening]}
"""


def context_of(t: Target) -> tuple[ScreeningObservation, ...]:
    """The screening observations build_context derives for a screening-only scenario."""
    path = Path(t.source).with_name("s.yaml")
    path.write_text(SCENARIO, encoding="utf-8")
    return build_context(load_scenario(path), t).screening_observe


def test_demo_target_observes_its_header() -> None:
    """Platform A declares the header its seats receive."""
    demo = load_target(ROOT / "scenarios" / "targets" / "demo.yaml")
    scenario = load_scenario(ROOT / "scenarios" / "smoke.yaml")
    observe = build_context(scenario, demo).screening_observe
    assert observe == (ScreeningObservation(ObserveKind.HEADER, name="X-Caller-Screening"),)


def test_display_name_and_cdr_rules_are_converted(tmp_path: Path) -> None:
    """Platform B: display-name pattern and values, CDR field name from cdr.fields.screening."""
    t = target(tmp_path, PLATFORM_B)
    display, cdr = context_of(t)
    assert display.kind is ObserveKind.DISPLAY_NAME
    assert display.flag_in("[号码异常] 12345") == "号码异常"
    assert display.token("号码异常") == "malformed"
    assert (cdr.kind, cdr.name, cdr.clear) == (ObserveKind.CDR, "screen_result", frozenset({"OK"}))
    assert cdr.token("BAD_FORMAT") == "malformed" and cdr.token("ok") is None
    assert isinstance(t.cdr, CdrSql) and (t.cdr.wait_s, t.cdr.tolerance_s) == (3.0, 5.0)


def test_no_screening_section_means_no_observation(tmp_path: Path) -> None:
    """A target without screening.observe gives the check nothing to read (it then says so)."""
    assert context_of(target(tmp_path, "")) == ()


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ("screening: {observe: [{kind: cdr}]}\n", "has no cdr section"),
        (
            "cdr: {kind: file, path: /x.json}\nscreening: {observe: [{kind: cdr}]}\n",
            "sets no cdr.fields.screening",
        ),
    ],
)
def test_cdr_rule_without_a_cdr_screening_field_is_the_targets_mistake(
    tmp_path: Path, extra: str, says: str
) -> None:
    """Reading the verdict from a CDR the target does not describe: named file, key and fix."""
    with pytest.raises(ScenarioFileError) as info:
        context_of(target(tmp_path, extra))
    assert info.value.key_path == "screening.observe[0]"
    assert says in info.value.message_en
    assert info.value.allowed is not None and "fields.screening" in info.value.allowed


def test_bad_display_name_pattern_is_refused_at_load(tmp_path: Path) -> None:
    """An invalid regular expression is a file mistake, located, not a crash at judgment time."""
    with pytest.raises(ScenarioFileError) as info:
        target(tmp_path, "screening: {observe: [{kind: display_name, pattern: '(['}]}\n")
    assert "screening.observe" in info.value.key_path
    assert "not a regular expression" in info.value.message_en


def test_cdr_kinds_and_their_wait_bounds(tmp_path: Path) -> None:
    """file / http CDR sections parse with the wait and tolerance bounds; out of range refused."""
    t = target(tmp_path, "cdr: {kind: file, path: ~/cdr.json, wait_s: 0}\n")
    assert isinstance(t.cdr, CdrFile) and t.cdr.wait_s == 0.0
    h = target(
        tmp_path, "cdr: {kind: http, url: 'http://127.0.0.1:8180/api/v1/cdr', auth: bearer, password: t}\n"
    )
    assert isinstance(h.cdr, CdrHttp)
    with pytest.raises(ScenarioFileError):
        target(tmp_path, "cdr: {kind: file, path: x, wait_s: 1000}\n")
