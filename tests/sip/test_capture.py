"""SIP message capture from pjsip's log text: parsing, attribution and transaction completeness."""

from __future__ import annotations

from ccinspect.sip.capture import MessageStore, parse_log_entry, transactions_complete
from ccinspect.sip.records import Direction, Stamp

AT = Stamp(1.0, 1700000000.0)
INVITE = (
    "INVITE sip:555@127.0.0.1:25070 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:25071;rport;branch=z9hG4bKabc\r\n"
    'From: "Test" <sip:8001@127.0.0.1>;tag=t1\r\n'
    "To: <sip:555@127.0.0.1:25070>\r\n"
    "i: call-1@ccinspect\r\n"
    "CSeq: 7754 INVITE\r\n"
    "Content-Length:  0\r\n\r\n"
)


def entry(direction: str, peer: str, text: str, *, size: int | None = None, end: bool = True) -> str:
    """A pjsip log entry as pjsua's message logger writes it, with time/sender decoration."""
    word = "from" if direction == "RX" else "to"
    n = len(text.encode()) if size is None else size
    tail = "\n--end msg--\n" if end else ""
    return (
        f"15:19:24.598   pjsua_core.c  {direction} {n} bytes Request msg INVITE/cseq=7754 "
        f"(tdta0x7f) {word} UDP {peer}:\n{text}{tail}"
    )


def test_parses_request_with_compact_call_id() -> None:
    """A logged INVITE becomes a SipMessage with direction, peer, Call-ID (compact form), CSeq."""
    msg = parse_log_entry(entry("TX", "127.0.0.1:25070", INVITE), AT)
    assert msg is not None
    assert msg.direction is Direction.TX
    assert msg.peer == "127.0.0.1:25070"
    assert msg.method == "INVITE" and msg.status is None and msg.is_request
    assert msg.call_id == "call-1@ccinspect"
    assert (msg.cseq, msg.cseq_method) == (7754, "INVITE")
    assert msg.text == INVITE and not msg.truncated
    assert msg.label == "INVITE"


def test_parses_response_label() -> None:
    """A logged response carries its status and a STATUS/METHOD label."""
    text = INVITE.replace("INVITE sip:555@127.0.0.1:25070 SIP/2.0", "SIP/2.0 180 Ringing")
    msg = parse_log_entry(entry("RX", "127.0.0.1:25070", text), AT)
    assert msg is not None
    assert msg.status == 180 and msg.method is None
    assert msg.label == "180/INVITE"


def test_ordinary_log_line_is_not_a_message() -> None:
    """Log lines that merely mention bytes are not taken for SIP messages."""
    assert parse_log_entry("15:19:24 pjsua_core.c  .Call 0 state changed to CALLING", AT) is None
    assert parse_log_entry("foo\nRX 10 bytes Request msg from UDP 1.2.3.4:5:\nX", AT) is None


def test_truncated_message_is_kept_and_marked() -> None:
    """A message cut by pjlib's log buffer (no end marker, shorter than its size) is kept, marked."""
    msg = parse_log_entry(entry("RX", "127.0.0.1:5060", INVITE[:60], size=len(INVITE), end=False), AT)
    assert msg is not None
    assert msg.truncated
    assert msg.start_line.startswith("INVITE ")


def test_store_splits_a_shared_call_id_between_two_local_legs() -> None:
    """Two of our agents calling each other share a Call-ID; each leg gets only its messages."""
    store = MessageStore()
    tx = parse_log_entry(entry("TX", "127.0.0.1:25070", INVITE), AT)  # seen by the caller
    rx = parse_log_entry(entry("RX", "127.0.0.1:25071", INVITE), AT)  # seen by the callee
    assert tx is not None and rx is not None
    store.add(tx)
    store.add(rx)
    caller = store.take("call-1@ccinspect", not_peer="127.0.0.1:25071")
    assert caller == (tx,)
    callee = store.take("call-1@ccinspect", not_peer="127.0.0.1:25070")
    assert callee == (rx,)
    assert store.peek("call-1@ccinspect") == ()


def test_store_forgets_oldest_dialogs_beyond_its_bound() -> None:
    """Memory is bounded: past max_dialogs, the oldest Call-IDs are dropped."""
    store = MessageStore(max_dialogs=2)
    for n in range(3):
        msg = parse_log_entry(entry("TX", "1.2.3.4:5060", INVITE.replace("call-1", f"c{n}")), AT)
        assert msg is not None
        store.add(msg)
    assert store.peek("c0@ccinspect") == ()
    assert len(store.peek("c2@ccinspect")) == 1


def test_transactions_complete_needs_a_final_answer_per_request() -> None:
    """A BYE without its 200 keeps the leg open; ACK needs no answer."""
    bye = INVITE.replace("INVITE sip", "BYE sip").replace("7754 INVITE", "7755 BYE")
    ok = bye.replace("BYE sip:555@127.0.0.1:25070 SIP/2.0", "SIP/2.0 200 OK")
    ack = INVITE.replace("INVITE sip", "ACK sip").replace("7754 INVITE", "7754 ACK")
    msgs = [parse_log_entry(entry("TX", "p:1", t), AT) for t in (ack, bye)]
    assert not transactions_complete([m for m in msgs if m])
    done = parse_log_entry(entry("RX", "p:1", ok), AT)
    assert transactions_complete([m for m in [*msgs, done] if m])
