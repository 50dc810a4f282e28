"""Hostile and broken input: a documented code, the server keeps serving, state is unchanged."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from pns_mock.mockserver.config import parse_config
from pns_mock.mockserver.http import Engine, HttpRequest

from .helpers import AXB, X1, A, B, axb_client, make_engine


@pytest.fixture
def engine() -> Engine:
    engine = make_engine()
    axb_client(engine).call("POST", AXB, json={"callerNum": A, "calleeNum": B, "relationNum": X1})
    return engine


BAD_BODIES = {
    "malformed JSON": b'{"callerNum": "+8613800000003",',
    "wrong types": b'{"callerNum": 8613800000003, "calleeNum": ["x"]}',
    "JSON array": b"[1, 2, 3]",
    "invalid UTF-8": b'{"callerNum": "\xff\xfe"}',
    "missing body": b"",
    "oversized body": b'{"userData": "' + b"a" * 70000 + b'"}',
    "NUL bytes": b'{"callerNum": "\x00"}',
    # nested deeper than the JSON readers recurse (the standard library's raised RecursionError)
    "nested 5,000 deep": b'{"callerNum": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    "nested 990 deep": b'{"callerNum": ' + b"[" * 990 + b"]" * 990 + b"}",
    "nested objects 3,000 deep": b'{"preVoice": ' + b'{"a": ' * 3000 + b"1" + b"}" * 3000 + b"}",
}


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
def test_bad_bodies_get_1010002_and_change_nothing(engine: Engine, name: str) -> None:
    before = engine.platform.dump()
    r = axb_client(engine).call("POST", AXB, body=BAD_BODIES[name])
    assert (r.status, r.json()["resultcode"]) == (403, "1010002"), name
    assert r.header("X-PNS-Mock-Problem")
    assert engine.platform.dump() == before
    assert axb_client(engine).call("GET", AXB, query={"relationNum": X1}).json()["resultcode"] == "0"


@pytest.mark.parametrize("content_type", [None, "text/json", "text/plain", "application/jsonp", "json"])
def test_a_body_without_the_json_media_type_is_1010002(engine: Engine, content_type: str | None) -> None:
    client = axb_client(engine)
    headers = {"Content-Type": content_type} if content_type else {}
    body = b'{"callerNum": "+8613700000003", "calleeNum": "+8613600000004"}'
    request = HttpRequest.build(
        "POST", AXB, headers={**client.headers(), **headers}, body=body, client="127.0.0.1"
    )
    before = engine.platform.dump()
    r = engine.handle(request)
    assert (r.status, r.json()["resultcode"]) == (403, "1010002")
    assert "x-pns-request-media" in (r.header("X-PNS-Mock-Problem") or "")
    assert engine.platform.dump() == before


@pytest.mark.parametrize("content_type", ["application/json", "Application/JSON; charset=utf-8"])
def test_the_json_media_type_with_any_parameters_and_case_is_accepted(
    engine: Engine, content_type: str
) -> None:
    body = {"callerNum": "+8613700000003", "calleeNum": "+8613600000004"}
    r = axb_client(engine).call("POST", AXB, json=body, headers={"Content-Type": content_type})
    assert r.json()["resultcode"] == "0"


def test_a_request_without_a_body_needs_no_content_type(engine: Engine) -> None:
    client = axb_client(engine)
    request = HttpRequest.build(
        "GET", AXB, query="relationNum=%2B8617010000001", headers=client.headers(), client="127.0.0.1"
    )
    assert engine.handle(request).json()["resultcode"] == "0"


def test_wrong_content_type_is_1010002(engine: Engine) -> None:
    r = axb_client(engine).call(
        "POST", AXB, body=b"callerNum=1", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert r.json()["resultcode"] == "1010002"


def test_invalid_utf8_in_the_query_string_is_1010002(engine: Engine) -> None:
    r = axb_client(engine).call("GET", AXB, raw_query="relationNum=%FF%FE")
    assert r.json()["resultcode"] == "1010002"


def test_very_long_query_string_is_refused_cleanly(engine: Engine) -> None:
    r = axb_client(engine).call("GET", AXB, raw_query="relationNum=%2B" + "8" * 20000)
    assert r.json()["resultcode"] == "1010002"


def test_unknown_path_is_404_and_unsigned_requests_get_auth_codes(engine: Engine) -> None:
    client = axb_client(engine)
    assert client.call("GET", "/rest/nothing/here").status == 404
    r = client.call("POST", AXB, json={"callerNum": A}, signed=False)
    assert (r.status, r.json()["resultcode"]) == (400, "1023006")


def test_parallel_binds_racing_for_the_last_free_numbers_never_double_allocate() -> None:
    config = parse_config(
        {
            "server": {"max_pairs_per_x": 1},
            "apps": [
                {
                    "app_key": "race",
                    "app_secret": "s",
                    "mode": "AXB",
                    "numbers": [{"number": f"+861701000{i:04d}", "area_code": "0755"} for i in range(20)],
                }
            ],
        }
    )
    engine = make_engine(config)
    from .helpers import Client

    client = Client(engine, "race", "s")
    start = threading.Barrier(16)

    def bind(i: int) -> tuple[str, str | None]:
        if i < 16:
            start.wait()
        body = {"callerNum": f"+86138{i:08d}", "calleeNum": f"+86139{i:08d}", "areaCode": "0755"}
        reply = client.call("POST", AXB, json=body).json()
        return reply["resultcode"], reply.get("relationNum")

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(bind, range(60)))
    granted = [x for code, x in results if code == "0"]
    assert len(granted) == 20
    assert len(set(granted)) == 20
    assert {code for code, _ in results} == {"0", "1012008"}
    bindings = engine.platform.dump()["apps"][0]["bindings"]
    assert len(bindings) == 20


@pytest.mark.parametrize("body", [b"{", b"[1]", b'{"advance": ' + b"[" * 5000 + b"]" * 5000 + b"}"])
def test_bad_admin_bodies_get_400_and_the_clock_stays(engine: Engine, body: bytes) -> None:
    before = engine.platform.clock.now()
    request = HttpRequest.build(
        "POST", "/_pns/clock", body=body, client="127.0.0.1", headers={"Content-Type": "application/json"}
    )
    response = engine.handle(request)
    assert response.status == 400
    assert response.json()["ok"] is False
    assert engine.platform.clock.now() == before
