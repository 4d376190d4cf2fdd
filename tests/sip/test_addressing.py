"""Pure helpers of the agents and errors: dialled URIs, presented identities, bilingual errors."""

from __future__ import annotations

from ccinspect.sip import CallerId, errors
from ccinspect.sip._pj.convert import request_uri_port
from ccinspect.sip.agents import from_uri_for, identity_headers, target_uri


def test_target_uri_dials_numbers_at_the_domain() -> None:
    """A number is dialled at the agent's domain; URIs and user@host pass through."""
    assert target_uri("4001", "127.0.0.1:5060") == "sip:4001@127.0.0.1:5060"
    assert target_uri("x@10.0.0.1:5070", "d") == "sip:x@10.0.0.1:5070"
    assert target_uri("sip:y@h", "d") == "sip:y@h"


def test_from_uri_presents_user_display_and_host() -> None:
    """A presented caller id builds the From header; none keeps the account's own."""
    assert from_uri_for(None, "h") is None
    assert from_uri_for(CallerId(pai="<sip:1@h>"), "h") is None
    assert from_uri_for(CallerId(from_user="13800138000"), "10.0.0.1") == "<sip:13800138000@10.0.0.1>"
    anonymous = CallerId(from_user="anonymous", from_display='Ano"n', from_host="anonymous.invalid")
    assert from_uri_for(anonymous, "h") == '"Ano\\"n" <sip:anonymous@anonymous.invalid>'
    assert from_uri_for(CallerId(from_uri="<sip:abc@h>"), "x") == "<sip:abc@h>"


def test_identity_headers_are_sent_verbatim() -> None:
    """PAI and Privacy go out exactly as given, even malformed."""
    assert identity_headers(CallerId(pai="<<not a uri", privacy="id")) == [
        ("P-Asserted-Identity", "<<not a uri"),
        ("Privacy", "id"),
    ]
    assert identity_headers(None) == []


def test_request_uri_port_routes_incoming_requests() -> None:
    """The Request-URI port picks the agent an INVITE is for (5060 when absent)."""
    assert request_uri_port("INVITE sip:555@127.0.0.1:25070 SIP/2.0") == 25070
    assert request_uri_port("INVITE sip:127.0.0.1:5070;transport=udp SIP/2.0") == 5070
    assert request_uri_port("INVITE sip:8001@example.com SIP/2.0") == 5060
    assert request_uri_port("garbage") is None


def test_wrong_password_error_reads_clearly_in_both_languages() -> None:
    """Two 401s for REGISTER are reported as a probable wrong password, in English and Chinese."""
    err = errors.register_refused("seat 8003", "127.0.0.1:5060", 401, "Unauthorized", challenges=2)
    assert str(err).startswith("seat 8003: REGISTER answered 401 by 127.0.0.1:5060 twice: wrong password?")
    assert "密码错误" in err.message_zh
    assert (err.agent, err.peer, err.status) == ("seat 8003", "127.0.0.1:5060", 401)


def test_timeout_errors_name_the_peer_and_the_bound() -> None:
    """A REGISTER timeout names the registrar and the bound, in both languages."""
    err = errors.register_timeout("seat 8001", "127.0.0.1:25999", 1.5)
    assert "127.0.0.1:25999" in str(err) and "1.5 s" in str(err)
    assert "1.5 秒" in err.message_zh
