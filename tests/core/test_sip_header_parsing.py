"""Caller-identity header parsing from captured SIP text: name-addr, PAI, RPID, Privacy."""

from __future__ import annotations

import random

import pytest

from ccinspect.core.numbers import parse_number, same_number
from ccinspect.core.sipheaders import (
    CallerIdentity,
    MessageKind,
    canonical_header_name,
    extract_identity,
    header_value,
    parse_name_addr,
    parse_sip_message,
    parse_uri,
    split_header_values,
)

Params = tuple[tuple[str, str | None], ...]
# value, display, scheme, user, host, port, uri params, header params, well_formed
NameAddrCase = tuple[str, str | None, str, str, str, int | None, Params, Params, bool]


def _case(
    value: str,
    display: str | None,
    uri: tuple[str, str, str],
    *,
    port: int | None = None,
    uri_params: Params = (),
    params: Params = (),
    ok: bool = True,
) -> NameAddrCase:
    """One known answer; ``uri`` is (scheme, user, host)."""
    return (value, display, *uri, port, uri_params, params, ok)


NAME_ADDRS: list[NameAddrCase] = [
    _case(
        '"Alice" <sip:1001@pbx.example.com>;tag=abc',
        "Alice",
        ("sip", "1001", "pbx.example.com"),
        params=(("tag", "abc"),),
    ),
    _case(
        "sip:13800138000@10.0.0.1;tag=x",
        None,
        ("sip", "13800138000", "10.0.0.1"),
        params=(("tag", "x"),),
    ),
    _case(
        "<sip:+8613800138000@Trunk.Example.CN:5060;user=phone>",
        None,
        ("sip", "+8613800138000", "trunk.example.cn"),
        port=5060,
        uri_params=(("user", "phone"),),
    ),
    _case("<tel:+8613800138000>", None, ("tel", "+8613800138000", "")),
    _case(
        "<tel:68880000;phone-context=+86512>",
        None,
        ("tel", "68880000", ""),
        uri_params=(("phone-context", "+86512"),),
    ),
    _case('"Bob \\"The Boss\\" Li" <sip:1002@pbx>', 'Bob "The Boss" Li', ("sip", "1002", "pbx")),
    _case(
        '"张三" <sip:051268880000@pbx>;tag=9f',
        "张三",
        ("sip", "051268880000", "pbx"),
        params=(("tag", "9f"),),
    ),
    _case("苏州客服 <sip:95105888@pbx>", "苏州客服", ("sip", "95105888", "pbx")),
    _case("Alice Smith <sips:alice@example.com>", "Alice Smith", ("sips", "alice", "example.com")),
    _case("<sip:%2B86%20138%200013%208000@pbx>", None, ("sip", "+86 138 0013 8000", "pbx")),
    _case(
        '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=1',
        "Anonymous",
        ("sip", "anonymous", "anonymous.invalid"),
        params=(("tag", "1"),),
    ),
    _case("<sip:1001:secret@pbx>", None, ("sip", "1001", "pbx")),  # password dropped
    _case(
        "<sip:[2001:db8::1]:5070;transport=tcp;lr>",
        None,
        ("sip", "", "[2001:db8::1]"),
        port=5070,
        uri_params=(("transport", "tcp"), ("lr", None)),
    ),
    _case(
        '<sip:1001@pbx>;reason="no answer; busy";counter=2',
        None,
        ("sip", "1001", "pbx"),
        params=(("reason", "no answer; busy"), ("counter", "2")),
    ),
    _case("<sip:1001@pbx?subject=hi>", None, ("sip", "1001", "pbx")),
    _case("  <sip:1001@pbx>  ", None, ("sip", "1001", "pbx")),
    # garbage: still parsed as far as it goes, marked not well formed
    _case('"unterminated <sip:1001@pbx>', "unterminated <sip:1001@pbx>", ("", "", ""), ok=False),
    _case("<sip:1001@pbx", None, ("sip", "1001", "pbx"), ok=False),
    _case("<sip:1001@pbx> trailing", None, ("sip", "1001", "pbx"), ok=False),
    _case("<sip:1@pbx> junk;tag=1", None, ("sip", "1", "pbx"), params=(("tag", "1"),), ok=False),
    _case("garbage", None, ("", "", ""), ok=False),
    _case("", None, ("", "", ""), ok=False),
    _case("<>", None, ("", "", ""), ok=False),
    _case("<http://example.com/x>", None, ("http", "", ""), ok=False),
    _case("<sip:1001@>", None, ("sip", "1001", ""), ok=False),
    _case('"Alice" sip:1001@pbx', "Alice", ("sip", "1001", "pbx"), ok=False),
]


@pytest.mark.parametrize("case", NAME_ADDRS, ids=[repr(row[0])[:40] for row in NAME_ADDRS])
def test_parse_name_addr_known_answers(case: NameAddrCase) -> None:
    """Display name, URI parts and header parameters come out unquoted and unescaped."""
    value, display, scheme, user, host, port, uri_params, params, ok = case
    parsed = parse_name_addr(value)
    assert parsed.raw == value
    assert parsed.display_name == display
    assert (parsed.uri.scheme, parsed.user, parsed.uri.host) == (scheme, user, host)
    assert parsed.uri.port == port
    assert parsed.uri.params == uri_params
    assert parsed.params == params
    assert parsed.well_formed is ok


def test_hostile_values_are_kept_verbatim() -> None:
    """CRLF, script tags and quotes in values are data, never interpreted or dropped."""
    value = '"<script>alert(1)</script>\\"" <sip:%0d%0aX-Evil%3a%201@pbx>;tag="a\r\nb"'
    parsed = parse_name_addr(value)
    assert parsed.display_name == '<script>alert(1)</script>"'
    assert parsed.user == "\r\nX-Evil: 1"
    assert parsed.tag == "a\r\nb"
    assert parsed.raw == value
    assert parse_number(parsed.user).kind.name == "INVALID"


def test_ten_kilobyte_value() -> None:
    """A 10 kB display name and user part parse in full."""
    display, user = "客" * 5000, "9" * 10_000
    parsed = parse_name_addr(f'"{display}" <sip:{user}@pbx>')
    assert parsed.display_name == display
    assert parsed.user == user
    assert parsed.well_formed


def test_uri_number_drops_subscriber_params() -> None:
    """``number`` is the user part without ;npdi / ;isub / ;rn parameters."""
    uri = parse_uri("sip:+8613800138000;npdi;rn=+8613900000000@pbx;user=phone")
    assert uri.user == "+8613800138000;npdi;rn=+8613900000000"
    assert uri.number == "+8613800138000"
    assert uri.param("user") == "phone"
    assert uri.param("missing") is None


@pytest.mark.parametrize(
    ("value", "parts"),
    [
        ("<sip:1@a>, <tel:+8613800138000>", ("<sip:1@a>", "<tel:+8613800138000>")),
        ('"Li, Lei" <sip:1@a>,<sip:2@a>', ('"Li, Lei" <sip:1@a>', "<sip:2@a>")),
        ("<sip:1@a;x=a,b>", ("<sip:1@a;x=a,b>",)),
        ('"a\\",b" <sip:1@a>', ('"a\\",b" <sip:1@a>',)),
        (" , ,", ()),
        ("", ()),
    ],
)
def test_split_header_values(value: str, parts: tuple[str, ...]) -> None:
    """Commas inside quotes or angle brackets do not split values."""
    assert split_header_values(value) == parts


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("f", "from"),
        ("F", "from"),
        ("From", "from"),
        (" t ", "to"),
        ("i", "call-id"),
        ("P-Asserted-Identity", "p-asserted-identity"),
        ("X-Caller-Screening", "x-caller-screening"),
    ],
)
def test_canonical_header_name(name: str, canonical: str) -> None:
    """Header names compare case-insensitively and compact forms expand."""
    assert canonical_header_name(name) == canonical


INVITE_HEADERS = [
    ("Via", "SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK1"),
    ("f", '"坐席01" <sip:1001@pbx>;tag=77'),
    ("To", "<sip:13800138000@trunk>"),
    ("p-asserted-identity", '"Suzhou CC" <sip:+8651268880000@pbx>'),
    ("P-ASSERTED-IDENTITY", "<tel:+8651268880000>"),
    ("Remote-Party-ID", '"CC" <sip:051268880000@pbx>;party=calling;privacy=off;screen=yes'),
    ("Privacy", "none"),
    ("Diversion", "<sip:1002@pbx>;reason=no-answer;counter=1, <sip:1003@pbx>;reason=user-busy"),
    ("X-Caller-Screening", " pass "),
]


def test_extract_identity_full_invite() -> None:
    """From (compact form), two PAI lines, RPID params, Privacy and Diversion."""
    identity = extract_identity(INVITE_HEADERS)
    assert identity.from_ is not None
    assert identity.from_.display_name == "坐席01"
    assert identity.from_.tag == "77"
    assert [p.uri.scheme for p in identity.pai] == ["sip", "tel"]
    assert identity.presented_number() == "+8651268880000"
    assert same_number(identity.presented_number(), "0512-6888 0000")
    assert identity.rpid[0].param("privacy") == "off"
    assert identity.rpid[0].param("screen") == "yes"
    assert identity.privacy == ("none",)
    assert [(d.user, d.param("reason")) for d in identity.diversion] == [
        ("1002", "no-answer"),
        ("1003", "user-busy"),
    ]
    assert not identity.hidden()


def test_extract_identity_empty() -> None:
    """No identity headers: nothing presented, nothing hidden."""
    identity = extract_identity([("Via", "x")])
    assert identity == CallerIdentity()
    assert identity.presented_number() is None
    assert not identity.hidden()


@pytest.mark.parametrize(
    ("headers", "presented", "hidden"),
    [
        ([("From", "<sip:13800138000@t>")], "13800138000", False),
        (
            [("From", "<sip:1001@pbx>"), ("P-Asserted-Identity", "<sip:+8613800138000@t>")],
            "+8613800138000",
            False,
        ),
        ([("From", "<sip:13800138000@t>"), ("Privacy", "id")], "13800138000", True),
        ([("From", "<sip:13800138000@t>"), ("Privacy", "user; ID ;critical")], "13800138000", True),
        ([("From", "<sip:13800138000@t>"), ("Privacy", "header")], "13800138000", False),
        ([("From", '"Anonymous" <sip:anonymous@anonymous.invalid>')], "anonymous", True),
        ([("From", "<sip:1001@anonymous.invalid>")], "1001", True),
        (
            [("From", "<sip:13800138000@t>"), ("P-Asserted-Identity", "<sip:anonymous@pbx>")],
            "anonymous",
            True,
        ),
        (
            [
                ("From", "<sip:13800138000@t>"),
                ("Remote-Party-ID", "<sip:13800138000@t>;party=calling;privacy=full"),
            ],
            "13800138000",
            True,
        ),
        (
            [
                ("From", "<sip:13800138000@t>"),
                ("Remote-Party-ID", "<sip:13800138000@t>;privacy=uri"),
            ],
            "13800138000",
            True,
        ),
        (
            [
                ("From", "<sip:13800138000@t>"),
                ("Remote-Party-ID", "<sip:1@t>;party=called;privacy=full"),
            ],
            "13800138000",
            False,
        ),
        (
            [
                ("From", "<sip:13800138000@t>"),
                ("Remote-Party-ID", "<sip:13800138000@t>;privacy=name"),
            ],
            "13800138000",
            False,
        ),
        ([("From", "<sip:pbx.example.com>")], None, False),
        ([("P-Asserted-Identity", "<tel:+8613800138000;npdi>")], "+8613800138000", False),
        ([("From", "<sip:1@a>"), ("From", "<sip:2@a>")], "1", False),
    ],
)
def test_presented_number_and_hidden(
    headers: list[tuple[str, str]], presented: str | None, hidden: bool
) -> None:
    """PAI wins over From; Privacy: id, anonymous identities and RPID privacy hide the caller."""
    identity = extract_identity(headers)
    assert identity.presented_number() == presented
    assert identity.hidden() is hidden


INVITE_TEXT = (
    "\r\n"
    "INVITE sip:13800138000@trunk.example.cn SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK1\r\n"
    'f: "Seat 1" <sip:1001@pbx>;tag=77\r\n'
    "P-Asserted-Identity: <sip:+8651268880000@pbx>,\r\n"
    " <tel:+8651268880000>\r\n"
    "Subject : folded\r\n"
    "\tover two lines\r\n"
    "this line has no colon\r\n"
    "X-Caller-Screening: intl-format\r\n"
    "Content-Length: 10\r\n"
    "\r\n"
    "v=0\r\n"
    "\r\n"
    "x"
)


def test_parse_sip_request() -> None:
    """Start line, ordered headers with folds unfolded, malformed lines kept, body verbatim."""
    message = parse_sip_message(INVITE_TEXT)
    assert message.kind is MessageKind.REQUEST
    assert (message.method, message.request_uri) == ("INVITE", "sip:13800138000@trunk.example.cn")
    assert message.status_code is None
    assert [name for name, _ in message.headers] == [
        "Via",
        "f",
        "P-Asserted-Identity",
        "Subject",
        "X-Caller-Screening",
        "Content-Length",
    ]
    assert message.header("from") == '"Seat 1" <sip:1001@pbx>;tag=77'
    assert message.header("P-Asserted-Identity") == "<sip:+8651268880000@pbx>, <tel:+8651268880000>"
    assert message.header("subject") == "folded over two lines"
    assert message.header("missing") is None
    assert message.malformed_lines == ("this line has no colon",)
    assert message.body == "v=0\r\n\r\nx"
    identity = message.identity()
    assert len(identity.pai) == 2
    assert identity.presented_number() == "+8651268880000"
    assert header_value(INVITE_TEXT, "x-caller-screening") == "intl-format"
    assert header_value(INVITE_TEXT, "F") == '"Seat 1" <sip:1001@pbx>;tag=77'
    assert header_value(INVITE_TEXT, "X-Absent") is None
    assert header_value(None, "From") is None


def test_parse_sip_response_with_lf_line_ends() -> None:
    """Responses give status code and reason; bare LF line ends are accepted."""
    message = parse_sip_message("SIP/2.0 486 Busy Here\nVia: a\nVia: b\n\n")
    assert message.kind is MessageKind.RESPONSE
    assert (message.status_code, message.reason) == (486, "Busy Here")
    assert message.header_values("v") == ("a", "b")
    assert message.body == ""


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("", MessageKind.UNKNOWN),
        ("\r\n\r\n", MessageKind.UNKNOWN),
        ("hello", MessageKind.UNKNOWN),
        ("SIP/2.0 2000 OK", MessageKind.UNKNOWN),
        ("SIP/2.0 abc OK", MessageKind.UNKNOWN),
        ("SIP/2.0 200", MessageKind.RESPONSE),
        ("INVITE sip:x@y", MessageKind.UNKNOWN),
        ("INVITE sip:x@y HTTP/1.1", MessageKind.UNKNOWN),
        ("OPTIONS sip:x@y SIP/2.0", MessageKind.REQUEST),
        ("<script> sip:x SIP/2.0", MessageKind.UNKNOWN),
    ],
)
def test_start_line_kinds(text: str, kind: MessageKind) -> None:
    """Only well-formed start lines are read as requests or responses."""
    assert parse_sip_message(text).kind is kind


def test_crlf_injection_inside_values_stays_data() -> None:
    """A lone CR inside a header value does not start a new header."""
    text = "INVITE sip:a@b SIP/2.0\r\nFrom: <sip:1@b>\rX-Injected: 1\r\n\r\n"
    message = parse_sip_message(text)
    assert message.headers == (("From", "<sip:1@b>\rX-Injected: 1"),)
    assert message.header("X-Injected") is None


def test_large_hostile_message() -> None:
    """10 kB header values and script tags are kept verbatim."""
    value = "<script>" + "A" * 10_000 + "\"'</script>"
    message = parse_sip_message(f"MESSAGE sip:a@b SIP/2.0\nX-Big: {value}\n\n{value}")
    assert message.header("x-big") == value
    assert message.body == value


# ---------------------------------------------------------------- never-raises property

_ALPHABET = 'sip:tel<>@;,="\\ \t\r\n%0d%2B+86138xyz张三?[]:' + "\u0000\u202e"


def test_parsers_never_raise_on_random_text() -> None:
    """Random text through every parser yields values, never exceptions (fixed seed)."""
    rng = random.Random(3261)
    for _ in range(3000):
        text = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 60)))
        parsed = parse_name_addr(text)
        assert parsed.raw == text
        parse_uri(text)
        split_header_values(text)
        message = parse_sip_message(f"INVITE sip:a@b SIP/2.0\r\nFrom: {text}\r\n\r\n")
        identity = message.identity()
        identity.presented_number()
        identity.hidden()
        identity = extract_identity([("f", text), ("P-Asserted-Identity", text), ("Privacy", text)])
        parse_number(identity.presented_number())
        parse_sip_message(text)
