"""CDR parsing: the demo's JSON lines, CSV through a mapping, bad lines reported, never a crash."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ccinspect.core.cdrfacts import seat_pattern_for
from ccinspect.platform.cdr import ANSWERED, TRUNK_SEAT, CdrRow, parse_json_lines, recording_key, seat_of
from ccinspect.platform.cdrcsv import ASTERISK_MASTER_CSV, CdrMappingError, CsvMapping, parse_csv_lines
from ccinspect.platform.cdrio import read_cdr_file
from ccinspect.platform.errors import AdapterError

#: The demo target's seats (scenarios/targets/demo.yaml), as the nightly job derives the pattern.
SEATS = seat_pattern_for(["8001", "8002", "8003", "8004", "8005"])

# Two lines as the demo PBX writes them (docker/asterisk/cdr_custom.conf).
DEMO_ANSWERED = (
    '{"start":"2026-11-29T16:12:18+0000","answer":"2026-11-29T16:12:18+0000","end":"2026-11-29T16:12:23+0000",'
    '"clid":"\\"\\" <+8613800138002>","src":"+8613800138002","dst":"950512","dcontext":"cci-service",'
    '"channel":"PJSIP/trunk-0000002c","dstchannel":"PJSIP/8002-0000002d","disposition":"ANSWERED","duration":4,'
    '"billsec":4,"uniqueid":"1795968738.44","linkedid":"1795968738.44",'
    '"userfield":"20261129-161218_in_8613800138002_950512_1795968738-44",'
    '"direction":"in","screening":"intl-format",'
    '"recording":"20261129-161218_in_8613800138002_950512_1795968738-44","ticket":""}'
)
DEMO_NO_ANSWER = (
    '{"start":"2026-11-29T15:23:21+0000","answer":"","end":"2026-11-29T15:23:21+0000",'
    '"clid":"\\"Seat 8001\\" <8001>",'
    '"src":"8001","dst":"s","dcontext":"cci-outbound","channel":"PJSIP/8001-0000000f","dstchannel":"",'
    '"disposition":"NO ANSWER","duration":0,"billsec":0,'
    '"uniqueid":"1795965801.15","linkedid":"1795965801.15",'
    '"userfield":"","direction":"out","screening":"","recording":"","ticket":""}'
)


def test_demo_json_lines_parse_into_rows() -> None:
    """The demo's cdr_custom JSON gives aware times, numbers, channels and the recording key."""
    result = parse_json_lines([DEMO_ANSWERED, DEMO_NO_ANSWER], source="cdr.json")
    assert result.problems == ()
    first, second = result.rows
    assert first == CdrRow(
        source="cdr.json",
        line=1,
        uniqueid="1795968738.44",
        start=datetime(2026, 11, 29, 16, 12, 18, tzinfo=UTC),
        disposition=ANSWERED,
        billsec=4.0,
        answer=datetime(2026, 11, 29, 16, 12, 18, tzinfo=UTC),
        end=datetime(2026, 11, 29, 16, 12, 23, tzinfo=UTC),
        src="+8613800138002",
        dst="950512",
        channel="PJSIP/trunk-0000002c",
        dstchannel="PJSIP/8002-0000002d",
        duration=4.0,
        direction="in",
        recording="20261129-161218_in_8613800138002_950512_1795968738-44",
    )
    assert first.answered
    assert (second.answered, second.answer, second.recording) == (False, None, None)


def test_malformed_json_lines_are_reported_with_line_and_field() -> None:
    """Bad lines become problems naming the file, the line and the field; good lines still parse."""
    lines = [
        DEMO_ANSWERED,
        "{not json",
        "[1, 2]",
        '{"start": "yesterday", "disposition": "ANSWERED", "billsec": 3}',
        '{"start": "2026-11-29T10:00:00+0000", "disposition": "ANSWERED"}',
        '{"start": "2026-11-29T10:00:00+0000", "disposition": "ANSWERED", "billsec": "ten"}',
        "",
        '{"start": "2026-11-29T10:00:00+0000", "billsec": 3}',
        DEMO_NO_ANSWER,
    ]
    result = parse_json_lines(lines, source="cdr.json")
    assert [r.line for r in result.rows] == [1, 9]
    assert [(p.line, p.message.en) for p in result.problems] == [
        (2, "not JSON: Expecting property name enclosed in double quotes (column 2)"),
        (3, "not a JSON object"),
        (4, "field start: 'yesterday' is not a time (iso)"),
        (5, "field billsec: is missing"),
        (6, "field billsec: 'ten' is not a number of seconds"),
        (8, "field disposition: is missing"),
    ]
    assert str(result.problems[1]) == "cdr.json:3: not a JSON object / 不是 JSON 对象"
    assert result.problems_total == 6
    assert result.lines_read == 9


def test_rows_before_the_window_are_counted_not_kept() -> None:
    """``since`` drops older rows early (memory stays bounded) and counts them; only problems
    from the first row of the window on are counted as able to hide the window's calls."""
    since = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)
    lines = ["old garbage", DEMO_NO_ANSWER, DEMO_ANSWERED, "new garbage"]
    result = parse_json_lines(lines, source="x", since=since)
    assert [r.uniqueid for r in result.rows] == ["1795968738.44"]
    assert result.rows_before_window == 1
    assert (result.first_window_line, result.problems_total, result.problems_in_window) == (3, 2, 1)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("20261129-152257_in_x_y_1-2", "20261129-152257_in_x_y_1-2"),
        ("/var/spool/asterisk/recording/a.wav", "a"),
        ("b.WAV", "b"),
        ("c.gsm", "c"),
        ("C:\\rec\\d.mp3", "d"),
        ("", None),
        ("  ", None),
        (None, None),
    ],
)
def test_recording_key_strips_directories_and_audio_suffixes(name: str | None, key: str | None) -> None:
    """CDRs that store paths or file names still match the store's keys."""
    assert recording_key(name) == key


def _row(**fields: str) -> CdrRow:
    return CdrRow("x", 1, "u", datetime(2026, 1, 1, tzinfo=UTC), ANSWERED, 5.0, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "seat"),
    [
        (
            {"channel": "PJSIP/8003-0000000d", "dstchannel": "PJSIP/trunk-00000011", "src": "051268880000"},
            "8003",
        ),
        (
            {"channel": "PJSIP/trunk-0000002c", "dstchannel": "PJSIP/8002-0000002d", "src": "13800138000"},
            "8002",
        ),
        ({"channel": "PJSIP/8001-00000001", "dstchannel": "PJSIP/8002-00000002"}, "8001"),
        ({"channel": "Local/8004@cci-service-00000001;1"}, "8004"),
        ({"channel": "PJSIP/trunk-00000000", "dstchannel": "", "dst": "s"}, TRUNK_SEAT),
        ({"src": "8005", "dst": "13800138888"}, "8005"),
        ({"channel": "PJSIP/trunk-1", "seat": "A07"}, "A07"),
    ],
)
def test_seat_is_the_800x_extension_of_channel_dstchannel_src_dst(fields: dict[str, str], seat: str) -> None:
    """Outbound calls find the seat in channel, inbound in dstchannel; none is the trunk."""
    assert seat_of(_row(**fields), SEATS) == seat


def test_seat_pattern_comes_from_the_target() -> None:
    """Without a pattern only an explicit seat column names a seat; the target's seat names
    match whole (100101 is not 1001), never as a part of a longer id."""
    assert seat_of(_row(channel="PJSIP/8003-0000000d")) == TRUNK_SEAT
    assert seat_of(_row(channel="PJSIP/trunk-1", seat="A07")) == "A07"
    agents = seat_pattern_for(["100101", "1001"])
    assert seat_of(_row(channel="PJSIP/100101-0000000d"), agents) == "100101"
    assert seat_of(_row(channel="PJSIP/1001-0000000d"), agents) == "1001"
    assert seat_of(_row(channel="PJSIP/10010-0000000d", src="1001011"), agents) == TRUNK_SEAT
    assert seat_of(_row(src="8001"), seat_pattern_for([])) == TRUNK_SEAT


# --- CSV --------------------------------------------------------------------------------------------

NAMED = CsvMapping(
    columns={
        "start": "Start Time",
        "disposition": "Result",
        "billsec": "Talk",
        "uniqueid": "Call ID",
        "recording": "Recording",
        "seat": "Agent",
    },
    timezone="Asia/Shanghai",
    answered_values=("已接通", "answered"),
)


def test_csv_with_named_columns_local_times_and_answered_values() -> None:
    """Header names map to fields; naive times take the mapping's zone; 已接通 means answered."""
    lines = [
        "Call ID,Start Time,Agent,Result,Talk,Recording\n",
        "c1,2026-11-29 10:00:00,A01,已接通,35,/rec/c1.wav\n",
        "c2,2026-11-29 10:05:00,A02,未接通,0,\n",
    ]
    result = parse_csv_lines(lines, NAMED, source="export.csv")
    assert result.problems == ()
    c1, c2 = result.rows
    assert c1.start == datetime(2026, 11, 29, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    assert (c1.disposition, c1.billsec, c1.recording, c1.seat) == (ANSWERED, 35.0, "c1", "A01")
    assert (c2.answered, c2.disposition, c2.recording) == (False, "未接通", None)


def test_asterisk_master_csv_preset() -> None:
    """Stock cdr_csv Master.csv (no header, local time, recording in userfield) parses by index."""
    line = (
        '"","13800138000","950512","cci-service","""x"" <13800138000>","PJSIP/trunk-00000001",'
        '"PJSIP/8003-00000002","Queue","service","2026-11-29 10:00:00","2026-11-29 10:00:02",'
        '"2026-11-29 10:01:02",62,60,"ANSWERED","DOCUMENTATION","1795968738.44","rec-44"\n'
    )
    (row,) = parse_csv_lines([line], ASTERISK_MASTER_CSV, source="Master.csv").rows
    assert row.start == datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    assert (row.billsec, row.uniqueid, row.recording, seat_of(row, SEATS)) == (
        60.0,
        "1795968738.44",
        "rec-44",
        "8003",
    )


def test_csv_short_and_bad_records_are_problems_and_a_bad_header_stops_early() -> None:
    """Short records and bad values are per-line problems; a header lacking a column is one problem."""
    lines = [
        "Call ID,Start Time,Agent,Result,Talk,Recording\n",
        "c1,2026-11-29 10:00:00,A01\n",
        "c2,2026-11-29 10:00:00,A01,已接通,-3,r\n",
        "\n",
        "c3,2026-11-29 10:00:00,A01,已接通,3,r\n",
    ]
    result = parse_csv_lines(lines, NAMED, source="e.csv")
    assert [r.uniqueid for r in result.rows] == ["c3"]
    assert [(p.line, p.message.en) for p in result.problems] == [
        (2, "3 columns, the mapping needs 6"),
        (3, "field billsec: '-3' is out of range"),
    ]
    header_only = parse_csv_lines(["Call ID,Start\n", "c1,x\n"], NAMED, source="e.csv")
    assert header_only.rows == ()
    assert header_only.problems[0].message.en.startswith("header lacks mapped column(s) Start Time, Result")


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            CsvMapping(columns={"start": 0, "disposition": 1, "billsec": 2, "caller": 3}),
            "unknown field(s) caller",
        ),
        (CsvMapping(columns={"start": 0, "disposition": 1}), "required field(s) billsec not mapped"),
        (CsvMapping(columns={"start": "s", "disposition": 1, "billsec": 2}, has_header=False), "use indexes"),
        (CsvMapping(columns={"start": 0, "disposition": 1, "billsec": 2}, timezone="Mars/Base"), "Mars/Base"),
        (CsvMapping(columns={"start": 0, "disposition": 1, "billsec": -2}), "indexes must be >= 0"),
    ],
)
def test_wrong_mappings_are_the_users_mistake(mapping: CsvMapping, message: str) -> None:
    """A wrong mapping raises before any line is read, in English and Chinese."""
    with pytest.raises(CdrMappingError, match=re.escape(message)) as caught:
        parse_csv_lines([], mapping, source="x")
    assert caught.value.message_zh.startswith("CDR 字段映射")


# --- the file reader ----------------------------------------------------------------------------------


def test_reading_a_missing_file_names_it(tmp_path: Path) -> None:
    """An unreadable CDR file is an AdapterError (ERROR for the run) naming the path."""
    with pytest.raises(AdapterError, match=str(tmp_path / "none.json")):
        read_cdr_file(tmp_path / "none.json")


def test_non_utf8_lines_are_problems(tmp_path: Path) -> None:
    """A line that is not UTF-8 is a problem on its line; the others are read."""
    path = tmp_path / "cdr.json"
    path.write_bytes(DEMO_ANSWERED.encode() + b"\n\xff\xfe broken\n" + DEMO_NO_ANSWER.encode() + b"\n")
    result = read_cdr_file(path)
    assert len(result.rows) == 2
    assert [(p.line, p.message.en) for p in result.problems] == [(2, "line is not UTF-8")]


def test_a_file_larger_than_the_bound_is_read_from_its_end(tmp_path: Path) -> None:
    """Only the last max_bytes are read; the cut is reported when it may hide calls of the window."""
    path = tmp_path / "cdr.json"
    path.write_text((DEMO_NO_ANSWER + "\n") * 50 + DEMO_ANSWERED + "\n", encoding="utf-8")
    result = read_cdr_file(path, max_bytes=3 * len(DEMO_ANSWERED))
    assert 1 <= len(result.rows) <= 3
    assert result.rows[-1].uniqueid == "1795968738.44"
    assert result.problems[0].line == 0
    assert "only the last" in result.problems[0].message.en
    windowed = read_cdr_file(
        path, max_bytes=3 * len(DEMO_ANSWERED), since=datetime(2026, 11, 29, 16, tzinfo=UTC)
    )
    assert windowed.problems == ()  # older rows were read past: the cut hid nothing of the window


def test_a_cut_csv_file_keeps_its_header(tmp_path: Path) -> None:
    """When a CSV file is read from its end, its header line is still used."""
    path = tmp_path / "e.csv"
    body = "".join(f"c{i},2026-11-29 10:00:00,A01,已接通,3,r{i}\n" for i in range(100))
    path.write_text("Call ID,Start Time,Agent,Result,Talk,Recording\n" + body, encoding="utf-8")
    result = read_cdr_file(path, mapping=NAMED, max_bytes=200)
    assert result.rows
    assert result.rows[-1].recording == "r99"
