"""The run document: one run's status, verdicts and facts, as ``runs/<id>/report.json`` holds it.

:class:`RunDocument` is the typed, frozen model of a run (pure: no I/O, no clock). It has one
writer, :meth:`RunDocument.to_json` (the JSON data of schema :data:`SCHEMA`, written by
``runner.output``), and one reader, :meth:`RunDocument.from_json`, which every consumer of a run
document uses (the report, the run store's importer, the evidence bundle).

Promises of the reader:

* the schema string is checked first; another one raises :class:`RunDocumentError` saying what
  was found and what this version reads;
* a value of the wrong type, or a missing required key, raises :class:`RunDocumentError` naming
  the key path (``facts.calls[3].legs[0].final_status``) and the problem;
* unknown keys are ignored (a newer writer of the same schema version may add fields);
* ``RunDocument.from_json(doc.to_json()) == doc``.

Files and their reading are not this module's business: ``ccinspect.rundir`` reads a run
directory and adds the file name to the error (:meth:`RunDocumentError.in_file`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ccinspect.core.codec import DecodeError, decode, to_jsonable
from ccinspect.core.facts import RunFacts
from ccinspect.core.verdict import CheckResult, Text, Verdict
from ccinspect.errors import CcinspectError, Kind

__all__ = [
    "SCHEMA",
    "MediaRef",
    "PbxInfo",
    "RunDocument",
    "RunDocumentError",
    "RunHeader",
    "RunStatus",
    "ScenarioInfo",
    "TargetInfo",
    "check_schema",
]

#: The schema string of report.json; a reader refuses any other.
SCHEMA = "ccinspect.report/1"


class RunStatus(enum.StrEnum):
    """Where a run is in its life; the values are what report.json and the run store hold.

    A ``StrEnum``: a status compares equal to its value (``RunStatus.COMPLETE == "complete"``).
    """

    RUNNING = "running"
    COMPLETE = "complete"
    INTERRUPTED = "interrupted"
    ERROR = "error"


class RunDocumentError(CcinspectError, ValueError):
    """A run document that cannot be read: another schema, a value that does not fit its key, or
    (set by the reader of a run directory) a file that is missing or is not JSON.

    ``key`` is the key path of the bad value (empty when the problem is the whole document),
    ``file`` the file it came from when known. ``message``/``message_zh`` are what to print and
    ``hint`` the next step. The user's mistake (a file they named), so exit 2.
    """

    kind = Kind.USER

    def __init__(
        self,
        problem: str,
        problem_zh: str = "",
        *,
        key: str = "",
        file: str | None = None,
        hint: str = "",
    ) -> None:
        self.problem, self.problem_zh = problem, problem_zh or problem
        self.key, self.file, self.hint = key, file, hint
        where = f"{file}: " if file else ""
        if key:
            self.message = f"{where}invalid value at {key}: {problem}"
            self.message_zh = f"{where}{key} 处的值不符合 ccinspect 报告格式：{self.problem_zh}"
        else:
            self.message, self.message_zh = f"{where}{problem}", f"{where}{self.problem_zh}"
        super().__init__(self.message, self.message_zh, hint=hint)

    def in_file(self, file: str) -> RunDocumentError:
        """The same error, naming ``file`` as where the document came from."""
        return RunDocumentError(self.problem, self.problem_zh, key=self.key, file=file, hint=self.hint)


def check_schema(data: Any) -> dict[str, Any]:
    """``data`` when it is a JSON object of schema :data:`SCHEMA`; else :class:`RunDocumentError`
    saying what was found."""
    if not isinstance(data, dict):
        raise RunDocumentError(
            "not a ccinspect report (expected a JSON object)",
            "不是 ccinspect 报告（应为 JSON 对象）",
            hint="give a run directory written by `ccinspect run`",
        )
    schema = data.get("schema")
    if schema != SCHEMA:
        raise RunDocumentError(
            f"has schema {schema!r}; this ccinspect reads {SCHEMA!r}",
            f"格式为 {schema!r}；此版本 ccinspect 读取 {SCHEMA!r}",
            hint="read it with the ccinspect version that wrote it, or re-run the inspection",
        )
    return data


_EDITED_HINT = "the file was edited or written by an incompatible version; re-run the inspection"


@dataclass(frozen=True, slots=True)
class MediaRef:
    """One of our legs' audio: what it heard (a path relative to the run dir) and what it played."""

    agent: str
    role: str
    heard: str | None = None
    stimulus: int | None = None


@dataclass(frozen=True, slots=True)
class TargetInfo:
    """The platform under test, as the run's target file named it."""

    name: str = ""
    description: str | None = ""
    registrar: str = ""
    file: str = ""


@dataclass(frozen=True, slots=True)
class ScenarioInfo:
    """The scenario the run followed."""

    name: str = ""
    title: Text = field(default_factory=lambda: Text("", ""))
    file: str = ""


@dataclass(frozen=True, slots=True)
class PbxInfo:
    """What the runner learnt of the PBX itself (its Server header when it gave one)."""

    server: str | None = None


@dataclass(frozen=True, slots=True)
class RunHeader:
    """What identifies a run document, readable even when the rest of it is not.

    For the evidence bundle, which packs a run as it is (a tampered or newer document too):
    only the run id is required, the schema is taken as found.
    """

    run_id: str
    schema: str | None = None
    ccinspect_version: str | None = None
    started_at: float | None = None
    finished_at: float | None = None

    @classmethod
    def from_json(cls, data: Any) -> RunHeader:
        """The header of JSON ``data``; raises :class:`RunDocumentError` naming the bad key."""
        if not isinstance(data, dict):
            raise RunDocumentError(
                "not a ccinspect report (expected a JSON object)",
                "不是 ccinspect 报告（应为 JSON 对象）",
                hint="give a run directory written by `ccinspect run`",
            )
        return _decode(cls, data)


@dataclass(frozen=True, slots=True)
class RunDocument:
    """One run: status, times, what was tested, the verdicts, the facts and our legs' audio.

    ``overall`` is None while no check has been judged (a running or interrupted run).
    ``media`` maps a call key to its legs' audio, in the order the calls ended.
    """

    ccinspect_version: str
    run_id: str
    status: RunStatus
    started_at: float
    finished_at: float | None
    error: str | None
    target: TargetInfo
    scenario: ScenarioInfo
    pbx: PbxInfo
    overall: Verdict | None
    checks: tuple[CheckResult, ...]
    facts: RunFacts
    media: Mapping[str, tuple[MediaRef, ...]] = field(default_factory=dict)

    @property
    def schema(self) -> str:
        """The schema this document is written in (:data:`SCHEMA`)."""
        return SCHEMA

    def media_for(self, call_key: str) -> tuple[MediaRef, ...]:
        """The legs' audio of call ``call_key`` (empty when the run recorded none)."""
        return self.media.get(call_key, ())

    # -- the one writer -------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """report.json's content (schema :data:`SCHEMA`), keys in the order ccinspect writes them."""
        return {
            "schema": SCHEMA,
            "ccinspect_version": self.ccinspect_version,
            "run_id": self.run_id,
            "status": self.status.value,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "error": self.error,
            "target": to_jsonable(self.target),
            "scenario": {
                "name": self.scenario.name,
                "title": {"zh": self.scenario.title.zh, "en": self.scenario.title.en},
                "file": self.scenario.file,
            },
            "pbx": to_jsonable(self.pbx),
            "overall": self.overall.value if self.overall is not None else None,
            "checks": to_jsonable(self.checks),
            "facts": to_jsonable(self.facts),
            # Per call: where each of our legs' heard audio is (relative to the run directory)
            # and which fingerprint it played; platform recordings are under recordings/.
            "media": to_jsonable(self.media),
        }

    # -- the one reader -------------------------------------------------------------------------
    @classmethod
    def from_json(cls, data: Any) -> RunDocument:
        """The document in JSON ``data``; raises :class:`RunDocumentError` (see the module doc)."""
        return _decode(cls, check_schema(data))


T = TypeVar("T")


def _decode(cls: type[T], data: dict[str, Any]) -> T:
    try:
        return decode(cls, data)
    except DecodeError as exc:
        key = exc.path.removeprefix("$.").removeprefix("$")
        raise RunDocumentError(exc.problem, key=key, hint=_EDITED_HINT) from exc
