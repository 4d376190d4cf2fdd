"""Ramp concurrent calls until audio stops getting through both ways, or the CPU saturates.

Default (``--via pbx``): the five demo seats register once with the demo PBX (127.0.0.1:5060)
and each step places N concurrent calls seat -> PBX -> trunk simulator (127.0.0.1:5070, which
answers them all), spread over the seats, so every call is two legs in this process and two
channels in Asterisk. ``--via peer`` keeps the old peer-to-peer mode: one unregistered seat
calls the trunk simulator directly, no PBX.

Each call's two recordings are checked for the far leg's fingerprint. N starts at ``--start``
and doubles until a step verifies fewer than N calls, the CPU saturates during the talk (this
process and Asterisk together above ``--cpu-limit`` % of all cores; the machine is shared, so
other work is reported, not counted), the engine's capacity is reached or ``--max``; then,
time permitting, one step between the last good N and the first bad one narrows the figure.
No step starts when it would likely end past ``--budget`` seconds. Prints one line per step, a
table of figures and, last, ``concurrent_verified_calls=N`` (the largest N fully verified).

    # the PBX is shared: hold its lock while the bench talks to it
    flock /tmp/ccinspect-pbx.lock .venv/bin/python bench/concurrency.py [--via pbx|peer]

CPU figures: ``proc%`` is this process's CPU time (``time.process_time``, every thread: the
owner thread, pjmedia's conference clock, asyncio) over the talk window, in % of one core;
``host%`` is the whole machine's busy share (psutil, all cores = 100 %); ``pbx%`` is
Asterisk's CPU over the same window in % of one core; ``load1`` the 1-minute load average.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from ccinspect import paths
from ccinspect.media.analysis import analyse_heard
from ccinspect.media.fingerprint import MAX_LEGS, fingerprint_for
from ccinspect.media.io import load_wav
from ccinspect.sip import (
    AnswerMode,
    AnswerPolicy,
    CallHandle,
    CallRecord,
    Engine,
    EngineConfig,
    SeatConfig,
    SipError,
    Timeouts,
    TrunkConfig,
)
from ccinspect.sip.agents import Seat, Trunk

AUTO = AnswerPolicy(mode=AnswerMode.AUTO)
CORES = psutil.cpu_count() or 1
SETUP_TIMEOUT = 60.0
"""Bound of each call's set-up: generous, since a step's set-up time is itself a figure."""


@dataclass(frozen=True)
class StepResult:
    """Figures of one ramp step."""

    calls: int
    answered: int
    verified: int
    setup_s: float
    proc_pct: float
    host_pct: float
    pbx_pct: float | None
    load1: float
    analysis_s: float
    total_s: float
    note: str = ""

    @property
    def ok(self) -> bool:
        """Every call of the step was verified two-way."""
        return self.verified == self.calls


@dataclass
class Rig:
    """The agents of a run: who calls, who answers, and how numbers are dialled."""

    seats: list[Seat]
    trunk: Trunk
    via_pbx: bool

    def dest(self, step: int, index: int) -> str:
        """A distinct destination per call: an 11-digit mobile number via the PBX (the dialled
        number comes back in the trunk's INVITE), or a user at the trunk's address."""
        number = f"139{step:04d}{index:04d}"
        return number if self.via_pbx else f"sip:{number}@{self.trunk.address}"


def heard_far(rec: CallRecord, far: CallRecord) -> bool:
    """``rec``'s recording carries ``far``'s fingerprint (blocking: run in a thread)."""
    if rec.recording is None or rec.stimulus_leg_id is None or far.stimulus_leg_id is None:
        return False
    audio, rate = load_wav(rec.recording)
    heard = analyse_heard(
        audio,
        rate,
        leg_id=rec.stimulus_leg_id,
        far_fp=fingerprint_for(far.stimulus_leg_id),
        own_fp=fingerprint_for(rec.stimulus_leg_id),
    )
    return heard.far.found


def two_way(out: CallRecord, inc: CallRecord) -> bool:
    """Both legs of a call heard each other's fingerprint (blocking: run in a thread)."""
    return heard_far(out, inc) and heard_far(inc, out)


def dialled_user(rec: CallRecord) -> str:
    """The user part of the Request-URI of an incoming leg's INVITE."""
    if rec.invite is None:
        return ""
    uri = rec.invite.split(" ", 2)[1]
    return uri.removeprefix("sip:").split("@", 1)[0]


INTERFERED = "Asterisk restarted during the step (by someone else?): figures invalid"


def asterisk_pids() -> set[int]:
    """Process ids of the running Asterisk daemons (a change means the PBX was restarted)."""
    return {p.pid for p in psutil.process_iter(["name"]) if p.info["name"] == "asterisk"}


class CpuWindow:
    """CPU use of this process, of the machine and of Asterisk between start() and stop()."""

    def __init__(self) -> None:
        self._pbx = [p for p in psutil.process_iter(["name"]) if p.info["name"] == "asterisk"]
        self._t0 = self._c0 = 0.0
        self._pbx0: float | None = None

    def _pbx_cpu(self) -> float | None:
        try:
            return sum(sum(p.cpu_times()[:2]) for p in self._pbx) if self._pbx else None
        except psutil.Error:
            return None

    def start(self) -> None:
        """Start the window."""
        psutil.cpu_percent(None)
        self._pbx0 = self._pbx_cpu()
        self._t0, self._c0 = time.monotonic(), time.process_time()

    def stop(self) -> tuple[float, float, float | None]:
        """``(proc%, host%, pbx%)`` over the window."""
        wall = max(time.monotonic() - self._t0, 1e-6)
        proc = 100.0 * (time.process_time() - self._c0) / wall
        host = psutil.cpu_percent(None)
        pbx_now = self._pbx_cpu()
        pbx = None if pbx_now is None or self._pbx0 is None else 100.0 * (pbx_now - self._pbx0) / wall
        return proc, host, pbx


def describe(rec: CallRecord, far: CallRecord) -> str:
    """One leg in a line: its RTP receive figures and what its recording holds of the far
    leg's fingerprint (blocking: run in a thread)."""
    rtp = rec.rtp
    figures = f"rx {rtp.rx_packets} lost {rtp.rx_loss} jitter {rtp.rx_jitter_us} us" if rtp else "no RTP"
    heard = "no recording"
    if rec.recording is not None and rec.stimulus_leg_id is not None and far.stimulus_leg_id is not None:
        audio, rate = load_wav(rec.recording)
        got = analyse_heard(
            audio,
            rate,
            leg_id=rec.stimulus_leg_id,
            far_fp=fingerprint_for(far.stimulus_leg_id),
            own_fp=fingerprint_for(rec.stimulus_leg_id),
        )
        heard = (
            f"{got.duration_s:.1f} s, silence {got.silence_share:.0%}, {got.rms_dbfs:.0f} dBFS, "
            f"far {'found' if got.far.found else 'MISSING'} (score {got.far.score:.2f})"
        )
    return f"{rec.agent} leg {rec.leg}: {figures}; {heard}"


async def run_step(eng: Engine, rig: Rig, n: int, talk: float, *, explain: bool) -> StepResult:
    """Place ``n`` concurrent calls, talk, hang up, verify every call both ways."""
    started = time.monotonic()
    pbx_before = asterisk_pids()
    ids = eng.reserve_stimulus_ids(n)
    dests = [rig.dest(n, i) for i in range(n)]
    seats = [rig.seats[i % len(rig.seats)] for i in range(n)]
    results = await asyncio.gather(
        *(seats[i].call(dests[i], timeout=SETUP_TIMEOUT, stimulus_leg_id=ids[i]) for i in range(n)),
        return_exceptions=True,
    )
    calls = [r for r in results if isinstance(r, CallHandle)]
    failures = [r for r in results if not isinstance(r, CallHandle)]
    setup_s = time.monotonic() - started
    incoming: list[CallHandle] = []
    for _ in calls:
        try:
            incoming.append(await rig.trunk.next_incoming(timeout=10))
        except SipError:
            break
    window = CpuWindow()
    window.start()
    await asyncio.sleep(talk)
    proc, host, pbx = window.stop()
    load1 = os.getloadavg()[0]
    outs = await asyncio.gather(*(c.hangup(timeout=15) for c in calls), return_exceptions=True)
    ins = await asyncio.gather(*(h.wait_disconnected(timeout=15) for h in incoming), return_exceptions=True)
    analysis_start = time.monotonic()
    if rig.via_pbx:
        far_of = {dialled_user(r): r for r in ins if isinstance(r, CallRecord)}
        pairs = [
            (out, far_of.get(dests[i].removeprefix("sip:").split("@", 1)[0])) for i, out in enumerate(outs)
        ]
    else:
        by_call_id = {r.call_id: r for r in ins if isinstance(r, CallRecord)}
        pairs = [(out, by_call_id.get(out.call_id) if isinstance(out, CallRecord) else None) for out in outs]
    checks = [
        asyncio.to_thread(two_way, out, far)
        for out, far in pairs
        if isinstance(out, CallRecord) and isinstance(far, CallRecord)
    ]
    verdicts = await asyncio.gather(*checks)
    verified = sum(verdicts)
    if explain and verified < len(verdicts):
        complete = [(o, f) for o, f in pairs if isinstance(o, CallRecord) and isinstance(f, CallRecord)]
        for (out, far), good in zip(complete, verdicts, strict=True):
            if not good:
                lines = await asyncio.gather(
                    asyncio.to_thread(describe, out, far), asyncio.to_thread(describe, far, out)
                )
                print(f"  unverified: {lines[0]}\n              {lines[1]}", flush=True)
    note = ""
    if failures:
        first = failures[0]
        note = f"{len(failures)} failed: {type(first).__name__}: {str(first)[:80]}"
    if rig.via_pbx and asterisk_pids() != pbx_before:
        note = f"{INTERFERED}; {note}"
    return StepResult(
        n,
        len(calls),
        verified,
        setup_s,
        proc,
        host,
        pbx,
        load1,
        time.monotonic() - analysis_start,
        time.monotonic() - started,
        note,
    )


async def build_rig(eng: Engine, via: str, port: int) -> Rig:
    """Register the demo seats and bind the trunk at the PBX's trunk address (``pbx``), or one
    unregistered seat and a trunk on high ports (``peer``)."""
    if via == "peer":
        trunk = await eng.add_trunk(TrunkConfig(port=port, answer=AUTO))
        seat = await eng.add_seat(
            SeatConfig(
                user="8001",
                password="unused",  # noqa: S106 - never registers
                register=False,
                local_port=port + 1,
                name="seat bench",
            )
        )
        return Rig([seat], trunk, via_pbx=False)
    from ccinspect.demo.pbx import config as democonfig

    cfg = democonfig.load(paths.asterisk_config_dir())
    trunk = await eng.add_trunk(
        TrunkConfig(host=cfg.site.trunk.host, port=cfg.site.trunk.port, pbx=str(cfg.site.sip), answer=AUTO)
    )
    seats = await asyncio.gather(
        *(
            eng.add_seat(
                SeatConfig(user=s.username, password=s.password, registrar=str(cfg.site.sip), answer=AUTO),
                timeout=10,
            )
            for s in cfg.seats
        )
    )
    return Rig(list(seats), trunk, via_pbx=True)


def print_table(steps: list[StepResult]) -> None:
    """The figures of every step."""
    print()
    print(
        f"{'calls':>5} {'answered':>8} {'verified':>8} {'setup_s':>7} {'proc%':>6} {'host%':>6} "
        f"{'pbx%':>6} {'load1':>5} {'analysis_s':>10} {'step_s':>6}  note"
    )
    for s in steps:
        pbx = f"{s.pbx_pct:6.0f}" if s.pbx_pct is not None else f"{'-':>6}"
        print(
            f"{s.calls:>5} {s.answered:>8} {s.verified:>8} {s.setup_s:7.1f} {s.proc_pct:6.0f} "
            f"{s.host_pct:6.0f} {pbx} {s.load1:5.2f} {s.analysis_s:10.1f} {s.total_s:6.1f}  {s.note}"
        )


def next_n(n: int, best: int, bad: int | None, limit: int) -> int | None:
    """The next step: double while all is well, then once halfway between best and bad."""
    if bad is None:
        return None if n >= limit else min(n * 2, limit)
    middle = (best + bad) // 2
    return middle if best < middle < bad and bad - best > max(4, best // 8) else None


async def ramp(args: argparse.Namespace) -> int:
    """Run the ramp; return the largest fully verified N."""
    t_start = time.monotonic()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    if soft < wanted:  # two UDP sockets per leg: 512 legs need more than 1024 descriptors
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    steps: list[StepResult] = []
    best, bad = 0, None
    with tempfile.TemporaryDirectory(prefix="ccinspect-bench-") as tmp:
        evidence = Path(args.evidence) if args.evidence else Path(tmp)
        config = EngineConfig(
            evidence_dir=evidence,
            stimulus_seconds=args.talk + 6,
            timeouts=Timeouts(record_grace=3.0, shutdown_calls=10.0, stop=60.0),
        )
        async with Engine(config) as eng:
            try:
                rig = await build_rig(eng, args.via, args.port)
            except SipError as exc:
                print(f"cannot set up the agents: {exc}", file=sys.stderr)
                if args.via == "pbx":
                    print(
                        "is the demo PBX up? (flock /tmp/ccinspect-pbx.lock .venv/bin/ccinspect demo up)",
                        file=sys.stderr,
                    )
                return -1
            limit = min(args.max, eng.capacity // 2, MAX_LEGS // 2)
            print(
                f"via={args.via} capacity={eng.capacity} legs; ramping {args.start}..{limit} calls, "
                f"{args.talk:g} s talk, budget {args.budget:g} s; "
                f"set-up took {time.monotonic() - t_start:.1f} s",
                flush=True,
            )
            n: int | None = min(args.start, limit)
            last_step_s = 0.0
            while n is not None:
                elapsed = time.monotonic() - t_start
                estimate = last_step_s * max(1.0, n / max(steps[-1].calls, 1)) if steps else 0.0
                if steps and elapsed + estimate > args.budget:
                    print(
                        f"calls={n} skipped: would end past the {args.budget:g} s budget "
                        f"(about {estimate:.0f} s more)",
                        flush=True,
                    )
                    break
                try:
                    result = await run_step(eng, rig, n, args.talk, explain=args.explain)
                except SipError as exc:
                    result = StepResult(n, 0, 0, 0, 0, 0, None, os.getloadavg()[0], 0, 0, f"error: {exc}")
                steps.append(result)
                last_step_s = result.total_s
                ours = result.proc_pct + (result.pbx_pct or 0.0)
                saturated = ours >= args.cpu_limit * CORES
                print(
                    f"calls={n} answered={result.answered} verified={result.verified} "
                    f"proc%={result.proc_pct:.0f} host%={result.host_pct:.0f} "
                    f"seconds={result.total_s:.1f}{' SATURATED' if saturated else ''} "
                    f"{result.note}",
                    flush=True,
                )
                if INTERFERED in result.note:
                    break
                if result.ok:
                    best = max(best, n)
                    if saturated:
                        break
                else:
                    bad = n if bad is None else min(bad, n)
                n = next_n(n, best, bad, limit)
                await asyncio.sleep(1.0)  # let the PBX tear the last channels down
    print_table(steps)
    print(f"total {time.monotonic() - t_start:.0f} s")
    return best


def main() -> None:
    """Parse arguments, run the ramp and print ``concurrent_verified_calls=N`` last."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--via",
        choices=("pbx", "peer"),
        default="pbx",
        help="through the demo PBX (default) or peer to peer in this process",
    )
    parser.add_argument("--start", type=int, default=8, help="first step (calls)")
    parser.add_argument("--max", type=int, default=256, help="largest step (calls)")
    parser.add_argument("--talk", type=float, default=3.0, help="seconds of audio per step")
    parser.add_argument(
        "--budget",
        type=float,
        default=170.0,
        help="no step starts that would likely end past this many seconds",
    )
    parser.add_argument(
        "--cpu-limit",
        type=float,
        default=90.0,
        help="CPU of this process + Asterisk during the talk, in %% of all cores, that counts as saturated",
    )
    parser.add_argument(
        "--explain", action="store_true", help="print the RTP figures of both legs of every unverified call"
    )
    parser.add_argument(
        "--evidence", metavar="DIR", help="keep the recordings in DIR (default: a temporary directory)"
    )
    parser.add_argument("--port", type=int, default=25900, help="peer mode: first of two local UDP ports")
    args = parser.parse_args()
    best = asyncio.run(ramp(args))
    if best < 0:
        sys.exit(2)
    print(f"concurrent_verified_calls={best}")


if __name__ == "__main__":
    main()
