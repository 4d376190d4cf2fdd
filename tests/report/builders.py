"""Building run directories for report tests: synthetic facts written as the runner writes them."""

from __future__ import annotations

import json
import shutil
import struct
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from ccinspect.core.codec import to_jsonable
from ccinspect.core.facts import (
    CallFact,
    CallPurpose,
    LegFact,
    LegRole,
    MessageDirection,
    PlayerFact,
    RecordingFact,
    RecordingSource,
    RegistrationFact,
    RunFacts,
    ScreenshotFact,
    SipMessageFact,
    TicketFact,
    WebReadingFact,
)
from ccinspect.core.rundoc import SCHEMA
from ccinspect.core.verdict import CheckResult, SubjectResult, Text, Verdict
from ccinspect.media.fingerprint import fingerprint_for, synthesize

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "sample-run"


def copy_sample(dest: Path) -> Path:
    """A writable copy of the trimmed sample run (three calls of a real run against the demo PBX)."""
    target = dest / "20261129-160729-ba14"
    shutil.copytree(SAMPLE, target)
    return target


def write_wav(path: Path, fingerprints: Sequence[int], seconds: float = 1.3, offset_s: float = 0.1) -> None:
    """A WAV holding each of ``fingerprints`` once, starting at ``offset_s`` (8 kHz, 16 bit)."""
    rate = 8000
    audio = np.zeros(int(seconds * rate), dtype=np.float32)
    for fid in fingerprints:
        tone = synthesize(fingerprint_for(fid), rate, level_dbfs=-18.0)
        start = int(offset_s * rate)
        audio[start : start + tone.size] += tone[: audio.size - start]
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, audio, rate, subtype="PCM_16")


def invite(ruri: str, from_value: str, *, extra: Sequence[str] = (), call_id: str = "abc@test") -> str:
    """A raw INVITE as an agent captured it (CRLF line ends, SDP body)."""
    lines = [
        f"INVITE {ruri} SIP/2.0",
        "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1",
        f"From: {from_value}",
        f"To: <{ruri}>",
        f"Call-ID: {call_id}",
        "CSeq: 1 INVITE",
        *extra,
        "Content-Type: application/sdp",
        "Content-Length: 10",
        "",
        "v=0\r\ns=-\r\n",
    ]
    return "\r\n".join(lines)


def response(code: int, reason: str, *, method: str = "INVITE", extra: Sequence[str] = ()) -> str:
    """A raw SIP response."""
    return "\r\n".join([f"SIP/2.0 {code} {reason}", "Call-ID: abc@test", f"CSeq: 1 {method}", *extra, "", ""])


@dataclass
class Leg:
    """A leg to synthesise: agent, role, its INVITE and the messages after it."""

    agent: str
    role: LegRole
    invite_text: str
    after: Sequence[tuple[MessageDirection, str]] = ()
    final: int = 200
    reason: str = "OK"


def leg_fact(leg: Leg, t0: float) -> LegFact:
    """A :class:`LegFact` from a :class:`Leg` (messages 10 ms apart from ``t0``)."""
    first = MessageDirection.SENT if leg.role is LegRole.CALLER else MessageDirection.RECEIVED
    msgs = [SipMessageFact(t0, first, leg.agent, leg.invite_text)]
    msgs += [SipMessageFact(t0 + 0.01 * (i + 1), d, leg.agent, text) for i, (d, text) in enumerate(leg.after)]
    return LegFact(
        leg.agent,
        leg.role,
        "abc@test",
        leg.final,
        leg.reason,
        leg.final == 200,
        t0 + 0.3,
        t0 + 2.3,
        leg.invite_text,
        tuple(msgs),
    )


def simple_call(
    key: str,
    purpose: CallPurpose,
    *,
    caller: str = "trunk",
    callee: str = "seat 8001",
    number: str = "13800138000",
    dialled: str = "950512",
    t0: float = 1.9e9,
) -> CallFact:
    """A two-leg answered call ``caller`` → PBX → ``callee`` presenting ``number``."""
    from_value = f'"{number}" <sip:{number}@127.0.0.1>;tag=1'
    up = [
        (MessageDirection.RECEIVED, response(100, "Trying")),
        (MessageDirection.RECEIVED, response(180, "Ringing")),
        (MessageDirection.RECEIVED, response(200, "OK", extra=["Server: FreeSWITCH-test"])),
        (MessageDirection.SENT, "ACK sip:x@127.0.0.1 SIP/2.0\r\nCSeq: 1 ACK\r\n\r\n"),
    ]
    down = [
        (MessageDirection.SENT, response(180, "Ringing", extra=["User-Agent: ccinspect"])),
        (MessageDirection.SENT, response(200, "OK", extra=["User-Agent: ccinspect"])),
    ]
    legs = (
        leg_fact(Leg(caller, LegRole.CALLER, invite(f"sip:{dialled}@127.0.0.1", from_value), up), t0),
        leg_fact(
            Leg(
                callee,
                LegRole.CALLEE,
                invite("sip:8001@127.0.0.1:5062", from_value, extra=["User-Agent: FreeSWITCH-test"]),
                down,
            ),
            t0 + 0.02,
        ),
    )
    return CallFact(key, purpose, legs, dialled, number, t0, t0 + 2.5)


def check(
    check_id: str,
    verdict: Verdict,
    subjects: Sequence[SubjectResult],
    *,
    reqs: tuple[str, ...] = ("R2",),
    reason: Text | None = None,
) -> CheckResult:
    """A :class:`CheckResult` whose summary is ``reason`` (default: a fixed text)."""
    remedy = next((s.remedy for s in subjects if s.remedy is not None), None)
    return CheckResult(
        check_id,
        reqs,
        Text(f"Title {check_id}", f"标题 {check_id}"),
        verdict,
        reason or Text("summary", "摘要"),
        remedy,
        tuple(subjects),
    )


def write_run(
    path: Path,
    *,
    calls: Sequence[CallFact],
    checks: Sequence[CheckResult],
    media: dict[str, list[dict[str, Any]]],
    recordings: Sequence[RecordingFact] = (),
    overall: Verdict = Verdict.PASS,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write report.json (schema ccinspect.report/1) into ``path`` as the runner does, and return ``path``."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "calls").mkdir(exist_ok=True)
    now = time.time()
    facts = RunFacts(
        registrations=(RegistrationFact("8001", True, 200, "OK"),),
        calls=tuple(calls),
        recordings=tuple(recordings),
    )
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "ccinspect_version": "0.1.0",
        "run_id": path.name,
        "status": "complete",
        "started_at": now - 30,
        "finished_at": now,
        "error": None,
        "target": {
            "name": "test",
            "description": "synthetic",
            "registrar": "127.0.0.1:5060",
            "file": "t.yaml",
        },
        "scenario": {"name": "synthetic", "title": {"zh": "合成", "en": "synthetic"}, "file": "s.yaml"},
        "pbx": {"server": None},
        "overall": overall.value,
        "checks": list(checks),
        "facts": facts,
        "media": media,
        **(extra or {}),
    }
    (path / "report.json").write_text(json.dumps(to_jsonable(report), ensure_ascii=False), encoding="utf-8")
    return path


def recording(key: str, name: str, fps: Sequence[int]) -> RecordingFact:
    """A fetched recording fact of call ``key``."""
    return RecordingFact(key, name, RecordingSource.ARI, True, 200, 1.3, 1.3, tuple((f, True) for f in fps))


_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
        "polygon",
        "line",
        "path",
        "rect",
    }
)


class StrictHtml(HTMLParser):
    """Collects tags, attributes and text; flags unbalanced tags (a well-formedness check)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(html: str) -> StrictHtml:
    """Parse ``html``; the result's ``problems`` and ``stack`` are empty for well-formed markup."""
    parser = StrictHtml()
    parser.feed(html)
    parser.close()
    return parser


def svg_blocks(html: str) -> list[str]:
    """Every inline ``<svg>…</svg>`` of a page."""
    blocks, pos = [], 0
    while (start := html.find("<svg", pos)) >= 0:
        end = html.index("</svg>", start) + len("</svg>")
        blocks.append(html[start:end])
        pos = end
    return blocks


def write_png(
    path: Path, width: int = 1280, height: int = 800, *, accent: tuple[int, int, int] = (11, 87, 208)
) -> None:
    """A real PNG (8-bit RGB, zlib) that looks like a console page: a coloured title bar, grey
    table rows and a frame, so a squashed or cut-off picture is visible when looked at."""
    white, grey, line = b"\xff\xff\xff", b"\xee\xf0\xf3", b"\x9a\xa3\xad"
    bar = bytes(accent)
    rows = []
    for y in range(height):
        if y < 3 or y >= height - 3:
            row = line * width
        elif y < height // 8:
            row = line * 3 + bar * (width - 6) + line * 3
        elif (y // 40) % 2:
            row = line * 3 + grey * (width - 6) + line * 3
        else:
            row = line * 3 + white * (width - 6) + line * 3
        rows.append(b"\x00" + row)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b"")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)


#: Five screenshots of a web-console run: (step, topic, call key, caption, caption_zh, ok, error).
SHOTS: tuple[tuple[str, str, str | None, str, str, bool, str | None], ...] = (
    ("login", "login", None, "Login page of the web console", "网页控制台登录页", True, None),
    (
        "search",
        "recordings",
        "inbound-1",
        "Recordings searched by caller 13800138000",
        "按主叫号码 13800138000 查询录音",
        True,
        None,
    ),
    (
        "playback",
        "recordings",
        "inbound-1",
        "Recording of call inbound-1 playing in the console's player",
        "呼叫 inbound-1 的录音在控制台播放器中播放",
        True,
        None,
    ),
    ("work-order", "complaints", "dnc-1", "Work order of call dnc-1", "呼叫 dnc-1 的投诉工单", True, None),
    (
        "screening",
        "screening",
        "outbound-8001",
        "Screening flag of call outbound-8001",
        "呼叫 outbound-8001 的甄别标记",
        False,
        "no row for caller 13800138888 within 5 s (selector td.screening)",
    ),
)


def add_screenshots(run: Path, *, with_files: bool = True) -> list[ScreenshotFact]:
    """Add the five :data:`SHOTS` to ``run``'s report.json (plus a web-console player on
    inbound-1's recording, a ticket read in the console for dnc-1, a screening reading for
    outbound-8001) and write their PNGs under ``screenshots/`` (unless ``with_files`` is False)."""
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    facts = report["facts"]
    t0 = float(report["started_at"])
    shots = [
        ScreenshotFact(i, step, topic, caption, zh, f"screenshots/{i:02d}-{step}.png", t0 + i, key, ok, error)
        for i, (step, topic, key, caption, zh, ok, error) in enumerate(SHOTS, start=1)
    ]
    facts["screenshots"] = to_jsonable(shots)
    player = PlayerFact("/calls/inbound-1", "/media/inbound-1.wav", 4, 4.04, "screenshots/03-playback.png")
    for rec in facts["recordings"]:
        if rec["call_key"] == "inbound-1":
            rec["source"] = "web"
            rec["player"] = to_jsonable(player)
    ticket = TicketFact(
        "dnc-1",
        True,
        "WO-2026-0042",
        "13800138000",
        t0 + 4,
        None,
        2.0,
        via="web",
        screenshot="screenshots/04-work-order.png",
    )
    facts["tickets"] = to_jsonable([ticket])
    reading = WebReadingFact(
        "screening", "outbound-8001", False, None, "screenshots/05-screening.png", "not found"
    )
    facts["web_readings"] = to_jsonable([reading])
    (run / "report.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    if with_files:
        for i, shot in enumerate(shots):
            write_png(run / shot.path, accent=((40 * i) % 256, 87, 208 - 30 * i))
    return shots
