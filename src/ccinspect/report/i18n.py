"""Every fixed string of the reports, in Simplified Chinese and English (Chinese by default).

Templates get a :class:`Catalogue` as ``t``: ``t("overall")`` is the label, ``t.text(reason)``
picks the language of a core :class:`Text`, ``t.verdict(v)`` / ``t.purpose(p)`` name enums.
A key missing from the catalogue raises ``KeyError`` (a test renders every template in both
languages, so a missing string is caught before release, never shown as a blank).
"""

from __future__ import annotations

import time
from typing import Literal

from ccinspect.core.facts import CallPurpose, LegRole
from ccinspect.core.verdict import Text, Verdict

__all__ = ["LANGS", "Catalogue", "Lang"]

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

# key: (zh, en)
_STRINGS: dict[str, tuple[str, str]] = {
    "title": ("呼叫中心业务现场核查演练报告", "Call-center on-site inspection rehearsal report"),
    "overall": ("总体结论", "Overall verdict"),
    "run": ("运行信息", "Run"),
    "run_id": ("运行编号", "Run id"),
    "status": ("运行状态", "Run status"),
    "started": ("开始时间", "Started"),
    "finished": ("结束时间", "Finished"),
    "duration": ("用时", "Duration"),
    "target": ("被检平台", "Platform under test"),
    "registrar": ("SIP 注册服务器", "SIP registrar"),
    "scenario": ("核查方案", "Scenario"),
    "pbx_identity": ("平台标识（Server / User-Agent）", "Platform identity (Server / User-Agent)"),
    "not_disclosed": ("平台未在信令中标明", "not disclosed in the signalling"),
    "version": ("ccinspect 版本", "ccinspect version"),
    "generated": ("报告生成时间", "Report generated"),
    "masked_note": (
        "公众号码已部分隐藏（如 138****1234）；本企业获配号码及 95/96 号码完整显示。",
        "Public numbers are partly hidden (e.g. 138****1234); "
        "the enterprise's own and 95/96 numbers are shown in full.",
    ),
    "unmasked_note": (
        "本报告显示完整号码，仅限内部使用，请勿外传。",
        "This report shows full numbers: for internal use only, do not share.",
    ),
    "run_error": ("运行错误", "Run error"),
    "checks": ("检查项", "Checks"),
    "check": ("检查项", "Check"),
    "requirements": ("对应要求", "Requirements"),
    "verdict": ("结论", "Verdict"),
    "reason": ("理由", "Reason"),
    "remedy": ("整改建议", "Remedy"),
    "subjects": ("检查对象", "Subjects"),
    "subject": ("对象", "Subject"),
    "evidence": ("证据", "Evidence"),
    "evidence_used": ("依据", "Evidence used"),
    "calls": ("测试呼叫", "Test calls"),
    "call": ("呼叫", "Call"),
    "calls_summary": ("呼叫一览", "Calls at a glance"),
    "purpose": ("类型", "Purpose"),
    "seat": ("坐席", "Seat"),
    "offered": ("振铃坐席", "Offered to"),
    "dialled": ("被叫号码", "Number dialled"),
    "caller_sent": ("送出的主叫号码", "Calling number sent"),
    "result": ("结果", "Result"),
    "legs": ("通话腿", "Legs"),
    "agent": ("终端", "Agent"),
    "role": ("角色", "Role"),
    "final": ("最终应答", "Final response"),
    "answered": ("已接通", "answered"),
    "not_answered": ("未接通", "not answered"),
    "connected": ("通话时长", "Connected"),
    "harness_error": ("未能完成（工具问题）", "Could not be carried out (harness)"),
    "leg_error": ("本腿的工具问题", "Harness problem on this leg"),
    "identity": ("主叫身份信令头", "Caller-identity headers"),
    "header": ("信令头", "Header"),
    "numbers_seen": ("号码", "Number"),
    "display_name": ("显示名", "Display name"),
    "raw_value": ("原始值", "Raw value"),
    "none_seen": ("（无）", "(none)"),
    "no_invite": ("本腿没有 INVITE。", "This leg has no INVITE."),
    "ladder": ("SIP 信令时序图", "SIP ladder"),
    "ladder_empty": ("没有捕获到信令。", "No messages were captured."),
    "messages": ("原始 SIP 消息", "Raw SIP messages"),
    "audio": ("音频证据", "Audio evidence"),
    "heard": ("听到的声音", "What it heard"),
    "sent": ("发送的测试音", "What it sent"),
    "recording": ("平台录音", "Platform recording"),
    "no_recording": ("本呼叫没有平台录音。", "The platform has no recording of this call."),
    "fingerprint": ("测试音指纹", "fingerprint"),
    "found_at": ("出现于", "found at"),
    "not_found": ("未检出", "not found"),
    "audio_missing": ("音频文件缺失", "audio file missing"),
    "waveform_caption": (
        "波形（灰色）及检出的测试音指纹位置（彩色区间，首次出现）",
        "Waveform (grey) and where each fingerprint was detected (coloured span, first occurrence)",
    ),
    "sent_collapsed": (
        "测试音指纹见上（完整证据仅对部分呼叫生成）",
        "fingerprint as named above (played back for calls shown in full)",
    ),
    "print_invites_only": (
        "打印版仅列出 INVITE 的信令头；全部消息见 HTML 报告。",
        "The printed report lists the INVITEs' headers only; the HTML report has every message in full.",
    ),
    "print_audio": ("音频文件", "Audio file"),
    "details_collapsed": (
        "呼叫数量较多：以下仅展开未通过及前 {n} 个呼叫的完整证据，其余呼叫列出信令与音频链接。",
        "Many calls: full evidence is expanded for failing calls and the first {n}; "
        "the others list signalling and audio links.",
    ),
    "registrations": ("坐席注册", "Seat registrations"),
    "registered": ("已注册", "registered"),
    "not_registered": ("未注册", "not registered"),
    "recordings": ("平台录音", "Platform recordings"),
    "tickets": ("投诉工单", "Complaint tickets"),
    "ticket": ("工单", "Ticket"),
    "retention": ("录音保存", "Recording retention"),
    "access": ("录音访问控制", "Recording access control"),
    "time_rel": ("相对时间", "relative time"),
    "pbx": ("被检平台", "PBX"),
    "toc": ("目录", "Contents"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "seconds": ("秒", "s"),
    "lang_switch": ("English", "中文"),
    "facts": ("采集到的事实", "Facts gathered"),
    "harness": ("工具", "harness"),
    "screenshots": ("功能截图", "Function screenshots"),
    "screenshots_note": (
        "平台网页控制台的截图，按拍摄顺序排列。截图为页面原样，图中的号码未做隐藏处理。",
        "The platform's web console as ccinspect saw it, in the order taken. Screenshots show the "
        "pages as they were: numbers in the pictures are not masked.",
    ),
    "figure": ("图 {n}", "Figure {n}"),
    "figure_no": ("图号", "Figure"),
    "step": ("步骤", "Step"),
    "step_failed": ("此步骤失败", "This step failed"),
    "full_size": ("查看原图", "open at full size"),
    "shot_missing": ("截图文件缺失", "screenshot file missing"),
    "taken": ("拍摄时间", "Taken"),
    "player_line": (
        "已在网页控制台播放：readyState {state}，时长 {duration}，页面 {page}",
        "played in the web console: readyState {state}, duration {duration}, page {page}",
    ),
    "audio_source": ("音频地址", "audio"),
    "player_error": ("播放器检查失败", "The player could not be examined"),
    "screenshot": ("截图", "screenshot"),
    "via": ("读取方式", "read via"),
    "console_shows": ("网页控制台显示", "The web console shows"),
    "not_in_console": ("控制台中未找到该呼叫", "call not found in the console"),
    "appendix_title": ("系统功能截图", "System function screenshots"),
    "date": ("日期", "Date"),
}

_TOPICS: dict[str, tuple[str, str]] = {
    "login": ("登录", "login"),
    "recordings": ("录音", "recordings"),
    "complaints": ("投诉工单", "complaints"),
    "screening": ("主叫号码甄别", "screening"),
}

_VIA: dict[str, tuple[str, str]] = {
    "web": ("网页控制台", "web console"),
    "api": ("接口", "API"),
    "manual": ("人工确认", "operator"),
}


_PURPOSES: dict[CallPurpose, tuple[str, str]] = {
    CallPurpose.INBOUND: ("呼入", "inbound"),
    CallPurpose.OUTBOUND: ("外呼", "outbound"),
    CallPurpose.FORGED_CALLER_ID: ("伪造主叫外呼", "forged caller ID"),
    CallPurpose.SCREENING: ("主叫号码甄别", "caller screening"),
    CallPurpose.DNC: ("拒接名单外呼", "do-not-call"),
    CallPurpose.COMPLAINT: ("投诉", "complaint"),
    CallPurpose.INTERNAL: ("内部呼叫", "internal"),
}

_ROLES: dict[LegRole, tuple[str, str]] = {
    LegRole.CALLER: ("主叫方", "caller"),
    LegRole.CALLEE: ("被叫方", "callee"),
}

_STATUSES: dict[str, tuple[str, str]] = {
    "complete": ("已完成", "complete"),
    "running": ("进行中（未完成）", "running (incomplete)"),
    "interrupted": ("已中断", "interrupted"),
    "error": ("出错", "error"),
}


class Catalogue:
    """The fixed strings of one language; call it with a key."""

    def __init__(self, lang: Lang) -> None:
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
        self.lang: Lang = lang
        self._i = 0 if lang == "zh" else 1

    def __call__(self, key: str, **values: object) -> str:
        """The string for ``key``; ``{name}`` fields are filled from ``values``."""
        text = _STRINGS[key][self._i]
        return text.format(**values) if values else text

    def text(self, value: Text | None) -> str:
        """The chosen language of a core :class:`Text` ('' for None)."""
        if value is None:
            return ""
        return value.zh if self.lang == "zh" else value.en

    def verdict(self, value: Verdict | None) -> str:
        """The verdict's name (``通过`` / ``PASS``); '' for None."""
        return self.text(value.label) if value is not None else ""

    def purpose(self, value: CallPurpose) -> str:
        """The call purpose's name."""
        return _PURPOSES[value][self._i]

    def offer(self, what: str) -> str:
        """What happened to a call offered to a seat (from ``seat_offers``), in this language."""
        if self.lang == "en":
            return what
        if what == "answered":
            return "接听"
        if what.startswith("rang"):
            return "振铃未接" + what[len("rang") :].replace(", ", "，")
        return f"拒绝 {what}"

    def topic(self, value: str) -> str:
        """What a web-console reading or screenshot is about (``screening`` → 主叫号码甄别);
        an unknown topic as written."""
        pair = _TOPICS.get(value)
        return pair[self._i] if pair else value

    def via(self, value: str | None) -> str:
        """How a ticket was read (``web`` → 网页控制台 / web console); '' for None, an unknown
        value as written."""
        if value is None:
            return ""
        pair = _VIA.get(value)
        return pair[self._i] if pair else value

    def role(self, value: LegRole) -> str:
        """The leg role's name."""
        return _ROLES[value][self._i]

    def status(self, value: str) -> str:
        """The run status's name (unknown statuses are shown as written)."""
        pair = _STATUSES.get(value)
        return pair[self._i] if pair else value

    def when(self, epoch: float | None) -> str:
        """Local date and time of ``epoch`` (``2026-11-29 16:07:30``); '' for None."""
        if epoch is None:
            return ""
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch))

    def seconds(self, value: float | None, digits: int = 1) -> str:
        """``4.0 秒`` / ``4.0 s``; '' for None."""
        if value is None:
            return ""
        return f"{value:.{digits}f} {self('seconds')}"


def all_keys() -> frozenset[str]:
    """Every catalogue key (for tests)."""
    return frozenset(_STRINGS)
