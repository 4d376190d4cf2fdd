"""Reading a platform's records through the target file's field maps and time formats.

Pure helpers shared by the JSON/SQL/CSV readers: a dotted path into JSON (``data.list``), times
parsed and written as the target file says (:class:`~ccinspect.core.scenario.access.TimeSpec`),
and URL templates filled from a record.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ccinspect.core.scenario.access import TimeSpec

__all__ = ["FieldError", "dig", "format_time", "items_at", "naive_local", "parse_time", "text_at"]


class FieldError(ValueError):
    """A record lacks a field the target file names, or a value cannot be read as declared."""


def dig(record: object, path: str) -> object:
    """The value at dotted ``path`` in ``record`` ('' is the record itself); None when absent.

    Integer parts index lists (``items.0.id``).
    """
    value: object = record
    if not path:
        return value
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
        if value is None:
            return None
    return value


def items_at(body: object, path: str) -> list[Any]:
    """The list at ``path`` in a JSON body; FieldError naming the path when it is not a list."""
    found = dig(body, path)
    if not isinstance(found, list):
        where = f"at '{path}'" if path else "at the top level"
        raise FieldError(f"the answer has no list {where} (found {type(found).__name__})")
    return found


def text_at(record: object, path: str | None) -> str | None:
    """The value at ``path`` as text (None when the path is None, absent or empty)."""
    if path is None:
        return None
    value = dig(record, path)
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return text or None


def parse_time(value: object, spec: TimeSpec) -> float | None:
    """Epoch seconds of a platform time written as ``spec`` says (None for an empty value).

    A ``datetime`` (from a database) is taken as is, in ``spec.timezone`` when it has no zone.
    Raises FieldError when a non-empty value does not match the declared format.
    """
    if value is None or value == "":
        return None
    zone = ZoneInfo(spec.timezone)
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=zone)
        return moment.timestamp()
    try:
        if spec.format == "epoch":
            return float(str(value))
        if spec.format == "epoch_ms":
            return float(str(value)) / 1000.0
        text = str(value).strip()
        if spec.format == "iso":
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        else:
            moment = datetime.strptime(text, spec.format)
    except ValueError as exc:
        raise FieldError(f"time {value!r} does not match format {spec.format!r}: {exc}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.timestamp()


def format_time(epoch: float, spec: TimeSpec) -> str:
    """``epoch`` written as the platform expects it in a query (its format, in its zone)."""
    if spec.format == "epoch":
        return str(int(epoch))
    if spec.format == "epoch_ms":
        return str(int(epoch * 1000))
    moment = datetime.fromtimestamp(epoch, tz=UTC).astimezone(ZoneInfo(spec.timezone))
    if spec.format == "iso":
        return moment.isoformat(timespec="seconds")
    return moment.strftime(spec.format)


def naive_local(epoch: float, timezone: str) -> datetime:
    """``epoch`` as a naive datetime in ``timezone`` (for SQL parameters of zone-less columns)."""
    return datetime.fromtimestamp(epoch, tz=UTC).astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
