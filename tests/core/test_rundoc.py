"""The run document (core.rundoc): one writer, one reader, versioned, errors naming the key path."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from tests.store.samples import call, check, recording

from ccinspect.core.facts import RegistrationFact, RunFacts
from ccinspect.core.rundoc import (
    SCHEMA,
    MediaRef,
    PbxInfo,
    RunDocument,
    RunDocumentError,
    RunHeader,
    RunStatus,
    ScenarioInfo,
    TargetInfo,
)
from ccinspect.core.verdict import Text, Verdict

FIXTURES = [
    Path(__file__).parents[1] / "report" / "data" / "sample-run" / "report.json",
    Path(__file__).parents[1] / "store" / "data" / "sample-run" / "report.json",
]


def _document(**changes: Any) -> RunDocument:
    checks = (check("seats.registered", ("8001", Verdict.PASS)), check("callerid.passthrough"))
    doc = RunDocument(
        ccinspect_version="0.1.0",
        run_id="20261129-160729-ba14",
        status=RunStatus.COMPLETE,
        started_at=1_795_968_449.5,
        finished_at=1_795_968_500.25,
        error=None,
        target=TargetInfo("demo", None, "127.0.0.1:5060", "scenarios/targets/demo.yaml"),
        scenario=ScenarioInfo("smoke", Text("smoke test", "冒烟测试"), "scenarios/smoke.yaml"),
        pbx=PbxInfo("Asterisk PBX 22.0.0"),
        overall=Verdict.PASS,
        checks=checks,
        facts=RunFacts(
            registrations=(RegistrationFact("8001", True, 200, "OK"),),
            calls=(call("inbound-1"), call("inbound-2", answered=False, audio=False, error="gone")),
            recordings=(recording("inbound-1"),),
        ),
        media={
            "inbound-1": (MediaRef("trunk", "caller", "evidence/a.wav", 3), MediaRef("seat 8001", "callee")),
            "inbound-2": (),
        },
    )
    return RunDocument(**{**{f: getattr(doc, f) for f in doc.__dataclass_fields__}, **changes})


def _sample() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURES[0].read_text(encoding="utf-8"))
    return data


def test_encode_then_decode_gives_the_same_document() -> None:
    """from_json(to_json(doc)) == doc, through real JSON text too, for a complete and a running run."""
    for doc in (_document(), _document(status=RunStatus.RUNNING, finished_at=None, overall=None, checks=())):
        assert RunDocument.from_json(doc.to_json()) == doc
        assert RunDocument.from_json(json.loads(json.dumps(doc.to_json(), ensure_ascii=False))) == doc


def test_writer_keeps_the_report_json_layout() -> None:
    """The one writer gives schema ccinspect.report/1 with the keys in the order report.json has
    always had them (scenario title zh before en, status and verdict as their values)."""
    data = _document().to_json()
    assert list(data) == [
        "schema",
        "ccinspect_version",
        "run_id",
        "status",
        "started_at",
        "finished_at",
        "error",
        "target",
        "scenario",
        "pbx",
        "overall",
        "checks",
        "facts",
        "media",
    ]
    assert data["schema"] == SCHEMA == "ccinspect.report/1"
    assert (data["status"], data["overall"]) == ("complete", "pass")
    assert list(data["scenario"]["title"]) == ["zh", "en"]
    assert data["target"] == {
        "name": "demo",
        "description": None,
        "registrar": "127.0.0.1:5060",
        "file": "scenarios/targets/demo.yaml",
    }
    assert data["media"]["inbound-1"][1] == {
        "agent": "seat 8001",
        "role": "callee",
        "heard": None,
        "stimulus": None,
    }
    assert _document().media_for("inbound-1")[0].heard == "evidence/a.wav"
    assert _document().media_for("nowhere") == ()


@pytest.mark.parametrize("path", FIXTURES, ids=["report", "store"])
def test_fixture_reports_decode_and_encode_back_byte_for_byte(path: Path) -> None:
    """The sample report.json files decode, and the writer gives back exactly the same text."""
    text = path.read_text(encoding="utf-8")
    doc = RunDocument.from_json(json.loads(text))
    assert doc.status is RunStatus.COMPLETE and doc.facts.calls
    assert json.dumps(doc.to_json(), ensure_ascii=False, indent=1) == text


def test_another_schema_is_refused_saying_what_was_found() -> None:
    """A document of another schema (or none, or not an object) is refused naming what it found."""
    data = _sample()
    data["schema"] = "ccinspect.report/2"
    with pytest.raises(RunDocumentError) as caught:
        RunDocument.from_json(data)
    assert "'ccinspect.report/2'" in caught.value.message and SCHEMA in caught.value.message
    assert caught.value.key == "" and caught.value.message_zh and caught.value.hint
    del data["schema"]
    with pytest.raises(RunDocumentError, match="schema None"):
        RunDocument.from_json(data)
    with pytest.raises(RunDocumentError, match="expected a JSON object"):
        RunDocument.from_json([])


@pytest.mark.parametrize(
    ("edit", "key", "problem"),
    [
        (
            lambda d: d["facts"]["calls"][1]["legs"][0].update(role="bystander"),
            "facts.calls[1].legs[0].role",
            "bystander",
        ),
        (lambda d: d["checks"][0].update(verdict="maybe"), "checks[0].verdict", "maybe"),
        (lambda d: d.update(status="paused"), "status", "paused"),
        (lambda d: d.pop("run_id"), "run_id", "missing"),
        (lambda d: d.update(started_at="yesterday"), "started_at", "expected a number"),
        (
            lambda d: d["media"].update({"x": [{"agent": "trunk", "role": 3}]}),
            "media.x[0].role",
            "expected str",
        ),
    ],
    ids=["leg-role", "check-verdict", "status", "run-id", "started-at", "media"],
)
def test_a_bad_value_names_its_key_path(edit: Any, key: str, problem: str) -> None:
    """A value of the wrong type or a missing key raises RunDocumentError with the key path."""
    data = copy.deepcopy(_sample())
    edit(data)
    with pytest.raises(RunDocumentError) as caught:
        RunDocument.from_json(data)
    assert caught.value.key == key and problem in caught.value.problem
    assert f"{key}: " in caught.value.message
    named = caught.value.in_file("runs/x/report.json")
    assert named.message.startswith("runs/x/report.json: ") and key in named.message_zh


def test_unknown_keys_are_ignored() -> None:
    """A newer writer of the same schema may add keys; this reader ignores them."""
    data = _sample()
    data["new_top_level"] = {"anything": 1}
    data["facts"]["calls"][0]["new_field"] = True
    assert RunDocument.from_json(data) == RunDocument.from_json(_sample())


def test_run_status_is_an_enum_equal_to_its_value() -> None:
    """RunStatus values are what report.json and the store hold; a status equals its value."""
    assert [s.value for s in RunStatus] == ["running", "complete", "interrupted", "error"]
    assert RunStatus("interrupted") is RunStatus.INTERRUPTED and f"{RunStatus.COMPLETE}" == "complete"


def test_header_reads_a_document_whose_body_is_broken() -> None:
    """The header (for the bundle) needs only the run id; the schema is taken as found."""
    data = _sample()
    data["overall"] = "Fass"
    data["schema"] = "ccinspect.report/7"
    header = RunHeader.from_json(data)
    assert (header.run_id, header.schema, header.finished_at) == (
        data["run_id"],
        "ccinspect.report/7",
        data["finished_at"],
    )
    with pytest.raises(RunDocumentError) as caught:
        RunHeader.from_json({"schema": SCHEMA})
    assert caught.value.key == "run_id"
