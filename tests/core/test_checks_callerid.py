"""Caller ID at the trunk (R1/R3/R4) and passthrough to the seat (R2), from raw INVITE text."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.core.test_checks_support import (
    ALLOCATED,
    T0,
    context,
    facts,
    inbound_call,
    invite,
    outbound_call,
    pai_of,
)

from ccinspect.core.checks.callerid import find_number_in_headers, inbound_passthrough, outbound_allocated
from ccinspect.core.facts import TRUNK, CallPurpose, CdrFact, MessageDirection, SipMessageFact
from ccinspect.core.sipheaders import parse_sip_message
from ccinspect.core.verdict import SubjectResult, Verdict

P, F, E, S = Verdict.PASS, Verdict.FAIL, Verdict.ERROR, Verdict.SKIP
FORGED = "13912345678"


def _outbound(trunk_invite: str | None, **kw: object) -> SubjectResult:
    """Judge one outbound call from seat 8003 whose trunk-side INVITE is ``trunk_invite``."""
    c = outbound_call("8003", trunk_invite=trunk_invite)
    result = outbound_allocated(facts(c), context(**kw))
    return result.subjects[0]


def _forged(trunk_invite: str | None, *, seat_status: int = 200, **run: object) -> SubjectResult:
    """Judge one forged-caller-ID call (seat 8002 presents 13912345678)."""
    c = outbound_call(
        "8002",
        key="forged-1",
        purpose=CallPurpose.FORGED_CALLER_ID,
        sent_from=FORGED,
        trunk_invite=trunk_invite,
        seat_status=seat_status,
    )
    return outbound_allocated(facts(c, **run), context()).subjects[0]


# ---------------------------------------------------------------- callerid.outbound_allocated


def test_outbound_allocated_number_in_from_and_pai_passes() -> None:
    """From and PAI both carry the allocated fixed line: PASS quoting both headers."""
    subject = _outbound(invite("13800138888", from_number=ALLOCATED, pai=[pai_of(ALLOCATED)]))
    assert subject.verdict is P
    assert f"From: <sip:{ALLOCATED}@" in subject.reason.en
    assert any(e.startswith("P-Asserted-Identity:") for e in subject.evidence)


def test_outbound_plus86_form_of_allocated_number_passes() -> None:
    """The allocated number written +86 512 … is the same number: PASS."""
    text = invite("13800138888", from_number="+8651268880000", pai=["<tel:+8651268880000>"])
    assert _outbound(text).verdict is P


def test_outbound_seat_extension_leaked_in_pai_fails_saying_so() -> None:
    """PAI carrying the seat's own extension FAILs: 'the seat's own extension leaked'."""
    text = invite("13800138888", from_number=ALLOCATED, pai=["<sip:8003@127.0.0.1:5060>"])
    subject = _outbound(text)
    assert subject.verdict is F
    assert (
        "P-Asserted-Identity: <sip:8003@127.0.0.1:5060> — the seat's own extension leaked"
        in subject.reason.en
    )
    assert "坐席自身分机号外泄" in subject.reason.zh
    assert subject.remedy is not None and ALLOCATED in subject.remedy.zh
    assert "P-Asserted-Identity" in subject.remedy.zh


def test_outbound_400_number_presented_fails() -> None:
    """A 400 number in From FAILs with the 400 rule, even if listed as allocated."""
    subject = _outbound(
        invite("13800138888", from_number="4001234567"),
        allocated=frozenset({ALLOCATED, "4001234567"}),
    )
    assert subject.verdict is F
    assert "A 400 number must never be the outbound caller ID" in subject.reason.en


def test_outbound_privacy_id_fails_as_hidden() -> None:
    """'Privacy: id' hides the caller ID: FAIL, even with an allocated PAI."""
    text = invite("13800138888", from_number=None, pai=[pai_of(ALLOCATED)], privacy="id")
    subject = _outbound(text)
    assert subject.verdict is F
    assert "Privacy: id — the caller ID is hidden" in subject.reason.en
    assert "the caller ID is anonymous" in subject.reason.en  # the From is anonymous too


def test_outbound_rpid_privacy_full_fails() -> None:
    """A calling-party Remote-Party-ID with privacy=full hides the number: FAIL."""
    rpid = f"<sip:{ALLOCATED}@127.0.0.1>;party=calling;privacy=full;screen=yes"
    subject = _outbound(invite("13800138888", from_number=ALLOCATED, rpid=[rpid]))
    assert subject.verdict is F
    assert "the caller ID is hidden" in subject.reason.en


def test_outbound_95_number_needs_a_filed_commitment() -> None:
    """The 95 access number outbound FAILs as inbound-only, and passes with allow_95_outbound."""
    text = invite("13800138888", from_number="950512")
    assert "inbound-only" in _outbound(text).reason.en
    assert _outbound(text, allow_95_outbound=True).verdict is P


def test_outbound_require_pai_when_configured() -> None:
    """With require_pai, an INVITE without P-Asserted-Identity FAILs; without it, passes."""
    text = invite("13800138888", from_number=ALLOCATED)
    assert _outbound(text).verdict is P
    subject = _outbound(text, require_pai=True)
    assert subject.verdict is F
    assert "no P-Asserted-Identity" in subject.reason.en


def test_outbound_call_that_never_reached_the_trunk_is_error() -> None:
    """An ordinary outbound call without a trunk INVITE: caller ID unreadable, ERROR."""
    c = outbound_call("8003", trunk_invite=None, seat_status=503)
    subject = outbound_allocated(facts(c), context()).subjects[0]
    assert subject.verdict is E
    assert "outbound.each_seat" in subject.reason.en


def test_forged_caller_id_overwritten_passes() -> None:
    """The platform replaced the forged number by the allocated one everywhere: PASS."""
    subject = _forged(invite("13800138888", from_number=ALLOCATED, pai=[pai_of(ALLOCATED)]))
    assert subject.verdict is P
    assert f"forged {FORGED} was overwritten" in subject.reason.en


def test_forged_number_leaked_only_in_remote_party_id_fails() -> None:
    """From and PAI rewritten, but RPID still carries the forged number: FAIL on RPID, once."""
    rpid = f'"Agent" <sip:{FORGED}@127.0.0.1>;party=calling;screen=no;privacy=off'
    text = invite("13800138888", from_number=ALLOCATED, pai=[pai_of(ALLOCATED)], rpid=[rpid])
    subject = _forged(text)
    assert subject.verdict is F
    assert f"the forged number {FORGED} left the platform: Remote-Party-ID:" in subject.reason.en
    assert "not a number allocated" not in subject.reason.en  # reported once, as the leak
    assert subject.remedy is not None and "refuse the call" in subject.remedy.en


@pytest.mark.parametrize(
    "header",
    [
        f"P-Preferred-Identity: <sip:+86{FORGED}@127.0.0.1>",
        f"X-Original-Caller: 0086{FORGED}",
        f"Diversion: <sip:{FORGED}@127.0.0.1>;reason=unconditional",
    ],
)
def test_forged_number_in_any_header_and_form_fails(header: str) -> None:
    """The forged number in any header, in +86/0086 form too, is a leak."""
    text = invite("13800138888", from_number=ALLOCATED, pai=[pai_of(ALLOCATED)], extra=[header])
    subject = _forged(text)
    assert subject.verdict is F
    assert header.split(":", maxsplit=1)[0] in subject.reason.en


def test_forged_call_rejected_before_the_trunk_passes() -> None:
    """Refused with 403 and nothing at the trunk: PASS 'rejected'."""
    subject = _forged(None, seat_status=403)
    assert subject.verdict is P
    assert subject.reason.en.startswith("rejected: the platform refused forged caller ID")


def test_forged_call_failing_with_5xx_is_error() -> None:
    """A 503 is not a deliberate refusal: the forged-ID handling cannot be seen, ERROR."""
    assert _forged(None, seat_status=503).verdict is E


def test_forged_number_in_an_unattributed_trunk_invite_fails() -> None:
    """Rejected at the seat, yet an INVITE the runner could not attribute carries it: FAIL."""
    stray = SipMessageFact(
        T0 + 2, MessageDirection.RECEIVED, TRUNK, invite("13800138888", from_number=FORGED)
    )
    subject = _forged(None, seat_status=403, stray_trunk_invites=(stray,))
    assert subject.verdict is F
    assert "left the platform" in subject.reason.en


def test_outbound_harness_error_and_no_calls() -> None:
    """A harness failure is ERROR with its cause; no outbound calls at all is ERROR."""
    c = replace(outbound_call("8001"), harness_error="pjsua2 call failed")
    result = outbound_allocated(facts(c), context())
    assert result.verdict is E
    assert "pjsua2 call failed" in result.subjects[0].reason.en
    assert outbound_allocated(facts(), context()).verdict is E


def test_find_number_in_headers_ignores_the_body_and_other_numbers() -> None:
    """The leak search reads the start line and headers only, and matches the right number."""
    text = invite("13800138888", from_number=ALLOCATED) + f"a=note:{FORGED}\r\n"
    message = parse_sip_message(text)
    assert find_number_in_headers(message, FORGED) == ()
    assert find_number_in_headers(message, "13800138888")  # the request line and To


# ---------------------------------------------------------------- callerid.inbound_passthrough


@pytest.mark.parametrize("caller", ["13800138000", "051266661234", "+8613800138001"])
def test_passthrough_unchanged_number_passes(caller: str) -> None:
    """Mobile, 0512 fixed and +86 forms reach the seat as sent: PASS."""
    result = inbound_passthrough(facts(inbound_call("8003", caller)), context())
    assert result.verdict is P
    assert f"the trunk sent {caller}; seat 8003 saw the same number" in result.subjects[0].reason.en


def test_passthrough_plus86_versus_national_form_is_equal() -> None:
    """+86 sent, the seat shows the national form (and vice versa): still the same number."""
    shown = invite("8003", from_number="13800138001", pai=[pai_of("13800138001")])
    there = inbound_call("8003", "+8613800138001", seat_invite=shown)
    shown2 = invite("8004", from_number="+86512 66661234".replace(" ", ""))
    back = inbound_call("8004", "051266661234", seat_invite=shown2)
    result = inbound_passthrough(facts(there, back), context())
    assert result.verdict is P
    assert "+86 form" in result.reason.en and "fixed line" in result.reason.en


def test_passthrough_replaced_by_access_number_fails() -> None:
    """The seat sees the access number instead of the caller: FAIL quoting the From header."""
    shown = invite("8003", from_number="950512", pai=[pai_of("950512")])
    result = inbound_passthrough(facts(inbound_call("8003", "13800138000", seat_invite=shown)), context())
    subject = result.subjects[0]
    assert subject.verdict is F
    assert "the trunk sent 13800138000 but seat 8003 was shown From: <sip:950512@" in subject.reason.en
    assert subject.remedy is not None and "unchanged" in subject.remedy.en


def test_passthrough_pai_differs_fails_naming_pai() -> None:
    """From right but PAI altered (a trunk number): FAIL naming P-Asserted-Identity only."""
    shown = invite("8003", from_number="13800138000", pai=[pai_of("051268880000")])
    subject = inbound_passthrough(
        facts(inbound_call("8003", "13800138000", seat_invite=shown)), context()
    ).subjects[0]
    assert subject.verdict is F
    assert "P-Asserted-Identity" in subject.reason.en
    assert "From:" not in subject.reason.en.split("was shown")[1]


def test_passthrough_cdr_must_show_the_same_number() -> None:
    """A CDR whose src differs from what the trunk sent FAILs passthrough."""
    c = inbound_call("8003", "13800138000")
    cdr = CdrFact(c.key, "950512", "950512", "ANSWERED", "pass", "rec")
    subject = inbound_passthrough(facts(c, cdrs=(cdr,)), context()).subjects[0]
    assert subject.verdict is F
    assert "CDR src: 950512" in subject.reason.en


def test_passthrough_withheld_number_is_skipped() -> None:
    """No number sent (withheld): passthrough does not apply to that call, SKIP."""
    c = replace(inbound_call("8003", "13800138000"), caller_number_sent="")
    assert inbound_passthrough(facts(c), context()).subjects[0].verdict is S


def test_passthrough_errors_when_the_call_reached_no_seat_or_sent_number_unknown() -> None:
    """No seat INVITE, or no record of the sent number: ERROR, never PASS."""
    no_seat = inbound_call(None, "13800138000", key="inbound-1", trunk_status=480)
    unknown = replace(inbound_call("8002", "13800138000"), caller_number_sent=None)
    result = inbound_passthrough(facts(no_seat, unknown), context())
    assert [s.verdict for s in result.subjects] == [E, E]
    assert "inbound.each_seat" in result.subjects[0].reason.en
    assert inbound_passthrough(facts(), context()).verdict is E


# ---------------------------------------------------------------- seat identity beyond the number


@pytest.mark.parametrize(
    ("extra", "display", "said"),
    [
        (["Contact: <sip:8003@10.0.0.5:5062>"], None, "Contact carries seat 8003's identity"),
        (
            ["Diversion: <sip:8001@pbx.local>;reason=unconditional"],
            None,
            "Diversion carries seat 8001's identity",
        ),
        (["History-Info: <sip:8005@pbx.local>;index=1"], None, "History-Info carries seat 8005's identity"),
        ([], "Agent 8003", "the display name in From shows seat 8003"),
        (
            ['P-Preferred-Identity: "8002" <sip:051268880000@pbx>'],
            None,
            "P-Preferred-Identity shows seat 8002",
        ),
    ],
)
def test_a_seat_identity_anywhere_in_the_trunk_invite_fails(
    extra: list[str], display: str | None, said: str
) -> None:
    """The number presented is allocated, but a seat's extension or name shows in Contact,
    Diversion, History-Info or a display name: FAIL naming the header, with the leak remedy."""
    text = invite(
        "13800138888",
        from_number=ALLOCATED,
        pai=[pai_of(ALLOCATED)],
        display=display,
        extra=extra,
    )
    subject = _outbound(text)
    assert subject.verdict is F
    assert said in subject.reason.en
    assert subject.remedy is not None and "no seat identity is left" in subject.remedy.en


def test_an_unallocated_number_in_p_preferred_identity_fails_and_a_clean_invite_passes() -> None:
    """P-Preferred-Identity is judged like the other identities; the enterprise's own display
    name and the platform's Contact are fine."""
    bad = invite("13800138888", from_number=ALLOCATED, extra=["P-Preferred-Identity: <sip:13912345678@pbx>"])
    assert _outbound(bad).verdict is F
    clean = invite(
        "13800138888",
        from_number=ALLOCATED,
        display="Suzhou Example Co 80012",
        extra=["Contact: <sip:asterisk@127.0.0.1:5060>"],
    )
    assert _outbound(clean).verdict is P


@pytest.mark.parametrize(
    ("display", "privacy", "said"),
    [
        (None, "id", "Privacy: id (the number is hidden from the seat)"),
        ("051268880000", None, "shows 051268880000, not the caller"),
        ("VIP 13912345678", None, "shows 13912345678, not the caller"),
    ],
)
def test_passthrough_fails_when_something_hides_the_callers_number(
    display: str | None, privacy: str | None, said: str
) -> None:
    """The right number in From and PAI, but Privacy: id, or a display name showing another
    number: the seat does not see the caller: FAIL saying what hid it."""
    caller = "13800138000"
    seat_invite = invite(
        "8003",
        from_number=caller,
        to_host="127.0.0.1:8003",
        pai=[pai_of(caller)],
        display=display,
        privacy=privacy,
    )
    c = inbound_call("8003", caller, seat_invite=seat_invite)
    subject = inbound_passthrough(facts(c), context()).subjects[0]
    assert subject.verdict is F
    assert said in subject.reason.en


def test_passthrough_display_name_with_the_callers_own_number_or_a_flag_passes() -> None:
    """A display name showing the caller's number (any form), with a screening flag, is fine."""
    caller = "+8613800138001"
    seat_invite = invite(
        "8003",
        from_number=caller,
        to_host="127.0.0.1:8003",
        pai=[pai_of(caller)],
        display="[国际格式] +8613800138001",
    )
    c = inbound_call("8003", caller, seat_invite=seat_invite)
    assert inbound_passthrough(facts(c), context()).verdict is P
