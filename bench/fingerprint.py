"""Benchmark of the media analysers: prints timings, asserts nothing.

Run: ``.venv/bin/python bench/fingerprint.py``. Each figure is the median and the best of
several runs, in CPU time (``time.process_time``) and wall time, on synthetic signals with a
fixed seed. Numpy may use several threads for FFTs; CPU time then exceeds wall time.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from ccinspect.media.analysis import analyse_heard, analyse_recording
from ccinspect.media.channel import delay, mix, resample
from ccinspect.media.dtmf import detect_dtmf, synthesize_dtmf
from ccinspect.media.fingerprint import (
    MAX_LEGS,
    detect,
    detect_all,
    fingerprint_for,
    silence_share,
    synthesize,
)
from ccinspect.media.g711 import ulaw_roundtrip
from ccinspect.media.testsignals import white_noise

RUNS = 7


def _time(label: str, func: Callable[[], object], runs: int = RUNS) -> None:
    func()  # warm-up: imports, FFT plans
    cpu: list[float] = []
    wall: list[float] = []
    for _ in range(runs):
        c0, w0 = time.process_time(), time.perf_counter()
        func()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    print(
        f"{label:<58} cpu median {1000 * statistics.median(cpu):7.1f} ms"
        f" (best {1000 * min(cpu):6.1f})   wall median {1000 * statistics.median(wall):7.1f} ms"
    )


def main() -> None:
    """Print the timing of each analyser on 60 s of call audio."""
    rng = np.random.default_rng(1)
    a, b = fingerprint_for(7), fingerprint_for(123)
    heard8 = delay(synthesize(b, 8000, level_dbfs=-20.0, repeat_seconds=59.0), 8000, 0.8)
    heard8 = ulaw_roundtrip(heard8 + white_noise(heard8.size, -30.0, rng))[: 60 * 8000]
    own8 = synthesize(a, 8000, level_dbfs=-20.0, repeat_seconds=60.0)[: 60 * 8000]
    mixed8 = mix(heard8, own8)
    mixed16 = resample(mixed8, 8000, 16000)
    dtmf8 = mix(heard8, synthesize_dtmf("0123456789*#ABCD" * 20, 8000))[: 60 * 8000]

    print(f"numpy {np.__version__}; all signals 60 s long")
    _time("synthesize(fp, 8000, repeat_seconds=60)", lambda: synthesize(a, repeat_seconds=60))
    _time("detect(60 s @ 8 kHz, one fingerprint)", lambda: detect(heard8, 8000, b))
    _time("detect(60 s @ 16 kHz, one fingerprint)", lambda: detect(mixed16, 16000, b))
    _time("detect_all(60 s @ 8 kHz mix, 2 fingerprints)", lambda: detect_all(mixed8, 8000, [a, b]))
    _time(
        "analyse_heard(60 s @ 8 kHz)",
        lambda: analyse_heard(heard8, 8000, leg_id=a.id, far_fp=b, own_fp=a),
    )
    _time(
        "analyse_recording(60 s @ 16 kHz mix, 2 fingerprints)",
        lambda: analyse_recording(mixed16, 16000, [a, b]),
    )
    every = [fingerprint_for(i) for i in range(MAX_LEGS)]
    _time(
        f"detect_all(60 s @ 8 kHz mix, all {MAX_LEGS} fingerprints)",
        lambda: detect_all(mixed8, 8000, every),
        runs=3,
    )
    _time("silence_share(60 s @ 8 kHz)", lambda: silence_share(heard8, 8000))
    _time("detect_dtmf(60 s @ 8 kHz, 320 digits over a stimulus)", lambda: detect_dtmf(dtmf8, 8000))
    _time("ulaw_roundtrip(60 s @ 8 kHz)", lambda: ulaw_roundtrip(heard8))
    _time("resample(60 s, 8 -> 16 kHz)", lambda: resample(mixed8, 8000, 16000), runs=3)


if __name__ == "__main__":
    main()
