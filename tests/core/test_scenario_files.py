"""Scenario and target files: shipped files load; every user mistake is named precisely."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ccinspect.core.scenario import (
    Scenario,
    ScenarioFileError,
    Target,
    load_scenario,
    load_target,
)
from ccinspect.core.scenario.target import PublicLineTrunk

ROOT = Path(__file__).resolve().parents[2]
#: Scenario files (answers files, ``answers-*.yaml``, are the operator's: tests/runner/test_manual.py).
SCENARIOS = sorted(p for p in (ROOT / "scenarios").glob("*.yaml") if not p.name.startswith("answers-"))
TARGETS = sorted((ROOT / "scenarios" / "targets").glob("*.yaml"))
LIVE_SECRETS = [f"CCI_SEAT_100{i}_PASSWORD" for i in range(1, 6)] + ["CCI_RECORDINGS_PASSWORD"]

TARGET = """\
name: t
sip: {registrar: "127.0.0.1:5060"}
seats:
  - {id: "8001", username: "8001", password: s3cret-8001}
trunk: {mode: simulated, bind: "127.0.0.1:5070"}
numbers:
  access_number: "950512"
  allocated: ["950512", "051268880000"]
"""
SCENARIO = """\
name: s
title: {zh: 测试, en: test}
inbound:
  callers: ["13800138000"]
"""


def write(tmp_path: Path, text: str, name: str = "file.yaml") -> Path:
    """Write ``text`` (dedented) to a YAML file under ``tmp_path``."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def scenario_error(tmp_path: Path, text: str) -> ScenarioFileError:
    """The error loading ``text`` as a scenario raises."""
    with pytest.raises(ScenarioFileError) as info:
        load_scenario(write(tmp_path, text))
    return info.value


def target_error(tmp_path: Path, text: str) -> ScenarioFileError:
    """The error loading ``text`` as a target raises."""
    with pytest.raises(ScenarioFileError) as info:
        load_target(write(tmp_path, text))
    return info.value


# ---------------------------------------------------------------- shipped files


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_every_shipped_scenario_loads(path: Path) -> None:
    """Each scenario in scenarios/ validates and knows where it came from."""
    scenario = load_scenario(path)
    assert isinstance(scenario, Scenario)
    assert scenario.source == str(path)
    assert scenario.selected_checks()


@pytest.mark.parametrize("path", TARGETS, ids=[p.name for p in TARGETS])
def test_every_shipped_target_loads(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each target in scenarios/targets/ validates (secrets for the live example from env)."""
    for name in LIVE_SECRETS:
        monkeypatch.setenv(name, f"value-of-{name}")
    target = load_target(path)
    assert isinstance(target, Target)
    assert len(target.seats) >= 5
    assert all(seat.password is not None for seat in target.seats)


def test_shipped_onsite_scenario_runs_every_check() -> None:
    """The inspector's full script selects the whole catalogue."""
    from ccinspect.core.catalog import check_ids

    assert load_scenario(ROOT / "scenarios" / "onsite-jiangsu.yaml").selected_checks() == check_ids()


# ---------------------------------------------------------------- the user's mistakes


def test_typo_in_a_key_names_file_path_line_and_suggestion(tmp_path: Path) -> None:
    """'calers' under inbound: file, key path, line and "did you mean 'callers'?"."""
    err = scenario_error(tmp_path, SCENARIO.replace("  callers:", "  calers:"))
    assert err.file.endswith("file.yaml")
    assert err.key_path == "inbound.calers"
    assert err.line == 4
    assert "unknown key 'calers'" in err.message_en
    assert "未知的键" in err.message_zh
    assert err.allowed is not None and "did you mean 'callers'?" in err.allowed
    assert str(err).startswith(f"{err.file}:4:3: inbound.calers: unknown key")


def test_wrong_type_names_the_key_and_what_was_expected(tmp_path: Path) -> None:
    """'min_seats: five' → expected a whole number, at min_seats."""
    err = scenario_error(tmp_path, SCENARIO + "min_seats: five\n")
    assert err.key_path == "min_seats"
    assert "expected a whole number, got str 'five'" in err.message_en
    assert err.line == 5


def test_unquoted_phone_number_is_explained(tmp_path: Path) -> None:
    """An unquoted 0512 number becomes octal in YAML: the error says to quote it."""
    err = scenario_error(tmp_path, SCENARIO.replace('["13800138000"]', '["13800138000", 0512]'))
    assert err.key_path == "inbound.callers[1]"
    assert "write phone numbers in quotes" in err.message_en
    assert "0512 becomes 330" in err.message_en


def test_invalid_number_in_a_list(tmp_path: Path) -> None:
    """A malformed allocated number is named with its index."""
    err = target_error(tmp_path, TARGET.replace('"051268880000"', '"0512688800"'))
    assert err.key_path == "numbers.allocated[1]"
    assert "'0512688800' is not a valid number" in err.message_en


def test_unknown_check_id_suggests_the_closest(tmp_path: Path) -> None:
    """An unknown check id in checks.include is refused with the catalogue and a suggestion."""
    err = scenario_error(tmp_path, SCENARIO + "checks: {include: [seats.registerd]}\n")
    assert err.key_path == "checks.include[0]"
    assert "unknown check id 'seats.registerd'" in err.message_en
    assert err.allowed is not None and "did you mean 'seats.registered'?" in err.allowed


def test_unknown_literal_value_suggests(tmp_path: Path) -> None:
    """transport: udpp → allowed values and "did you mean 'udp'?"."""
    err = target_error(
        tmp_path,
        TARGET.replace('{registrar: "127.0.0.1:5060"}', '{registrar: "127.0.0.1:5060", transport: udpp}'),
    )
    assert err.key_path == "sip.transport"
    assert err.allowed is not None and "did you mean 'udp'?" in err.allowed


def test_unknown_trunk_mode_and_key_inside_a_mode(tmp_path: Path) -> None:
    """An unknown mode names the allowed modes; a typo inside a mode drops pydantic's tag."""
    err = target_error(tmp_path, TARGET.replace("mode: simulated", "mode: simulatd"))
    assert err.key_path == "trunk"
    assert err.allowed is not None and "did you mean 'simulated'?" in err.allowed
    err = target_error(tmp_path, TARGET.replace("bind:", "bnd:"))
    assert err.key_path == "trunk.bnd"
    assert err.allowed is not None and "did you mean 'bind'?" in err.allowed


def test_missing_required_key(tmp_path: Path) -> None:
    """A target without numbers: 'required key numbers is missing'."""
    err = target_error(tmp_path, TARGET.split("numbers:", maxsplit=1)[0])
    assert err.key_path == "numbers"
    assert "required key 'numbers' is missing" in err.message_en


def test_missing_env_secret_names_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """password_env naming an unset variable: the error names the variable and the key."""
    monkeypatch.delenv("CCI_TEST_UNSET_PASSWORD", raising=False)
    err = target_error(
        tmp_path, TARGET.replace("password: s3cret-8001", "password_env: CCI_TEST_UNSET_PASSWORD")
    )
    assert err.key_path == "seats[0].password_env"
    assert "environment variable CCI_TEST_UNSET_PASSWORD is not set" in err.message_en
    assert "CCI_TEST_UNSET_PASSWORD" in err.message_zh


def test_secrets_resolve_and_never_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Env and file secrets resolve; repr/str of the target never show any password."""
    monkeypatch.setenv("CCI_TEST_SEAT", "from-env-42")
    (tmp_path / "seat2.secret").write_text("from-file-43\n", encoding="utf-8")
    text = TARGET.replace(
        '  - {id: "8001", username: "8001", password: s3cret-8001}',
        '  - {id: "8001", username: "8001", password_env: CCI_TEST_SEAT}\n'
        '  - {id: "8002", username: "8002", password_file: seat2.secret}\n'
        '  - {id: "8003", username: "8003", password: inline-44}',
    )
    target = load_target(write(tmp_path, text))
    values = [s.password.get_secret_value() for s in target.seats if s.password is not None]
    assert values == ["from-env-42", "from-file-43", "inline-44"]
    shown = repr(target) + str(target) + target.model_dump_json()
    assert not any(v in shown for v in values)


def test_password_problems(tmp_path: Path) -> None:
    """Two password sources, none at all, or an unreadable file are each refused."""
    two = TARGET.replace("password: s3cret-8001", "password: a, password_env: B")
    assert "give only one of password, password_env" in target_error(tmp_path, two).message_en
    none = TARGET.replace(", password: s3cret-8001", "")
    assert "a password is required" in target_error(tmp_path, none).message_en
    missing = TARGET.replace("password: s3cret-8001", "password_file: nowhere.secret")
    err = target_error(tmp_path, missing)
    assert err.key_path == "seats[0].password_file"
    assert "cannot read password file" in err.message_en


def test_duplicate_seat_id(tmp_path: Path) -> None:
    """Two seats with one id: the second is named."""
    text = TARGET.replace("seats:\n", 'seats:\n  - {id: "8001", username: "8009", password: x}\n')
    err = target_error(tmp_path, text)
    assert err.key_path == "seats[1].id"
    assert "appears twice" in err.message_en


def test_screening_reasons_only_with_flag(tmp_path: Path) -> None:
    """reasons on an expect: reject case is refused at screening.cases[0].reasons."""
    text = SCENARIO + 'screening:\n  cases:\n    - {number: "1", expect: reject, reasons: [x]}\n'
    err = scenario_error(tmp_path, text)
    assert err.key_path == "screening.cases[0].reasons"


def test_yaml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    """A YAML syntax error names the line and column."""
    err = scenario_error(tmp_path, SCENARIO + 'outbound: {destinations: ["1"]\n  oops\n')
    assert "YAML syntax error" in err.message_en
    assert err.line is not None and err.line >= 5
    assert err.column is not None
    assert err.key_path == ""


def test_duplicate_key_is_refused(tmp_path: Path) -> None:
    """A key given twice would silently win in plain YAML: refused with its line."""
    err = scenario_error(tmp_path, SCENARIO + "name: again\n")
    assert "duplicate key 'name'" in err.message_en
    assert err.line == 5


def test_not_a_mapping_and_unreadable_file(tmp_path: Path) -> None:
    """A top-level list, or a file that does not exist, is the user's mistake too."""
    assert "must be a mapping" in scenario_error(tmp_path, "- a\n- b\n").message_en
    with pytest.raises(ScenarioFileError, match="cannot read the file"):
        load_scenario(tmp_path / "missing.yaml")


def test_public_line_trunk_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A public-line trunk with its registrar, account and number validates."""
    monkeypatch.setenv("CCI_LINE", "pw")
    text = TARGET.replace(
        'trunk: {mode: simulated, bind: "127.0.0.1:5070"}',
        "trunk:\n  mode: public-line\n  registrar: sip.carrier.example.net:5060\n"
        '  username: "051220000099"\n  password_env: CCI_LINE\n  public_number: "051220000099"',
    )
    target = load_target(write(tmp_path, text))
    assert isinstance(target.trunk, PublicLineTrunk)
    assert target.trunk.public_number == "051220000099"


def test_defaults_are_the_documented_ones(tmp_path: Path) -> None:
    """Timeouts, minimum seats, tolerance, retention and reply days default as documented."""
    s = load_scenario(write(tmp_path, SCENARIO))
    t = s.timeouts
    assert (t.register, t.answer, t.hold, t.call_setup, t.recording_fetch, t.complaint) == (
        10,
        15,
        4,
        10,
        20,
        40,
    )
    assert (s.min_seats, s.recording.tolerance_s, s.retention.days, s.complaint.reply_days) == (
        5,
        2.0,
        30,
        15,
    )
