"""The vendor's documented rules, each checked in-process and over a real socket.

Every rule here is one a customer's code would meet on the live platform; the spec says where
the vendor states it (`x-pns-source`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .fidelity import Api, InProcess, OverSocket
from .helpers import AX, AX_CALLEE, AXB, AXE, A, B, C
from .serving import serve

AXB_X = "+8617010000001"


@pytest.fixture(scope="module")
def server() -> Iterator[OverSocket]:
    with serve("--frozen-clock") as base:
        yield OverSocket(base)


@pytest.fixture(params=["in-process", "socket"])
def api(request: pytest.FixtureRequest) -> Api:
    if request.param == "in-process":
        return InProcess()
    over: OverSocket = request.getfixturevalue("server")
    over.reset()
    return over


# Nonce: 1 to 128 digits and letters


@pytest.mark.parametrize(
    ("method", "path", "query", "json"),
    [
        ("POST", AXB, None, {"callerNum": A, "calleeNum": B, "relationNum": AXB_X}),
        ("GET", AXB, {"relationNum": AXB_X}, None),
    ],
)
def test_a_nonce_of_129_characters_is_refused_as_no_usable_nonce(
    api: Api, method: str, path: str, query: dict[str, str] | None, json: dict[str, str] | None
) -> None:
    r = api.call("demo-axb", method, path, query=query, json=json, nonce="a" * 129)
    assert (r.status, r.code) == (400, "1023035")
    assert "129 characters" in r.problem and "1 to 128" in r.problem


def test_a_nonce_of_128_characters_is_accepted(api: Api) -> None:
    bind = {"callerNum": A, "calleeNum": B, "relationNum": AXB_X}
    assert api.call("demo-axb", "POST", AXB, json=bind, nonce="Z9" * 64).code == "0"


def test_a_nonce_with_dashes_is_refused(api: Api) -> None:
    r = api.call("demo-axb", "GET", AXB, query={"relationNum": AXB_X}, nonce="66c92b11-ff8a-425f")
    assert r.code == "1023035"
    assert "not only digits and letters" in r.problem


# userData: printable ASCII, no braces on bind; no "^" either on modify

AX_X = "+8617010000101"
BINDS = [
    ("demo-axb", AXB, {"callerNum": A, "calleeNum": B, "relationNum": AXB_X}),
    ("demo-ax", AX, {"origNum": A, "privateNum": AX_X}),
    ("demo-axe", AXE, {"bindNum": A, "virtualNum": "+8617010000201"}),
]


@pytest.mark.parametrize(("app_key", "path", "body"), BINDS, ids=["AXB", "AX", "AXE"])
@pytest.mark.parametrize("user_data", ["订单", "a{b}", "tab\there"])
def test_bind_refuses_user_data_with_chinese_braces_or_control_characters(
    api: Api, app_key: str, path: str, body: dict[str, str], user_data: str
) -> None:
    r = api.call(app_key, "POST", path, json={**body, "userData": user_data})
    assert (r.status, r.code) == (403, "1010002")
    assert "userData" in r.problem and "no Chinese characters" in r.problem


@pytest.mark.parametrize(("app_key", "path", "body"), BINDS, ids=["AXB", "AX", "AXE"])
def test_bind_keeps_a_caret_and_base64_text(api: Api, app_key: str, path: str, body: dict[str, str]) -> None:
    assert api.call(app_key, "POST", path, json={**body, "userData": "a^b 6K6i5Y2V=="}).code == "0"


def _bound(api: Api, app_key: str, path: str, body: dict[str, Any]) -> str:
    r = api.call(app_key, "POST", path, json=body)
    assert r.code == "0"
    return str(r.body["subscriptionId"])


@pytest.mark.parametrize(("app_key", "path", "body"), [BINDS[0], BINDS[1]], ids=["AXB modify", "AX modify"])
@pytest.mark.parametrize("user_data", ["a^b", "订单", "{}"])
def test_modify_refuses_user_data_with_a_caret_braces_or_chinese(
    api: Api, app_key: str, path: str, body: dict[str, str], user_data: str
) -> None:
    sid = _bound(api, app_key, path, body)
    r = api.call(app_key, "PUT", path, json={"subscriptionId": sid, "userData": user_data})
    assert (r.status, r.code) == (403, "1010002")
    assert "userData" in r.problem


@pytest.mark.parametrize("user_data", ["订单", "a{b}"])
def test_ax_temporary_callee_refuses_chinese_and_braces(api: Api, user_data: str) -> None:
    sid = _bound(api, *BINDS[1])
    body = {"subscriptionId": sid, "calleeNum": C, "userData": user_data}
    assert api.call("demo-ax", "PUT", AX_CALLEE, json=body).code == "1010002"
    assert api.call("demo-ax", "PUT", AX_CALLEE, json={**body, "userData": "a^b"}).code == "0"


# AXE: one extension per A on one X

AXE_X, AXE_X2 = "+8617010000201", "+8617110000201"


def test_axe_refuses_a_second_extension_for_the_same_a_on_the_same_x(api: Api) -> None:
    first = api.call("demo-axe", "POST", AXE, json={"bindNum": A, "virtualNum": AXE_X})
    again = api.call("demo-axe", "POST", AXE, json={"bindNum": A, "virtualNum": AXE_X})
    assert (again.status, again.code) == (403, "1016002")
    assert f"already has extension {first.body['extendNum']}" in again.problem
    elsewhere = api.call("demo-axe", "POST", AXE, json={"bindNum": A, "virtualNum": AXE_X2})
    assert (elsewhere.code, elsewhere.body["virtualNum"]) == ("0", AXE_X2)
    other_a = api.call("demo-axe", "POST", AXE, json={"bindNum": B, "virtualNum": AXE_X})
    assert other_a.code == "0"


# AXE bind reply: the example's fields


def test_axe_bind_reply_carries_both_lifetimes_like_the_vendor_example(api: Api) -> None:
    body = {"bindNum": A, "virtualNum": AXE_X, "bindExpiredTime": 24, "callbackExpiredTime": 2}
    r = api.call("demo-axe", "POST", AXE, json=body)
    assert set(r.body) == {
        "resultcode", "resultdesc", "subscriptionId", "virtualNum", "extendNum",
        "bindExpiredTime", "callbackExpiredTime",
    }  # fmt: skip
    assert (r.body["bindExpiredTime"], r.body["callbackExpiredTime"]) == (24, 2)


def test_axe_bind_reply_shows_a_lifetime_of_0_when_none_was_sent(api: Api) -> None:
    r = api.call("demo-axe", "POST", AXE, json={"bindNum": A, "virtualNum": AXE_X})
    assert r.body["bindExpiredTime"] == 0 and "callbackExpiredTime" not in r.body


# AXE: bindExpiredTime >= callbackExpiredTime


def test_axe_bind_refuses_a_binding_shorter_than_its_call_back_records(api: Api) -> None:
    body = {"bindNum": A, "virtualNum": AXE_X, "bindExpiredTime": 2, "callbackExpiredTime": 5}
    r = api.call("demo-axe", "POST", AXE, json=body)
    assert (r.status, r.code) == (403, "1010002")
    assert "bindExpiredTime 2 must be >= callbackExpiredTime 5" in r.problem
    assert "axe.lifetime-order" in r.problem
    equal = api.call("demo-axe", "POST", AXE, json={**body, "callbackExpiredTime": 2})
    assert equal.code == "0"


def test_axe_modify_refuses_the_order_broken_by_the_request(api: Api) -> None:
    sid = _bound(api, "demo-axe", AXE, {"bindNum": A, "virtualNum": AXE_X, "bindExpiredTime": 5})
    both = {"subscriptionId": sid, "bindExpiredTime": 2, "callbackExpiredTime": 5}
    assert api.call("demo-axe", "PUT", AXE, json=both).code == "1010002"


def test_axe_modify_checks_the_order_on_the_values_after_the_change(api: Api) -> None:
    sid = _bound(api, "demo-axe", AXE, {"bindNum": A, "virtualNum": AXE_X, "bindExpiredTime": 5})
    r = api.call("demo-axe", "PUT", AXE, json={"subscriptionId": sid, "callbackExpiredTime": 6})
    assert r.code == "1010002" and "bindExpiredTime 5 must be >= callbackExpiredTime 6" in r.problem
    ok = api.call("demo-axe", "PUT", AXE, json={"subscriptionId": sid, "callbackExpiredTime": 5})
    assert ok.code == "0"


def test_axe_lifetime_0_means_never_and_outlives_any_call_back_record(api: Api) -> None:
    body = {"bindNum": A, "virtualNum": AXE_X, "bindExpiredTime": 0, "callbackExpiredTime": 5}
    assert api.call("demo-axe", "POST", AXE, json=body).code == "0"
    finite = {"bindNum": B, "virtualNum": AXE_X, "bindExpiredTime": 5, "callbackExpiredTime": 0}
    assert api.call("demo-axe", "POST", AXE, json=finite).code == "1010002"


# AXE query after modify: the bind-time timeUnit and bindExpiredTime, by default


def test_axe_query_shows_the_bind_values_after_a_modify_while_expiry_follows_the_modify(api: Api) -> None:
    body = {"bindNum": A, "virtualNum": AXE_X, "timeUnit": "0", "bindExpiredTime": 2}
    sid = _bound(api, "demo-axe", AXE, body)
    change = {"subscriptionId": sid, "timeUnit": "1", "bindExpiredTime": 30}
    assert api.call("demo-axe", "PUT", AXE, json=change).code == "0"
    shown = api.call("demo-axe", "GET", AXE, query={"subscriptionId": sid}).body
    assert (shown["timeUnit"], shown["bindExpiredTime"]) == ("0", 2)
    api.advance(30 * 60)
    assert api.call("demo-axe", "GET", AXE, query={"subscriptionId": sid}).code == "1016001"


# AXB bind reply: exactly the example's fields, each of its documented type


@pytest.mark.parametrize("record_flag", [True, "true"])
def test_axb_bind_reply_has_exactly_the_example_fields_as_integers(api: Api, record_flag: object) -> None:
    body = {
        "callerNum": A, "calleeNum": B, "relationNum": AXB_X, "recordFlag": record_flag,
        "userData": "order-1", "duration": 3600, "callDirection": 1,
    }  # fmt: skip
    r = api.call("demo-axb", "POST", AXB, json=body)
    assert r.code == "0"
    assert set(r.body) == {
        "resultcode", "resultdesc", "subscriptionId", "relationNum",
        "callDirection", "duration", "maxDuration",
    }  # fmt: skip
    assert [type(r.body[k]) for k in ("callDirection", "duration", "maxDuration")] == [int, int, int]
    assert (r.body["callDirection"], r.body["duration"], r.body["maxDuration"]) == (1, 3600, 0)


def test_axb_query_gives_back_record_flag_in_its_documented_string_form(api: Api) -> None:
    body = {"callerNum": A, "calleeNum": B, "relationNum": AXB_X, "recordFlag": True}
    sid = _bound(api, "demo-axb", AXB, body)
    found = api.call("demo-axb", "GET", AXB, query={"subscriptionId": sid}).body["relationNumList"][0]
    assert found["recordFlag"] == "true"


# AX modify: fields outside the FAQ's list are accepted and reported


def test_ax_modify_with_a_field_the_faq_does_not_list_is_accepted_and_reported(api: Api) -> None:
    sid = _bound(api, *BINDS[1])
    r = api.call("demo-ax", "PUT", AX, json={"subscriptionId": sid, "callDirection": 1, "maxDuration": 5})
    assert r.code == "0"
    assert r.problem.startswith("0 Success: accepted, but the vendor (pn_faq_00014x) confirms only")
    assert "unconfirmed: callDirection [rule: ax.modify-confirmed-fields]" in r.problem
    (entry,) = api.journal("modifyAxBinding")
    assert entry["notice"] is not None and "unconfirmed: callDirection" in entry["notice"]
    assert entry["rule"] is None  # not a refusal


def test_ax_modify_with_only_the_faq_fields_carries_no_notice(api: Api) -> None:
    sid = _bound(api, *BINDS[1])
    body = {"subscriptionId": sid, "maxDuration": 5, "privateSms": "true", "recordFlag": "false"}
    r = api.call("demo-ax", "PUT", AX, json=body)
    assert (r.code, r.problem) == ("0", "")
    assert [e["notice"] for e in api.journal("modifyAxBinding")] == [None]
