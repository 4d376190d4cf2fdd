"""Ramp concurrent calls until audio stops getting through both ways.

Each step places N calls at once from a seat to the trunk simulator (peer to peer in this
process, no PBX: both legs count against the engine's capacity), lets them talk, hangs up and checks both
recordings of every call for the far leg's fingerprint. N doubles until a step verifies fewer
than N calls, the engine's capacity is reached, or --max. Prints one line per step and, last,
``concurrent_verified_calls=N`` (the largest N fully verified).

    .venv/bin/python bench/concurrency.py [--max 64] [--talk 3] [--port 25900]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from ccinspect.media.analysis import analyse_heard
from ccinspect.media.fingerprint import MAX_LEGS, fingerprint_for
from ccinspect.media.io import load_wav
from ccinspect.sip import (
    AnswerMode,
    AnswerPolicy,
    CallRecord,
    Engine,
    EngineConfig,
    SeatConfig,
    SipError,
    TrunkConfig,
)


def two_way(out: CallRecord, inc: CallRecord) -> bool:
    """Both legs heard the other's fingerprint."""
    for rec, far in ((out, inc), (inc, out)):
        if rec.recording is None or rec.stimulus_leg_id is None or far.stimulus_leg_id is None:
            return False
        audio, rate = load_wav(rec.recording)
        heard = analyse_heard(audio, rate, leg_id=rec.stimulus_leg_id,
                              far_fp=fingerprint_for(far.stimulus_leg_id),
                              own_fp=fingerprint_for(rec.stimulus_leg_id))
        if not heard.far.found:
            return False
    return True


async def step(eng: Engine, n: int, talk: float, dest: str, seat_port: int) -> int:
    """Place ``n`` concurrent calls; return how many were verified two-way."""
    trunk = eng.agents_by_name("trunk")
    seat = await eng.add_seat(SeatConfig(user="8001", password="unused", register=False,  # noqa: S106 - never registers
                                         local_port=seat_port, name=f"seat bench-{n}"))
    results = await asyncio.gather(
        *(seat.call(dest.format(i=i), timeout=20) for i in range(n)), return_exceptions=True)
    calls = [r for r in results if not isinstance(r, BaseException)]
    incoming = [await trunk.next_incoming(timeout=10) for _ in calls]
    await asyncio.sleep(talk)
    outs = await asyncio.gather(*(c.hangup(timeout=10) for c in calls), return_exceptions=True)
    ins = await asyncio.gather(*(h.wait_disconnected(timeout=10) for h in incoming),
                               return_exceptions=True)
    by_id = {r.call_id: r for r in ins if isinstance(r, CallRecord)}
    verified = 0
    for out in outs:
        if (isinstance(out, CallRecord) and out.call_id in by_id
                and await asyncio.to_thread(two_way, out, by_id[out.call_id])):
            verified += 1
    return verified


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max", type=int, default=64, help="largest step (calls)")
    parser.add_argument("--talk", type=float, default=3.0, help="seconds of audio per step")
    parser.add_argument("--port", type=int, default=25900, help="first of two local UDP ports")
    args = parser.parse_args()
    best = 0
    with tempfile.TemporaryDirectory(prefix="ccinspect-bench-") as tmp:
        config = EngineConfig(evidence_dir=Path(tmp), stimulus_seconds=args.talk + 5)
        async with Engine(config) as eng:
            limit = min(args.max, eng.capacity // 2, MAX_LEGS // 2)
            print(f"capacity={eng.capacity} legs; ramping to {limit} calls")
            trunk = await eng.add_trunk(TrunkConfig(
                port=args.port, answer=AnswerPolicy(mode=AnswerMode.AUTO)))
            dest = f"sip:{{i}}@{trunk.address}"
            n, seat_port = 1, args.port + 1
            while n <= limit:
                started = time.monotonic()
                try:
                    verified = await step(eng, n, args.talk, dest, seat_port)
                except SipError as exc:
                    print(f"calls={n} error: {exc}")
                    break
                seat_port += 1
                print(f"calls={n} verified={verified} seconds={time.monotonic() - started:.1f}")
                if verified < n:
                    break
                best = n
                n = n * 2 if n * 2 <= limit or n == limit else limit
    print(f"concurrent_verified_calls={best}")


if __name__ == "__main__":
    asyncio.run(main())
