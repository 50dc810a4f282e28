"""AXB through the HTTP layer: what a client sees on the wire."""

from __future__ import annotations

import pytest

from pns_mock.mockserver.http import Engine

from .helpers import AXB, X1, X2, X_BJ, A, B, C, D, ax_client, axb_client, make_engine


@pytest.fixture
def engine() -> Engine:
    return make_engine()


def test_bind_with_given_x_returns_subscription_and_echoes_the_binding(engine: Engine) -> None:
    r = axb_client(engine).call("POST", AXB, json={"callerNum": A, "calleeNum": B, "relationNum": X1})
    assert r.status == 200
    body = r.json()
    assert body["resultcode"] == "0"
    assert body["relationNum"] == X1
    assert body["subscriptionId"]
    assert r.header("Content-Type") == "application/json;charset=UTF-8"


def test_bind_by_area_code_allocates_a_number_of_that_city(engine: Engine) -> None:
    r = axb_client(engine).call("POST", AXB, json={"callerNum": A, "calleeNum": B, "areaCode": "010"})
    assert r.json()["relationNum"] == X_BJ


def test_record_flag_accepts_string_and_boolean_and_queries_answer_the_string(engine: Engine) -> None:
    client = axb_client(engine)
    for flag, caller, callee in (("true", A, B), (True, C, D)):
        r = client.call(
            "POST",
            AXB,
            json={"callerNum": caller, "calleeNum": callee, "relationNum": X1, "recordFlag": flag},
        )
        assert r.status == 200, r.json()
    listed = client.call("GET", AXB, query={"relationNum": X1}).json()["relationNumList"]
    assert [item["recordFlag"] for item in listed] == ["true", "true"]


def test_same_caller_twice_on_one_x_is_1012010(engine: Engine) -> None:
    client = axb_client(engine)
    client.call("POST", AXB, json={"callerNum": A, "calleeNum": B, "relationNum": X1})
    r = client.call("POST", AXB, json={"callerNum": A, "calleeNum": C, "relationNum": X1})
    assert (r.status, r.json()["resultcode"]) == (403, "1012010")
    assert "already" in (r.header("X-PNS-Mock-Problem") or "")


def test_x_of_another_application_is_1012001(engine: Engine) -> None:
    r = axb_client(engine).call(
        "POST", AXB, json={"callerNum": A, "calleeNum": B, "relationNum": "+8617010000101"}
    )
    assert r.json()["resultcode"] == "1012001"


def test_query_by_subscription_then_unbind_then_query_again(engine: Engine) -> None:
    client = axb_client(engine)
    sid = client.call("POST", AXB, json={"callerNum": A, "calleeNum": B, "relationNum": X2}).json()[
        "subscriptionId"
    ]
    found = client.call("GET", AXB, query={"subscriptionId": sid}).json()
    assert found["relationNumList"][0]["callerNum"] == A
    assert found["relationNumList"][0]["subscribeTime"] == "2026-11-24 10:00:00"
    assert client.call("DELETE", AXB, query={"subscriptionId": sid}).json()["resultcode"] == "0"
    gone = client.call("GET", AXB, query={"subscriptionId": sid})
    assert gone.json()["resultcode"] == "1012007"


def test_unbind_accepts_parameters_in_a_json_body_on_delete(engine: Engine) -> None:
    client = axb_client(engine)
    sid = client.call("POST", AXB, json={"callerNum": A, "calleeNum": B, "relationNum": X1}).json()[
        "subscriptionId"
    ]
    assert client.call("DELETE", AXB, json={"subscriptionId": sid}).json()["resultcode"] == "0"


def test_unbind_by_relation_num_removes_every_pair_on_that_x(engine: Engine) -> None:
    client = axb_client(engine)
    client.call("POST", AXB, json={"callerNum": A, "calleeNum": B, "relationNum": X1})
    client.call("POST", AXB, json={"callerNum": C, "calleeNum": D, "relationNum": X1})
    assert client.call("DELETE", AXB, query={"relationNum": X1}).json()["resultcode"] == "0"
    assert client.call("GET", AXB, query={"relationNum": X1}).json()["resultcode"] == "1012007"


def test_duration_expires_on_the_virtual_clock_to_the_second(engine: Engine) -> None:
    client = axb_client(engine)
    sid = client.call(
        "POST", AXB, json={"callerNum": A, "calleeNum": B, "relationNum": X1, "duration": 60}
    ).json()["subscriptionId"]
    engine.platform.clock.advance(59)
    assert client.call("GET", AXB, query={"subscriptionId": sid}).json()["resultcode"] == "0"
    engine.platform.clock.advance(1)
    assert client.call("GET", AXB, query={"subscriptionId": sid}).json()["resultcode"] == "1012007"


def test_modify_changes_callee_and_restarts_the_timer(engine: Engine) -> None:
    client = axb_client(engine)
    sid = client.call(
        "POST", AXB, json={"callerNum": A, "calleeNum": B, "relationNum": X1, "duration": 60}
    ).json()["subscriptionId"]
    engine.platform.clock.advance(50)
    r = client.call("PUT", AXB, json={"subscriptionId": sid, "calleeNum": C, "duration": 60})
    assert r.json()["resultcode"] == "0"
    engine.platform.clock.advance(59)
    item = client.call("GET", AXB, query={"subscriptionId": sid}).json()["relationNumList"][0]
    assert item["calleeNum"] == C


def test_query_paging_defaults_to_50_and_reports_the_total(engine: Engine) -> None:
    client = axb_client(engine)
    for i in range(12):
        client.call(
            "POST",
            AXB,
            json={
                "callerNum": f"+86138000001{i:02d}",
                "calleeNum": f"+86139000001{i:02d}",
                "relationNum": X1,
            },
        )
    page = client.call("GET", AXB, query={"relationNum": X1, "pageSize": 10, "pageIndex": 2}).json()
    assert (page["pageIndex"], page["pageSize"], page["totalCount"], len(page["relationNumList"])) == (
        2,
        10,
        12,
        2,
    )
    default = client.call("GET", AXB, query={"relationNum": X1, "pageSize": 5}).json()
    assert default["pageSize"] == 50


def test_an_ax_application_calling_axb_is_1010040(engine: Engine) -> None:
    r = ax_client(engine).call("POST", AXB, json={"callerNum": A, "calleeNum": B})
    assert (r.status, r.json()["resultcode"]) == (403, "1010040")


def test_missing_caller_is_1010002_and_the_problem_header_names_the_field(engine: Engine) -> None:
    r = axb_client(engine).call("POST", AXB, json={"calleeNum": B})
    assert (r.status, r.json()["resultcode"]) == (403, "1010002")
    assert "callerNum" in (r.header("X-PNS-Mock-Problem") or "")


def test_number_without_country_code_is_1010002(engine: Engine) -> None:
    r = axb_client(engine).call("POST", AXB, json={"callerNum": "13800000001", "calleeNum": B})
    assert r.json()["resultcode"] == "1010002"


def test_unescaped_plus_in_query_string_is_1010002_with_a_hint(engine: Engine) -> None:
    r = axb_client(engine).call("GET", AXB, raw_query=f"relationNum={X1}")
    assert r.json()["resultcode"] == "1010002"
    assert "%2B" in (r.header("X-PNS-Mock-Problem") or "")


def test_query_without_any_identifier_is_1010002(engine: Engine) -> None:
    r = axb_client(engine).call("GET", AXB, query={"pageSize": 10})
    assert r.json()["resultcode"] == "1010002"


def test_injected_fault_answers_the_documented_code_once(engine: Engine) -> None:
    from pns_mock.mockserver.domain import Fault

    engine.platform.faults.arm(Fault("createAxbBinding", resultcode="1012008"))
    client = axb_client(engine)
    first = client.call("POST", AXB, json={"callerNum": A, "calleeNum": B, "relationNum": X1})
    second = client.call("POST", AXB, json={"callerNum": A, "calleeNum": B, "relationNum": X1})
    assert (first.status, first.json()["resultcode"]) == (403, "1012008")
    assert second.json()["resultcode"] == "0"


def test_every_request_is_journaled_without_secrets(engine: Engine) -> None:
    client = axb_client(engine)
    client.call("POST", AXB, json={"callerNum": A, "calleeNum": B, "relationNum": X1})
    client.call("POST", AXB, json={"calleeNum": B})
    entries = engine.platform.journal.entries("createAxbBinding")
    assert [e.resultcode for e in entries] == ["0", "1010002"]
    assert entries[1].problem and "callerNum" in entries[1].problem
    digest = client.headers()["X-AKSK"].split('PasswordDigest="')[1].split('"')[0]
    assert all(digest not in str(e.as_dict()) for e in entries)


def test_a_refused_request_is_journaled_with_its_app_key_and_every_bad_field(engine: Engine) -> None:
    client = axb_client(engine)
    r = client.call("POST", AXB, json={"callerNum": "13800000001", "calleeNum": B, "duration": -5})
    assert r.json()["resultcode"] == "1010002"
    assert "duration" in (r.header("X-PNS-Mock-Problem") or "")
    (entry,) = engine.platform.journal.entries("createAxbBinding")
    assert entry.app_key == client.app_key
    assert [(p.field, p.value, p.absent) for p in entry.problems] == [
        ("callerNum", "13800000001", False),
        ("duration", -5, False),
    ]
    assert (entry.field, entry.sent) == ("callerNum", "13800000001")  # the first, as before


def test_missing_query_parameters_are_each_named_and_absent(engine: Engine) -> None:
    r = axb_client(engine).call("GET", "/rest/provision/voice/record/v1.0")
    assert r.json()["resultcode"] == "1010002"
    (entry,) = engine.platform.journal.entries("getRecordingDownloadUrl")
    assert sorted((p.field, p.absent) for p in entry.problems) == [("fileName", True), ("recordDomain", True)]
