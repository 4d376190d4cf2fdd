"""Recordings of this run's calls (R5, R6): complete, and playable through the platform.

* ``recording.complete`` (R5, R6): every answered test call (purposes the scenario excludes
  aside) has a recording as long as the connected call (± tolerance) that contains every
  answered leg's fingerprint, i.e. both parties, throughout (:mod:`.continuity`); a
  two-channel recording is also judged per channel (:mod:`.stereo`: each party on its own
  channel when the target declares the layout, no empty channel either way).
* ``recording.playback`` (R6): every recording found was fetched through the platform's own
  interface and decoded; one played in the web console also needs a player that can play it
  (``readyState`` ≥ 2) and reports the length the audio really has.

A recording that could not be fetched or decoded FAILs ``recording.playback`` once; for
``recording.complete`` its content is then unknown (ERROR pointing there), so the same fault is
not counted twice.
"""

from __future__ import annotations

from dataclasses import replace

from ccinspect.core.checks.base import Check, CheckContext, CheckSpec
from ccinspect.core.checks.continuity import continuity_problems
from ccinspect.core.checks.legs import call_name, harness_cause, party_legs
from ccinspect.core.checks.stereo import channel_findings
from ccinspect.core.facts import CallFact, RecordingFact, RecordingSource, RunFacts
from ccinspect.core.verdict import (
    CheckResult,
    SubjectResult,
    Text,
    Verdict,
    errored,
    failed,
    join_texts,
    passed,
)

__all__ = ["CHECKS", "complete", "playback"]

COMPLETE = CheckSpec(
    "recording.complete",
    ("R5", "R6"),
    Text("Every answered call is recorded in full", "每通接通呼叫均完整录音"),
    Text(
        "Each answered call has a recording matching its connected time (± 2 s) with both "
        "parties' audio in it.",
        "每通接通呼叫都有录音，时长与通话时长相符（±2 秒），且包含双方声音。",
    ),
)
PLAYBACK = CheckSpec(
    "recording.playback",
    ("R6",),
    Text("Recordings play back", "录音可调听"),
    Text(
        "Each recording is fetched through the platform's own interface and decodes.",
        "每条录音都能通过平台自身接口获取并正常解码。",
    ),
)

_REMEDY_MISSING = Text(
    "Record every answered call (inbound and outbound) and link each recording to its call "
    "record so it can be found.",
    "对所有接通的呼叫（呼入与外呼）进行全程录音，并将录音与话单关联以便检索。",
)
_REMEDY_LENGTH = Text(
    "Start recording when the call is answered and stop only when it ends (not on transfer, "
    "hold or the first hang-up of one leg).",
    "在呼叫接通时开始录音，直到通话结束才停止（转接、保持或一方先挂机时不得中断）。",
)
_REMEDY_CONTINUITY = Text(
    "Record both directions for the whole call without interruption: check what stops or mutes "
    "the recorder mid-call (hold, transfer, re-INVITE, codec change, a full disk or a dropped "
    "media stream to the recording server).",
    "全程不间断地录制双向声音：检查通话中使录音停止或静音的原因（保持、转接、重新协商、编解码变更、"
    "磁盘已满或送往录音服务器的媒体流中断）。",
)
_REMEDY_WRONG = Text(
    "Link each call record to its own recording (the call id or unique id in the recording's "
    "name or database row), and check the player serves the file of the call it is opened for.",
    "将每条通话记录与其自身的录音关联（录音文件名或数据库记录中的呼叫 ID/唯一 ID），并确认播放器"
    "播放的是所打开呼叫的录音文件。",
)
_REMEDY_PARTY = Text(
    "Record both parties: mix both directions (or keep one channel per party) rather than "
    "recording only what one side hears.",
    "录制双方声音：混合双向音频（或每方一个声道），不得只录一侧。",
)
_REMEDY_FETCH = Text(
    "Make every listed recording downloadable through the playback interface (file present, "
    "permissions, storage path behind the API).",
    "确保每条列出的录音都能通过调听接口下载（文件存在、权限正确、接口指向正确的存储路径）。",
)
_REMEDY_PLAYER = Text(
    "Make the console's recording player load the call's own recording and play it whole: the "
    "page's audio element must reach a playable state and report the recording's real length "
    "(correct media URL and type, the session allowed to fetch it, complete files).",
    "确保控制台的录音播放器加载本通呼叫的录音并能完整播放：页面音频元素须进入可播放状态，"
    "并显示录音的真实时长（媒体地址与类型正确、登录会话有权获取、文件完整）。",
)
#: The player's reported length may differ from the decoded recording's by this much, or by
#: this share of it when that is more (players round and may count container padding).
PLAYER_TOLERANCE_S = 1.0
PLAYER_TOLERANCE_SHARE = 0.1
#: ``HTMLMediaElement.HAVE_CURRENT_DATA``: a player at or above this state can play.
HAVE_CURRENT_DATA = 2
_REMEDY_DECODE = Text(
    "Store recordings in a standard format a player can open (WAV PCM/G.711 or MP3) and write "
    "complete files (close them when the call ends).",
    "以通用格式保存录音（WAV PCM/G.711 或 MP3），并在通话结束时完整写入、关闭文件。",
)


def _answered(call: CallFact) -> bool:
    return any(leg.answered for leg in call.legs)


def _connected_s(call: CallFact, rec: RecordingFact) -> float | None:
    """The call's connected time: the runner's figure, else the longest answered leg's."""
    if rec.expected_duration_s is not None:
        return rec.expected_duration_s
    spans = [s for leg in party_legs(call) if (s := leg.connected_s) is not None]
    return max(spans) if spans else None


def _cannot_judge(call: CallFact, rec: RecordingFact | None) -> Text | None:
    """ERROR cause when this call's recording cannot be judged, else None.

    A missing recording (``rec.name`` None, no error) can be judged: it FAILs.
    """
    cause = harness_cause(call)
    if cause is not None:
        return cause
    if rec is None:
        return Text(
            f"the runner did not look up a recording for {call.key}",
            f"测试工具未查找 {call.key} 的录音",
        )
    if rec.error is not None:
        return Text(
            f"the recording of {call.key} could not be looked up: {rec.error}",
            f"无法查找 {call.key} 的录音：{rec.error}",
        )
    return None if rec.name is None else _analysis_problem(call, rec)


def _analysis_problem(call: CallFact, rec: RecordingFact) -> Text | None:
    """ERROR cause when a found recording's content or the call's analysis is missing."""
    if not rec.fetched or rec.decode_error is not None:
        return Text(
            f"recording {rec.name} could not be fetched or decoded, so its content is unknown "
            "(see recording.playback)",
            f"录音 {rec.name} 无法获取或解码，内容未知（见 recording.playback）",
        )
    what = ""
    if rec.duration_s is None or _connected_s(call, rec) is None:
        what = "the recording's or the call's length is unknown"
    for leg in party_legs(call):
        if what:
            continue
        if leg.audio is None:
            what = f"{leg.agent}'s fingerprint is unknown ({leg.error or 'no audio analysis'})"
        elif rec.fingerprint_found(leg.audio.own_fingerprint) is None:
            what = f"it was not searched for {leg.agent}'s fingerprint {leg.audio.own_fingerprint}"
    if what:
        return Text(f"cannot judge recording {rec.name}: {what}", f"无法判断录音 {rec.name}：{what}")
    return None


def _complete_subject(call: CallFact, rec: RecordingFact | None, ctx: CheckContext) -> SubjectResult:
    name = call_name(call)
    cause = _cannot_judge(call, rec)
    if cause is not None:
        return errored(name, cause, call.key)
    if rec is None or rec.name is None:  # (rec None always has a cause: narrows the type)
        return failed(
            name,
            Text(
                f"no recording was found for answered call {call.key}",
                f"已接通的呼叫 {call.key} 没有找到录音",
            ),
            _REMEDY_MISSING,
            call.key,
        )
    expected = _connected_s(call, rec) or 0.0
    duration = rec.duration_s or 0.0
    legs = [leg for leg in party_legs(call) if leg.audio is not None]
    problems: list[tuple[Text, Text]] = []
    tol = ctx.recording_tolerance_s
    if abs(duration - expected) > tol:
        short = duration < expected
        problems.append(
            (
                Text(
                    f"recording {rec.name} is {duration:.1f} s long but the call was "
                    f"connected for {expected:.1f} s (± {tol:g} s): "
                    + ("it is truncated" if short else "it is longer than the call"),
                    f"录音 {rec.name} 时长 {duration:.1f} 秒，通话时长 {expected:.1f} 秒"
                    f"（允许 ±{tol:g} 秒）：" + ("录音不完整" if short else "录音长于通话"),
                ),
                _REMEDY_LENGTH,
            )
        )
    own = [leg.audio.own_fingerprint for leg in legs if leg.audio is not None]
    per_channel = channel_findings(call, rec, ctx)
    if rec.other_calls and not any(rec.fingerprint_found(f) for f in own):
        # Not this call's recording at all: saying which parties it lacks would mislead.
        others = ", ".join(rec.other_calls)
        problems.append(
            (
                Text(
                    f"recording {rec.name}, linked to this call, holds the audio of call {others} "
                    "and none of this call's",
                    f"与本呼叫关联的录音 {rec.name} 中是呼叫 {others} 的声音，没有本呼叫的声音",
                ),
                _REMEDY_WRONG,
            )
        )
        legs, per_channel = [], replace(per_channel, problems=())
    for leg in legs:
        fingerprint = leg.audio.own_fingerprint if leg.audio is not None else -1
        if fingerprint not in per_channel.judged and not rec.fingerprint_found(fingerprint):
            problems.append(
                (
                    Text(
                        f"recording {rec.name} lacks {leg.agent}'s audio (fingerprint "
                        f"{fingerprint}): only one party was recorded",
                        f"录音 {rec.name} 中没有 {leg.agent} 的声音（指纹 {fingerprint}）：只录到一方",
                    ),
                    _REMEDY_PARTY,
                )
            )
    problems.extend(per_channel.problems)
    problems.extend((gap, _REMEDY_CONTINUITY) for gap in continuity_problems(rec, legs, tol))
    if problems:
        return failed(
            name,
            join_texts([p[0] for p in problems], "; ", "；"),
            join_texts(list(dict.fromkeys(p[1] for p in problems))),
            call.key,
            rec.name,
        )
    return passed(
        name,
        Text(
            f"recording {rec.name}: {duration:.1f} s for {expected:.1f} s connected, "
            f"all {len(legs)} parties audible" + (", each on its own channel" if per_channel.judged else ""),
            f"录音 {rec.name}：时长 {duration:.1f} 秒（通话 {expected:.1f} 秒），{len(legs)} 方声音均可听到"
            + ("，且各在其声道" if per_channel.judged else ""),
        ),
        call.key,
        rec.name,
    )


def complete(facts: RunFacts, ctx: CheckContext) -> CheckResult:
    """Per answered call not excluded by purpose: recording present, right length, both parties.

    FAIL: no recording found; length off by more than ``ctx.recording_tolerance_s``; an answered
    leg's fingerprint absent; a two-channel recording with a party off its declared channel or
    an empty channel (:mod:`.stereo`). ERROR: the harness failed, the lookup failed, the recording could
    not be fetched or decoded (``recording.playback`` FAILs that), or the analysis is missing.
    """
    calls = [c for c in facts.calls if c.purpose not in ctx.recording_exclude]
    subjects = [
        _complete_subject(c, facts.recording_for(c.key), ctx)
        for c in calls
        if _answered(c) or c.harness_error is not None
    ]
    return COMPLETE.conclude(
        subjects,
        pass_reason=Text(
            f"all {len(subjects)} answered calls were recorded in full with both parties",
            f"全部 {len(subjects)} 通接通呼叫均完整录音且包含双方声音",
        ),
        empty_reason=Text(
            "no answered call in this run needs a recording, so none could be checked",
            "本次运行没有需要录音的接通呼叫，无法检查录音",
        ),
        empty_verdict=Verdict.ERROR,
    )


def _playback_subject(rec: RecordingFact) -> SubjectResult:
    name = f"recording {rec.name}"
    via = rec.source.value.upper() if rec.source is not RecordingSource.DIRECTORY else "directory"
    status = f"{via} → {rec.fetch_status}" if rec.fetch_status is not None else via
    if rec.error is not None:
        return errored(
            name,
            Text(f"could not fetch {rec.name}: {rec.error}", f"无法获取 {rec.name}：{rec.error}"),
            rec.call_key,
        )
    if not rec.fetched:
        return _unfetched_subject(rec, name, status)
    if rec.decode_error is not None or not rec.duration_s:
        why = rec.decode_error or "it decodes to no audio"
        return failed(
            name,
            Text(f"{rec.name} cannot be played: {why}", f"{rec.name} 无法播放：{why}"),
            _REMEDY_DECODE,
            rec.call_key,
        )
    if rec.player is not None:
        return _player_subject(rec, rec.duration_s, name)
    return passed(
        name,
        Text(
            f"{rec.name} fetched ({status}) and decoded: {rec.duration_s:.1f} s",
            f"{rec.name} 已获取（{status}）并解码：{rec.duration_s:.1f} 秒",
        ),
        rec.call_key,
        status,
    )


def _unfetched_subject(rec: RecordingFact, name: str, status: str) -> SubjectResult:
    """A recording listed but not downloaded: our credentials refused (ERROR), no request
    completed (ERROR), or the platform answered with an error (FAIL)."""
    if rec.fetch_status in (401, 403, 407):
        return errored(
            name,
            Text(
                f"the platform refused our credentials when fetching {rec.name} ({status}); "
                "check recordings.username / password in the target file",
                f"获取 {rec.name} 时平台拒绝了我们的凭据（{status}）；"
                "请检查目标文件中的 recordings.username / password",
            ),
            rec.call_key,
        )
    if rec.fetch_status is None:
        return errored(
            name,
            Text(f"{rec.name} was not fetched", f"未获取 {rec.name}"),
            rec.call_key,
        )
    return failed(
        name,
        Text(
            f"{rec.name} is listed but could not be fetched ({status})",
            f"{rec.name} 已列出但无法下载（{status}）",
        ),
        _REMEDY_FETCH,
        rec.call_key,
        status,
    )


def _player_subject(rec: RecordingFact, decoded_s: float, name: str) -> SubjectResult:
    """A recording played in the web console: its player must be able to play it and report
    the length the audio it loaded really has."""
    player = rec.player
    assert player is not None
    shown = f"{player.duration_s:.1f} s" if player.duration_s is not None else "no length"
    evidence = (
        f"web console player {player.page}: readyState {player.ready_state}, {shown}",
        *((f"audio {player.audio_url}",) if player.audio_url else ()),
        *((f"screenshot {player.screenshot}",) if player.screenshot else ()),
    )
    problem: Text | None = None
    if player.error is not None:
        problem = Text(
            f"the console's player for {rec.name} cannot play it: {player.error}",
            f"控制台中 {rec.name} 的播放器无法播放：{player.error}",
        )
    elif player.ready_state is None or player.ready_state < HAVE_CURRENT_DATA:
        problem = Text(
            f"the console's player for {rec.name} never became able to play it "
            f"(readyState {player.ready_state}, needs {HAVE_CURRENT_DATA})",
            f"控制台中 {rec.name} 的播放器始终无法播放（readyState {player.ready_state}，"
            f"应至少为 {HAVE_CURRENT_DATA}）",
        )
    elif player.duration_s is not None and abs(player.duration_s - decoded_s) > max(
        PLAYER_TOLERANCE_S, PLAYER_TOLERANCE_SHARE * decoded_s
    ):
        problem = Text(
            f"the console's player shows {player.duration_s:.1f} s for {rec.name}, but the audio "
            f"it loads is {decoded_s:.1f} s long",
            f"控制台播放器显示 {rec.name} 时长 {player.duration_s:.1f} 秒，但其加载的音频为 "
            f"{decoded_s:.1f} 秒",
        )
    if problem is not None:
        return failed(name, problem, _REMEDY_PLAYER, rec.call_key, *evidence)
    return passed(
        name,
        Text(
            f"{rec.name} plays in the web console (readyState {player.ready_state}, {shown}); "
            f"the audio it loads decodes to {decoded_s:.1f} s",
            f"{rec.name} 可在 Web 控制台播放（readyState {player.ready_state}，{shown}），"
            f"其加载的音频解码为 {decoded_s:.1f} 秒",
        ),
        rec.call_key,
        *evidence,
    )


def playback(facts: RunFacts, ctx: CheckContext) -> CheckResult:
    """Per recording found: fetched (2xx) and decoded to audio.

    FAIL: listed but not downloadable (404, 5xx), undecodable, empty; or no recording at all was
    found for this run's answered calls. ERROR: our credentials refused (401/403: the target
    file's problem), lookup failure, nothing gathered. ``evidence_used`` says whether the
    recordings came through the platform's interface or straight from a directory.
    """
    found = [r for r in facts.recordings if r.name is not None]
    subjects = [_playback_subject(r) for r in found]
    via_directory = any(r.source is RecordingSource.DIRECTORY for r in found)
    via_web = bool(found) and all(r.source is RecordingSource.WEB for r in found)
    if via_directory:
        used = Text(
            "recordings were read from the recording directory, not through the platform's "
            "playback interface",
            "录音直接从录音目录读取，而非通过平台调听接口",
        )
    elif via_web:
        used = Text(
            "recordings were played back in the platform's own web console (logged in with the "
            "inspection account, found by the call search, opened in the console's player)",
            "录音在平台自身的 Web 控制台中调听（以核查演示账号登录、通过通话记录检索、在控制台播放器中打开）",
        )
    else:
        used = Text("recordings were fetched through the platform's interface", "录音通过平台接口获取")
    if not subjects:
        looked = [r for r in facts.recordings if r.error is None]
        unreadable = [r for r in facts.recordings if r.error is not None]
        if unreadable and not looked:
            why = unreadable[0].error or ""
            subjects = [
                errored(
                    "recordings",
                    Text(
                        f"the recordings of {len(unreadable)} calls could not be looked up: {why}",
                        f"{len(unreadable)} 通呼叫的录音无法查找：{why}",
                    ),
                    *(r.call_key for r in unreadable),
                )
            ]
        elif looked:
            subjects = [
                failed(
                    "recordings",
                    Text(
                        f"none of the {len(looked)} calls looked up has a recording to play back",
                        f"所查找的 {len(looked)} 通呼叫都没有可调听的录音",
                    ),
                    _REMEDY_MISSING,
                    *(r.call_key for r in looked),
                )
            ]
    del ctx  # which calls need recordings is recording.complete's business
    return PLAYBACK.conclude(
        subjects,
        pass_reason=Text(
            f"all {len(subjects)} recordings play in the web console's player and decode",
            f"全部 {len(subjects)} 条录音均可在 Web 控制台播放器中播放并已解码",
        )
        if via_web
        else Text(
            f"all {len(subjects)} recordings were fetched and decoded",
            f"全部 {len(subjects)} 条录音均已获取并解码",
        ),
        empty_reason=Text(
            "no recording was looked up in this run, so playback could not be checked",
            "本次运行未查找任何录音，无法检查调听",
        ),
        empty_verdict=Verdict.ERROR,
        evidence_used=used if found else None,
    )


CHECKS = (Check(COMPLETE, complete), Check(PLAYBACK, playback))
