"""Alert summary (schema ccinspect.nightly-alert/1) and webhook delivery against a local server."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from aiohttp import web
from aiohttp.test_utils import TestServer

from ccinspect.core.sla import OverdueTicket
from ccinspect.core.verdict import CheckResult, Text, Verdict
from ccinspect.nightly.alerts import SCHEMA, AlertSummary, build_summary, post_webhook

T = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def check(check_id: str, verdict: Verdict, reason: str = "why") -> CheckResult:
    """A check result with just an id, a verdict and a reason."""
    return CheckResult(
        check_id, ("R5",), Text(check_id, check_id), verdict, Text(reason, f"{reason}（中文）")
    )


def summary() -> AlertSummary:
    """A summary with one regression, one missing canary and one SLA breach."""
    return build_summary(
        run_id="run-2",
        time=T,
        target="demo",
        current=[
            check("recording.complete", Verdict.FAIL, "truncated"),
            check("seats.registered", Verdict.PASS),
        ],
        previous=[("recording.complete", Verdict.PASS), ("seats.registered", Verdict.PASS)],
        previous_run_id="run-1",
        missing_canaries=["outbound-8004"],
        overdue=[OverdueTicket(100007, "138****8000", T, 17.24, "open")],
    )


def test_summary_json_follows_the_documented_schema() -> None:
    """Known answer: the JSON an on-call relay receives, reasons bilingual, callers masked."""
    assert summary().to_json() == {
        "schema": SCHEMA,
        "run_id": "run-2",
        "previous_run_id": "run-1",
        "time": "2026-11-30T02:00:00+00:00",
        "target": "demo",
        "verdict": "fail",
        "alert": True,
        "regressions": [
            {
                "check": "recording.complete",
                "previous": "pass",
                "current": "fail",
                "reason": {"en": "truncated", "zh": "truncated（中文）"},
            }
        ],
        "missing_canaries": ["outbound-8004"],
        "sla_breaches": [{"ticket": 100007, "caller": "138****8000", "age_days": 17.2}],
        "text": {
            "en": "ccinspect nightly demo: FAIL: 1 regressed (recording.complete); 1 canaries missing; "
            "1 complaints unanswered > 15 d",
            "zh": "ccinspect 夜间巡检 demo：FAIL：1 项退化（recording.complete）；1 个探测呼叫缺失；"
            "1 件投诉超期未答复",
        },
    }


def test_a_first_run_has_no_regressions_and_a_quiet_run_no_alert() -> None:
    """Without a previous run nothing can regress; a run with nothing to act on does not alert."""
    first = build_summary(run_id="r", time=T, target="demo", current=[check("a", Verdict.FAIL)])
    assert (first.regressions, first.verdict, first.alert) == ((), Verdict.FAIL, False)
    assert first.text().en == "ccinspect nightly demo: FAIL, no regression"


@asynccontextmanager
async def webhook(
    statuses: list[int], *, delay_s: float = 0.0, headers: dict[str, str] | None = None
) -> AsyncIterator[tuple[str, list[dict[str, object]]]]:
    """A local webhook answering ``statuses`` in turn (then 200); yields its URL and the bodies."""
    bodies: list[dict[str, object]] = []

    async def hook(request: web.Request) -> web.Response:
        bodies.append(json.loads(await request.read()))
        if delay_s:
            await asyncio.sleep(delay_s)
        status = statuses.pop(0) if statuses else 200
        return web.Response(status=status, headers=headers if status != 200 else None)

    app = web.Application()
    app.router.add_post("/hook/{token}", hook)
    async with TestServer(app) as server:
        yield str(server.make_url("/hook/secret-token")), bodies


async def test_delivered_on_first_try() -> None:
    """A 2xx answer delivers the summary JSON in one attempt."""
    async with webhook([204]) as (url, bodies):
        result = await post_webhook(url, summary())
    assert (result.delivered, result.attempts, result.status, result.error) == (True, 1, 204, None)
    assert bodies == [summary().to_json()]


async def test_a_500_is_retried_with_backoff_then_delivered() -> None:
    """5xx is transient: retried after the backoff, delivered on the second attempt."""
    async with webhook([500]) as (url, bodies):
        result = await post_webhook(url, summary(), backoff_s=0.01)
    assert (result.delivered, result.attempts, result.status) == (True, 2, 200)
    assert result.log == ("attempt 1: 500", "attempt 2: 200")
    assert len(bodies) == 2


async def test_retry_after_is_honoured() -> None:
    """A 429 with Retry-After: 0 is retried at once rather than after the (long) backoff."""
    async with webhook([429], headers={"Retry-After": "0"}) as (url, _):
        result = await post_webhook(url, summary(), backoff_s=20)
    assert (result.delivered, result.attempts) == (True, 2)
    assert result.elapsed_s < 10


async def test_a_webhook_that_never_answers_times_out_every_attempt() -> None:
    """Each attempt is bounded by the timeout; after 1 + retries attempts it gives up, no exception."""
    async with webhook([], delay_s=2.0) as (url, _):
        result = await post_webhook(url, summary(), retries=1, timeout=0.2, backoff_s=0.01)
    assert (result.delivered, result.attempts, result.status) == (False, 2, None)
    assert result.error is not None
    assert result.error.endswith("did not answer within 0.2 s")


async def test_connection_refused_is_reported_not_raised() -> None:
    """Nothing listening: every attempt fails to connect, the result says so."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = await post_webhook(f"http://127.0.0.1:{port}/hook", summary(), retries=2, backoff_s=0.01)
    assert (result.delivered, result.attempts, result.status) == (False, 3, None)
    assert result.log == tuple(f"attempt {i}: ClientConnectorError" for i in (1, 2, 3))


async def test_a_404_is_not_retried_and_the_token_is_not_echoed() -> None:
    """A wrong URL is not transient: one attempt; the result names only scheme and host."""
    async with webhook([404]) as (url, _):
        result = await post_webhook(url, summary())
    assert (result.delivered, result.attempts, result.status) == (False, 1, 404)
    assert "secret-token" not in repr(result)
    assert result.endpoint.startswith("http://127.0.0.1:")


async def test_an_invalid_url_is_a_result_too() -> None:
    """A malformed URL does not raise either."""
    result = await post_webhook("not a url", summary(), retries=0)
    assert (result.delivered, result.attempts) == (False, 1)
    assert result.error is not None
