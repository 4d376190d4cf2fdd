"""Known-answer tests for the Chinese number plan: parse_number, same_number, masking, 955xx."""

from __future__ import annotations

import random
import re

import pytest

from ccinspect.core.numbers import (
    ANONYMOUS_TOKENS,
    NumberKind,
    ParsedNumber,
    Problem,
    is_reserved_955,
    mask_number,
    normalise_number,
    parse_number,
    same_number,
)

K = NumberKind
P = Problem

# raw, kind, national, area_code, international_form, problems
Known = tuple[str | None, NumberKind, str, str | None, bool, tuple[Problem, ...]]
KNOWN: list[Known] = [
    # mobile, every written form
    ("13800138000", K.MOBILE, "13800138000", None, False, ()),
    ("19912345678", K.MOBILE, "19912345678", None, False, ()),
    ("138 0013 8000", K.MOBILE, "13800138000", None, False, ()),
    ("138-0013-8000", K.MOBILE, "13800138000", None, False, ()),
    (" 13800138000 ", K.MOBILE, "13800138000", None, False, ()),
    ("+8613800138000", K.MOBILE, "13800138000", None, True, (P.INTERNATIONAL_FORMAT,)),
    ("+86 138 0013 8000", K.MOBILE, "13800138000", None, True, (P.INTERNATIONAL_FORMAT,)),
    ("+86-138-0013-8000", K.MOBILE, "13800138000", None, True, (P.INTERNATIONAL_FORMAT,)),
    ("008613800138000", K.MOBILE, "13800138000", None, True, (P.INTERNATIONAL_FORMAT,)),
    ("0086 138 0013 8000", K.MOBILE, "13800138000", None, True, (P.INTERNATIONAL_FORMAT,)),
    ("8613800138000", K.MOBILE, "13800138000", None, True, (P.INTERNATIONAL_FORMAT,)),
    ("１３８００１３８０００", K.MOBILE, "13800138000", None, False, ()),  # full-width digits
    (
        "＋８６１３８００１３８０００",
        K.MOBILE,
        "13800138000",
        None,
        True,
        (P.INTERNATIONAL_FORMAT,),
    ),
    # fixed lines
    ("051268880000", K.FIXED, "051268880000", "512", False, ()),
    ("0512-68880000", K.FIXED, "051268880000", "512", False, ()),
    ("0512 6888 0000", K.FIXED, "051268880000", "512", False, ()),
    ("(0512)68880000", K.FIXED, "051268880000", "512", False, ()),
    ("(0512) 6888-0000", K.FIXED, "051268880000", "512", False, ()),
    ("+86 512 6888 0000", K.FIXED, "051268880000", "512", True, (P.INTERNATIONAL_FORMAT,)),
    ("+8651268880000", K.FIXED, "051268880000", "512", True, (P.INTERNATIONAL_FORMAT,)),
    ("+86 (0)512 6888 0000", K.FIXED, "051268880000", "512", True, (P.INTERNATIONAL_FORMAT,)),
    ("0086 512 68880000", K.FIXED, "051268880000", "512", True, (P.INTERNATIONAL_FORMAT,)),
    ("8651268880000", K.FIXED, "051268880000", "512", True, (P.INTERNATIONAL_FORMAT,)),
    ("01022345678", K.FIXED, "01022345678", "10", False, ()),
    ("010-8888 6666", K.FIXED, "01088886666", "10", False, ()),
    ("+86 10 2234 5678", K.FIXED, "01022345678", "10", True, (P.INTERNATIONAL_FORMAT,)),
    ("861022345678", K.FIXED, "01022345678", "10", True, (P.INTERNATIONAL_FORMAT,)),
    ("02122345678", K.FIXED, "02122345678", "21", False, ()),
    ("02987654321", K.FIXED, "02987654321", "29", False, ()),
    ("07552345678", K.FIXED, "07552345678", "755", False, ()),  # 7-digit local: domain allows
    ("075523456789", K.FIXED, "075523456789", "755", False, ()),
    ("09512345678", K.FIXED, "09512345678", "951", False, ()),  # Yinchuan, not a 95 number
    ("+86 951 234 5678", K.FIXED, "09512345678", "951", True, (P.INTERNATIONAL_FORMAT,)),
    ("07012345678", K.FIXED, "07012345678", "701", False, ()),  # Yingtan, not a 700 number
    # 95 / 96 / 400 / 700 / short codes
    ("95588", K.SERVICE_95, "95588", None, False, ()),
    ("95105", K.SERVICE_95, "95105", None, False, ()),
    ("955881", K.SERVICE_95, "955881", None, False, ()),
    ("9510 5888", K.SERVICE_95, "95105888", None, False, ()),  # access number + sub-number
    ("+86 95588", K.SERVICE_95, "95588", None, True, (P.INTERNATIONAL_FORMAT,)),
    ("96196", K.SERVICE_96, "96196", None, False, ()),
    ("961966", K.SERVICE_96, "961966", None, False, ()),
    ("0512 96196", K.SERVICE_96, "051296196", "512", False, ()),
    ("0512-961966", K.SERVICE_96, "0512961966", "512", False, ()),
    ("010 96166", K.SERVICE_96, "01096166", "10", False, ()),
    ("+86 512 96196", K.SERVICE_96, "051296196", "512", True, (P.INTERNATIONAL_FORMAT,)),
    ("4001234567", K.NUMBER_400, "4001234567", None, False, ()),
    ("400-123-4567", K.NUMBER_400, "4001234567", None, False, ()),
    ("400 812 3456", K.NUMBER_400, "4008123456", None, False, ()),
    ("+86 400 123 4567", K.NUMBER_400, "4001234567", None, True, (P.INTERNATIONAL_FORMAT,)),
    ("7001234567", K.NUMBER_700, "7001234567", None, False, ()),
    ("700-123-4567", K.NUMBER_700, "7001234567", None, False, ()),
    ("10086", K.SHORT, "10086", None, False, ()),
    ("12315", K.SHORT, "12315", None, False, ()),
    ("110", K.SHORT, "110", None, False, ()),
    ("+86 10086", K.SHORT, "10086", None, True, (P.INTERNATIONAL_FORMAT,)),
    # foreign
    ("+14155550123", K.INTERNATIONAL, "+14155550123", None, False, (P.FOREIGN,)),
    ("+1 (415) 555-0123", K.INTERNATIONAL, "+14155550123", None, False, (P.FOREIGN,)),
    ("001 415 555 0123", K.INTERNATIONAL, "+14155550123", None, False, (P.FOREIGN,)),
    ("+44 20 7946 0958", K.INTERNATIONAL, "+442079460958", None, False, (P.FOREIGN,)),
    ("+852 2123 4567", K.INTERNATIONAL, "+85221234567", None, False, (P.FOREIGN,)),
    ("+886 2 2345 6789", K.INTERNATIONAL, "+886223456789", None, False, (P.FOREIGN,)),
    # absent and withheld
    (None, K.ABSENT, "", None, False, (P.ABSENT,)),
    ("", K.ABSENT, "", None, False, (P.ABSENT,)),
    ("   ", K.ABSENT, "", None, False, (P.ABSENT,)),
    ("-", K.ABSENT, "", None, False, (P.ABSENT,)),
    ("anonymous", K.ABSENT, "", None, False, (P.ANONYMOUS,)),
    ("Anonymous", K.ABSENT, "", None, False, (P.ANONYMOUS,)),
    ("unknown", K.ABSENT, "", None, False, (P.ANONYMOUS,)),
    ("RESTRICTED", K.ABSENT, "", None, False, (P.ANONYMOUS,)),
    # malformed
    ("138abc38000", K.INVALID, "138abc38000", None, False, (P.LETTERS,)),
    ("1380013800O", K.INVALID, "1380013800O", None, False, (P.LETTERS,)),
    ("13800138000#", K.INVALID, "13800138000#", None, False, (P.BAD_CHARACTERS,)),
    ("<script>", K.INVALID, "<script>", None, False, (P.LETTERS, P.BAD_CHARACTERS)),
    ("++8613800138000", K.INVALID, "++8613800138000", None, False, (P.BAD_CHARACTERS,)),
    ("138+00138000", K.INVALID, "138+00138000", None, False, (P.BAD_CHARACTERS,)),
    ("1380013800", K.INVALID, "1380013800", None, False, (P.TOO_SHORT,)),
    ("138001380001", K.INVALID, "138001380001", None, False, (P.TOO_LONG,)),
    ("12345678901", K.INVALID, "12345678901", None, False, (P.BAD_PREFIX,)),
    ("1", K.INVALID, "1", None, False, (P.TOO_SHORT,)),
    ("0", K.INVALID, "0", None, False, (P.TOO_SHORT,)),
    ("0512", K.INVALID, "0512", None, False, (P.TOO_SHORT,)),
    ("0512688800", K.INVALID, "0512688800", None, False, (P.TOO_SHORT,)),
    ("0512688800001", K.INVALID, "0512688800001", None, False, (P.TOO_LONG,)),
    ("051208880000", K.INVALID, "051208880000", None, False, (P.BAD_PREFIX,)),
    ("051298880000", K.INVALID, "051298880000", None, False, (P.BAD_PREFIX,)),
    ("01012345678", K.INVALID, "01012345678", None, False, (P.BAD_PREFIX,)),
    ("0102345678", K.INVALID, "0102345678", None, False, (P.TOO_SHORT,)),  # 2-digit area: 8
    ("01122345678", K.INVALID, "01122345678", None, False, (P.BAD_PREFIX,)),
    ("0512 9619", K.INVALID, "05129619", None, False, (P.TOO_SHORT,)),
    ("68880000", K.INVALID, "68880000", None, False, (P.NO_AREA_CODE,)),
    ("2345678", K.INVALID, "2345678", None, False, (P.NO_AREA_CODE,)),
    ("9558", K.INVALID, "9558", None, False, (P.TOO_SHORT,)),
    ("955881234", K.INVALID, "955881234", None, False, (P.TOO_LONG,)),
    ("9619666", K.INVALID, "9619666", None, False, (P.TOO_LONG,)),
    ("400123456", K.INVALID, "400123456", None, False, (P.TOO_SHORT,)),
    ("40012345678", K.INVALID, "40012345678", None, False, (P.TOO_LONG,)),
    ("700123456", K.INVALID, "700123456", None, False, (P.TOO_SHORT,)),
    ("8001234567", K.INVALID, "8001234567", None, False, (P.BAD_PREFIX,)),
    ("9", K.INVALID, "9", None, False, (P.BAD_PREFIX,)),
    ("+", K.INVALID, "+", None, False, (P.TOO_SHORT,)),
    ("+86", K.INVALID, "+86", None, True, (P.TOO_SHORT, P.INTERNATIONAL_FORMAT)),
    ("0086", K.INVALID, "0086", None, True, (P.TOO_SHORT, P.INTERNATIONAL_FORMAT)),
    ("+86 12345", K.SHORT, "12345", None, True, (P.INTERNATIONAL_FORMAT,)),
    ("+86 1234567", K.INVALID, "+861234567", None, True, (P.BAD_PREFIX, P.INTERNATIONAL_FORMAT)),
    (
        "+86 1380013800",
        K.INVALID,
        "+861380013800",
        None,
        True,
        (P.TOO_SHORT, P.INTERNATIONAL_FORMAT),
    ),
    ("+999 123456", K.INVALID, "+999123456", None, False, (P.FOREIGN, P.UNKNOWN_COUNTRY_CODE)),
    ("+44 20", K.INVALID, "+4420", None, False, (P.FOREIGN, P.TOO_SHORT)),
    ("86512688800001", K.INVALID, "86512688800001", None, False, (P.BAD_PREFIX,)),
    ("1" * 40, K.INVALID, "1" * 40, None, False, (P.TOO_LONG,)),
]


@pytest.mark.parametrize("case", KNOWN, ids=[repr(row[0])[:40] for row in KNOWN])
def test_parse_number_known_answers(case: Known) -> None:
    """Each written form maps to its kind, canonical national form, area code and problems."""
    raw, kind, national, area, intl, problems = case
    parsed = parse_number(raw)
    assert (parsed.kind, parsed.national, parsed.area_code) == (kind, national, area)
    assert parsed.international_form is intl
    assert parsed.problems == problems
    assert parsed.raw == (raw or "")
    assert normalise_number(raw) == national


@pytest.mark.parametrize(
    ("raw", "library_valid"),
    [
        ("13800138000", True),
        ("051268880000", True),
        ("4001234567", True),
        ("0512 96196", True),
        ("+14155550123", True),
        ("01012345678", True),  # we say BAD_PREFIX (local starts with 1); the library accepts
        ("07552345678", False),  # we accept a 7-digit local number; the library knows Shenzhen
        ("02622345678", False),  # 026 is unused; domain.md allows 020-029
        ("95588", None),  # the library does not model 95/96/700/short codes
        ("96196", None),
        ("7001234567", None),
        ("10086", None),
        ("anonymous", None),
    ],
)
def test_library_second_opinion(raw: str, library_valid: bool | None) -> None:
    """phonenumbers' verdict is recorded, including where it disagrees with domain.md."""
    assert parse_number(raw).library_valid is library_valid


def test_every_anonymous_token_is_absent() -> None:
    """Every withheld-number token parses as ABSENT/ANONYMOUS, in any case."""
    for token in ANONYMOUS_TOKENS:
        for variant in (token, token.upper(), f" {token.title()} "):
            parsed = parse_number(variant)
            assert parsed.kind is K.ABSENT
            assert parsed.problems == (P.ANONYMOUS,)


def test_hostile_ten_kilobytes_kept_verbatim() -> None:
    """A 10 kB hostile value is INVALID, not an exception, and raw is kept as received."""
    raw = ('<script>"\r\n' + "9" * 10_000)[:10_240]
    parsed = parse_number(raw)
    assert parsed.kind is K.INVALID
    assert parsed.raw == raw
    assert P.TOO_LONG in parsed.problems
    assert len(mask_number(parsed)) <= 24


SAME = [
    "13800138000",
    "+86 138 0013 8000",
    "+8613800138000",
    "008613800138000",
    "8613800138000",
    "138-0013-8000",
]
FIXED_SAME = [
    "051268880000",
    "+86 512 6888 0000",
    "0512-68880000",
    "(0512) 6888 0000",
    "0086512 68880000",
]
DIFFERENT = ["13800138001", "051268880001", "051296196", "96196", "4001234567", "+14155550123"]


@pytest.mark.parametrize("a", SAME)
@pytest.mark.parametrize("b", SAME)
def test_same_number_mobile_matrix(a: str, b: str) -> None:
    """All written forms of one mobile number are the same number."""
    assert same_number(a, b)


@pytest.mark.parametrize("a", FIXED_SAME)
@pytest.mark.parametrize("b", FIXED_SAME)
def test_same_number_fixed_matrix(a: str, b: str) -> None:
    """All written forms of one Suzhou fixed line are the same number."""
    assert same_number(a, b)


@pytest.mark.parametrize("a", [SAME[0], FIXED_SAME[0], *DIFFERENT])
@pytest.mark.parametrize("b", [SAME[1], FIXED_SAME[1], *DIFFERENT])
def test_same_number_distinct(a: str, b: str) -> None:
    """Different numbers never compare equal (96 with and without area code included)."""
    assert same_number(a, b) is (parse_number(a).national == parse_number(b).national)
    if a in DIFFERENT and b in DIFFERENT and a != b:
        assert not same_number(a, b)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (None, None, False),
        ("", "", False),
        ("anonymous", "anonymous", False),
        ("anonymous", "13800138000", False),
        (None, "13800138000", False),
        ("abc 123", "abc-123", True),  # garbage passed through unchanged still matches itself
        ("abc123", "abc124", False),
        (parse_number("+8613800138000"), "13800138000", True),
        ("+8651268880000", parse_number("051268880000"), True),
    ],
)
def test_same_number_edge_cases(
    a: str | ParsedNumber | None, b: str | ParsedNumber | None, expected: bool
) -> None:
    """Absent never equals anything; unparseable text equals only the same text."""
    assert same_number(a, b) is expected


@pytest.mark.parametrize(
    ("raw", "reserved"),
    [
        ("95588", True),
        ("95555", True),
        ("955881", True),
        ("+86 95599", True),
        ("95105", False),
        ("96196", False),
        ("09551234567", False),  # Zhongwei fixed line, not a 955xx number
        ("9558", False),
        (None, False),
    ],
)
def test_is_reserved_955(raw: str | None, reserved: bool) -> None:
    """Only 95 numbers in the 955xx block are reserved for banks, insurers and airlines."""
    assert is_reserved_955(raw) is reserved
    assert is_reserved_955(parse_number(raw)) is reserved


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("051268880000", "0512****0000"),
        ("01022345678", "010****5678"),
        ("07552345678", "0755***5678"),
        ("4001234567", "400***4567"),
        ("7001234567", "700***4567"),
        ("95588", "95588"),
        ("0512 96196", "051296196"),
        ("10086", "10086"),
        ("+14155550123", "+1******0123"),
        ("+442079460958", "+44******0958"),
        (None, ""),
        ("anonymous", ""),
        ("138abc38000", "*******8000"),
        ("12", "**"),
    ],
)
def test_mask_number(raw: str | None, masked: str) -> None:
    """Reports show only the area/prefix and the last four digits of personal numbers."""
    assert mask_number(raw) == masked


def test_every_code_has_both_messages() -> None:
    """Every kind and problem code has English text and Simplified Chinese text."""
    han = re.compile(r"[\u4e00-\u9fff]")
    for member in [*NumberKind, *Problem]:
        assert member.message_en.strip()
        assert han.search(member.message_zh), member


def test_known_chinese_messages() -> None:
    """The Chinese texts use the terms operators and inspectors use."""
    assert Problem.ABSENT.message_zh == "主叫号码缺失"
    assert NumberKind.NUMBER_400.message_zh == "400号码"


# ---------------------------------------------------------------- never-raises property

_ALPHABET = "0123456789" * 6 + "+++   --()86" + "abcXYZ#*;@:%<>\"'\\\r\n\t" + "１２＋张三号码\u0000\u202e"


def _random_inputs(count: int) -> list[str]:
    """Random strings plus random number-like strings built from real prefixes (fixed seed)."""
    rng = random.Random(20240611)
    prefixes = [
        "",
        "+86",
        "0086",
        "86",
        "+",
        "00",
        "0",
        "0512",
        "010",
        "1",
        "13",
        "95",
        "96",
        "400",
        "700",
    ]
    out: list[str] = []
    for _ in range(count):
        if rng.random() < 0.5:
            out.append("".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 30))))
        else:
            digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 14)))
            sep = rng.choice(["", " ", "-"])
            out.append(rng.choice(prefixes) + sep + digits)
    return out


def test_parse_number_never_raises_and_keeps_invariants() -> None:
    """Any string parses without raising, and the result obeys ParsedNumber's promises."""
    domestic = {K.MOBILE, K.FIXED, K.SERVICE_95, K.SERVICE_96, K.NUMBER_400, K.NUMBER_700, K.SHORT}
    for raw in _random_inputs(4000):
        parsed = parse_number(raw)
        assert parsed.raw == raw
        assert (parsed.kind is K.ABSENT) == (parsed.national == "")
        if parsed.kind in (K.INVALID, K.ABSENT):
            assert parsed.problems, raw
        if parsed.kind in domestic:
            assert parsed.national.isascii(), raw
            assert parsed.national.isdigit(), raw
            # the canonical form is a fixed point: parsing it again gives the same number
            again = parse_number(parsed.national)
            assert (again.kind, again.national, again.area_code) == (
                parsed.kind,
                parsed.national,
                parsed.area_code,
            ), raw
        if parsed.kind is not K.ABSENT:
            assert same_number(parsed, parsed)
        if parsed.kind in (K.MOBILE, K.FIXED):
            assert len(mask_number(parsed)) == len(parsed.national)
            assert mask_number(parsed)[-4:] == parsed.national[-4:]
        assert isinstance(is_reserved_955(parsed), bool)
