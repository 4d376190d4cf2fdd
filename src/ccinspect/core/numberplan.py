"""Chinese number plan: parse, compare and mask calling numbers (pure logic).

What this module promises:

* :func:`parse_number` never raises. Whatever arrives in a SIP user part or header (digits, ``+``,
  spaces/dashes/parentheses, ``anonymous``, ``''``, ``None``, 10 kB of garbage) becomes a
  :class:`ParsedNumber` with a :class:`NumberKind` and a tuple of :class:`Problem` codes.
* ``ParsedNumber.national`` is the canonical national form used for every comparison: mobile
  ``13800138000``; fixed line ``051268880000`` (trunk prefix 0 + area code + local number);
  95/96/400/700 and short codes as dialled; foreign numbers in E.164 (``+14155550123``).
  ``+86``/``0086``/``86`` forms of a Chinese number normalise to the same national form.
* Every code enum derives from :class:`BilingualCode` and has ``message_en`` and ``message_zh``
  (Simplified Chinese). Import from :mod:`ccinspect.core.numbers`, which re-exports this module
  and adds the caller-ID policies.

The number rules are the "Number formats" table of ``domain.md``; they are structural, like the
demo PBX dialplan that screens calls. The ``phonenumbers`` library splits and validates foreign
numbers and gives a second opinion on domestic ones (``ParsedNumber.library_valid``). Where the two
differ, the table wins, because it is what inspectors and the dialplan apply:

* Local numbers starting with 0, 1 or 9 after an area code are refused (domain: "starting 2-8");
  phonenumbers accepts e.g. ``010 1234 5678``.
* Any 3-digit area code takes a 7- or 8-digit local number; phonenumbers knows which cities moved
  to 8 digits and refuses e.g. ``0755 234 5678``. Area codes are not checked against a city list.
* ``020``-``029`` are all accepted as 2-digit area codes; phonenumbers refuses ``026`` (unused).
* Mobile is any ``1[3-9]`` + 9 digits; phonenumbers checks the allocated blocks.
* 95 (``95`` + 3-6 digits, i.e. an access number plus up to two sub-number digits), 96 (5-6 digits,
  optionally after an area code), 700 (assumed ``700`` + 7 digits, like 400) and ``1[0-2]x``
  short codes (3-6 digits) are not modelled by phonenumbers; ours are the only rules for them.
* ``800`` freephone numbers are not in the table and parse as ``BAD_PREFIX``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers

__all__ = [
    "ANONYMOUS_TOKENS",
    "DIAL_FORMS",
    "BilingualCode",
    "NumberKind",
    "ParsedNumber",
    "Problem",
    "coerce_number",
    "dial_forms",
    "is_reserved_955",
    "mask_number",
    "normalise_number",
    "parse_number",
    "same_number",
]

#: Values that SIP endpoints and PBXs put in place of a withheld number (compared lower-case).
ANONYMOUS_TOKENS = frozenset(
    {"anonymous", "unknown", "unavailable", "restricted", "private", "withheld", "blocked"}
)

_SEPARATORS = str.maketrans("", "", " \t-.()\u00a0\u3000")
_FULLWIDTH = str.maketrans("０１２３４５６７８９＋", "0123456789+")
_DIGITS = frozenset("0123456789")
_MAX_DIGITS = 20  # E.164 allows 15; anything past 20 is garbage, not a number


class BilingualCode(enum.Enum):
    """A code enum whose members each carry an English and a Simplified Chinese message."""

    def _texts(self) -> tuple[str, str]:
        """(English, Chinese); each subclass looks its members up in its own catalogue."""
        raise NotImplementedError

    @property
    def message_en(self) -> str:
        """English text for reports."""
        return self._texts()[0]

    @property
    def message_zh(self) -> str:
        """Simplified Chinese text for reports, as operators and inspectors read them."""
        return self._texts()[1]


class NumberKind(BilingualCode):
    """What a calling number is, by the ``domain.md`` number-format table."""

    MOBILE = "mobile"
    FIXED = "fixed"
    SERVICE_95 = "service-95"
    SERVICE_96 = "service-96"
    NUMBER_400 = "400"
    NUMBER_700 = "700"
    SHORT = "short"
    INTERNATIONAL = "international"
    INVALID = "invalid"
    ABSENT = "absent"

    def _texts(self) -> tuple[str, str]:
        return _KIND_TEXTS[self]


class Problem(BilingualCode):
    """Something noticed while parsing a number. ``INVALID`` numbers carry at least one."""

    ABSENT = "absent"
    ANONYMOUS = "anonymous"
    LETTERS = "letters"
    BAD_CHARACTERS = "bad-characters"
    TOO_SHORT = "too-short"
    TOO_LONG = "too-long"
    BAD_PREFIX = "bad-prefix"
    NO_AREA_CODE = "no-area-code"
    INTERNATIONAL_FORMAT = "intl-format"
    FOREIGN = "foreign"
    UNKNOWN_COUNTRY_CODE = "unknown-country-code"

    def _texts(self) -> tuple[str, str]:
        return _PROBLEM_TEXTS[self]


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    """One calling number as received (``raw``) and as understood.

    ``national`` is '' only for ``ABSENT``. For ``INVALID`` it is the input with visual separators
    removed, so that garbage passed through unchanged still compares equal to itself.
    ``international_form`` is True when a Chinese number was written with its country code
    (``+86``, ``0086`` or a bare ``86`` prefix). ``area_code`` is set for fixed lines and for 96
    numbers dialled with an area code (``'512'``, ``'10'``). ``library_valid`` is phonenumbers'
    opinion (None where it does not model the kind).
    """

    raw: str
    national: str
    kind: NumberKind
    international_form: bool = False
    area_code: str | None = None
    problems: tuple[Problem, ...] = ()
    library_valid: bool | None = None

    @property
    def is_valid(self) -> bool:
        """True for every kind except ``INVALID`` and ``ABSENT``."""
        return self.kind not in (NumberKind.INVALID, NumberKind.ABSENT)


def parse_number(raw: str | None) -> ParsedNumber:
    """Parse a calling number as found in SIP headers or CDRs. Never raises."""
    source = raw or ""
    text = source.strip()
    cleaned = text.translate(_FULLWIDTH).translate(_SEPARATORS)
    if not cleaned or text.lower() in ANONYMOUS_TOKENS:
        # empty, only separators ("-" in a CDR export), or a withheld-number token
        problem = Problem.ABSENT if not cleaned else Problem.ANONYMOUS
        return ParsedNumber(source, "", NumberKind.ABSENT, problems=(problem,))
    problems = _character_problems(cleaned)
    if len(cleaned) > _MAX_DIGITS + 1:
        problems = (*problems, Problem.TOO_LONG)
    if problems:
        return ParsedNumber(source, cleaned, NumberKind.INVALID, problems=problems)
    if cleaned.startswith(("+", "00")):
        digits = cleaned[1:] if cleaned.startswith("+") else cleaned[2:]
        return _parse_international(source, cleaned, digits)
    if cleaned.startswith("86") and len(cleaned) in (12, 13):
        candidate = _parse_china_nsn(source, cleaned, cleaned[2:])
        if candidate.kind in (NumberKind.MOBILE, NumberKind.FIXED):
            return candidate
    return _build(source, cleaned, cleaned, international=False)


def normalise_number(raw: str | None) -> str:
    """The canonical national form of ``raw`` ('' when absent); see :class:`ParsedNumber`."""
    return parse_number(raw).national


def same_number(a: str | ParsedNumber | None, b: str | ParsedNumber | None) -> bool:
    """True when both are present and their canonical national forms are identical.

    ``+86 138 0013 8000``, ``13800138000`` and ``008613800138000`` are the same number, as are
    ``+86 512 6888 0000`` and ``0512-68880000``. Absent or anonymous never equals anything.
    """
    pa, pb = coerce_number(a), coerce_number(b)
    return (
        pa.kind is not NumberKind.ABSENT and pb.kind is not NumberKind.ABSENT and (pa.national == pb.national)
    )


def is_reserved_955(number: str | ParsedNumber | None) -> bool:
    """True for 95 numbers in the ``955xx`` block reserved for banks, insurers and airlines."""
    parsed = coerce_number(number)
    return parsed.kind is NumberKind.SERVICE_95 and parsed.national.startswith("955")


def mask_number(number: str | ParsedNumber | None) -> str:
    """Hide the personal part of a number for reports.

    Mobile ``13812345678`` → ``138****5678``; fixed line keeps trunk prefix + area code and the last
    4 digits (``0512****0000``); 400/700 keep prefix and last 4; foreign keeps the country code and
    last 4. 95/96 and short codes are public enterprise numbers and are shown in full. Absent → ''.
    Anything else keeps at most its last 4 characters and is cut to 24 characters.
    """
    parsed = coerce_number(number)
    n = parsed.national
    if parsed.kind is NumberKind.ABSENT:
        return ""
    if parsed.kind in (NumberKind.SERVICE_95, NumberKind.SERVICE_96, NumberKind.SHORT):
        return n
    keep = {
        NumberKind.MOBILE: 3,
        NumberKind.NUMBER_400: 3,
        NumberKind.NUMBER_700: 3,
        NumberKind.FIXED: 1 + len(parsed.area_code or ""),
        NumberKind.INTERNATIONAL: _country_code_length(n),
    }.get(parsed.kind, 0)
    if len(n) <= keep + 4:
        return n[:keep] + "*" * (len(n) - keep)
    masked = n[:keep] + "*" * (len(n) - keep - 4) + n[-4:]
    return masked if len(masked) <= 24 else masked[:4] + "*" * 16 + masked[-4:]


def coerce_number(number: str | ParsedNumber | None) -> ParsedNumber:
    """``number`` itself if already parsed, else :func:`parse_number` of it."""
    return number if isinstance(number, ParsedNumber) else parse_number(number)


# ---------------------------------------------------------------- parsing internals


def _character_problems(cleaned: str) -> tuple[Problem, ...]:
    body = cleaned[1:] if cleaned.startswith("+") else cleaned
    odd = [c for c in body if c not in _DIGITS]
    problems: list[Problem] = []
    if any(c.isascii() and c.isalpha() for c in odd):
        problems.append(Problem.LETTERS)
    if any(not (c.isascii() and c.isalpha()) for c in odd):
        problems.append(Problem.BAD_CHARACTERS)
    return tuple(problems)


def _parse_international(raw: str, cleaned: str, digits: str) -> ParsedNumber:
    """``digits`` follow ``+`` or the international prefix ``00`` in ``cleaned``."""
    if digits.startswith("86"):
        nsn = digits[2:]
        # "+86 (0)512 ..." is a common human way of writing it; drop the stray trunk prefix.
        return _parse_china_nsn(raw, cleaned, nsn[1:] if nsn.startswith("0") else nsn)
    e164 = "+" + digits
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException as exc:
        problem = {
            phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: Problem.UNKNOWN_COUNTRY_CODE,
            phonenumbers.NumberParseException.TOO_LONG: Problem.TOO_LONG,
        }.get(exc.error_type, Problem.TOO_SHORT)
        problems = (Problem.FOREIGN, problem) if digits else (Problem.TOO_SHORT,)
        return ParsedNumber(raw, cleaned, NumberKind.INVALID, problems=problems, library_valid=False)
    if phonenumbers.is_valid_number(number):
        return ParsedNumber(
            raw, e164, NumberKind.INTERNATIONAL, problems=(Problem.FOREIGN,), library_valid=True
        )
    reason = phonenumbers.is_possible_number_with_reason(number)
    problem = {
        phonenumbers.ValidationResult.TOO_SHORT: Problem.TOO_SHORT,
        phonenumbers.ValidationResult.TOO_LONG: Problem.TOO_LONG,
        phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: Problem.UNKNOWN_COUNTRY_CODE,
    }.get(reason, Problem.BAD_PREFIX)
    return ParsedNumber(
        raw, cleaned, NumberKind.INVALID, problems=(Problem.FOREIGN, problem), library_valid=False
    )


def _parse_china_nsn(raw: str, cleaned: str, nsn: str) -> ParsedNumber:
    """Turn a Chinese national significant number (after 86) into national dialled digits."""
    national = nsn
    if nsn.startswith("10") and len(nsn) >= 7:
        national = "0" + nsn  # Beijing 10 + 8 digits; shorter 10xxx are carrier short codes
    elif nsn.startswith(("95", "96")) and len(nsn) <= 8:
        national = nsn  # access numbers have no trunk prefix; longer ones are areas 095x/096x
    elif nsn.startswith(("400", "700")):
        national = nsn
    elif nsn[:1] in ("2", "3", "4", "5", "6", "7", "8", "9"):
        national = "0" + nsn
    return _build(raw, cleaned, national, international=True)


def _build(raw: str, cleaned: str, national: str, *, international: bool) -> ParsedNumber:
    """Classify national dialled digits; an INVALID result keeps ``cleaned`` as its national."""
    kind, area, problems = (
        _classify(national) if national else (NumberKind.INVALID, None, (Problem.TOO_SHORT,))
    )
    if international:
        problems = (*problems, Problem.INTERNATIONAL_FORMAT)
    return ParsedNumber(
        raw=raw,
        national=cleaned if kind is NumberKind.INVALID else national,
        kind=kind,
        international_form=international,
        area_code=area,
        problems=problems,
        library_valid=_library_opinion(kind, national, area),
    )


_Classified = tuple[NumberKind, str | None, tuple[Problem, ...]]


_PREFIXED_KINDS: tuple[tuple[str, NumberKind, int, int], ...] = (
    # prefix, kind, shortest, longest (digits, including the prefix)
    ("95", NumberKind.SERVICE_95, 5, 8),  # 95 + 3-4 digits, + up to 2 sub-number digits
    ("96", NumberKind.SERVICE_96, 5, 6),
    ("400", NumberKind.NUMBER_400, 10, 10),
    ("700", NumberKind.NUMBER_700, 10, 10),
)


def _classify(d: str) -> _Classified:
    """Classify domestic dialled digits (non-empty, ASCII digits only)."""
    if len(d) > _MAX_DIGITS:
        return NumberKind.INVALID, None, (Problem.TOO_LONG,)
    if d.startswith("0"):
        return _classify_trunk_prefixed(d)
    if d.startswith("1"):
        return _classify_leading_one(d)
    for prefix, kind, shortest, longest in _PREFIXED_KINDS:
        if d.startswith(prefix):
            return _by_length(d, kind, shortest, longest)
    missing_area = d[0] in "2345678" and 7 <= len(d) <= 8
    return NumberKind.INVALID, None, (Problem.NO_AREA_CODE if missing_area else Problem.BAD_PREFIX,)


def _by_length(d: str, kind: NumberKind, shortest: int, longest: int) -> _Classified:
    if len(d) < shortest:
        return NumberKind.INVALID, None, (Problem.TOO_SHORT,)
    if len(d) > longest:
        return NumberKind.INVALID, None, (Problem.TOO_LONG,)
    return kind, None, ()


def _classify_leading_one(d: str) -> _Classified:
    if len(d) < 3:
        return NumberKind.INVALID, None, (Problem.TOO_SHORT,)
    if d[1] in "3456789":
        return _by_length(d, NumberKind.MOBILE, 11, 11)
    if len(d) <= 6:
        return NumberKind.SHORT, None, ()  # 10086, 12315, 110, 12345 ...
    return NumberKind.INVALID, None, (Problem.BAD_PREFIX,)


def _classify_trunk_prefixed(d: str) -> _Classified:
    """``0`` + area code + local number, or ``0`` + area code + 96 access number."""
    if d.startswith("00") or (d.startswith("01") and d[2:3] not in ("", "0")):
        return NumberKind.INVALID, None, (Problem.BAD_PREFIX,)
    area_length = 2 if d[1:2] in ("1", "2") else 3
    if len(d) < 1 + area_length + 1:
        return NumberKind.INVALID, None, (Problem.TOO_SHORT,)
    area, local = d[1 : 1 + area_length], d[1 + area_length :]
    if local.startswith("96") and len(local) <= 6:
        kind, _, service_problems = _by_length(local, NumberKind.SERVICE_96, 5, 6)
        return kind, (area if kind is NumberKind.SERVICE_96 else None), service_problems
    problems: list[Problem] = []
    if local[0] not in "2345678":
        problems.append(Problem.BAD_PREFIX)
    shortest = 8 if area_length == 2 else 7
    if len(local) < shortest:
        problems.append(Problem.TOO_SHORT)
    elif len(local) > 8:
        problems.append(Problem.TOO_LONG)
    if problems:
        return NumberKind.INVALID, None, tuple(problems)
    return NumberKind.FIXED, area, ()


_LIBRARY_KINDS = frozenset({NumberKind.MOBILE, NumberKind.FIXED, NumberKind.NUMBER_400, NumberKind.INVALID})


def _library_opinion(kind: NumberKind, national: str, area: str | None) -> bool | None:
    """phonenumbers' verdict on a domestic number, or None for kinds it does not model."""
    modelled = kind in _LIBRARY_KINDS or (kind is NumberKind.SERVICE_96 and area is not None)
    if not modelled or not 3 <= len(national) <= _MAX_DIGITS:
        return None
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(national, "CN"))
    except phonenumbers.NumberParseException:
        return False


def _country_code_length(e164: str) -> int:
    """Length of ``+`` and the country code of an E.164 string (0 if it cannot be told)."""
    try:
        code = phonenumbers.parse(e164, None).country_code
    except phonenumbers.NumberParseException:
        return 0
    return 1 + len(str(code))


# ---------------------------------------------------------------- message catalogue

_KIND_TEXTS: dict[NumberKind, tuple[str, str]] = {
    NumberKind.MOBILE: ("Mobile number", "手机号码"),
    NumberKind.FIXED: ("Fixed-line number", "固定电话号码"),
    NumberKind.SERVICE_95: ("95 access number", "95短号码"),
    NumberKind.SERVICE_96: ("96 access number", "96短号码"),
    NumberKind.NUMBER_400: ("400 number", "400号码"),
    NumberKind.NUMBER_700: ("700 privacy number", "700隐私号码"),
    NumberKind.SHORT: ("Short code", "特服短号码"),
    NumberKind.INTERNATIONAL: ("Foreign number", "境外号码"),
    NumberKind.INVALID: ("Invalid number", "无效号码"),
    NumberKind.ABSENT: ("No number", "无主叫号码"),
}

_PROBLEM_TEXTS: dict[Problem, tuple[str, str]] = {
    Problem.ABSENT: ("Calling number absent", "主叫号码缺失"),
    Problem.ANONYMOUS: ("Calling number withheld (anonymous)", "主叫号码被隐藏（匿名）"),
    Problem.LETTERS: ("Number contains letters", "号码含有字母"),
    Problem.BAD_CHARACTERS: ("Number contains non-digit characters", "号码含有非数字字符"),
    Problem.TOO_SHORT: ("Number too short", "号码位数过短"),
    Problem.TOO_LONG: ("Number too long", "号码位数过长"),
    Problem.BAD_PREFIX: ("Number prefix not in the numbering plan", "号码号段不符合编号规则"),
    Problem.NO_AREA_CODE: ("Fixed-line number without area code", "固定电话号码缺少区号"),
    Problem.INTERNATIONAL_FORMAT: (
        "Chinese number written in international format (+86/0086)",
        "国内号码以国际格式（+86/0086）呈现",
    ),
    Problem.FOREIGN: ("Number has a foreign country code", "号码带有境外国家代码"),
    Problem.UNKNOWN_COUNTRY_CODE: ("Unknown country code", "国家代码无效"),
}


#: The written forms a number is dialled in when a rule is about the number, not its spelling.
DIAL_FORMS = ("national", "+86", "0086", "no-trunk-prefix")


def dial_forms(number: str, forms: Iterable[str] = DIAL_FORMS) -> tuple[tuple[str, str], ...]:
    """``(form, text)`` for each of ``forms`` that ``number`` has: the national form (a fixed line
    with its trunk prefix 0), ``+86`` and ``0086`` (country code, no trunk prefix), and for a
    fixed line ``no-trunk-prefix`` (area code and number without the 0). Numbers that are not
    Chinese mobiles or fixed lines have only their national form; duplicates are dropped."""
    parsed = parse_number(number)
    national = parsed.national or number
    if parsed.kind not in (NumberKind.MOBILE, NumberKind.FIXED):
        return (("national", national),)
    bare = national[1:] if parsed.kind is NumberKind.FIXED and national.startswith("0") else national
    texts = {
        "national": national,
        "+86": "+86" + bare,
        "0086": "0086" + bare,
        "no-trunk-prefix": bare if parsed.kind is NumberKind.FIXED else None,
    }
    out: list[tuple[str, str]] = []
    for form in forms:
        text = texts.get(form)
        if text and all(text != t for _, t in out):
            out.append((form, text))
    return tuple(out)
