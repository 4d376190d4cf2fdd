"""Helper run in a subprocess by test_engine_robustness: bursts of concurrent loopback calls.

    python burst_calls.py CALLS ROUNDS TRUNK_PORT SEAT_PORT

Each round sets up CALLS calls from one seat to the trunk simulator at once (peer to peer on
127.0.0.1), lets them talk a second, and hangs them all up. Prints ``burst ok`` and exits 0 when
every call of every round was answered; a native abort shows as a negative exit status.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from ccinspect.sip import AnswerMode, AnswerPolicy, CallHandle, Engine, EngineConfig, SeatConfig, TrunkConfig


async def burst(calls: int, rounds: int, trunk_port: int, seat_port: int) -> int:
    """Run the rounds; return how many calls were not answered."""
    missing = 0
    with tempfile.TemporaryDirectory(prefix="ccinspect-burst-") as tmp:
        async with Engine(EngineConfig(evidence_dir=Path(tmp), stimulus_seconds=4.0)) as eng:
            trunk = await eng.add_trunk(
                TrunkConfig(port=trunk_port, answer=AnswerPolicy(mode=AnswerMode.AUTO))
            )
            seat = await eng.add_seat(
                SeatConfig(user="8001", password="x", register=False, local_port=seat_port)
            )
            for _ in range(rounds):
                results = await asyncio.gather(
                    *(seat.call(f"sip:{i}@{trunk.address}", timeout=20) for i in range(calls)),
                    return_exceptions=True,
                )
                up = [r for r in results if isinstance(r, CallHandle)]
                missing += calls - len(up)
                await asyncio.sleep(1.0)
                await asyncio.gather(*(c.hangup(timeout=10) for c in up), return_exceptions=True)
    return missing


if __name__ == "__main__":
    n, rounds, trunk_port, seat_port = (int(a) for a in sys.argv[1:5])
    missing = asyncio.run(burst(n, rounds, trunk_port, seat_port))
    print("burst ok" if missing == 0 else f"burst: {missing} calls not answered")
    sys.exit(0 if missing == 0 else 1)
