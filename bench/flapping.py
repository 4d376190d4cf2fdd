"""Run the inspector's scenario against the demo PBX N times and count verdicts per check.

A healthy platform must give every check the same verdict on every run (no flapping). Prints a
table of verdict counts per check and the wall time of each run; last line
``consecutive_healthy_runs=N flapping_checks=M``. Needs the demo PBX up (`ccinspect demo up`).

    .venv/bin/python bench/flapping.py --runs 10
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import shutil
import tempfile
import time
from pathlib import Path

from ccinspect.core.scenario import load_scenario, load_target
from ccinspect.core.verdict import Verdict
from ccinspect.runner.run import run_inspection

ROOT = Path(__file__).resolve().parents[1]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios/onsite-jiangsu.yaml"))
    parser.add_argument("--target", default=str(ROOT / "scenarios/targets/demo.yaml"))
    parser.add_argument("--keep", metavar="DIR", help="copy the run directory of every unhealthy run here")
    args = parser.parse_args()
    scenario, target = load_scenario(args.scenario), load_target(args.target)
    counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    streak = best = 0
    with tempfile.TemporaryDirectory(prefix="ccinspect-flapping-") as out:
        for i in range(1, args.runs + 1):
            started = time.monotonic()
            outcome = await run_inspection(scenario, target, out_root=Path(out))
            for r in outcome.results:
                counts[r.check_id][r.verdict.value] += 1
            healthy = outcome.verdict is Verdict.PASS
            streak = streak + 1 if healthy else 0
            best = max(best, streak)
            bad = [
                f"{r.check_id}={r.verdict.value}" for r in outcome.results if r.verdict is not Verdict.PASS
            ]
            for r in outcome.results:
                for s in r.subjects:
                    if s.verdict is not Verdict.PASS:
                        bad.append(f"\n      {s.subject}: {s.reason.en}")
            if not healthy and args.keep:
                kept = Path(args.keep) / outcome.run_id
                shutil.copytree(outcome.path, kept)
                bad.append(f"\n      kept: {kept}")
            print(
                f"run {i:2d}: {outcome.verdict.value:5s} {time.monotonic() - started:5.1f} s  {' '.join(bad)}"
            )
    flapping = [c for c, n in counts.items() if len(n) > 1]
    print(f"{'check':32s} verdicts")
    for check, n in counts.items():
        print(f"{check:32s} {dict(n)}")
    print(f"consecutive_healthy_runs={best} flapping_checks={len(flapping)}")


if __name__ == "__main__":
    asyncio.run(main())
