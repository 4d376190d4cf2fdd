#!/usr/bin/env python3
"""Loopback load check for a pjsua2 build: N calls to ourselves, i.e. 2*N call legs in one process.

    VENV/bin/python scripts/pjsua2_selftest.py [--calls 128] [--clock-rate 16000] [--hold 0]

One Endpoint with a UDP transport on 127.0.0.1 calls its own account N times and answers every
incoming call, so each call is two legs (outgoing + incoming) that count against PJSUA_MAX_CALLS.
It passes when every leg reaches CONFIRMED with active audio (each leg is then connected to the
conference bridge, which runs at --clock-rate: any rate other than 8000 needs the resampler,
because G.711 runs at 8 kHz), and then all legs hang up and the library shuts down cleanly.

Nothing leaves the loopback interface. Exit status 0 on success, 1 on failure.
Used by scripts/build-pjsua2.sh after a fresh build; can be run by hand on any pjsua2 install
(the PyPI wheel pjsua2-python fails it at the fifth leg).
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from typing import Any

import pjsua2 as pj


class Leg(pj.Call):  # type: ignore[misc]
    def __init__(self, test: LoopbackTest, acc: Any, call_id: int = pj.PJSUA_INVALID_ID) -> None:
        super().__init__(acc, call_id)
        self.test = test
        self.confirmed = False
        self.media_ok = False
        self.disconnected = False
        self.last_status = 0

    def onCallState(self, prm: Any) -> None:
        info = self.getInfo()
        self.last_status = info.lastStatusCode
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED:
            self.confirmed = True
        elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.disconnected = True

    def onCallMediaState(self, prm: Any) -> None:
        info = self.getInfo()
        for i, media in enumerate(info.media):
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                # Connecting to the bridge is what needs matching (or resampled) clock rates.
                aud = self.getAudioMedia(i)
                aud.startTransmit(self.test.ep.audDevManager().getPlaybackDevMedia())
                self.media_ok = True


class Acc(pj.Account):  # type: ignore[misc]
    def __init__(self, test: LoopbackTest) -> None:
        super().__init__()
        self.test = test

    def onIncomingCall(self, prm: Any) -> None:
        leg = Leg(self.test, self, prm.callId)
        self.test.legs.append(leg)
        op = pj.CallOpParam()
        op.statusCode = 200
        leg.answer(op)


class LoopbackTest:
    def __init__(
        self, calls: int, clock_rate: int, timeout: float, hold: float = 0.0, codec: str = "PCMU"
    ) -> None:
        self.calls = calls
        self.codec = codec
        self.hold = hold
        self.clock_rate = clock_rate
        self.timeout = timeout
        self.legs: list[Leg] = []
        self.ep = pj.Endpoint()

    def pump(self, until: Any, what: str) -> None:
        deadline = time.monotonic() + self.timeout
        while not until():
            if time.monotonic() > deadline:
                raise SystemExit(f"selftest: timed out waiting for {what}: {self.summary()}")
            self.ep.libHandleEvents(10)

    def summary(self) -> str:
        confirmed = sum(leg.confirmed for leg in self.legs)
        media = sum(leg.media_ok for leg in self.legs)
        failed = [leg.last_status for leg in self.legs if leg.disconnected and not leg.confirmed]
        return (
            f"{len(self.legs)} legs, {confirmed} confirmed, {media} with audio, "
            f"{len(failed)} failed (status codes {sorted(set(failed))})"
        )

    def start(self) -> tuple[Acc, str]:
        ep = self.ep
        ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.maxCalls = 2 * self.calls
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.logConfig.level = 1
        cfg.logConfig.consoleLevel = 1
        cfg.medConfig.clockRate = self.clock_rate
        cfg.medConfig.sndClockRate = self.clock_rate
        cfg.medConfig.noVad = True
        ep.libInit(cfg)
        ep.audDevManager().setNullDev()
        # Only the codec under test (pjsua prefers speex/16000 otherwise, which costs far more
        # CPU than the G.711 that the PBX negotiates).
        for codec in ep.codecEnum2():
            keep = codec.codecId.split("/")[0].lower() == self.codec.lower()
            ep.codecSetPriority(codec.codecId, 255 if keep else 0)
        tcfg = pj.TransportConfig()
        tcfg.boundAddress = "127.0.0.1"
        tcfg.port = 0
        tid = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg)
        uri = f"sip:selftest@{ep.transportGetInfo(tid).localName}"
        ep.libStart()

        acfg = pj.AccountConfig()
        acfg.idUri = uri
        acfg.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
        acc = Acc(self)
        acc.create(acfg)
        return acc, uri

    def place_calls(self, acc: Acc, uri: str) -> str:
        t0 = time.monotonic()
        for i in range(self.calls):
            self.legs.append(Leg(self, acc))
            try:
                self.legs[-1].makeCall(uri, pj.CallOpParam(True))
            except pj.Error as e:
                raise SystemExit(
                    f"selftest: call {i + 1} (legs {2 * i + 1}-{2 * i + 2}) could not be made: "
                    f"{e.info()}; {self.summary()}"
                ) from None
            self.ep.libHandleEvents(0)
        want = 2 * self.calls

        def done() -> bool:
            up = len(self.legs) == want and all(leg.confirmed and leg.media_ok for leg in self.legs)
            return up or any(leg.disconnected for leg in self.legs)

        self.pump(done, f"{want} confirmed legs with audio")
        if any(leg.disconnected for leg in self.legs):
            raise SystemExit(f"selftest: a call failed: {self.summary()}")
        return (
            f"{self.summary()} in {time.monotonic() - t0:.2f} s, {self.codec} with the "
            f"conference bridge at {self.clock_rate} Hz"
        )

    def hold_calls(self) -> str:
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        end = time.monotonic() + self.hold
        while time.monotonic() < end:
            self.ep.libHandleEvents(10)
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        if any(leg.disconnected for leg in self.legs):
            raise SystemExit(f"selftest: a call dropped while held: {self.summary()}")
        return f"held {self.hold:g} s using {100 * cpu / self.hold:.0f}% of one core"

    def shutdown(self, acc: Acc) -> str:
        t0 = time.monotonic()
        self.ep.hangupAllCalls()
        self.pump(lambda: all(leg.disconnected for leg in self.legs), "all legs to hang up")
        took = time.monotonic() - t0
        # No Call object may outlive libDestroy(): pjsua asserts in pjsua_call_set_user_data.
        self.legs.clear()
        gc.collect()
        acc.shutdown()
        del acc
        gc.collect()
        self.ep.libDestroy()
        return f"all hung up in {took:.2f} s; library shut down"

    def run(self) -> None:
        acc, uri = self.start()
        parts = [self.place_calls(acc, uri)]
        if self.hold > 0:
            parts.append(self.hold_calls())
        parts.append(self.shutdown(acc))
        print("selftest: " + "; ".join(parts))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=128, help="loopback calls (legs = 2x)")
    ap.add_argument("--clock-rate", type=int, default=16000)
    ap.add_argument("--codec", default="PCMU", help="the only codec enabled (default PCMU)")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument(
        "--hold", type=float, default=0.0, help="keep all calls up this many seconds and report CPU use"
    )
    args = ap.parse_args()
    LoopbackTest(args.calls, args.clock_rate, args.timeout, args.hold, args.codec).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
