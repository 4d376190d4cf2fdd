"""The operator's answers file (``ccinspect run --answers FILE``): its format and its validation.

A YAML mapping with up to two sections (see ``scenarios/answers-example.yaml``)::

    complaint:                      # the ticket of the complaint call (complaints.kind: manual)
      confirmed: true               # true: the ticket exists; false: none was created; ~: not yet
      ticket: "GD202612070001"      # the ticket number read back (required when confirmed)
      note: "found under 投诉 → 待处理"   # optional
      evidence: shots/ticket.png    # optional; relative to this file; copied into the run
    screening:                      # what the agent's screen showed (screening.observe: manual)
      "12345": "号码异常提示"        # keyed by the test number (quoted) or the call key (screen-3)
      "13800138000": ""             # '' / ~ / none: no warning was shown
      "": "无主叫号码提示"           # the call without a number

A key that is absent (or ``confirmed: ~``) is "not answered yet": the runner keeps reading the
file until it appears, so an operator may fill it in while the run waits. Anything else that does
not fit raises :class:`~ccinspect.core.scenario.errors.ScenarioFileError` naming the file and key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ccinspect.core.scenario.errors import ScenarioFileError, did_you_mean
from ccinspect.core.scenario.loading import yaml_document
from ccinspect.core.verdict import Text

__all__ = ["NO_WARNING", "AnswersFile", "ComplaintAnswer", "load_answers"]

#: Answers meaning "the screen showed no warning" (besides '' and YAML null), case-insensitive.
NO_WARNING = frozenset({"none", "no", "no warning", "无", "没有", "无提示"})

_SECTIONS = ["complaint", "screening"]
_COMPLAINT_KEYS = ["confirmed", "ticket", "note", "evidence"]


@dataclass(frozen=True, slots=True)
class ComplaintAnswer:
    """The operator's answer about the complaint ticket; ``evidence`` is an existing file."""

    confirmed: bool
    ticket: str | None
    note: str | None
    evidence: Path | None


@dataclass(frozen=True, slots=True)
class AnswersFile:
    """A valid answers file: the complaint answer (None: not yet) and the screening answers by
    key (test number or call key) → what the screen showed ('' for no warning)."""

    complaint: ComplaintAnswer | None = None
    screening: dict[str, str] = field(default_factory=dict)


def _problem(path: Path, key: str, en: str, zh: str, allowed: str | None = None) -> ScenarioFileError:
    return ScenarioFileError(path, key, Text(en, zh), allowed)


def _text(path: Path, key: str, value: object, *, what: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _problem(
            path,
            key,
            f"{what} must be text, not {type(value).__name__} ({value!r})",
            f"{what} 必须是文本，而不是 {type(value).__name__}（{value!r}）",
            'text in quotes, e.g. "GD202612070001"',
        )
    return str(value).strip() or None


def _complaint(path: Path, data: object) -> ComplaintAnswer | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise _problem(
            path,
            "complaint",
            f"must be a mapping, not {type(data).__name__}",
            f"必须是键值映射，而不是 {type(data).__name__}",
            "confirmed, ticket, note, evidence",
        )
    for key in data:
        if key not in _COMPLAINT_KEYS:
            raise _problem(
                path,
                f"complaint.{key}",
                "unknown key",
                "未知的键",
                did_you_mean(str(key), _COMPLAINT_KEYS),
            )
    confirmed = data.get("confirmed")
    if confirmed is None:
        return None  # not answered yet
    if not isinstance(confirmed, bool):
        raise _problem(
            path,
            "complaint.confirmed",
            f"must be true or false, not {confirmed!r}",
            f"必须是 true 或 false，而不是 {confirmed!r}",
            "true (the ticket exists), false (no ticket was created), ~ (not answered yet)",
        )
    ticket = _text(path, "complaint.ticket", data.get("ticket"), what="the ticket number")
    if confirmed and ticket is None:
        raise _problem(
            path,
            "complaint.ticket",
            "a confirmed ticket needs its number, read back from the ticket system",
            "确认工单存在时必须填写从工单系统读出的工单号",
            'ticket: "<the ticket number>"',
        )
    note = _text(path, "complaint.note", data.get("note"), what="the note")
    evidence_name = _text(path, "complaint.evidence", data.get("evidence"), what="the evidence file")
    evidence = None
    if evidence_name is not None:
        evidence = (path.parent / Path(evidence_name).expanduser()).resolve()
        if not evidence.is_file():
            raise _problem(
                path,
                "complaint.evidence",
                f"no such file: {evidence_name} (looked for {evidence})",
                f"文件不存在：{evidence_name}（查找位置 {evidence}）",
                "a file path, relative to the answers file's folder or absolute",
            )
    return ComplaintAnswer(confirmed, ticket, note, evidence)


def _screening(path: Path, data: object) -> dict[str, str]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _problem(
            path,
            "screening",
            f"must be a mapping of test numbers to what the screen showed, not {type(data).__name__}",
            f"必须是“测试号码: 屏幕显示内容”的映射，而不是 {type(data).__name__}",
            '"12345": "号码异常提示"',
        )
    answers: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(key, str):
            raise _problem(
                path,
                f"screening.{key}",
                f"write the test number in quotes: unquoted, YAML read it as the "
                f"{type(key).__name__} {key!r} (a leading 0 even makes it octal)",
                f"测试号码必须加引号：不加引号时 YAML 将其读成 {type(key).__name__} {key!r}"
                "（以 0 开头时按八进制读取）",
                f'"{key}"',
            )
        text = _text(path, f"screening.{key}", value, what="what the screen showed")
        answers[key] = "" if text is None or text.lower() in NO_WARNING else text
    return answers


def parse_answers(path: Path, data: Any) -> AnswersFile:
    """Validate the YAML document ``data`` read from ``path``."""
    if data is None:
        return AnswersFile()
    if not isinstance(data, dict):
        raise _problem(
            path,
            "",
            f"the file must be a mapping of keys (key: value), not {type(data).__name__}",
            f"文件顶层必须是键值映射（key: value），而不是 {type(data).__name__}",
            ", ".join(_SECTIONS),
        )
    for key in data:
        if key not in _SECTIONS:
            raise _problem(path, str(key), "unknown section", "未知的部分", did_you_mean(str(key), _SECTIONS))
    return AnswersFile(_complaint(path, data.get("complaint")), _screening(path, data.get("screening")))


def load_answers(path: Path) -> AnswersFile | None:
    """The answers in ``path``; None while the file does not exist yet. ScenarioFileError when it
    cannot be read or does not fit the format (naming the file, the key and what is allowed)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise _problem(path, "", f"cannot read the file: {why}", f"无法读取文件：{why}") from exc
    data, _ = yaml_document(path, text)
    return parse_answers(path, data)
