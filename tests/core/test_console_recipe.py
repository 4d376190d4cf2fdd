"""The target's web console recipe (``console:``) and ``extends``: validated as data, mistakes named."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ccinspect.core.checks.observe import ObserveKind
from ccinspect.core.facts import RecordingSource
from ccinspect.core.scenario import ScenarioFileError, build_context, load_scenario, load_target

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ROOT / "scenarios" / "targets"

BASE = """\
name: base
sip: {registrar: "127.0.0.1:5080"}
seats:
  - {id: "100101", username: "100101", password: x}
trunk: {mode: simulated, bind: "127.0.0.1:5072"}
numbers:
  access_number: "955088"
  allocated: ["955088"]
recordings: {kind: http, url: "http://127.0.0.1:8180/rec/", auth: none}
"""

CONSOLE = """\
console:
  url: http://127.0.0.1:8180/
  username: inspector
  password: secret
  login: {username: '#u', password: '#p', submit: 'button', success: 'text=退出'}
  calls:
    path: calls
    rows: 'table tr'
    empty: 'text=无记录'
    columns: {time: 'td:nth-child(4)', screening: 'td:nth-child(7)'}
    open: 'a.play'
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_demo_b_web_extends_demo_b_and_reads_everything_through_the_console() -> None:
    """demo-b-web.yaml keeps demo-b.yaml's seats, numbers and CDR, and reads recordings,
    complaints and the screening flag in the console."""
    target = load_target(TARGETS / "demo-b-web.yaml")
    base = load_target(TARGETS / "demo-b.yaml")
    assert target.name == "demo-b-web" and target.seats == base.seats and target.cdr == base.cdr
    assert target.recordings is not None and target.recordings.kind == "web"
    assert target.complaints is not None and target.complaints.kind == "web"
    assert target.console is not None and target.console.calls is not None
    ctx = build_context(load_scenario(ROOT / "scenarios" / "onsite-jiangsu.yaml"), target)
    assert ctx.recording_interface is RecordingSource.WEB
    assert ObserveKind.WEB in {rule.kind for rule in ctx.screening_observe}


def test_extends_replaces_whole_sections_and_errors_name_the_file_that_wrote_the_key(tmp_path: Path) -> None:
    """A section given in the extending file replaces the base's; a mistake is reported in the
    file (and line) where the wrong key was written."""
    _write(tmp_path, "base.yaml", BASE)
    child = _write(
        tmp_path, "child.yaml", "extends: base.yaml\nname: child\n" + CONSOLE + "recordings: {kind: web}\n"
    )
    target = load_target(child)
    assert target.name == "child" and target.recordings is not None and target.recordings.kind == "web"
    bad = _write(tmp_path, "bad.yaml", "extends: base.yaml\nname: bad\nnumbers: {access_number: 955088}\n")
    with pytest.raises(ScenarioFileError) as caught:
        load_target(bad)
    assert caught.value.file == str(bad) and caught.value.key_path.startswith("numbers")
    broken_base = _write(
        tmp_path, "broken.yaml", BASE.replace('registrar: "127.0.0.1:5080"', "registrar: nowhere")
    )
    child2 = _write(tmp_path, "child2.yaml", "extends: broken.yaml\nname: c2\n")
    with pytest.raises(ScenarioFileError) as caught:
        load_target(child2)
    assert caught.value.file == str(broken_base) and caught.value.key_path == "sip.registrar"
    assert caught.value.line == 2


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("extends: missing.yaml\n", "does not exist"),
        ("extends: loop.yaml\n", "loop"),
        ("extends: 3\n", "must name a target file"),
    ],
)
def test_extends_mistakes_are_named(tmp_path: Path, text: str, problem: str) -> None:
    """A missing base file, a loop, a value that is not a file name: named on the extends key."""
    path = _write(tmp_path, "loop.yaml", text + "name: x\n")
    with pytest.raises(ScenarioFileError) as caught:
        load_target(path)
    assert caught.value.key_path == "extends" and problem in caught.value.message_en


@pytest.mark.parametrize(
    ("extra", "key", "problem"),
    [
        ("recordings: {kind: web}\n", "recordings.kind", "there is no console section"),
        (
            CONSOLE.replace("    open: 'a.play'\n", "") + "complaints: {kind: web}\n",
            "complaints.kind",
            "console.work_orders is not set",
        ),
        (
            CONSOLE.replace("screening: 'td:nth-child(7)'", "agent: 'td:nth-child(3)'")
            + "screening: {observe: [{kind: web}]}\n",
            "console.calls.columns.screening",
            "names no screening cell",
        ),
        (CONSOLE.replace("    empty: 'text=无记录'\n", ""), "console.calls.empty", "required"),
        (CONSOLE.replace("time: 'td:nth-child(4)', ", ""), "console.calls.columns.time", "no time column"),
        (CONSOLE.replace("path: calls", "path: http://x/calls"), "console.calls.path", "full URL"),
        (CONSOLE.replace("  password: secret\n", ""), "console", "password is required"),
    ],
)
def test_console_recipe_mistakes_name_the_key(tmp_path: Path, extra: str, key: str, problem: str) -> None:
    """kind web without the recipe page it needs, a search without its empty-result element or
    time column, a full URL as a page, no password: each named with its key."""
    path = _write(
        tmp_path,
        "t.yaml",
        BASE.replace('recordings: {kind: http, url: "http://127.0.0.1:8180/rec/", auth: none}\n', "") + extra,
    )
    with pytest.raises(ScenarioFileError) as caught:
        load_target(path)
    assert caught.value.key_path.startswith(key), caught.value.key_path
    assert problem in caught.value.text.en + caught.value.text.zh
