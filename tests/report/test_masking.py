"""Masking public numbers in report text, and which numbers a run makes public or platform."""

from __future__ import annotations

import json

from ccinspect.report.masking import Masker, numbers_of_run, redact_credentials

from .builders import SAMPLE


def masker() -> Masker:
    return Masker({"13800138000", "051266661234", "+14155550123"}, {"051268880000"})


def test_known_public_numbers_are_masked_in_any_written_form() -> None:
    """A public number is masked whether bare, in a URI, in +86 / %2B86 form or in a file name,
    and the written form around the masked part is kept."""
    m = masker()
    assert m.text('From: "13800138000" <sip:13800138000@h>') == 'From: "138****8000" <sip:138****8000@h>'
    assert m.text("+8613800138000") == "+86138****8000"
    assert m.text("%2B8613800138000") == "%2B86138****8000"
    assert (
        m.text("20261129-160730_in_13800138000_950512_1-3.wav")
        == "20261129-160730_in_138****8000_950512_1-3.wav"
    )
    assert m.text("051266661234") == "0512****1234"
    assert m.text("+14155550123") == "+1******0123"


def test_platform_numbers_and_identifiers_are_kept() -> None:
    """Allocated numbers, 95/96 numbers, short codes, timestamps, SDP ids and hex Call-IDs stay."""
    m = masker()
    text = "051268880000 950512 12345 1795968450 o=- 4004957250 Call-ID: a5144695b3 CSeq: 7885"
    assert m.text(text) == text


def test_unknown_mobile_numbers_are_masked_as_a_precaution() -> None:
    """A mobile number the run did not list (free text from the platform) is masked too."""
    assert masker().text("ticket for 13912345678") == "ticket for 139****5678"


def test_disabled_masker_only_redacts_credentials() -> None:
    """With masking off numbers stay whole, but digest response and cnonce are still removed."""
    m = Masker({"13800138000"}, set(), enabled=False)
    line = 'Authorization: Digest username="8001", response="66b5", cnonce="0d3", qop=auth 13800138000'
    assert (
        m.text(line) == 'Authorization: Digest username="8001", response="(redacted)", cnonce="(redacted)", '
        "qop=auth 13800138000"
    )


def test_credentials_outside_authorization_headers_are_untouched() -> None:
    """Only Authorization / Proxy-Authorization lines are rewritten."""
    text = "X-Note: response=1\r\nProxy-Authorization: Digest response=abc\r\n"
    assert (
        redact_credentials(text)
        == 'X-Note: response=1\r\nProxy-Authorization: Digest response="(redacted)"\r\n'
    )


def test_deep_masking_leaves_structural_keys() -> None:
    """Call keys, paths of our own files and verdicts are never rewritten; other strings are."""
    data = {"key": "13800138000", "heard": "evidence/13800138000.wav", "reason": {"en": "from 13800138000"}}
    assert masker().deep(data) == {
        "key": "13800138000",
        "heard": "evidence/13800138000.wav",
        "reason": {"en": "from 138****8000"},
    }


def test_sample_run_numbers_split_into_public_and_platform() -> None:
    """In the sample run the callers and dialled numbers are public, the presented number is the
    platform's."""
    raw = json.loads((SAMPLE / "report.json").read_text(encoding="utf-8"))
    public, platform = numbers_of_run(raw)
    assert {"13800138000", "13800138888", "13900000001"} <= public
    assert platform == {"051268880000"}
