"""Benchmark of the recording-store audit against ``soxi -D``: prints figures, asserts the gaps.

Run: ``.venv/bin/python bench/retention_audit.py --files 30000`` (needs ``soxi`` from Debian's
``sox`` package, and about 5.5 GB free in the temporary directory for 30,000 files).

What it builds, in a temporary directory outside the repository (removed afterwards unless
``--keep``):

* ``--files`` recordings like the demo PBX's (8 kHz mono 16-bit WAV, named
  ``YYYYMMDD-HHMMSS_<direction>_<caller>_<callee>_<uniqueid>.wav``), spread evenly over the
  last 30 days (1,000 a day for 30,000), each 2-20 s long (uniform). Real calls run 5-300 s,
  which would be about 130 GB; 2-20 s keeps the store at about 5.3 GB of real, fully written
  audio (no sparse files, which would read as silence), and the audit's cost per file does not
  depend on the length (it reads a header and 8 windows of 0.25 s, wherever they are).
  The audio is a speech-like signal at about -25 dBFS: slices of one synthesised base signal.
* a matching CDR in the demo's JSON-lines format: one ANSWERED row per recording (billsec the
  recording's length rounded, as Asterisk bills), unanswered rows with no recording, rows older
  than the window whose recordings are gone (must not be reported), complaint-line rows.
* known gaps: missing files, truncated files (header longer than the file), recordings of the
  wrong length, silent recordings, garbage files, answered rows linking no recording.

Then it times, each from a cold page cache for the store (every file evicted with
``posix_fadvise(DONTNEED)`` after ``sync``, so both tools read from disk as a nightly job would):

* the whole audit (CDR parse, directory listing, probes in a process pool, verdict), and asserts
  it found exactly the injected gaps;
* ``soxi -D`` over the same files, in chunks of the same size on a pool of the same width, each
  invocation bounded by a timeout.

The last line is exactly ``audit_seconds=X soxi_seconds=Y``.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from ccinspect.core.audit import GapReason
from ccinspect.platform.recstore import DEFAULT_CHUNK, audit_directory_store
from ccinspect.platform.wavprobe import DEFAULT_WINDOWS

RATE = 8000
SEATS = ("8001", "8002", "8003", "8004", "8005")
SOXI_TIMEOUT_S = 60.0
INJECT = 6  # files per kind of gap


@dataclass(frozen=True)
class Store:
    """The synthetic store: where it is and which gaps were injected (uniqueid → reason)."""

    recordings: Path
    cdr: Path
    now: datetime
    expected: dict[str, GapReason]
    files: int
    audio_bytes: int


def _wav_header(frames: int) -> bytes:
    """A 44-byte header of 8 kHz mono 16-bit PCM declaring ``frames`` frames."""
    data = 2 * frames
    fmt = struct.pack("<HHIIHH", 1, 1, RATE, 2 * RATE, 2, 16)
    return (
        struct.pack("<4sI4s4sI", b"RIFF", 36 + data, b"WAVE", b"fmt ", 16)
        + fmt
        + struct.pack("<4sI", b"data", data)
    )


def _cdr_row(
    i: int, start: datetime, name: str, billsec: int, *, direction: str, linked: bool
) -> dict[str, object]:
    """One ANSWERED row as the demo's cdr_custom writes it."""
    seat = SEATS[i % len(SEATS)]
    caller = f"138{i:08d}"[-11:]
    callee = {"complaint": "9505129", "in": "950512"}.get(direction, "13800138888")
    if direction == "out":
        channel, dstchannel = f"PJSIP/{seat}-{i:08x}", f"PJSIP/trunk-{i:08x}"
    else:
        channel, dstchannel = (
            f"PJSIP/trunk-{i:08x}",
            "" if direction == "complaint" else f"PJSIP/{seat}-{i:08x}",
        )
    stamp = f"{start:%Y-%m-%dT%H:%M:%S%z}"
    return {
        "start": stamp,
        "answer": stamp,
        "end": f"{start + timedelta(seconds=billsec):%Y-%m-%dT%H:%M:%S%z}",
        "src": caller,
        "dst": callee,
        "channel": channel,
        "dstchannel": dstchannel,
        "disposition": "ANSWERED",
        "duration": billsec + 1,
        "billsec": billsec,
        "uniqueid": f"{int(start.timestamp())}.{i}",
        "direction": direction,
        "recording": name if linked else "",
    }


def _base_signal(rng: np.random.Generator) -> bytes:
    """40 s of a speech-like signal: noise in 150-600 ms bursts with pauses, about -25 dBFS."""
    n = 40 * RATE
    noise = rng.normal(0.0, 0.08, n)
    envelope = np.zeros(n)
    pos = 0
    while pos < n:
        burst = int(rng.integers(1200, 4800))
        envelope[pos : pos + burst] = 1.0
        pos += burst + int(rng.integers(400, 2400))
    pcm = np.clip(noise * envelope * 32768, -32768, 32767).astype("<i2")
    return pcm.tobytes()


def build_store(base: Path, files: int, seed: int = 7) -> Store:
    """Write the recordings and the CDR (see the module docstring); returns what was injected."""
    rng = np.random.default_rng(seed)
    signal = _base_signal(rng)
    rec_dir = base / "recording"
    rec_dir.mkdir(parents=True)
    now = datetime.now(UTC).replace(microsecond=0)
    span = timedelta(days=30) - timedelta(hours=1)
    lines: list[str] = []
    expected: dict[str, GapReason] = {}
    eligible = [i for i in range(files) if i % 97]  # not the complaint line, whose length rule differs
    picks = rng.choice(eligible, size=5 * INJECT + 3, replace=False).tolist()
    kinds = {
        **dict.fromkeys(picks[0:INJECT], GapReason.MISSING),
        **dict.fromkeys(picks[INJECT : 2 * INJECT], "truncated"),
        **dict.fromkeys(picks[2 * INJECT : 3 * INJECT], GapReason.LENGTH_MISMATCH),
        **dict.fromkeys(picks[3 * INJECT : 4 * INJECT], GapReason.SILENT),
        **dict.fromkeys(picks[4 * INJECT : 5 * INJECT], "garbage"),
        **dict.fromkeys(picks[5 * INJECT :], GapReason.NOT_LINKED),
    }
    audio_bytes = 0
    for i in range(files):
        start = now - span + span * (i / files)
        direction = "complaint" if i % 97 == 0 else ("in" if i % 2 else "out")
        uniqueid = f"{int(start.timestamp())}.{i}"
        name = f"{start:%Y%m%d-%H%M%S}_{direction}_138{i:08d}_950512_{uniqueid.replace('.', '-')}"
        seconds = float(rng.uniform(2.0, 20.0))
        frames = int(seconds * RATE)
        kind = kinds.get(i)
        billsec = round(seconds) + (3 if direction == "complaint" else 0)  # the prompt is not recorded
        if kind == GapReason.LENGTH_MISMATCH:
            billsec = round(seconds) + int(rng.integers(5, 9))
        offset = 2 * int(rng.integers(0, 20 * RATE))
        body = bytes(2 * frames) if kind == GapReason.SILENT else signal[offset : offset + 2 * frames]
        path = rec_dir / f"{name}.wav"
        if kind == "garbage":
            path.write_bytes(rng.bytes(4096))
        elif kind == "truncated":
            path.write_bytes(_wav_header(frames) + body[: len(body) // 3])
        elif kind != GapReason.MISSING:
            path.write_bytes(_wav_header(frames) + body)
            audio_bytes += len(body)
        if kind is not None:
            expected[uniqueid] = kind if isinstance(kind, GapReason) else GapReason.UNDECODABLE
        row = _cdr_row(i, start, name, billsec, direction=direction, linked=kind != GapReason.NOT_LINKED)
        lines.append(json.dumps(row))
        if i % 5 == 0:  # an unanswered attempt: no recording expected
            unanswered = {"disposition": "NO ANSWER", "billsec": 0, "answer": "", "recording": ""}
            lines.append(json.dumps({**row, **unanswered, "uniqueid": f"{uniqueid}n"}))
    old_rows = [  # 40-day-old calls whose recordings were purged: outside the window, not gaps
        {
            "start": f"{now - timedelta(days=40, minutes=j):%Y-%m-%dT%H:%M:%S%z}",
            "disposition": "ANSWERED",
            "billsec": 30,
            "uniqueid": f"old{j}",
            "recording": f"purged-{j}",
        }
        for j in range(files // 60)
    ]
    lines = [json.dumps(r) for r in old_rows] + lines
    cdr = base / "ccinspect.json"
    cdr.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Store(rec_dir, cdr, now, expected, files, audio_bytes)


def evict(directory: Path) -> None:
    """Drop the store's files from the page cache (clean pages only, hence the sync first)."""
    os.sync()
    for entry in os.scandir(directory):
        fd = os.open(entry.path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def time_audit(store: Store, workers: int, chunk: int, windows: int) -> float:
    """Run the audit once; assert it found exactly the injected gaps; return its wall time."""
    started = time.perf_counter()
    result = audit_directory_store(
        store.cdr,
        store.recordings,
        now=store.now,
        days=30,
        workers=workers,
        chunk_size=chunk,
        windows=windows,
    )
    elapsed = time.perf_counter() - started
    found = {g.uniqueid: g.reason for g in result.gaps}
    assert found == store.expected, (
        f"gaps differ: missed {sorted(set(store.expected) - set(found))}, "
        f"unexpected {sorted(set(found) - set(store.expected))}, "
        f"wrong reason {sorted(k for k in found if k in store.expected and found[k] != store.expected[k])}"
    )
    assert result.totals.unchecked == 0, result.totals
    assert result.totals.cdr_problems == 0, result.totals
    assert result.totals.audited == store.files, result.totals
    counts = ", ".join(f"{r.value} {n}" for r, n in result.totals.by_reason)
    print(f"  audited {result.totals.audited} answered calls in {elapsed:.2f} s ({_load()}):")
    print(f"  {result.totals.gaps} gaps ({counts}): all {len(store.expected)} injected gaps found, none else")
    return elapsed


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f}"


def _soxi(chunk: list[str]) -> tuple[int, int]:
    """Durations soxi printed and files it failed on, for one chunk (bounded by a timeout)."""
    try:
        command = ["soxi", "-D", *chunk]
        done = subprocess.run(command, capture_output=True, text=True, timeout=SOXI_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return 0, len(chunk)
    durations = sum(1 for line in done.stdout.splitlines() if line.strip())
    return durations, len(chunk) - durations


def time_soxi(files: list[str], workers: int, chunk: int) -> float:
    """``soxi -D`` over ``files`` in chunks on ``workers`` concurrent subprocesses."""
    started = time.perf_counter()
    chunks = [files[i : i + chunk] for i in range(0, len(files), chunk)]
    with cf.ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(_soxi, chunks))
    elapsed = time.perf_counter() - started
    read, failed = sum(o[0] for o in outcomes), sum(o[1] for o in outcomes)
    print(f"  soxi -D read {read} durations ({failed} files failed) in {elapsed:.2f} s ({_load()})")
    return elapsed


def main() -> None:
    """Build the store, time both tools cold (and the audit warm), print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=30000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--chunk", type=int, default=DEFAULT_CHUNK)
    parser.add_argument("--windows", type=int, default=DEFAULT_WINDOWS, help="windows sampled per recording")
    parser.add_argument("--dir", type=Path, default=None, help="parent of the temporary store")
    parser.add_argument("--keep", action="store_true", help="keep the store afterwards")
    args = parser.parse_args()
    if shutil.which("soxi") is None:
        sys.exit("soxi not found: apt-get install sox")
    base = Path(tempfile.mkdtemp(prefix="ccinspect-retention-", dir=args.dir))
    try:
        started = time.perf_counter()
        store = build_store(base, args.files)
        built = time.perf_counter() - started
        print(f"store: {store.files} recordings, {store.audio_bytes / 1e9:.2f} GB of audio, ", end="")
        print(f"CDR {store.cdr.stat().st_size / 1e6:.1f} MB, built in {built:.0f} s in {base}")
        print(
            f"machine: {os.cpu_count()} CPUs; workers {args.workers}, chunks of {args.chunk} files,", end=" "
        )
        print(f"{args.windows} windows per recording")
        evict(store.recordings)
        print("audit, cold page cache:")
        audit_cold = time_audit(store, args.workers, args.chunk, args.windows)
        print("audit, warm page cache:")
        time_audit(store, args.workers, args.chunk, args.windows)
        files = sorted(str(p) for p in store.recordings.iterdir())
        evict(store.recordings)
        print("soxi, cold page cache:")
        soxi_cold = time_soxi(files, args.workers, args.chunk)
        print("soxi, warm page cache:")
        time_soxi(files, args.workers, args.chunk)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    print(f"audit_seconds={audit_cold:.2f} soxi_seconds={soxi_cold:.2f}")


if __name__ == "__main__":
    main()
