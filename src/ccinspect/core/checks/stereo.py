"""Two-channel recordings judged per channel (part of ``recording.complete``, R5/R6).

A platform that records each party on its own channel must really put each party on its
channel: a stereo file whose agent channel is silent is a recording of one party, even though a
mixed analysis of the file might look complete.

* **Layout declared** (the target's ``recordings.stereo``, passed as
  :attr:`~ccinspect.core.checks.base.CheckContext.recording_stereo`): the caller's fingerprint
  (the carrier-side party, whichever way the call was placed) must be on the caller's channel
  and the agent's (the seat's) on the agent's channel. Anything the other party leaks onto a
  channel (echo, sidetone) is allowed. A channel that lacks its party FAILs naming the call, the
  seat and the channel: silent, holding neither party, holding the other party only, or the
  party found on the other channel (swapped channels).
* **No layout declared**: which party belongs where is unknown, so only one thing is judged,
  conservatively: in a two-channel recording, a channel on which *no* party is found at all
  FAILs (one of two channels recorded nothing; a party heard on both channels, or each on its
  own, passes). Parties missing from the whole recording are judged by the mixed analysis as
  for a mono recording.

A mono recording (no per-channel facts) is judged on the mix alone, layout or not.
"""

from __future__ import annotations

from dataclasses import dataclass

from ccinspect.core.checks.base import CheckContext
from ccinspect.core.checks.legs import party_legs
from ccinspect.core.facts import CallFact, ChannelFact, LegFact, RecordingFact, is_trunk_side, seat_id_of
from ccinspect.core.verdict import Text

__all__ = ["SILENT_SHARE", "ChannelFinding", "channel_findings"]

SILENT_SHARE = 0.98
"""A channel at least this share silent (20 ms frames below -50 dBFS) and without any
fingerprint is called silent; otherwise it holds some other sound (noise, music, a tone)."""

REMEDY_CHANNEL = Text(
    "Record each party on the channel the platform documents (caller and agent on separate "
    "channels): check the recorder's channel mapping and that both directions of the call are "
    "captured, then play a test recording one channel at a time.",
    "按平台说明的声道录制各方（主叫与坐席分别占一个声道）：检查录音的声道映射，确认通话双向音频均被录制，"
    "并逐声道回放一条测试录音核对。",
)


@dataclass(frozen=True, slots=True)
class ChannelFinding:
    """What the per-channel judgement found: problems (text and remedy), and the fingerprints
    it judged (the mixed "party missing" test is then not repeated for them)."""

    problems: tuple[tuple[Text, Text], ...]
    judged: frozenset[int]


_PARTY_ZH = {"caller": "主叫", "agent": "坐席"}
_SIDE_ZH = {"left": "左", "right": "右"}


def _parties(call: CallFact) -> dict[str, LegFact]:
    """The call's caller (carrier side) and agent (seat) legs, when there is one of each."""
    legs = [leg for leg in party_legs(call) if leg.audio is not None]
    agents = [leg for leg in legs if seat_id_of(leg.agent) is not None]
    callers = [leg for leg in legs if is_trunk_side(leg.agent)]
    if len(agents) != 1 or len(callers) != 1:
        return {}
    return {"caller": callers[0], "agent": agents[0]}


def _seat_of(call: CallFact) -> str | None:
    return next((leg.agent for leg in party_legs(call) if seat_id_of(leg.agent)), None)


def _label(party: str | None, side: str) -> tuple[str, str]:
    if party is None:
        return f"{side} channel", f"{_SIDE_ZH.get(side, side)}声道"
    return (
        f"{party} channel ({side})",
        f"{_PARTY_ZH.get(party, party)}声道（{_SIDE_ZH.get(side, side)}）",
    )


def _silent(ch: ChannelFact) -> bool:
    return ch.empty and ch.silence_share >= SILENT_SHARE


def _with_layout(
    call: CallFact, channels: dict[str, ChannelFact], layout: tuple[str, str], head: Text
) -> ChannelFinding:
    parties = _parties(call)
    sides = {layout[0]: "left", layout[1]: "right"}
    problems: list[tuple[Text, Text]] = []
    judged: set[int] = set()
    for party, leg in parties.items():
        side = sides.get(party)
        if side is None or side not in channels or leg.audio is None:
            continue
        fp = leg.audio.own_fingerprint
        judged.add(fp)
        mine = channels[side]
        other_side = "right" if side == "left" else "left"
        other = channels.get(other_side)
        if mine.found(fp):
            continue
        en, zh = _label(party, side)
        who_zh = _PARTY_ZH.get(party, party)
        if _silent(mine):
            what = Text(f"the {en} is silent", f"{zh}无声")
        elif other is not None and other.found(fp):
            what = Text(
                f"the {party}'s audio (fingerprint {fp}) is on the {other_side} channel, not on the "
                f"{en}: the channels are swapped",
                f"{who_zh}的声音（指纹 {fp}）在{_SIDE_ZH[other_side]}声道，而不在{zh}：声道颠倒",
            )
        elif mine.empty:
            what = Text(f"the {en} holds neither party's audio", f"{zh}中没有任何一方的声音")
        else:
            what = Text(
                f"the {en} lacks the {party}'s audio (fingerprint {fp})",
                f"{zh}中没有{who_zh}的声音（指纹 {fp}）",
            )
        problems.append((head + what, REMEDY_CHANNEL))
    # Parties judged on the mix only (no caller/agent pair): still no channel may be empty.
    if not parties:
        problems.extend(_empty_channels(channels, head))
    return ChannelFinding(tuple(problems), frozenset(judged))


def _empty_channels(channels: dict[str, ChannelFact], head: Text) -> list[tuple[Text, Text]]:
    out: list[tuple[Text, Text]] = []
    for side, ch in channels.items():
        if not ch.empty:
            continue
        en, zh = _label(None, side)
        what = (
            Text(f"the {en} is silent", f"{zh}无声")
            if _silent(ch)
            else Text(f"the {en} holds neither party's audio", f"{zh}中没有任何一方的声音")
        )
        out.append((head + what, REMEDY_CHANNEL))
    return out


def channel_findings(call: CallFact, rec: RecordingFact, ctx: CheckContext) -> ChannelFinding:
    """The per-channel problems of ``rec`` (see the module docstring); none for a mono one."""
    channels = {ch.channel: ch for ch in rec.channels}
    if len(channels) != 2:
        return ChannelFinding((), frozenset())
    seat = _seat_of(call)
    head = Text(
        f"recording of {call.key}" + (f" ({seat})" if seat else "") + ": ",
        f"{call.key}" + (f"（{seat}）" if seat else " ") + "的录音：",
    )
    if ctx.recording_stereo is not None:
        return _with_layout(call, channels, ctx.recording_stereo, head)
    return ChannelFinding(tuple(_empty_channels(channels, head)), frozenset())
