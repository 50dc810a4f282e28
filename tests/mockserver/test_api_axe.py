"""AXE through the HTTP layer."""

from __future__ import annotations

import pytest

from pns_mock.mockserver.http import Engine

from .helpers import AXE, AXE_V2, A, B, axe_client, make_engine

X = "+8617010000201"
E1 = {"virtualNum": X, "extendNum": "0001"}


@pytest.fixture
def engine() -> Engine:
    return make_engine()


def test_bind_allocates_the_lowest_free_extension_padded_to_the_application_length(engine: Engine) -> None:
    r = axe_client(engine).call("POST", AXE, json={"bindNum": A, "virtualNum": X})
    body = r.json()
    assert (r.status, body["resultcode"], body["virtualNum"], body["extendNum"]) == (200, "0", X, "0001")


def test_a_requested_extension_is_honoured_once(engine: Engine) -> None:
    client = axe_client(engine)
    assert (
        client.call("POST", AXE, json={"bindNum": A, "virtualNum": X, "extendNum": "0042"}).json()[
            "extendNum"
        ]
        == "0042"
    )
    again = client.call("POST", AXE, json={"bindNum": B, "virtualNum": X, "extendNum": "0042"})
    assert (again.status, again.json()["resultcode"]) == (403, "1016002")


def test_callback_tone_and_callback_num_together_are_1010002(engine: Engine) -> None:
    body = {"bindNum": A, "virtualNum": X, "callbackTone": "t.wav", "callbackNum": B}
    assert axe_client(engine).call("POST", AXE, json=body).json()["resultcode"] == "1010002"


def test_lifetime_in_minutes_expires_on_the_virtual_clock(engine: Engine) -> None:
    client = axe_client(engine)
    sid = client.call(
        "POST", AXE, json={"bindNum": A, "virtualNum": X, "timeUnit": "1", "bindExpiredTime": 2}
    ).json()["subscriptionId"]
    engine.platform.clock.advance(119)
    assert client.call("GET", AXE, query={"subscriptionId": sid}).json()["bindNum"] == A
    engine.platform.clock.advance(1)
    assert client.call("GET", AXE, query={"subscriptionId": sid}).json()["resultcode"] == "1016001"


def test_query_v1_by_x_and_extension_is_a_flat_object(engine: Engine) -> None:
    client = axe_client(engine)
    client.call("POST", AXE, json={"bindNum": A, "virtualNum": X, "recordFlag": True})
    found = client.call("GET", AXE, query={"virtualNum": X, "extendNum": "0001"}).json()
    assert (found["bindNum"], found["recordFlag"], found["timeUnit"]) == (A, "true", "0")


def test_query_v2_pages_with_a_cursor(engine: Engine) -> None:
    client = axe_client(engine)
    for i in range(5):
        client.call("POST", AXE, json={"bindNum": f"+8613800000{i:03d}", "virtualNum": X})
    first = client.call("GET", AXE_V2, query={"virtualNum": X, "limit": 2}).json()
    assert [b["extendNum"] for b in first["extendNumList"]] == ["0001", "0002"]
    second = client.call(
        "GET", AXE_V2, query={"virtualNum": X, "limit": 2, "cursor": first["nextCursor"]}
    ).json()
    assert [b["extendNum"] for b in second["extendNumList"]] == ["0003", "0004"]


def test_malformed_cursor_is_1010002(engine: Engine) -> None:
    r = axe_client(engine).call("GET", AXE_V2, query={"virtualNum": X, "cursor": "abc"})
    assert r.json()["resultcode"] == "1010002"


def test_modify_and_unbind_by_x_and_extension(engine: Engine) -> None:
    client = axe_client(engine)
    client.call("POST", AXE, json={"bindNum": A, "virtualNum": X})
    r = client.call("PUT", AXE, json={"virtualNum": X, "extendNum": "0001", "callbackNum": B})
    assert r.json()["resultcode"] == "0"
    assert client.call("GET", AXE, query={"virtualNum": X, "extendNum": "0001"}).json()["callbackNum"] == B
    assert (
        client.call("DELETE", AXE, query={"virtualNum": X, "extendNum": "0001"}).json()["resultcode"] == "0"
    )
    assert (
        client.call("DELETE", AXE, query={"virtualNum": X, "extendNum": "0001"}).json()["resultcode"]
        == "1016001"
    )


def test_recording_needs_the_application_to_record(engine: Engine) -> None:
    engine.platform.app("demo-axe").recording = False
    r = axe_client(engine).call("POST", AXE, json={"bindNum": A, "virtualNum": X, "recordFlag": "true"})
    assert r.json()["resultcode"] == "1012012"
