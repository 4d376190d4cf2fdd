"""Joining scenario and target: the checks' policy, the call plan, and cross-file mistakes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ccinspect.core.facts import CallPurpose, RecordingSource
from ccinspect.core.numbers import ScreeningAction
from ccinspect.core.scenario import (
    ScenarioFileError,
    Target,
    build_context,
    load_scenario,
    load_target,
    plan_calls,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scenarios" / "targets" / "demo.yaml"


def demo() -> Target:
    """The shipped demo target."""
    return load_target(DEMO)


def scenario_file(tmp_path: Path, text: str) -> Path:
    """Write a scenario; a name and title are prepended."""
    path = tmp_path / "s.yaml"
    head = "name: s\ntitle: {zh: 测试, en: test}\n"
    path.write_text(head + textwrap.dedent(text), encoding="utf-8")
    return path


def context_error(tmp_path: Path, text: str, target: Target | None = None) -> ScenarioFileError:
    """The error build_context raises for this scenario against the demo (or given) target."""
    scenario = load_scenario(scenario_file(tmp_path, text))
    with pytest.raises(ScenarioFileError) as info:
        build_context(scenario, target or demo())
    return info.value


def test_onsite_context_carries_the_demo_policy() -> None:
    """The full script against the demo target: 5 seats, numbers, lists and defaults."""
    scenario = load_scenario(ROOT / "scenarios" / "onsite-jiangsu.yaml")
    ctx = build_context(scenario, demo())
    assert [s.id for s in ctx.seats] == ["8001", "8002", "8003", "8004", "8005"]
    assert ctx.min_seats == 5
    assert ctx.allocated == frozenset({"950512", "051268880000"})
    assert ctx.dnc_tested == ("13900000001",)
    assert ctx.blacklist == frozenset({"17000000000"})
    assert ctx.recording_interface is RecordingSource.ARI
    assert (ctx.recording_tolerance_s, ctx.retention_days, ctx.complaint_reply_days) == (2.0, 30, 15)
    assert ctx.recording_exclude == frozenset({CallPurpose.COMPLAINT})
    assert ctx.expectation_for("17000000000").action is ScreeningAction.REJECT
    assert ctx.example_caller_id() == "051268880000"


def test_context_holds_no_secret() -> None:
    """No password of the target appears anywhere in the context."""
    ctx = build_context(load_scenario(ROOT / "scenarios" / "smoke.yaml"), demo())
    assert "cci-seat-8001" not in repr(ctx)
    assert "cci-inspector" not in repr(ctx)


def test_screening_expectation_defaults_from_the_rules(tmp_path: Path) -> None:
    """A case without expect gets what the screening rules say (blacklist from the target)."""
    text = """\
    screening:
      cases:
        - {number: "+14155550123"}
        - {number: "13700000000"}
    checks: {include: [callerid.screening]}
    """
    ctx = build_context(load_scenario(scenario_file(tmp_path, text)), demo())
    foreign, mobile = ctx.screening
    assert (foreign.action, foreign.tokens) == (ScreeningAction.FLAG, frozenset({"foreign"}))
    assert mobile.action is ScreeningAction.PASS


def test_scenario_seat_missing_from_target(tmp_path: Path) -> None:
    """A scenario seat the target lacks: scenario file, seats[i], the target's ids suggested."""
    err = context_error(tmp_path, 'seats: ["8001", "8010"]\n')
    assert err.key_path == "seats[1]"
    assert err.file.endswith("s.yaml")
    assert err.allowed is not None and "8001" in err.allowed


def test_selected_check_without_its_inputs(tmp_path: Path) -> None:
    """callerid.screening selected (by default: all) with no cases: named, with the way out."""
    err = context_error(tmp_path, 'inbound: {callers: ["13800138000"]}\n')
    assert err.key_path == "outbound"
    assert "check outbound.each_seat is selected but outbound is missing" in err.message_en
    assert "checks.exclude" in (err.allowed or "")


def test_target_lacking_what_a_check_needs(tmp_path: Path) -> None:
    """complaint.flow against a target without complaints: the target file is named."""
    target = demo().model_copy(update={"complaints": None})
    target._source = "targets/no-complaints.yaml"
    err = context_error(tmp_path, "checks: {include: [complaint.flow]}\n", target)
    assert err.file == "targets/no-complaints.yaml"
    assert err.key_path == "complaints"


def test_reject_case_must_be_on_the_blacklist(tmp_path: Path) -> None:
    """expect: reject for a number the target does not blacklist proves nothing: refused."""
    text = """\
    screening:
      cases: [{number: "13800138000", expect: reject}]
    checks: {include: [callerid.screening]}
    """
    err = context_error(tmp_path, text)
    assert err.key_path == "screening.cases[0].number"
    assert "not on the target's blacklist" in err.message_en


def test_dnc_number_must_be_on_the_target_list(tmp_path: Path) -> None:
    """A DNC number to dial that is not on the target's DNC list is refused."""
    err = context_error(tmp_path, 'dnc: {numbers: ["13800138000"]}\nchecks: {include: [outbound.dnc]}\n')
    assert err.key_path == "dnc.numbers[0]"


def test_max_calls_bounds_the_plan(tmp_path: Path) -> None:
    """A plan with more calls than max_calls is refused before anything runs."""
    text = """\
    max_calls: 3
    inbound: {callers: ["13800138000"]}
    outbound: {destinations: ["13800138888"]}
    checks: {include: [inbound.each_seat, outbound.each_seat]}
    """
    err = context_error(tmp_path, text)
    assert err.key_path == "max_calls"
    assert "would place 10 calls" in err.message_en


def test_plan_cycles_callers_and_names_calls(tmp_path: Path) -> None:
    """One inbound call per seat with callers in turn; outbound per seat; forged, DNC, complaint."""
    text = """\
    inbound: {callers: ["13800138000", "051266661234"]}
    outbound: {destinations: ["13800138888"], forged_caller_ids: ["13912345678"]}
    checks: {include: [inbound.each_seat, outbound.each_seat, outbound.dnc, complaint.flow]}
    """
    plan = plan_calls(load_scenario(scenario_file(tmp_path, text)), demo())
    keys = [c.key for c in plan]
    assert keys[:5] == [f"inbound-{i}" for i in range(1, 6)]
    assert [c.caller for c in plan[:5]] == ["13800138000", "051266661234"] * 2 + ["13800138000"]
    assert all(c.dial == "950512" and c.seat is None for c in plan[:5])
    assert keys[5:10] == [f"outbound-800{i}" for i in range(1, 6)]
    forged = plan[10]
    assert (forged.key, forged.purpose, forged.caller) == (
        "forged-1",
        CallPurpose.FORGED_CALLER_ID,
        "13912345678",
    )
    # the do-not-call number in each written form: national, +86, 0086
    assert [(c.key, c.dial) for c in plan[11:14]] == [
        ("dnc-1", "13900000001"),
        ("dnc-2", "+8613900000001"),
        ("dnc-3", "008613900000001"),
    ]
    assert len({c.seat for c in plan[11:14]}) == 3
    assert (plan[14].key, plan[14].dial, plan[14].caller) == ("complaint", "9505129", "13800138000")


def test_fixed_line_dial_needs_a_fixed_line(tmp_path: Path) -> None:
    """inbound.dial: fixed_line against a target without one is refused."""
    numbers = demo().numbers.model_copy(update={"fixed_line": None})
    target = demo().model_copy(update={"numbers": numbers})
    text = 'inbound: {dial: fixed_line, callers: ["13800138000"]}\nchecks: {include: [inbound.each_seat]}\n'
    assert context_error(tmp_path, text, target).key_path == "numbers.fixed_line"


def _with_recordings(tmp_path: Path, section: str) -> Target:
    """The demo target with its recordings section replaced by ``section`` (YAML)."""
    text = DEMO.read_text(encoding="utf-8")
    head, _, tail = text.partition("recordings:\n")
    rest = tail[tail.index("complaints:") :]
    path = tmp_path / "t.yaml"
    body = textwrap.indent(textwrap.dedent(section), "  ")
    path.write_text(head + "recordings:\n" + body + rest, encoding="utf-8")
    return load_target(path)


def test_stereo_layout_reaches_the_checks_and_mono_targets_have_none(tmp_path: Path) -> None:
    """recordings.stereo becomes ctx.recording_stereo (left party, right party); none declared: None."""
    scenario = load_scenario(ROOT / "scenarios" / "onsite-jiangsu.yaml")
    assert build_context(scenario, demo()).recording_stereo is None
    target = _with_recordings(
        tmp_path,
        """\
          kind: directory
          path: /srv/monitor
          stereo: {left: agent, right: caller}
        """,
    )
    assert build_context(scenario, target).recording_stereo == ("agent", "caller")


def test_sql_recordings_are_judged_as_the_way_they_are_fetched(tmp_path: Path) -> None:
    """A sql lookup reading files from a root directory is a directory; with a download URL, HTTP."""
    scenario = load_scenario(ROOT / "scenarios" / "onsite-jiangsu.yaml")
    base = (
        "kind: sql\nurl: sqlite:////srv/cc.sqlite\n"
        "query: SELECT id, time, file FROM rec WHERE time BETWEEN :start AND :end\n"
    )
    rooted = _with_recordings(tmp_path, base + "root: /srv/monitor\n")
    assert build_context(scenario, rooted).recording_interface is RecordingSource.DIRECTORY
    linked = _with_recordings(tmp_path, base + "download: http://cc.example.com/rec/{file}\n")
    assert build_context(scenario, linked).recording_interface is RecordingSource.HTTP


def test_a_stereo_layout_with_one_party_twice_is_a_file_problem(tmp_path: Path) -> None:
    """left: caller, right: caller names the key and what is allowed."""
    with pytest.raises(ScenarioFileError) as info:
        _with_recordings(
            tmp_path,
            """\
              kind: directory
              path: /srv/monitor
              stereo: {left: caller, right: caller}
            """,
        )
    assert "recordings.stereo" in str(info.value) and "both channels" in str(info.value)


def test_inbound_calls_designate_their_seat_unless_first_answers(tmp_path: Path) -> None:
    """By default each inbound call names the seat that must answer it, in seat order; with
    ``answer: first`` no call designates a seat."""
    designated = plan_calls(
        load_scenario(scenario_file(tmp_path, 'inbound: {callers: ["13800138000"]}\n')), demo()
    )
    assert [c.designated for c in designated if c.purpose is CallPurpose.INBOUND] == [
        f"800{i}" for i in range(1, 6)
    ]
    first = plan_calls(
        load_scenario(scenario_file(tmp_path, 'inbound: {callers: ["13800138000"], answer: first}\n')), demo()
    )
    assert all(c.designated is None for c in first)


def _seat_target(tmp_path: Path, seat: str) -> Path:
    text = DEMO.read_text(encoding="utf-8")
    old = '  - {id: "8005", username: "8005", password: cci-seat-8005}\n'
    assert old in text
    path = tmp_path / "t.yaml"
    path.write_text(text.replace(old, seat), encoding="utf-8")
    return path


def test_seat_account_shapes(tmp_path: Path) -> None:
    """A seat may name its SIP user as sip_user, a digest username of its own, a display name,
    its own registrar and domain, and whether it has call waiting."""
    seat = (
        '  - {id: "desk-5", sip_user: "8005", auth_username: "001565a1b2c3", display_name: 坐席五,\n'
        '     registrar: "127.0.0.1:5060", domain: cc.example.com, busy_when_on_call: false,\n'
        "     password: x}\n"
    )
    spec = load_target(_seat_target(tmp_path, seat)).seats[-1]
    assert (spec.id, spec.username, spec.auth_username, spec.display_name) == (
        "desk-5",
        "8005",
        "001565a1b2c3",
        "坐席五",
    )
    assert (spec.registrar, spec.domain, spec.busy_when_on_call) == (
        "127.0.0.1:5060",
        "cc.example.com",
        False,
    )
    assert demo().seats[0].busy_when_on_call is True


def test_sip_user_and_username_together_is_a_file_problem(tmp_path: Path) -> None:
    """Giving the SIP user twice names the key."""
    seat = '  - {id: "8005", username: "8005", sip_user: "8005", password: x}\n'
    with pytest.raises(ScenarioFileError) as info:
        load_target(_seat_target(tmp_path, seat))
    assert "sip_user" in str(info.value)
