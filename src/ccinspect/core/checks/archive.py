"""The recording archive (R5, R8): kept at least 30 days, and closed to strangers.

* ``recording.retention`` (R5): judged from the best evidence available, and says which:
  1. a declared purge policy shorter than the minimum FAILs whatever else is seen;
  2. recordings at least that old exist: PASS when every one tried was retrievable, else FAIL;
  3. none that old: a declared policy ≥ the minimum PASSes (on the policy's word); without a
     policy, a platform that has run longer than the minimum FAILs (nothing survived), otherwise
     the question is open (ERROR: declare ``recordings.retention_days`` in the target).
* ``recording.access_control`` (R8): per recording URL probed, an anonymous fetch and a fetch
  with wrong credentials are refused (401/403 by default).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ccinspect.core.checks.base import Check, CheckContext, CheckSpec
from ccinspect.core.facts import AccessControlFact, RecordingSource, RetentionFact, RunFacts
from ccinspect.core.verdict import (
    CheckResult,
    SubjectResult,
    Text,
    Verdict,
    errored,
    failed,
    join_texts,
    passed,
    skipped,
)

__all__ = ["CHECKS", "access_control", "retention"]

RETENTION = CheckSpec(
    "recording.retention",
    ("R5",),
    Text("Recordings kept 30 days", "录音保存 30 天"),
    Text(
        "Recordings at least 30 days old exist and play, or the declared purge policy keeps "
        "them at least 30 days.",
        "存在 30 天以上的录音且可调取，或已声明的清理策略保留录音不少于 30 天。",
    ),
)
ACCESS = CheckSpec(
    "recording.access_control",
    ("R8",),
    Text("Recordings are access-controlled", "录音访问受控"),
    Text(
        "Fetching a recording without credentials, or with wrong ones, is refused.",
        "未提供凭据或凭据错误时，获取录音的请求被拒绝。",
    ),
)

_SUBJECT = "recording archive"
_REMEDY_POLICY = Text(
    "Set the recording purge period to at least 30 days (more where clients require it) and keep "
    "the setting on record.",
    "将录音清理周期设置为不少于 30 天（客户另有要求的从其要求），并留存该配置记录。",
)
_REMEDY_OLD = Text(
    "Keep old recordings retrievable: check the archive/cold-storage path, file permissions and "
    "the index behind the playback interface.",
    "确保历史录音可调取：检查归档/冷存储路径、文件权限以及调听接口背后的索引。",
)
_REMEDY_ACCESS = Text(
    "Require authentication on every recording download (401/403 or a redirect to the login "
    "page otherwise), remove or change every default account, serve recordings over HTTPS off "
    "the local host, and audit each access; recordings are users' personal information.",
    "所有录音下载都必须鉴权（否则返回 401/403 或跳转登录页），删除或修改所有默认账号，非本机访问须使用 "
    "HTTPS，并记录每次访问；录音属于用户个人信息。",
)


def _policy_words(fact: RetentionFact) -> Text:
    """How messages name the purge policy: read from the platform, or declared in the target."""
    if fact.policy_source == "platform":
        return Text("the platform's purge policy", "平台自身的清理策略")
    return Text("the declared purge policy", "已声明的清理策略")


def _retention_subject(fact: RetentionFact, days: int) -> tuple[SubjectResult, Text | None]:
    """The verdict on the archive, and which evidence it used."""
    source = f" ({fact.policy_source})" if fact.policy_source else ""
    words = _policy_words(fact)
    policy_used = Text(f"used: {words.en}{source}", f"依据：{words.zh}{source}")
    if fact.policy_days is not None and fact.policy_days < days:
        return failed(
            _SUBJECT,
            Text(
                f"{words.en} keeps recordings {fact.policy_days} days; at least {days} are required",
                f"{words.zh}只保留录音 {fact.policy_days} 天；要求至少 {days} 天",
            ),
            _REMEDY_POLICY,
            f"policy_days={fact.policy_days}{source}",
        ), policy_used
    oldest = fact.oldest_recording_age_days
    if oldest is not None and oldest >= days and fact.old_recordings_checked > 0:
        used = Text(f"used: recordings older than {days} days found", f"依据：找到超过 {days} 天的录音")
        bad = fact.old_recordings_checked - fact.old_recordings_ok
        evidence = (
            f"oldest={oldest:.1f} d",
            f"old ok {fact.old_recordings_ok}/{fact.old_recordings_checked}",
        )
        if bad:
            return failed(
                _SUBJECT,
                Text(
                    f"{bad} of {fact.old_recordings_checked} recordings older than {days} days "
                    "could not be retrieved",
                    f"{fact.old_recordings_checked} 条超过 {days} 天的录音中有 {bad} 条无法调取",
                ),
                _REMEDY_OLD,
                *evidence,
            ), used
        return passed(
            _SUBJECT,
            Text(
                f"recordings up to {oldest:.0f} days old exist; all {fact.old_recordings_checked} "
                "tried were retrievable",
                f"存在最长 {oldest:.0f} 天前的录音；抽查的 {fact.old_recordings_checked} 条均可调取",
            ),
            *evidence,
        ), used
    if fact.policy_days is not None:
        note_en = note_zh = ""
        age = fact.platform_age_days
        if age is not None and age >= days:
            note_en = (
                f"; note: the platform has run {age:.0f} days but no recording is {days} days "
                "old — confirm recordings really are kept"
            )
            note_zh = f"；注意：平台已运行 {age:.0f} 天却没有 {days} 天以上的录音，请确认录音确实被保留"
        return passed(
            _SUBJECT,
            Text(
                f"no recording is {days} days old yet; {words.en} keeps them "
                f"{fact.policy_days} days{note_en}",
                f"尚无 {days} 天以上的录音；{words.zh}保留 {fact.policy_days} 天{note_zh}",
            ),
            f"policy_days={fact.policy_days}{source}",
        ), policy_used
    age = fact.platform_age_days
    if age is not None and age >= days and fact.error is None:
        oldest_text = f"{oldest:.0f}" if oldest is not None else "no"
        return failed(
            _SUBJECT,
            Text(
                f"the platform has recorded for {age:.0f} days but its oldest recording is "
                f"{oldest_text} days old: recordings are deleted before {days} days",
                f"平台已录音 {age:.0f} 天，但最早的录音只有 {oldest_text} 天：录音在 {days} 天内被删除",
            ),
            _REMEDY_POLICY,
            f"platform_age={age:.0f} d",
        ), Text("used: platform age and oldest recording", "依据：平台运行时长与最早录音")
    why = f" ({fact.error})" if fact.error else ""
    return errored(
        _SUBJECT,
        Text(
            f"retention cannot be judged: no recording is {days} days old and no purge policy is "
            f"declared{why}; declare recordings.retention_days in the target file",
            f"无法判断保存期限：没有 {days} 天以上的录音，也未声明清理策略{why}；"
            "请在目标文件中填写 recordings.retention_days",
        ),
    ), None


def retention(facts: RunFacts, ctx: CheckContext) -> CheckResult:
    """One subject, the archive; see the module docstring for the order of evidence."""
    fact = facts.retention
    if fact is None:
        return RETENTION.error(
            Text(
                "no retention evidence was gathered in this run",
                "本次运行未收集录音保存期限的证据",
            )
        )
    subject, used = _retention_subject(fact, ctx.retention_days)
    return RETENTION.conclude(
        [subject],
        pass_reason=subject.reason,
        evidence_used=used,
    )


def _to(where: str | None) -> str:
    return f" (redirected to {where}, no audio)" if where else ""


_LOOPBACK = ("localhost", "::1", "[::1]")


def _plain_http_host(url: str) -> str | None:
    """The host of a plain-HTTP URL that is not the loopback interface, else None."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme != "http" or not host or host in _LOOPBACK or host.startswith("127."):
        return None
    return host


def _probe(fact: AccessControlFact, refused: frozenset[int]) -> SubjectResult:
    name = f"URL {fact.url}"
    if fact.anonymous_status is None:
        why = fact.error or "no anonymous request was made"
        return errored(
            name,
            Text(f"the access probe of {fact.url} failed: {why}", f"对 {fact.url} 的访问探测失败：{why}"),
        )
    allowed = "/".join(str(s) for s in sorted(refused))
    problems: list[Text] = []
    redirected = dict(fact.redirects)

    def refusing(who: str, status: int) -> bool:
        # A redirect that did not end in audio (to a login page) is the interface refusing.
        return status in refused or (300 <= status < 400 and who in redirected)

    evidence = [f"anonymous → {fact.anonymous_status}" + _to(redirected.get("anonymous"))]
    if not refusing("anonymous", fact.anonymous_status):
        served = 200 <= fact.anonymous_status < 300
        problems.append(
            Text(
                f"an anonymous request got {fact.anonymous_status}"
                + (" and the recording was served" if served else f" instead of {allowed}"),
                f"匿名请求得到 {fact.anonymous_status}"
                + ("，录音被直接返回" if served else f"，而不是 {allowed}"),
            )
        )
    if fact.wrong_credentials_status is not None:
        evidence.append(
            f"wrong credentials → {fact.wrong_credentials_status}" + _to(redirected.get("wrong credentials"))
        )
        if not refusing("wrong credentials", fact.wrong_credentials_status):
            problems.append(
                Text(
                    f"a request with wrong credentials got {fact.wrong_credentials_status}",
                    f"使用错误凭据的请求得到 {fact.wrong_credentials_status}",
                )
            )
    for account, status in fact.default_accounts:
        evidence.append(f"default account {account} → {status}")
        if 200 <= status < 300:
            problems.append(
                Text(
                    f"the well-known default account {account} is let in ({status})",
                    f"众所周知的默认账号 {account} 可以登录访问（{status}）",
                )
            )
    if (host := _plain_http_host(fact.url)) is not None:
        problems.append(
            Text(
                f"recordings are served over plain HTTP on {host}: anyone on the network path can "
                "read them and the credentials",
                f"录音通过明文 HTTP 在 {host} 上提供：网络路径上的任何人都能读取录音和凭据",
            )
        )
    if problems:
        return failed(
            name,
            join_texts(problems, "; ", "；"),
            _REMEDY_ACCESS,
            fact.url,
            *evidence,
        )
    return passed(
        name,
        Text(
            f"{fact.url} refused strangers ({', '.join(evidence)})",
            f"{fact.url} 拒绝了未授权访问（{', '.join(evidence)}）",
        ),
        fact.url,
        *evidence,
    )


def access_control(facts: RunFacts, ctx: CheckContext) -> CheckResult:
    """Per probed URL: anonymous and wrong-credential fetches are refused.

    SKIP when recordings are read from a directory (there is no interface to probe). FAIL when
    either request got anything but a refusal (``ctx.access_refusal_statuses``); a 2xx is said to
    have served the recording. ERROR when nothing was probed or a probe failed.
    """
    if ctx.recording_interface is RecordingSource.DIRECTORY:
        return ACCESS.skip(
            Text(
                "recordings are read from a directory; there is no interface to probe",
                "录音从目录读取，没有可探测的访问接口",
            )
        )
    subjects = [_probe(f, ctx.access_refusal_statuses) for f in facts.access]
    if not subjects and ctx.recording_interface is None:
        subjects = [
            skipped(
                _SUBJECT,
                Text("the target declares no recording interface", "目标文件未声明录音接口"),
            )
        ]
    return ACCESS.conclude(
        subjects,
        pass_reason=Text(
            f"all {len(subjects)} recording URLs refused anonymous and wrong-credential requests",
            f"全部 {len(subjects)} 个录音地址都拒绝了匿名及错误凭据的请求",
        ),
        empty_reason=Text("no recording URL was probed in this run", "本次运行未探测任何录音地址"),
        empty_verdict=Verdict.ERROR,
    )


CHECKS = (Check(RETENTION, retention), Check(ACCESS, access_control))
