"""Beijing time as the console shows and takes it: ``YYYY-MM-DD HH:MM:SS`` without a zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
TEXT_FORMAT = "%Y-%m-%d %H:%M:%S"


def beijing_text(moment: datetime) -> str:
    """An aware ``moment`` as Beijing wall-clock text, e.g. ``2026-12-07 16:20:00``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: the console only formats aware datetimes")
    return moment.astimezone(BEIJING).strftime(TEXT_FORMAT)


def beijing_date(moment: datetime) -> str:
    """The Beijing calendar date of ``moment`` as ``YYYYMMDD`` (work-order numbers)."""
    return moment.astimezone(BEIJING).strftime("%Y%m%d")


def parse_beijing(text: str) -> datetime:
    """Beijing wall-clock text (``YYYY-MM-DD HH:MM:SS``; also the ``T`` form of HTML
    ``datetime-local`` inputs, minutes only, or a bare date) as an aware datetime.

    Raises ValueError for anything else. A text carrying its own UTC offset keeps it.
    """
    stripped = text.strip()
    if len(stripped) < 10:
        raise ValueError(f"not a time: {text!r} (expected YYYY-MM-DD HH:MM:SS, Beijing time)")
    try:
        parsed = datetime.fromisoformat(stripped)
    except ValueError as exc:
        raise ValueError(f"not a time: {text!r} (expected YYYY-MM-DD HH:MM:SS, Beijing time)") from exc
    return parsed.replace(tzinfo=BEIJING) if parsed.tzinfo is None else parsed
