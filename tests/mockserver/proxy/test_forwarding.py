"""`pns-mock proxy` before `pns-mock serve` over TLS: traffic passes unchanged, failures are vendor-style."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pns_mock import spec as spec_module

from ..serving import free_port
from .support import AXB, Upstream, assert_conforms, bind_body, garbage_server, proxy, signed, upstream

PROBLEM = "X-PNS-Mock-Problem"


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upstream]:
    with upstream(tmp_path_factory.mktemp("upstream")) as running:
        yield running
        running.assert_replies_conform()


def _direct_query(up: Upstream) -> Any:
    """What the upstream itself answers the query these tests send through the proxy."""
    trusted = ssl.create_default_context(cafile=up.cert)
    params = {"relationNum": "+8617010000001"}
    return httpx.get(f"{up.tls}{AXB}", headers=signed(), params=params, verify=trusted).json()


def _failure_code(kind: str) -> str:
    return str(spec_module.load().document["x-pns-proxy"]["upstreamFailures"][kind]["resultcode"])


def test_a_signed_request_reaches_the_upstream_unchanged_and_its_reply_comes_back_unchanged(
    up: Upstream,
) -> None:
    body = bind_body("+8617010000001", "+8613800000001", "+8613900000002", userData="order-1")
    with proxy(up.tls, "--upstream-ca", str(up.cert)) as running:
        via = httpx.post(f"{running.url}{AXB}", headers=signed(), content=json.dumps(body))
        query = {"relationNum": "+8617010000001"}
        listed = httpx.get(f"{running.url}{AXB}", headers=signed(), params=query)
        trusted = ssl.create_default_context(cafile=up.cert)
        direct = httpx.get(f"{up.tls}{AXB}", headers=signed(), params=query, verify=trusted)
        running.stop()
    assert via.status_code == 200, via.text  # the upstream checked the client's own signature
    assert via.json()["resultcode"] == "0"
    assert listed.content == direct.content  # byte for byte what the upstream sends
    assert listed.headers["content-type"] == direct.headers["content-type"]
    assert PROBLEM not in listed.headers
    assert len(listed.headers.get_list("date")) == 1  # the upstream's, not a second one of the proxy
    sent = next(e for e in up.journal() if e["operation_id"] == "createAxbBinding")
    assert json.loads(sent["request_body"]) == body
    queried = [e for e in up.journal() if e["operation_id"] == "queryAxbBinding"]
    assert queried[0]["query"] == "relationNum=%2B8617010000001"


def test_an_upstream_that_is_down_gets_the_vendor_error_and_the_proxy_keeps_serving() -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    with proxy(dead) as running:
        replies = [httpx.post(f"{running.url}{AXB}", headers=signed(), content=b"{}") for _ in range(2)]
        out = running.stop()
    code = _failure_code("unreachable")
    the_spec = spec_module.load()
    for reply in replies:
        assert_conforms(reply, "createAxbBinding")
        assert reply.status_code == the_spec.result_codes[code].http_status
        assert reply.json()["resultcode"] == code
        assert "cannot reach the upstream" in reply.headers[PROBLEM]
        assert "x-pns-proxy.upstreamFailures.unreachable" in reply.headers[PROBLEM]
    assert "upstream failures: unreachable 2" in out


def test_a_slow_upstream_times_out_as_the_vendor_s_response_timeout(up: Upstream) -> None:
    armed = httpx.post(
        f"{up.admin}/_pns/faults", json={"operationId": "createAxbBinding", "latency_ms": 3000}
    )
    assert armed.status_code == 200
    body = bind_body("+8617010000002", "+8613800000011", "+8613900000012")
    with proxy(up.tls, "--upstream-ca", str(up.cert), "--upstream-timeout", "0.5") as running:
        slow = httpx.post(f"{running.url}{AXB}", headers=signed(), json=body, timeout=10)
        running.stop()
    assert_conforms(slow, "createAxbBinding")
    assert slow.json()["resultcode"] == _failure_code("timeout")
    assert "no reply within 0.5 s" in slow.headers[PROBLEM]


def test_a_reply_the_upstream_cuts_is_cut_and_an_answer_that_is_not_http_is_a_vendor_error(
    up: Upstream,
) -> None:
    httpx.post(f"{up.admin}/_pns/faults", json={"operationId": "createAxbBinding", "drop": True})
    body = bind_body("+8617010000002", "+8613800000021", "+8613900000022")
    with proxy(up.tls, "--upstream-ca", str(up.cert)) as running:
        # the upstream sent a head, then hung up: the client sees the same cut, not an invented reply
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.post(f"{running.url}{AXB}", headers=signed(), json=body)
        after = httpx.post(f"{running.url}{AXB}", headers=signed(), json=body)
        out = running.stop()
    assert after.json()["resultcode"] == "0"  # the next request goes through again
    assert "the upstream's reply broke off" in out
    with garbage_server() as garbage, proxy(garbage) as running:
        reply = httpx.post(f"{running.url}{AXB}", headers=signed(), json=body)
        running.stop()
    assert_conforms(reply, "createAxbBinding")
    assert reply.json()["resultcode"] == _failure_code("notHttp")
    assert "not HTTP" in reply.headers[PROBLEM]


def test_an_upstream_certificate_the_proxy_cannot_verify_is_refused_unless_insecure(
    up: Upstream, tmp_path: Path
) -> None:
    with proxy(up.tls) as running:  # the system CAs do not know the upstream's self-signed certificate
        refused = httpx.get(f"{running.url}{AXB}", headers=signed(), params={"relationNum": "+8617010000001"})
        running.stop()
    assert refused.json()["resultcode"] == _failure_code("unreachable")
    assert "CERTIFICATE_VERIFY_FAILED" in refused.headers[PROBLEM]
    with proxy(up.tls, "--upstream-insecure") as running:
        passed = httpx.get(f"{running.url}{AXB}", headers=signed(), params={"relationNum": "+8617010000001"})
        running.stop()
    assert passed.json()["resultcode"] == _direct_query(up)["resultcode"]  # the upstream's own answer


def test_a_body_past_the_limit_is_refused_without_being_held_and_the_proxy_keeps_serving(
    up: Upstream,
) -> None:
    with proxy(up.tls, "--upstream-ca", str(up.cert), "--max-body-bytes", "2000") as running:
        huge = httpx.post(f"{running.url}{AXB}", headers=signed(), content=b"{" + b" " * 50_000 + b"}")
        fine = httpx.get(f"{running.url}{AXB}", headers=signed(), params={"relationNum": "+8617010000001"})
        running.stop()
    assert huge.status_code == 413
    assert "--max-body-bytes 2000" in huge.headers[PROBLEM]
    assert fine.json()["resultcode"] == _direct_query(up)["resultcode"]  # the upstream's own answer
