"""The ladder diagram's geometry and the waveform picture's fingerprint spans (no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccinspect.core.facts import CallPurpose, MessageDirection
from ccinspect.report.ladder import LABEL_MAX, build_ladder, call_messages
from ccinspect.report.waveform import COLUMNS, waveform

from .builders import simple_call, write_wav


def test_ladder_puts_caller_left_pbx_middle_callee_right_in_time_order() -> None:
    """Columns are caller, PBX, callee; each message is an arrow in time order, sent messages
    pointing at the PBX, received ones at the agent; times are relative to the first message."""
    call = simple_call("inbound-1", CallPurpose.INBOUND, t0=1000.0)
    messages = call_messages(call, "call-inbound-1")
    ladder = build_ladder(call, messages, "PBX")
    assert [c.label for c in ladder.columns] == ["trunk", "PBX", "seat 8001"]
    x = {c.label: c.x for c in ladder.columns}
    assert [m.at for m in messages] == sorted(m.at for m in messages)
    assert messages[0].rel_s == 0.0 and messages[0].label == "INVITE"
    first, *_ = ladder.arrows
    assert (first.x1, first.x2) == (x["trunk"], x["PBX"])  # trunk sent its INVITE to the PBX
    callee_invite = next(a for a in ladder.arrows if a.message.agent == "seat 8001" and a.label == "INVITE")
    assert (callee_invite.x1, callee_invite.x2) == (x["PBX"], x["seat 8001"])
    assert [a.y for a in ladder.arrows] == sorted(a.y for a in ladder.arrows)
    assert {m.anchor for m in messages} == {f"call-inbound-1-m{i}" for i in range(len(messages))}
    assert ladder.height > ladder.arrows[-1].y


def test_ladder_labels_name_status_and_method_and_are_cut_to_fit() -> None:
    """A response is labelled with code, reason and (if not INVITE) the CSeq method; long labels
    are cut to LABEL_MAX characters while the start line is kept whole."""
    call = simple_call("c", CallPurpose.INBOUND, t0=0.0)
    labels = [m.label for m in call_messages(call, "a")]
    assert "180 Ringing" in labels and "200 OK" in labels
    from ccinspect.core.facts import SipMessageFact
    from ccinspect.report.ladder import message_view

    bye = message_view(
        SipMessageFact(1.0, MessageDirection.RECEIVED, "trunk", "SIP/2.0 200 OK\r\nCSeq: 2 BYE\r\n\r\n"),
        "m",
        0.0,
    )
    assert bye.label == "200 OK (BYE)" and bye.css == "r2xx"
    long = message_view(
        SipMessageFact(
            1.0,
            MessageDirection.RECEIVED,
            "trunk",
            "SIP/2.0 486 " + "Busy " * 40 + "\r\nCSeq: 1 INVITE\r\n\r\n",
        ),
        "m",
        0.0,
    )
    assert len(long.label) == LABEL_MAX and long.label.endswith("…") and long.css == "rerr"
    assert long.start_line.startswith("SIP/2.0 486 Busy Busy") and len(long.start_line) > 200


def test_waveform_locates_each_fingerprint_where_it_was_played(tmp_path: Path) -> None:
    """A fingerprint played 0.4 s into a 2 s file is drawn from x = 0.4 / 2 of the width; one
    that is absent is listed as missing."""
    path = tmp_path / "a.wav"
    write_wav(path, [5], seconds=2.0, offset_s=0.4)
    picture = waveform(path, [5, 9], {5: 3, 9: 0})
    assert picture is not None
    assert picture.duration_s == pytest.approx(2.0)
    (span,) = picture.spans
    assert span.fingerprint == 5 and span.colour == 3 and span.occurrences == 1
    assert span.offset_s == pytest.approx(0.4, abs=0.005)
    assert span.x == pytest.approx(0.4 / 2.0 * COLUMNS, abs=2)
    assert picture.missing == (9,)
    assert picture.path.startswith("M") and picture.path.endswith("Z")


def test_waveform_of_an_unreadable_file_is_none(tmp_path: Path) -> None:
    """A file that is not audio gives no picture (the report says the audio is missing)."""
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not a wav")
    assert waveform(bad, [1]) is None
