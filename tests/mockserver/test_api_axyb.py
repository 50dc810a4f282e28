"""AXYB through the HTTP layer: app_key in the query string, two-step bind."""

from __future__ import annotations

import pytest

from pns_mock import spec
from pns_mock.mockserver.http import HANDLERS, Engine

from .helpers import AXYB, A, B, axyb_client, make_engine


@pytest.fixture
def engine() -> Engine:
    return make_engine()


KEY = {"app_key": "demo-axyb"}


def test_two_step_bind_returns_x_then_y_and_query_lists_the_relation(engine: Engine) -> None:
    client = axyb_client(engine)
    ax = client.call("POST", AXYB, query=KEY, json={"origNum": A, "areaCode": "0755"}).json()
    assert ax["resultcode"] == "0"
    yb = client.call(
        "POST", AXYB, query=KEY, json={"subscriptionId": ax["subscriptionId"], "origNum": B}
    ).json()
    assert yb["resultcode"] == "0"
    assert yb["relationNumber"] != ax["relationNumber"]
    listed = client.call("GET", AXYB, query={**KEY, "subscriptionId": ax["subscriptionId"]}).json()
    item = listed["xyRelationNumList"][0]
    assert (item["numA"], item["numX"], item["numY"], item["numB"]) == (
        A,
        ax["relationNumber"],
        yb["relationNumber"],
        B,
    )
    assert item["duration"] == "7200"


def test_app_key_in_the_query_must_be_the_signing_application(engine: Engine) -> None:
    r = axyb_client(engine).call("POST", AXYB, query={"app_key": "demo-axb"}, json={"origNum": A})
    assert r.json()["resultcode"] == "1010003"


def test_app_key_is_required(engine: Engine) -> None:
    r = axyb_client(engine).call("POST", AXYB, json={"origNum": A})
    assert r.json()["resultcode"] == "1010002"


def test_duration_accepts_integer_or_numeric_string_and_expires(engine: Engine) -> None:
    client = axyb_client(engine)
    sid = client.call("POST", AXYB, query=KEY, json={"origNum": A, "duration": "60"}).json()["subscriptionId"]
    engine.platform.clock.advance(60)
    assert client.call("GET", AXYB, query={**KEY, "subscriptionId": sid}).json()["resultcode"] == "1016001"


def test_unbind_yb_only_keeps_the_ax_binding(engine: Engine) -> None:
    client = axyb_client(engine)
    sid = client.call("POST", AXYB, query=KEY, json={"origNum": A}).json()["subscriptionId"]
    client.call("POST", AXYB, query=KEY, json={"subscriptionId": sid, "origNum": B})
    assert (
        client.call("DELETE", AXYB, query={**KEY, "subscriptionId": sid, "bNum": B}).json()["resultcode"]
        == "0"
    )
    item = client.call("GET", AXYB, query={**KEY, "subscriptionId": sid}).json()["xyRelationNumList"][0]
    assert "numB" not in item
    assert client.call("DELETE", AXYB, query={**KEY, "subscriptionId": sid}).json()["resultcode"] == "0"
    assert client.call("GET", AXYB, query={**KEY, "subscriptionId": sid}).json()["resultcode"] == "1016001"


def test_every_operation_of_the_spec_has_exactly_one_handler() -> None:
    assert set(HANDLERS) == set(spec.load().operations)
