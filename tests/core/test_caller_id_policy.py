"""Outbound caller-ID policy (R1, R3, R4) and inbound screening (R3) rule tables."""

from __future__ import annotations

import re

import pytest

from ccinspect.core.numbers import (
    CallerIdFinding,
    OutboundCallerIdPolicy,
    OutboundReason,
    ParsedNumber,
    Problem,
    ScreeningAction,
    ScreeningPolicy,
    ScreeningReason,
    evaluate_outbound_caller_id,
    parse_number,
    screen_inbound,
)

OR = OutboundReason
ALLOCATED = ["0512-6888 0000", "+86 512 6888 0001", "95105888", "0512 96196", "4001234567"]

OUTBOUND: list[tuple[str | None, bool, tuple[OutboundReason, ...]]] = [
    # allocated, any written form
    ("051268880000", False, ()),
    ("+8651268880000", False, ()),
    ("0086 512 6888 0000", False, ()),
    ("(0512) 6888-0001", False, ()),
    # not allocated, forged or another company's number
    ("051268880002", False, (OR.NOT_ALLOCATED,)),
    ("13800138000", False, (OR.NOT_ALLOCATED,)),
    ("+14155550123", False, (OR.FOREIGN, OR.NOT_ALLOCATED)),
    ("10086", False, (OR.NOT_ALLOCATED,)),
    # never presentable
    ("4001234567", False, (OR.NUMBER_400,)),  # allocated to us, still refused
    ("4009876543", False, (OR.NUMBER_400, OR.NOT_ALLOCATED)),
    ("7001234567", False, (OR.NUMBER_700, OR.NOT_ALLOCATED)),
    (None, False, (OR.ABSENT,)),
    ("", False, (OR.ABSENT,)),
    ("anonymous", False, (OR.ABSENT,)),
    ("138abc", False, (OR.MALFORMED, OR.NOT_ALLOCATED)),
    ("0512688800", False, (OR.MALFORMED, OR.NOT_ALLOCATED)),
    # 95/96: inbound-only unless an outbound commitment is filed (R4)
    ("95105888", False, (OR.SERVICE_NUMBER_INBOUND_ONLY,)),
    ("95105888", True, ()),
    ("0512 96196", False, (OR.SERVICE_NUMBER_INBOUND_ONLY,)),
    ("+86 512 96196", True, ()),
    ("96196", True, (OR.NOT_ALLOCATED,)),  # the 96 number without area code is another number
    ("95588", True, (OR.NOT_ALLOCATED,)),
    ("95588", False, (OR.SERVICE_NUMBER_INBOUND_ONLY, OR.NOT_ALLOCATED)),
    # allow_95_outbound does not relax anything else
    ("4001234567", True, (OR.NUMBER_400,)),
    ("13800138000", True, (OR.NOT_ALLOCATED,)),
]


@pytest.mark.parametrize(
    ("presented", "allow_95", "reasons"),
    OUTBOUND,
    ids=[f"{row[0]!r}-{row[1]}" for row in OUTBOUND],
)
def test_outbound_caller_id_rules(
    presented: str | None, allow_95: bool, reasons: tuple[OutboundReason, ...]
) -> None:
    """Each presented caller ID gets exactly the listed reasons; ok iff there are none."""
    finding = evaluate_outbound_caller_id(parse_number(presented), ALLOCATED, allow_95_outbound=allow_95)
    assert finding.reasons == reasons
    assert finding.ok is (not reasons)
    assert finding.presented == parse_number(presented)


def test_outbound_policy_normalises_allocated_list() -> None:
    """The allocated list is stored in canonical national form, whatever form it was given in."""
    policy = OutboundCallerIdPolicy(frozenset(ALLOCATED))
    assert policy.allocated == frozenset(
        {"051268880000", "051268880001", "95105888", "051296196", "4001234567"}
    )
    assert policy.evaluate("+86 512 6888 0000").ok
    assert policy.evaluate("051268880000") == CallerIdFinding(parse_number("051268880000"), ())


@pytest.mark.parametrize("bad", ["", "anonymous", "abc", "0512"])
def test_outbound_policy_rejects_bad_config(bad: str) -> None:
    """An allocated entry that is not a number is a configuration error naming the entry."""
    with pytest.raises(ValueError, match=re.escape(repr(bad))):
        OutboundCallerIdPolicy(frozenset({"051268880000", bad}))


def test_outbound_reason_messages() -> None:
    """Outbound reasons carry the Chinese wording used on inspection reports."""
    assert OR.NUMBER_400.message_zh == "400号码不得作为外显主叫号码"
    assert "400" in OR.NUMBER_400.message_en
    for reason in OutboundReason:
        assert reason.message_en
        assert re.search(r"[\u4e00-\u9fff]", reason.message_zh)


# ---------------------------------------------------------------- screening

A, S = ScreeningAction, ScreeningReason
DEFAULT = ScreeningPolicy(blacklist=frozenset({"13900139000", "+86 512 6666 6666"}))

SCREENING: list[tuple[str | None, ScreeningAction, ScreeningReason, str]] = [
    ("13800138000", A.PASS, S.OK, "pass"),
    ("051268880000", A.PASS, S.OK, "pass"),
    ("0512 96196", A.PASS, S.OK, "pass"),
    ("95588", A.PASS, S.OK, "pass"),
    ("4001234567", A.PASS, S.OK, "pass"),
    ("7001234567", A.PASS, S.OK, "pass"),
    (None, A.FLAG, S.ABSENT, "absent"),
    ("", A.FLAG, S.ABSENT, "absent"),
    ("anonymous", A.FLAG, S.ABSENT, "absent"),
    ("138abc38000", A.FLAG, S.MALFORMED, "malformed"),
    ("1380013800", A.FLAG, S.MALFORMED, "malformed"),
    ("138001380001", A.FLAG, S.MALFORMED, "malformed"),
    ("12345678901", A.FLAG, S.MALFORMED, "malformed"),
    ("68880000", A.FLAG, S.MALFORMED, "malformed"),
    ("10086", A.FLAG, S.MALFORMED, "malformed"),  # short codes not accepted by default
    ("<script>alert(1)</script>", A.FLAG, S.MALFORMED, "malformed"),
    ("13900139000", A.REJECT, S.BLACKLISTED, "blacklisted"),
    ("+86 139 0013 9000", A.REJECT, S.BLACKLISTED, "blacklisted"),  # blacklist before format
    ("0512-6666 6666", A.REJECT, S.BLACKLISTED, "blacklisted"),
    ("+8613800138000", A.FLAG, S.INTERNATIONAL_FORMAT, "intl-format"),
    ("008613800138000", A.FLAG, S.INTERNATIONAL_FORMAT, "intl-format"),
    ("8613800138000", A.FLAG, S.INTERNATIONAL_FORMAT, "intl-format"),
    ("+86 512 6888 0000", A.FLAG, S.INTERNATIONAL_FORMAT, "intl-format"),
    ("+86 1380013800", A.FLAG, S.MALFORMED, "malformed"),  # malformed before intl-format
    ("+14155550123", A.FLAG, S.FOREIGN, "foreign"),
    ("+44 20 7946 0958", A.FLAG, S.FOREIGN, "foreign"),
    ("+999123456", A.FLAG, S.MALFORMED, "malformed"),
]


@pytest.mark.parametrize(("raw", "action", "reason", "token"), SCREENING, ids=[repr(r[0]) for r in SCREENING])
def test_screening_rules(
    raw: str | None, action: ScreeningAction, reason: ScreeningReason, token: str
) -> None:
    """Each inbound number gets the demo PBX's action and X-Caller-Screening token."""
    result = screen_inbound(parse_number(raw), DEFAULT)
    assert (result.action, result.reason) == (action, reason)
    assert result.header_value == token == reason.header_value
    assert result.problems == parse_number(raw).problems


def test_intl_format_flag_keeps_the_number_comparable() -> None:
    """A +86 caller is only flagged: the number itself still equals its national form."""
    result = screen_inbound("+86 138 0013 8000", DEFAULT)
    assert result.reason is S.INTERNATIONAL_FORMAT
    assert result.number.national == "13800138000"
    assert result.problems == (Problem.INTERNATIONAL_FORMAT,)


@pytest.mark.parametrize(
    ("policy", "raw", "reason"),
    [
        (ScreeningPolicy(treat_international_format_as_flag=False), "+8613800138000", S.OK),
        (ScreeningPolicy(domestic_trunk=False), "+8613800138000", S.OK),
        (ScreeningPolicy(domestic_trunk=False), "+14155550123", S.FOREIGN),
        (ScreeningPolicy(accept_short_codes=True), "10086", S.OK),
        (ScreeningPolicy(accept_short_codes=True), "+86 10086", S.INTERNATIONAL_FORMAT),
        (ScreeningPolicy(), "13900139000", S.OK),
        (ScreeningPolicy(blacklist=frozenset({"+14155550123"})), "001 415 555 0123", S.BLACKLISTED),
    ],
)
def test_screening_policy_switches(policy: ScreeningPolicy, raw: str, reason: ScreeningReason) -> None:
    """Each policy switch changes only the rule it names."""
    assert screen_inbound(raw, policy).reason is reason


def test_screening_policy_normalises_and_validates_blacklist() -> None:
    """The blacklist is normalised on construction; a non-number entry is a config error."""
    assert DEFAULT.blacklist == frozenset({"13900139000", "051266666666"})
    with pytest.raises(ValueError, match="blacklist"):
        ScreeningPolicy(blacklist=frozenset({"not a number"}))


def test_screening_tokens_are_exactly_the_pbx_tokens() -> None:
    """The X-Caller-Screening tokens are the six the demo PBX dialplan writes."""
    assert [r.header_value for r in ScreeningReason] == [
        "pass",
        "absent",
        "malformed",
        "blacklisted",
        "intl-format",
        "foreign",
    ]


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("pass", S.OK),
        (" Intl-Format ", S.INTERNATIONAL_FORMAT),
        ("blacklisted", S.BLACKLISTED),
        ("", None),
        (None, None),
        ("ok", None),
        ("<script>", None),
    ],
)
def test_screening_reason_from_header(header: str | None, reason: ScreeningReason | None) -> None:
    """A captured X-Caller-Screening value maps back to its reason, or None if unknown."""
    assert ScreeningReason.from_header(header) is reason


def test_screening_messages_are_bilingual() -> None:
    """Every screening reason has English and Chinese text."""
    assert S.MALFORMED.message_zh == "号码格式错误"
    assert S.ABSENT.message_zh == "主叫号码缺失"
    for reason in ScreeningReason:
        assert reason.message_en
        assert re.search(r"[\u4e00-\u9fff]", reason.message_zh)


def test_results_are_frozen() -> None:
    """Findings and results are immutable values."""
    result = screen_inbound("13800138000", DEFAULT)
    finding = evaluate_outbound_caller_id("13800138000", ["13800138000"])
    parsed: ParsedNumber = parse_number("13800138000")
    for value, attribute in ((result, "reason"), (finding, "reasons"), (parsed, "national")):
        with pytest.raises(AttributeError):
            setattr(value, attribute, None)
