"""report.json (schema ``ccinspect.report/1``) and calls/*.json back into facts and verdicts.

The inverse of :func:`ccinspect.runner.output.to_jsonable` for the classes the store keeps. A
value of the wrong shape raises :class:`Malformed` with the key path (``facts.calls[3].legs[0].role``)
so the importer can say exactly where the file is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from ccinspect.core.facts import (
    AudioFact,
    CallFact,
    CallPurpose,
    LegFact,
    LegRole,
    MessageDirection,
    RecordingFact,
    RecordingSource,
    SipMessageFact,
)
from ccinspect.core.verdict import CheckResult, SubjectResult, Text, Verdict

T = TypeVar("T")


class Malformed(ValueError):
    """A value in a report does not have the shape the schema promises; ``path`` says where."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem


def _get(d: Mapping[str, Any], key: str, path: str) -> Any:
    if not isinstance(d, Mapping):
        raise Malformed(path, f"expected an object, found {type(d).__name__}")
    if key not in d:
        raise Malformed(f"{path}.{key}", "missing")
    return d[key]


def req_str(d: Mapping[str, Any], key: str, path: str) -> str:
    """The text at ``key`` (required)."""
    value = _get(d, key, path)
    if not isinstance(value, str):
        raise Malformed(f"{path}.{key}", f"expected text, found {value!r}")
    return value


def _opt_value(d: Mapping[str, Any], key: str, path: str) -> Any:
    if not isinstance(d, Mapping):
        raise Malformed(path, f"expected an object, found {type(d).__name__}")
    return d.get(key)


def opt_str(d: Mapping[str, Any], key: str, path: str) -> str | None:
    """The text at ``key``, None when absent or null."""
    value = _opt_value(d, key, path)
    if value is not None and not isinstance(value, str):
        raise Malformed(f"{path}.{key}", f"expected text, found {value!r}")
    return value


def _opt_int(d: Mapping[str, Any], key: str, path: str) -> int | None:
    value = _opt_value(d, key, path)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise Malformed(f"{path}.{key}", f"expected a whole number, found {value!r}")
    return value


def opt_num(d: Mapping[str, Any], key: str, path: str) -> float | None:
    """The number at ``key`` as a float, None when absent or null."""
    value = _opt_value(d, key, path)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Malformed(f"{path}.{key}", f"expected a number, found {value!r}")
    return float(value)


def req_num(d: Mapping[str, Any], key: str, path: str) -> float:
    """The number at ``key`` as a float (required)."""
    value = opt_num(d, key, path)
    if value is None:
        raise Malformed(f"{path}.{key}", "missing number")
    return value


def _bool(d: Mapping[str, Any], key: str, path: str) -> bool:
    value = _get(d, key, path)
    if not isinstance(value, bool):
        raise Malformed(f"{path}.{key}", f"expected true/false, found {value!r}")
    return value


def _enum(d: Mapping[str, Any], key: str, path: str, cls: Callable[[str], T]) -> T:
    value = req_str(d, key, path)
    try:
        return cls(value)
    except ValueError as exc:
        raise Malformed(f"{path}.{key}", f"unknown value {value!r}") from exc


def list_field(d: Mapping[str, Any], key: str, path: str) -> list[Any]:
    """The list at ``key``; absent or null is an empty list."""
    value = d.get(key, []) if isinstance(d, Mapping) else _get(d, key, path)
    if value is None:
        return []
    if not isinstance(value, list):
        raise Malformed(f"{path}.{key}", f"expected a list, found {type(value).__name__}")
    return value


def _text(d: Mapping[str, Any], key: str, path: str) -> Text | None:
    value = d.get(key) if isinstance(d, Mapping) else None
    if value is None:
        return None
    return Text(req_str(value, "en", f"{path}.{key}"), req_str(value, "zh", f"{path}.{key}"))


def _req_text(d: Mapping[str, Any], key: str, path: str) -> Text:
    text = _text(d, key, path)
    if text is None:
        raise Malformed(f"{path}.{key}", "missing text")
    return text


def call_fact(d: Mapping[str, Any], path: str) -> CallFact:
    """A :class:`CallFact` from its JSON form at ``path``."""
    return CallFact(
        key=req_str(d, "key", path),
        purpose=_enum(d, "purpose", path, CallPurpose),
        legs=tuple(_leg(leg, f"{path}.legs[{i}]") for i, leg in enumerate(list_field(d, "legs", path))),
        requested_number=req_str(d, "requested_number", path),
        caller_number_sent=opt_str(d, "caller_number_sent", path),
        started_at=req_num(d, "started_at", path),
        ended_at=opt_num(d, "ended_at", path),
        harness_error=opt_str(d, "harness_error", path),
    )


def _leg(d: Mapping[str, Any], path: str) -> LegFact:
    audio = d.get("audio") if isinstance(d, Mapping) else None
    return LegFact(
        agent=req_str(d, "agent", path),
        role=_enum(d, "role", path, LegRole),
        sip_call_id=req_str(d, "sip_call_id", path),
        final_status=_opt_int(d, "final_status", path),
        final_reason=req_str(d, "final_reason", path),
        answered=_bool(d, "answered", path),
        connected_at=opt_num(d, "connected_at", path),
        disconnected_at=opt_num(d, "disconnected_at", path),
        invite=opt_str(d, "invite", path),
        messages=tuple(
            SipMessageFact(
                at=req_num(m, "at", f"{path}.messages[{i}]"),
                direction=_enum(m, "direction", f"{path}.messages[{i}]", MessageDirection),
                agent=req_str(m, "agent", f"{path}.messages[{i}]"),
                text=req_str(m, "text", f"{path}.messages[{i}]"),
            )
            for i, m in enumerate(list_field(d, "messages", path))
        ),
        audio=None if audio is None else _audio(audio, f"{path}.audio"),
        rtcp_loss=opt_num(d, "rtcp_loss", path),
        rtcp_jitter_ms=opt_num(d, "rtcp_jitter_ms", path),
        error=opt_str(d, "error", path),
    )


def _audio(d: Mapping[str, Any], path: str) -> AudioFact:
    own, far = _opt_int(d, "own_fingerprint", path), _opt_int(d, "far_fingerprint", path)
    if own is None or far is None:
        raise Malformed(path, "fingerprint ids missing")
    return AudioFact(
        own_fingerprint=own,
        far_fingerprint=far,
        far_found=_bool(d, "far_found", path),
        far_level_dbfs=opt_num(d, "far_level_dbfs", path),
        far_delay_s=opt_num(d, "far_delay_s", path),
        silence_share=req_num(d, "silence_share", path),
        duration_s=req_num(d, "duration_s", path),
    )


def recording_fact(d: Mapping[str, Any], path: str) -> RecordingFact:
    """A :class:`RecordingFact` from its JSON form at ``path``."""
    fingerprints = []
    for i, pair in enumerate(list_field(d, "fingerprints", path)):
        if not (
            isinstance(pair, list)
            and len(pair) == 2
            and isinstance(pair[0], int)
            and isinstance(pair[1], bool)
        ):
            raise Malformed(f"{path}.fingerprints[{i}]", f"expected [id, found], found {pair!r}")
        fingerprints.append((pair[0], pair[1]))
    return RecordingFact(
        call_key=req_str(d, "call_key", path),
        name=opt_str(d, "name", path),
        source=_enum(d, "source", path, RecordingSource),
        fetched=_bool(d, "fetched", path),
        fetch_status=_opt_int(d, "fetch_status", path),
        duration_s=opt_num(d, "duration_s", path),
        expected_duration_s=opt_num(d, "expected_duration_s", path),
        fingerprints=tuple(fingerprints),
        decode_error=opt_str(d, "decode_error", path),
        error=opt_str(d, "error", path),
    )


def check_result(d: Mapping[str, Any], path: str) -> CheckResult:
    """A :class:`CheckResult` (with subjects) from its JSON form at ``path``."""
    requirements = list_field(d, "requirements", path)
    if not all(isinstance(r, str) for r in requirements):
        raise Malformed(f"{path}.requirements", "expected a list of requirement ids")
    subjects = []
    for i, s in enumerate(list_field(d, "subjects", path)):
        where = f"{path}.subjects[{i}]"
        evidence = list_field(s, "evidence", where)
        subjects.append(
            SubjectResult(
                subject=req_str(s, "subject", where),
                verdict=_enum(s, "verdict", where, Verdict),
                reason=_req_text(s, "reason", where),
                remedy=_text(s, "remedy", where),
                evidence=tuple(str(e) for e in evidence),
            )
        )
    return CheckResult(
        check_id=req_str(d, "check_id", path),
        requirements=tuple(requirements),
        title=_req_text(d, "title", path),
        verdict=_enum(d, "verdict", path, Verdict),
        reason=_req_text(d, "reason", path),
        remedy=_text(d, "remedy", path),
        subjects=tuple(subjects),
        evidence_used=_text(d, "evidence_used", path),
    )
