"""Facts and verdicts to rows and back. Pure functions: no session, no queries.

Round trip promise: ``call_fact(call_row(fact, 0)) == fact`` and
``check_result(check_row(result, 0)) == result`` for every fact and result the core can make.
"""

from __future__ import annotations

from ccinspect.core.facts import AudioFact, CallFact, LegFact, RecordingFact, SipMessageFact
from ccinspect.core.verdict import CheckResult, SubjectResult, Text
from ccinspect.store.models import CallRow, CheckRow, LegRow, MessageRow, RecordingRow, SubjectRow
from ccinspect.store.results import CallSummary, LegSummary


def _text(en: str | None, zh: str | None) -> Text | None:
    return None if en is None or zh is None else Text(en, zh)


def call_row(fact: CallFact, position: int) -> CallRow:
    """A call and its legs and SIP messages as new rows (not yet in a session)."""
    return CallRow(
        position=position,
        key=fact.key,
        purpose=fact.purpose,
        requested_number=fact.requested_number,
        caller_number_sent=fact.caller_number_sent,
        started_at=fact.started_at,
        ended_at=fact.ended_at,
        harness_error=fact.harness_error,
        legs=[_leg_row(leg, i) for i, leg in enumerate(fact.legs)],
    )


def _leg_row(leg: LegFact, position: int) -> LegRow:
    audio = leg.audio
    return LegRow(
        position=position,
        agent=leg.agent,
        role=leg.role,
        sip_call_id=leg.sip_call_id,
        final_status=leg.final_status,
        final_reason=leg.final_reason,
        answered=leg.answered,
        connected_at=leg.connected_at,
        disconnected_at=leg.disconnected_at,
        invite=leg.invite,
        own_fingerprint=audio.own_fingerprint if audio else None,
        far_fingerprint=audio.far_fingerprint if audio else None,
        far_found=audio.far_found if audio else None,
        far_level_dbfs=audio.far_level_dbfs if audio else None,
        far_delay_s=audio.far_delay_s if audio else None,
        silence_share=audio.silence_share if audio else None,
        audio_duration_s=audio.duration_s if audio else None,
        rtcp_loss=leg.rtcp_loss,
        rtcp_jitter_ms=leg.rtcp_jitter_ms,
        error=leg.error,
        messages=[
            MessageRow(position=i, at=m.at, direction=m.direction, agent=m.agent, text=m.text)
            for i, m in enumerate(leg.messages)
        ],
    )


def call_fact(row: CallRow) -> CallFact:
    """The :class:`CallFact` a call row (with legs and messages loaded) was made from."""
    return CallFact(
        key=row.key,
        purpose=row.purpose,
        legs=tuple(_leg_fact(leg) for leg in row.legs),
        requested_number=row.requested_number,
        caller_number_sent=row.caller_number_sent,
        started_at=row.started_at,
        ended_at=row.ended_at,
        harness_error=row.harness_error,
    )


def _leg_fact(row: LegRow) -> LegFact:
    audio = None
    if (
        row.own_fingerprint is not None
        and row.far_fingerprint is not None
        and row.far_found is not None
        and row.silence_share is not None
        and row.audio_duration_s is not None
    ):
        audio = AudioFact(
            own_fingerprint=row.own_fingerprint,
            far_fingerprint=row.far_fingerprint,
            far_found=row.far_found,
            far_level_dbfs=row.far_level_dbfs,
            far_delay_s=row.far_delay_s,
            silence_share=row.silence_share,
            duration_s=row.audio_duration_s,
        )
    return LegFact(
        agent=row.agent,
        role=row.role,
        sip_call_id=row.sip_call_id,
        final_status=row.final_status,
        final_reason=row.final_reason,
        answered=row.answered,
        connected_at=row.connected_at,
        disconnected_at=row.disconnected_at,
        invite=row.invite,
        messages=tuple(SipMessageFact(m.at, m.direction, m.agent, m.text) for m in row.messages),
        audio=audio,
        rtcp_loss=row.rtcp_loss,
        rtcp_jitter_ms=row.rtcp_jitter_ms,
        error=row.error,
    )


def call_summary(row: CallRow) -> CallSummary:
    """A call row (legs and messages loaded) as a summary."""
    return CallSummary(
        key=row.key,
        purpose=row.purpose,
        requested_number=row.requested_number,
        caller_number_sent=row.caller_number_sent,
        started_at=row.started_at,
        ended_at=row.ended_at,
        harness_error=row.harness_error,
        legs=tuple(
            LegSummary(
                leg.agent,
                leg.role,
                leg.final_status,
                leg.final_reason,
                leg.answered,
                leg.far_found,
                leg.error,
            )
            for leg in row.legs
        ),
        messages=sum(len(leg.messages) for leg in row.legs),
    )


def check_row(result: CheckResult, position: int) -> CheckRow:
    """A check result and its subjects as new rows."""
    return CheckRow(
        position=position,
        check_id=result.check_id,
        requirements=list(result.requirements),
        title_en=result.title.en,
        title_zh=result.title.zh,
        verdict=result.verdict,
        reason_en=result.reason.en,
        reason_zh=result.reason.zh,
        remedy_en=result.remedy.en if result.remedy else None,
        remedy_zh=result.remedy.zh if result.remedy else None,
        evidence_used_en=result.evidence_used.en if result.evidence_used else None,
        evidence_used_zh=result.evidence_used.zh if result.evidence_used else None,
        subjects=[
            SubjectRow(
                position=i,
                subject=s.subject,
                verdict=s.verdict,
                reason_en=s.reason.en,
                reason_zh=s.reason.zh,
                remedy_en=s.remedy.en if s.remedy else None,
                remedy_zh=s.remedy.zh if s.remedy else None,
                evidence=list(s.evidence),
            )
            for i, s in enumerate(result.subjects)
        ],
    )


def check_result(row: CheckRow) -> CheckResult:
    """The :class:`CheckResult` a check row (with subjects loaded) was made from."""
    return CheckResult(
        check_id=row.check_id,
        requirements=tuple(row.requirements),
        title=Text(row.title_en, row.title_zh),
        verdict=row.verdict,
        reason=Text(row.reason_en, row.reason_zh),
        remedy=_text(row.remedy_en, row.remedy_zh),
        subjects=tuple(
            SubjectResult(
                s.subject,
                s.verdict,
                Text(s.reason_en, s.reason_zh),
                _text(s.remedy_en, s.remedy_zh),
                tuple(s.evidence),
            )
            for s in row.subjects
        ),
        evidence_used=_text(row.evidence_used_en, row.evidence_used_zh),
    )


def recording_row(fact: RecordingFact, position: int) -> RecordingRow:
    """A recording fact as a new row."""
    return RecordingRow(
        position=position,
        call_key=fact.call_key,
        name=fact.name,
        source=fact.source,
        fetched=fact.fetched,
        fetch_status=fact.fetch_status,
        duration_s=fact.duration_s,
        expected_duration_s=fact.expected_duration_s,
        fingerprints=[[fid, found] for fid, found in fact.fingerprints],
        decode_error=fact.decode_error,
        error=fact.error,
    )


def recording_fact(row: RecordingRow) -> RecordingFact:
    """The :class:`RecordingFact` a recording row was made from."""
    return RecordingFact(
        call_key=row.call_key,
        name=row.name,
        source=row.source,
        fetched=row.fetched,
        fetch_status=row.fetch_status,
        duration_s=row.duration_s,
        expected_duration_s=row.expected_duration_s,
        fingerprints=tuple((int(fid), bool(found)) for fid, found in row.fingerprints),
        decode_error=row.decode_error,
        error=row.error,
    )
