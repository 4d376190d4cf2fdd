"""The console's JSON API: bearer token, exact shapes of the contract, search and paging."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import soundfile

from tests.demo.platform_b.conftest import (
    COMPLAINT,
    TOKEN,
    Client,
    ClientFactory,
    add_call,
    ago,
)

AUTH = {"Authorization": f"Bearer {TOKEN}"}
RECORDING_KEYS = {"callId", "caller", "callee", "agentId", "startTime", "duration", "fileUrl"}
CDR_KEYS = {
    "callId",
    "callDate",
    "src",
    "dst",
    "disposition",
    "billsec",
    "screenResult",
    "agentId",
    "recordFile",
}
ORDER_KEYS = {"orderNo", "phone", "createdAt", "recordUrl", "deadline", "status"}
API_PATHS = (
    "/api/v1/recordings",
    "/api/v1/recordings/1.1/file",
    "/api/v1/cdr",
    "/api/v1/settings",
    "/api/v2/work-orders",
)


async def test_every_api_route_needs_the_bearer_token(client: Client) -> None:
    """Without the token, or with a wrong one, every API route answers 401
    ``{"code":401,"msg":"unauthorized"}``."""
    for path in API_PATHS:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            resp = await client.get(path, headers=headers)
            assert resp.status == 401, (path, headers)
            assert await resp.json() == {"code": 401, "msg": "unauthorized"}
    resp = await client.get("/api/v1/settings", headers=AUTH)
    assert resp.status == 200


async def test_api_open_when_the_fault_switch_is_off(make_client: ClientFactory) -> None:
    """With api_requires_token false the API answers without a token (the injected fault)."""
    async with make_client(api_requires_token=False) as client:
        resp = await client.get("/api/v1/settings")
        assert resp.status == 200
        assert await resp.json() == {"code": 0, "data": {"recordingRetentionDays": 180}}


async def test_recordings_search_shape_window_and_paging(
    client: Client, dsn: str, recording_root: Path
) -> None:
    """/api/v1/recordings lists recorded calls whose file exists, phone as caller or callee,
    within the Beijing-time window, newest first, in the contract's exact shape, paged."""
    add_call(dsn, recording_root, "3000.1", when=ago(hours=3), src="13800138000", billsec=12)
    add_call(dsn, recording_root, "3000.2", when=ago(hours=2), src="02586660000", dst="13800138000")
    add_call(dsn, recording_root, "3000.3", when=ago(hours=1), src="13800138000", with_file=False)
    add_call(dsn, None, "3000.4", when=ago(hours=1), src="13800138000", disposition="NO ANSWER")
    add_call(dsn, recording_root, "3000.5", when=ago(minutes=30), src="13911112222")

    resp = await client.get("/api/v1/recordings", params={"phone": "13800138000"}, headers=AUTH)
    body = await resp.json()
    assert resp.status == 200
    assert set(body) == {"code", "data"} and body["code"] == 0
    assert set(body["data"]) == {"total", "list"}
    assert body["data"]["total"] == 2
    first, second = body["data"]["list"]
    assert set(first) == RECORDING_KEYS
    assert second == {
        "callId": "3000.1",
        "caller": "13800138000",
        "callee": "955088",
        "agentId": "100101",
        "startTime": "2026-12-07 13:21:03",
        "duration": 12,
        "fileUrl": "/api/v1/recordings/3000.1/file",
    }
    assert first["callId"] == "3000.2" and first["callee"] == "13800138000"

    window = {"start": "2026-12-07 14:00:00", "end": "2026-12-07 16:00:00"}
    resp = await client.get("/api/v1/recordings", params=window, headers=AUTH)
    assert [r["callId"] for r in (await resp.json())["data"]["list"]] == ["3000.5", "3000.2"]

    resp = await client.get("/api/v1/recordings", params={"page": "2", "size": "1"}, headers=AUTH)
    paged = (await resp.json())["data"]
    assert paged["total"] == 3 and [r["callId"] for r in paged["list"]] == ["3000.2"]

    for bad in ({"start": "2026/12/07"}, {"page": "0"}, {"size": "100000"}):
        resp = await client.get("/api/v1/recordings", params=bad, headers=AUTH)
        assert resp.status == 400
        assert (await resp.json())["code"] == 400


async def test_recording_file_is_the_wav(client: Client, dsn: str, recording_root: Path) -> None:
    """/api/v1/recordings/{callId}/file returns the WAV as audio/wav; a missing one is 404 JSON."""
    record_file = add_call(dsn, recording_root, "3100.1", when=ago(minutes=5))
    resp = await client.get("/api/v1/recordings/3100.1/file", headers=AUTH)
    body = await resp.read()
    assert resp.status == 200 and resp.headers["Content-Type"] == "audio/wav"
    assert body == (recording_root / record_file).read_bytes()
    assert soundfile.info(io.BytesIO(body)).channels == 2
    resp = await client.get("/api/v1/recordings/nope/file", headers=AUTH)
    assert resp.status == 404 and await resp.json() == {"code": 404, "msg": "recording not found"}


async def test_cdr_shape(client: Client, dsn: str, recording_root: Path) -> None:
    """/api/v1/cdr lists every matching row (recorded or not) in the contract's exact shape."""
    record_file = add_call(dsn, recording_root, "3200.1", when=ago(hours=1), screen="INTL_FORMAT")
    add_call(dsn, None, "3200.2", when=ago(minutes=10), disposition="NO ANSWER", billsec=0, agent="")
    resp = await client.get("/api/v1/cdr", params={"phone": "955088"}, headers=AUTH)
    body = await resp.json()
    assert set(body) == {"code", "data"} and body["code"] == 0
    assert [set(row) for row in body["data"]] == [CDR_KEYS, CDR_KEYS]
    assert body["data"][1] == {
        "callId": "3200.1",
        "callDate": "2026-12-07 15:21:03",
        "src": "13800138000",
        "dst": "955088",
        "disposition": "ANSWERED",
        "billsec": 12,
        "screenResult": "INTL_FORMAT",
        "agentId": "100101",
        "recordFile": record_file,
    }
    assert body["data"][0]["recordFile"] == "" and body["data"][0]["disposition"] == "NO ANSWER"


async def test_settings_shape_follows_the_web_setting(client: Client) -> None:
    """/api/v1/settings shows the retention days the settings page stores."""
    resp = await client.get("/api/v1/settings", headers=AUTH)
    assert await resp.json() == {"code": 0, "data": {"recordingRetentionDays": 180}}
    from tests.demo.platform_b.conftest import login

    assert await login(client) == 302
    await client.post("/settings", data={"retention_days": "365"})
    resp = await client.get("/api/v1/settings", headers=AUTH)
    assert await resp.json() == {"code": 0, "data": {"recordingRetentionDays": 365}}


async def _orders(client: Client, **params: str) -> dict[str, object]:
    resp = await client.get("/api/v2/work-orders", params=params, headers=AUTH)
    assert resp.status == 200
    body: dict[str, object] = await resp.json()
    return body


async def _wait_orders(client: Client, count: int) -> dict[str, object]:
    async with asyncio.timeout(10):
        while True:
            body = await _orders(client)
            if body["total"] == count:
                return body
            await asyncio.sleep(0.1)


async def test_work_order_made_from_a_complaint_call(client: Client, dsn: str, recording_root: Path) -> None:
    """An answered, recorded call to the complaint line becomes one work order (exact shape,
    GD + Beijing date + sequence, the caller's number, deadline 15 days later); other calls do not."""
    add_call(dsn, recording_root, "4000.1", when=ago(minutes=2), dst=COMPLAINT, src="13800138000")
    add_call(dsn, recording_root, "4000.2", when=ago(minutes=2), dst="955088")
    add_call(dsn, None, "4000.3", when=ago(minutes=2), dst=COMPLAINT, disposition="NO ANSWER")
    add_call(dsn, recording_root, "4000.4", when=ago(minutes=1), dst=COMPLAINT, src="051266661234")
    body = await _wait_orders(client, 2)
    assert set(body) == {"total", "items"}
    items = body["items"]
    assert isinstance(items, list)
    assert [set(item) for item in items] == [ORDER_KEYS, ORDER_KEYS]
    by_phone = {item["phone"]: item for item in items}
    assert by_phone["13800138000"] == {
        "orderNo": "GD202612070001",
        "phone": "13800138000",
        "createdAt": "2026-12-07 16:21:03",
        "recordUrl": "/api/v1/recordings/4000.1/file",
        "deadline": "2026-12-22 16:21:03",
        "status": "pending",
    }
    assert by_phone["051266661234"]["orderNo"] == "GD202612070002"
    await asyncio.sleep(0.3)
    assert (await _orders(client))["total"] == 2, "no duplicate orders on later sync rounds"

    filtered = await _orders(client, phone="13800138000")
    assert filtered["total"] == 1
    assert (await _orders(client, since="2026-12-07 16:21:03"))["total"] == 2
    assert (await _orders(client, since="2026-12-07 16:21:04"))["total"] == 0
    resp = await client.get("/api/v2/work-orders", params={"since": "soon"}, headers=AUTH)
    assert resp.status == 400


async def test_work_order_without_phone_when_the_fault_switch_is_off(
    make_client: ClientFactory, dsn: str, recording_root: Path
) -> None:
    """With orders_include_phone false the order is made but its phone is empty (the injected fault)."""
    async with make_client(orders_include_phone=False) as client:
        add_call(dsn, recording_root, "4100.1", when=ago(minutes=2), dst=COMPLAINT)
        body = await _wait_orders(client, 1)
        items = body["items"]
        assert isinstance(items, list)
        assert items[0]["phone"] == ""
        assert items[0]["recordUrl"] == "/api/v1/recordings/4100.1/file"
        assert (await _orders(client, phone="13800138000"))["total"] == 0


async def test_orders_page_lists_work_orders(client: Client, dsn: str, recording_root: Path) -> None:
    """The work-order page shows the order number and the caller."""
    add_call(dsn, recording_root, "4200.1", when=ago(minutes=2), dst=COMPLAINT, src="13800138000")
    await _wait_orders(client, 1)
    from tests.demo.platform_b.conftest import login

    assert await login(client) == 302
    html = await (await client.get("/orders")).text()
    assert "GD202612070001" in html and "13800138000" in html and "待处理" in html


async def test_unknown_api_route_is_json_404(client: Client) -> None:
    """An unknown API path answers the vendor's JSON error shape."""
    resp = await client.get("/api/v1/nothing", headers=AUTH)
    assert resp.status == 404
    assert await resp.json() == {"code": 404, "msg": "not found"}
