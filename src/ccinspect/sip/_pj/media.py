"""Media of call legs: stimulus players, recorders, DTMF tone generators and RTP statistics.

:class:`MediaPorts` keeps a strong reference to every pjsua2 media object it creates, keyed by
leg, and deletes them in the order the WAV writer needs (recorder first). It runs on the owner
thread only; the pjsua2 ``Call`` objects it is handed belong to
:class:`~ccinspect.sip._pj.calls.CallTable`.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pjsua2 as pj

from ccinspect.sip._pj.convert import now
from ccinspect.sip.legs import Leg
from ccinspect.sip.records import RtpStats

log = logging.getLogger("ccinspect.sip")

TONE_ON_MS = 120
TONE_OFF_MS = 80


class MediaPorts:
    """Players, recorders and tone generators of the live legs (owner thread only)."""

    def __init__(self, clock_rate: int) -> None:
        self._clock_rate = clock_rate
        self.players: dict[int, Any] = {}
        self.recorders: dict[int, Any] = {}
        self.tonegens: dict[int, Any] = {}

    def connect(self, call: Any, leg: Leg) -> None:
        """Connect the leg's active audio: stimulus player -> call, call -> recorder.

        Called on every media-state change; only audio media that pjsua reports ACTIVE are
        connected, and each leg gets at most one player and one recorder however often media
        is re-negotiated. A failure is logged (the leg's recording then shows what is missing).
        """
        info = call.getInfo()
        for index, media in enumerate(info.media):
            if media.type != pj.PJMEDIA_TYPE_AUDIO or media.status != pj.PJSUA_CALL_MEDIA_ACTIVE:
                continue
            audio = call.getAudioMedia(index)
            leg.media_up = True
            try:
                if leg.stimulus is not None:
                    player = self.players.get(leg.key)
                    if player is None:
                        player = pj.AudioMediaPlayer()
                        player.createPlayer(str(leg.stimulus), 0)  # 0: loop
                        self.players[leg.key] = player
                    player.startTransmit(audio)
                if leg.recording is not None:
                    recorder = self.recorders.get(leg.key)
                    if recorder is None:
                        leg.recording.parent.mkdir(parents=True, exist_ok=True)
                        recorder = pj.AudioMediaRecorder()
                        recorder.createRecorder(str(leg.recording))
                        self.recorders[leg.key] = recorder
                    audio.startTransmit(recorder)
            except pj.Error as exc:
                log.error("leg %d: cannot connect media: %s", leg.key, exc.info())

    def snapshot_rtp(self, call: Any, leg: Leg) -> None:
        """Copy the leg's RTCP stream statistics into ``leg.rtp`` (before the stream goes)."""
        if not leg.media_up:
            return
        try:
            stat = call.getStreamStat(0)
            info = call.getStreamInfo(0)
        except pj.Error:
            return
        rtcp = stat.rtcp
        leg.rtp = RtpStats(
            codec=str(info.codecName),
            clock_rate=int(info.codecClockRate),
            rx_packets=int(rtcp.rxStat.pkt),
            rx_loss=int(rtcp.rxStat.loss),
            rx_jitter_us=int(rtcp.rxStat.jitterUsec.mean),
            tx_packets=int(rtcp.txStat.pkt),
            tx_loss=int(rtcp.txStat.loss),
            rtt_us=int(rtcp.rttUsec.mean),
            at=now(),
        )

    def play_tones(self, call: Any, leg: Leg, digits: str) -> None:
        """In-band DTMF: pause the stimulus and play pjmedia-synthesized tones into the call.

        :meth:`resume_after_tones` restarts the stimulus once the generator is idle.
        """
        audio = call.getAudioMedia(-1)
        tonegen = self.tonegens.get(leg.key)
        if tonegen is None:
            tonegen = pj.ToneGenerator()
            tonegen.createToneGenerator(self._clock_rate, 1)
            self.tonegens[leg.key] = tonegen
        tonegen.startTransmit(audio)
        player = self.players.get(leg.key)
        if player is not None:
            player.stopTransmit(audio)
            leg.tones_pending = True
        vector = pj.ToneDigitVector()
        for ch in digits:
            tone = pj.ToneDigit()
            tone.digit = ch
            tone.on_msec = TONE_ON_MS
            tone.off_msec = TONE_OFF_MS
            tone.volume = 0
            vector.append(tone)
        tonegen.playDigits(vector, False)

    def resume_after_tones(self, call: Any | None, leg: Leg) -> None:
        """If the leg's tones are done, reconnect its stimulus (unless the call is over)."""
        tonegen, player = self.tonegens.get(leg.key), self.players.get(leg.key)
        if tonegen is None or tonegen.isBusy():
            return
        leg.tones_pending = False
        if call is not None and player is not None and leg.disconnected_at is None:
            try:
                player.startTransmit(call.getAudioMedia(-1))
            except pj.Error as exc:
                log.debug("cannot resume stimulus: %s", exc.info())

    def close(self, leg: Leg) -> None:
        """Delete the leg's recorder, player and tone generator; mark the leg closing.

        Recorder first: the WAV is complete only once the recorder is deleted (and, since
        pjproject 2.15, once the bridge has processed the removal: see
        :func:`~ccinspect.sip.legs.wav_is_complete`).
        """
        recorder = self.recorders.pop(leg.key, None)
        del recorder
        player = self.players.pop(leg.key, None)
        del player
        tonegen = self.tonegens.pop(leg.key, None)
        del tonegen
        leg.closing_since = time.monotonic()

    def clear(self) -> None:
        """Drop every remaining media object (engine shutdown, before ``libDestroy``)."""
        self.recorders.clear()
        self.players.clear()
        self.tonegens.clear()
