"""AX through the HTTP layer."""

from __future__ import annotations

import pytest

from pns_mock.mockserver.http import Engine

from .helpers import AX, AX_CALLEE, A, B, ax_client, make_engine

X = "+8617010000101"


@pytest.fixture
def engine() -> Engine:
    return make_engine()


def test_bind_with_private_num_returns_the_pair_and_a_subscription(engine: Engine) -> None:
    r = ax_client(engine).call("POST", AX, json={"origNum": A, "privateNum": X})
    body = r.json()
    assert (r.status, body["resultcode"], body["origNum"], body["privateNum"]) == (200, "0", A, X)


def test_bind_by_area_code_needs_private_num_type(engine: Engine) -> None:
    client = ax_client(engine)
    refused = client.call("POST", AX, json={"origNum": A, "areaCode": "020"})
    assert refused.json()["resultcode"] == "1010002"
    ok = client.call("POST", AX, json={"origNum": A, "areaCode": "020", "privateNumType": "mobile-virtual"})
    assert ok.json()["privateNum"] == "+8616510000101"


def test_one_a_per_x(engine: Engine) -> None:
    client = ax_client(engine)
    client.call("POST", AX, json={"origNum": A, "privateNum": X})
    r = client.call("POST", AX, json={"origNum": B, "privateNum": X})
    assert r.json()["resultcode"] == "1011005"


def test_query_precedence_and_unbind(engine: Engine) -> None:
    client = ax_client(engine)
    sid = client.call("POST", AX, json={"origNum": A, "privateNum": X}).json()["subscriptionId"]
    by_orig = client.call("GET", AX, query={"origNum": A}).json()
    assert by_orig["privateNumList"][0]["subscriptionId"] == sid
    assert by_orig["privateNumList"][0]["privateNumType"] == "mobile-virtual"
    assert client.call("DELETE", AX, query={"origNum": B, "privateNum": X}).json()["resultcode"] == "0"
    assert client.call("GET", AX, query={"subscriptionId": sid}).json()["resultcode"] == "1016001"


def test_set_temporary_callee_on_a_binding(engine: Engine) -> None:
    client = ax_client(engine)
    sid = client.call("POST", AX, json={"origNum": A, "privateNum": X}).json()["subscriptionId"]
    r = client.call("PUT", AX_CALLEE, json={"subscriptionId": sid, "calleeNum": B})
    assert r.json()["resultcode"] == "0"
    assert engine.platform.backend("demo-ax").binding(sid).temporary_callee == B


def test_modify_changes_max_duration(engine: Engine) -> None:
    client = ax_client(engine)
    client.call("POST", AX, json={"origNum": A, "privateNum": X})
    assert client.call("PUT", AX, json={"privateNum": X, "maxDuration": 30}).json()["resultcode"] == "0"
    assert client.call("GET", AX, query={"privateNum": X}).json()["privateNumList"][0]["maxDuration"] == 30


def test_temporary_callee_lapses_after_its_duration(engine: Engine) -> None:
    client = ax_client(engine)
    sid = client.call("POST", AX, json={"origNum": A, "privateNum": X}).json()["subscriptionId"]
    client.call("PUT", AX_CALLEE, json={"subscriptionId": sid, "calleeNum": B, "duration": 120})
    binding = engine.platform.backend("demo-ax").binding(sid)
    clock = engine.platform.clock
    assert binding.current_callee(clock.now() + 119) == B
    assert binding.current_callee(clock.now() + 120) is None


def test_temporary_callee_defaults_to_sixty_seconds(engine: Engine) -> None:
    client = ax_client(engine)
    sid = client.call("POST", AX, json={"origNum": A, "privateNum": X}).json()["subscriptionId"]
    client.call("PUT", AX_CALLEE, json={"subscriptionId": sid, "calleeNum": B})
    binding = engine.platform.backend("demo-ax").binding(sid)
    assert binding.current_callee(engine.platform.clock.now() + 59) == B
    assert binding.current_callee(engine.platform.clock.now() + 60) is None
