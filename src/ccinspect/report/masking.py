"""Masking public callers' numbers (138****1234) in everything a shared report shows.

The report masks the run's data *before* anything is built from it (:meth:`Masker.deep` over the
loaded report.json), so every place a number can surface is covered: identity headers, check
reasons and evidence, recording names, ticket fields, raw SIP text, the ladder's labels.

Which numbers are masked (:func:`numbers_of_run` collects them from the run's facts):

* **public** numbers: the calling numbers the runner sent, the numbers dialled on outbound,
  forged and do-not-call calls, every number seen in an INVITE's identity headers, ticket and CDR
  numbers, unless they are platform numbers. Any digit run equal to one of them is masked.
* any other digit run that reads as a mobile number, a fixed number written with its trunk
  prefix ``0``, or a number written in international form (``+``/``00``) is masked too, unless
  it follows a letter (hex identifiers such as Call-IDs and tags hold digit runs).
* **platform** numbers are kept: the numbers dialled to reach the platform (access number,
  complaint line) and the numbers the platform presented at the trunk on outbound calls.
  95/96 numbers and short codes are public enterprise numbers and are kept by ``mask_number``.

The written form is kept around the masked part: ``+8613800138001`` → ``+86138****8001``.

Digest credentials (``response=``, ``cnonce=`` in Authorization headers) are always redacted,
masked or not: a digest response allows offline guessing of a seat's password.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from ccinspect.core.numbers import NumberKind, ParsedNumber, mask_number, parse_number
from ccinspect.core.sipheaders import parse_sip_message

__all__ = ["STRUCTURAL_KEYS", "Masker", "numbers_of_run", "redact_credentials"]

# A digit run that may be a personal number: international form, mobile, fixed with trunk prefix.
_PLAUSIBLE = re.compile(r"^(?:(?:\+|%2[Bb]|00)\d{6,}|(?:86)?1[3-9]\d{9}|0[1-9]\d{8,10})$")
# A maximal run of at least 5 ASCII digits; what stands before it is looked at in Masker._one.
_TOKEN = re.compile(r"\d{5,}", re.ASCII)
_AUTH_LINE = re.compile(r"(?im)^(?:proxy-)?authorization[ \t]*:.*$")
_AUTH_SECRET = re.compile(r"(?i)\b(response|cnonce)(\s*=\s*)(\"[^\"]*\"|[^,\s]*)")
_KEPT_KINDS = frozenset({NumberKind.ABSENT, NumberKind.SERVICE_95, NumberKind.SERVICE_96, NumberKind.SHORT})
_PLATFORM_PURPOSES = frozenset({"inbound", "screening", "complaint"})
_DIALLED_PUBLIC_PURPOSES = frozenset({"outbound", "forged-caller-id", "dnc"})

#: Keys whose string values are identifiers or paths of ccinspect's own, never masked.
STRUCTURAL_KEYS = frozenset(
    {
        "key",
        "call_key",
        "heard",
        "schema",
        "check_id",
        "run_id",
        "ccinspect_version",
        "agent",
        "role",
        "purpose",
        "direction",
        "verdict",
        "overall",
        "source",
        "status",
        "requirements",
        "file",
    }
)


@lru_cache(maxsize=4096)
def _parse(text: str) -> ParsedNumber:
    return parse_number(text)


def redact_credentials(text: str) -> str:
    """``text`` with the digest ``response``/``cnonce`` values of Authorization lines replaced."""
    if "uthorization" not in text and "UTHORIZATION" not in text:
        return text
    return _AUTH_LINE.sub(lambda m: _AUTH_SECRET.sub(r'\1\2"(redacted)"', m.group(0)), text)


def _national(number: str | None) -> str | None:
    if not number:
        return None
    parsed = _parse(number)
    if parsed.kind in _KEPT_KINDS or sum(c.isdigit() for c in parsed.national) < 5:
        return None
    return parsed.national


def _identity_numbers(invite: str | None) -> list[str]:
    if not invite:
        return []
    ident = parse_sip_message(invite).identity()
    names = [ident.from_, *ident.pai, *ident.rpid, *ident.diversion]
    return [n.uri.number for n in names if n is not None and n.uri.number]


def numbers_of_run(raw: Mapping[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    """``(public, platform)`` national numbers of a loaded report.json (see the module doc)."""
    facts = raw.get("facts") or {}
    platform: set[str] = set()
    presented: set[str] = set()
    public: set[str] = set()
    for call in facts.get("calls") or ():
        purpose = call.get("purpose")
        requested = _national(call.get("requested_number"))
        if purpose in _PLATFORM_PURPOSES and requested:
            platform.add(requested)
        elif purpose in _DIALLED_PUBLIC_PURPOSES and requested:
            public.add(requested)
        sent = _national(call.get("caller_number_sent"))
        if sent:
            public.add(sent)
        for leg in call.get("legs") or ():
            numbers = {n for n in map(_national, _identity_numbers(leg.get("invite"))) if n}
            # What the platform presented to the carrier side on calls our seats placed.
            if purpose in _DIALLED_PUBLIC_PURPOSES and leg.get("role") == "callee":
                presented.update(numbers)
            else:
                public.update(numbers)
    public -= platform
    platform |= presented - public
    for ticket in facts.get("tickets") or ():
        public.update(n for n in (_national(ticket.get("caller_number")),) if n)
    for cdr in facts.get("cdrs") or ():
        public.update(n for n in (_national(cdr.get("src")), _national(cdr.get("dst"))) if n)
    return frozenset(public), frozenset(platform)


class Masker:
    """Masks public numbers in strings and in whole JSON structures (see the module doc).

    With ``enabled`` False it only redacts digest credentials. Decisions are cached per token.
    """

    def __init__(self, public: Iterable[str], platform: Iterable[str], *, enabled: bool = True) -> None:
        self.public = frozenset(public)
        self.platform = frozenset(platform)
        self.enabled = enabled
        self._cache: dict[tuple[bool, str, bool], str] = {}
        # the digit forms a known number can take when glued to a letter (e.g. "%2B8613800138000")
        self._known = frozenset(
            form for n in (*self.public, *self.platform) for form in (n.lstrip("+"), "86" + n, "0086" + n)
        )

    def _decide(self, intl: bool, digits: str, after_letter: bool) -> str:
        """What to write instead of digit run ``digits`` (``intl``: written after ``+``/``%2B``)."""
        forms = {digits, "+" + digits, digits.removeprefix("86"), digits.removeprefix("0086")}
        known = not forms.isdisjoint(self.public) or not forms.isdisjoint(self.platform)
        written = ("+" if intl else "") + digits
        if not known and (after_letter or not _PLAUSIBLE.match(written)):
            return digits  # cheap exit: parsing every Call-ID digit run would be slow
        parsed: ParsedNumber = _parse(written)
        national = parsed.national
        if national in self.platform:
            return digits
        wanted = national in self.public
        if not wanted and not after_letter:
            wanted = (
                parsed.kind is NumberKind.MOBILE
                or (parsed.kind is NumberKind.FIXED and digits.startswith("0"))
                or (parsed.kind is NumberKind.INTERNATIONAL and (intl or digits.startswith("00")))
            )
        if not wanted:
            return digits
        masked = mask_number(parsed).lstrip("+")
        core = national.lstrip("+")
        if core and digits.endswith(core):
            return digits[: len(digits) - len(core)] + masked
        return masked

    def text(self, value: str) -> str:
        """``value`` with public numbers masked (when enabled) and digest secrets redacted."""
        value = redact_credentials(value)
        if not self.enabled:
            return value
        return _TOKEN.sub(self._one, value)

    def _one(self, match: re.Match[str]) -> str:
        digits, string, start = match.group(0), match.string, match.start()
        if start >= 3 and string[start - 3 : start] in ("%2B", "%2b"):
            lead = start - 3
        elif start >= 1 and string[start - 1] == "+":
            lead = start - 1
        else:
            lead = start
        before = string[lead - 1] if lead >= 1 else ""
        after_letter = before.isascii() and before.isalpha()
        if after_letter and digits not in self._known:
            return digits  # glued to a letter (hex ids, tags): masked only when a known number
        key = (lead != start, digits, after_letter)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._decide(*key)
        return found

    def deep(self, data: Any, *, key: str | None = None) -> Any:
        """A copy of JSON ``data`` with :meth:`text` applied to every string value.

        Values under :data:`STRUCTURAL_KEYS` and object keys are left as they are.
        """
        if isinstance(data, str):
            return data if key in STRUCTURAL_KEYS else self.text(data)
        if isinstance(data, dict):
            return {k: self.deep(v, key=k) for k, v in data.items()}
        if isinstance(data, list):
            return [self.deep(v, key=key) for v in data]
        return data
