"""Hostile input over a real socket: a documented answer, the server alive, the state unchanged."""

from __future__ import annotations

import re
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from pns_mock.mockserver.domain import auth

from .support import AX, AXB, Server, signed

X_RELATION = "+8617010000001"  # a demo AXB number
HTTP_LAYER_400 = b"HTTP/1.1 400 Bad Request"  # uvicorn's answer to what it cannot parse


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with Server(log=tmp_path_factory.mktemp("hostile") / "server.log") as running:
        yield running


def _apps(server: Server) -> Any:
    return server.admin("GET", "state")["apps"]


def _raw(server: Server, data: bytes) -> bytes:
    """Send bytes as they are (no client library would) and read the whole reply."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(data)
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
    return reply


def _request(target: bytes, *, extra: bytes = b"", body: bytes = b"", method: bytes = b"GET") -> bytes:
    token = "".join(f"{k}: {v}\r\n" for k, v in signed("demo-axb").items()).encode()
    head = b"%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" % (method, target)
    return head + token + extra + b"Content-Length: %d\r\n\r\n" % len(body) + body


def _headers(reply: bytes) -> list[tuple[str, str]]:
    head = reply.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]
    return [(k.strip().lower(), v.strip()) for k, _, v in (line.partition(":") for line in head)]


def _code(reply: bytes) -> tuple[int, str | None]:
    """Status, and the PNS resultcode when the body is the mock's JSON."""
    status = int(reply.split(b" ", 2)[1])
    body = reply.split(b"\r\n\r\n", 1)[1]
    return status, body.split(b'"resultcode":"', 1)[1].split(b'"', 1)[
        0
    ].decode() if b"resultcode" in body else None


@pytest.fixture
def unchanged(server: Server) -> Iterator[None]:
    """The test's requests change nothing, and the server still answers afterwards."""
    before = _apps(server)
    yield
    assert server.alive(), server.output()
    assert _apps(server) == before


# bodies


def test_a_10_mb_body_gets_1010002_and_is_not_buffered(server: Server, unchanged: None) -> None:
    peak_before = _peak_rss_kib(server.pid)
    body = b'{"userData": "' + b"a" * (10 * 1024 * 1024) + b'"}'
    reply = httpx.post(f"{server.url}{AXB}", content=body, headers=signed("demo-axb"), timeout=30)
    assert (reply.status_code, reply.json()["resultcode"]) == (403, "1010002")
    assert "max_body_bytes" in reply.headers["x-pns-mock-problem"]
    grown = _peak_rss_kib(server.pid) - peak_before
    assert grown < 5 * 1024, f"the server's peak memory grew by {grown} KiB for a 10 MiB body"


def _peak_rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))


@pytest.mark.parametrize(
    "body",
    [b'{"callerNum": "+8613800000001",', b'{"callerNum": "\xff\xfe"}', b"\xef\xbb\xbf\x00{}", b"[]"],
    ids=["truncated JSON", "invalid UTF-8", "BOM and NUL", "not an object"],
)
def test_bad_bodies_get_1010002(server: Server, unchanged: None, body: bytes) -> None:
    reply = httpx.post(f"{server.url}{AXB}", content=body, headers=signed("demo-axb"), timeout=10)
    assert (reply.status_code, reply.json()["resultcode"]) == (403, "1010002")


# query strings


def test_invalid_utf8_in_the_query_gets_1010002(server: Server, unchanged: None) -> None:
    reply = _raw(server, _request(AXB.encode() + b"?relationNum=%FF%FE"))
    assert _code(reply) == (403, "1010002")


def test_a_60_kb_query_string_gets_1010002(server: Server, unchanged: None) -> None:
    reply = _raw(server, _request(AXB.encode() + b"?relationNum=%2B" + b"8" * 60_000))
    assert _code(reply) == (403, "1010002")


def test_a_100_kb_query_string_is_refused_by_the_http_layer(server: Server, unchanged: None) -> None:
    """httptools cannot parse a URL over 64 KiB: uvicorn answers 400 before the mock sees it."""
    reply = _raw(server, _request(AXB.encode() + b"?relationNum=%2B" + b"8" * 100_000))
    assert reply.startswith(HTTP_LAYER_400)


@pytest.mark.parametrize(
    "target",
    [AXB.encode() + b"?relationNum=\xff\xfe", b"/rest/\xff"],
    ids=["raw bytes in the query", "raw bytes in the path"],
)
def test_raw_non_ascii_in_the_request_line_is_refused_by_the_http_layer(
    server: Server, unchanged: None, target: bytes
) -> None:
    assert _raw(server, _request(target)).startswith(HTTP_LAYER_400)


# headers


@pytest.mark.parametrize("value", [b"a\rInjected: 1", b"a\nInjected: 1", b"a\x00b"], ids=["CR", "LF", "NUL"])
def test_control_characters_in_a_header_value_are_refused(
    server: Server, unchanged: None, value: bytes
) -> None:
    query = AXB.encode() + b"?relationNum=%2B8617010000001"
    assert _raw(server, _request(query, extra=b"X-Note: " + value + b"\r\n")).startswith(HTTP_LAYER_400)


ECHOED = {
    "path": (b"/rest/%0D%0ASet-Cookie:%20evil=1", b""),
    "query value": (AXB.encode() + b"?relationNum=%0D%0ASet-Cookie:%20evil=1", b""),
    "body value": (AXB.encode(), b'{"callerNum": "\\r\\nSet-Cookie: evil=1", "calleeNum": "+8613900000002"}'),
}


@pytest.mark.parametrize("name", sorted(ECHOED))
def test_client_input_echoed_in_a_header_stays_on_its_line(
    server: Server, unchanged: None, name: str
) -> None:
    target, body = ECHOED[name]
    reply = _raw(server, _request(target, body=body, method=b"POST" if body else b"GET"))
    headers = _headers(reply)
    assert "set-cookie" not in dict(headers)
    problem = dict(headers)["x-pns-mock-problem"]
    assert "Set-Cookie: evil=1" in problem  # echoed, but inside the one header
    assert all(32 <= ord(ch) < 127 for _, value in headers for ch in value)


def test_a_non_ascii_app_key_is_escaped_in_the_problem_header(server: Server, unchanged: None) -> None:
    token = auth.sign("AKSK", "appé\u2028x", "s", "abc123", auth.created_now())
    raw_headers = "".join(f"{k}: {v}\r\n" for k, v in token.items()).encode("utf-8")
    reply = _raw(server, _request(AXB.encode() + b"?relationNum=%2B8617010000001", extra=raw_headers))
    assert _code(reply) == (403, "1010003")
    assert all(32 <= ord(ch) < 127 for _, value in _headers(reply) for ch in value)


# races


def _pool(server: Server, key: str, mode: str, size: int, first: int) -> list[str]:
    numbers = [f"+8617{first + i:09d}" for i in range(size)]
    app = {
        "app_key": key,
        "app_secret": f"{key}-secret",
        "mode": mode,
        "numbers": [{"number": n, "area_code": "0755"} for n in numbers],
    }
    server.admin("POST", "apps", json=app)
    return numbers


BINDS = 200


@pytest.mark.parametrize(
    ("mode", "path", "body", "x_field", "refusal"),
    [
        # AX: one A per X, so every bind needs its own X
        (
            "AX",
            AX,
            lambda i: {"origNum": f"+86138{i:08d}", "areaCode": "0755", "privateNumType": "mobile-virtual"},
            "privateNum",
            "1011002",
        ),
        # AXB: the same A on every bind, so no X can carry two of them
        (
            "AXB",
            AXB,
            lambda i: {"callerNum": "+8613800000001", "calleeNum": f"+86139{i:08d}", "areaCode": "0755"},
            "relationNum",
            "1012008",
        ),
    ],
    ids=["AX", "AXB"],
)
def test_200_concurrent_binds_for_one_small_pool_never_double_allocate(
    server: Server, mode: str, path: str, body: Any, x_field: str, refusal: str
) -> None:
    key = f"race-{mode.lower()}"
    pool = _pool(server, key, mode, 20, 200_000_000 if mode == "AX" else 300_000_000)
    start = threading.Barrier(50)
    with httpx.Client(limits=httpx.Limits(max_connections=50), timeout=30) as client:

        def bind(i: int) -> dict[str, Any]:
            if i < 50:
                start.wait()  # the first 50 leave together
            reply = client.post(f"{server.url}{path}", json=body(i), headers=signed(key))
            return dict(reply.json(), status=reply.status_code)

        with ThreadPoolExecutor(50) as pool_of_threads:
            replies = list(pool_of_threads.map(bind, range(BINDS)))

    granted = [r for r in replies if r["resultcode"] == "0"]
    assert Counter((r["status"], r["resultcode"]) for r in replies) == {
        (200, "0"): len(pool),
        (403, refusal): BINDS - len(pool),
    }
    xs = [r[x_field] for r in granted]
    assert sorted(xs) == sorted(pool), "an X was handed out twice (or not at all)"
    state = next(a for a in _apps(server) if a["app_key"] == key)
    live = {b["subscription_id"]: b for b in state["bindings"]}
    assert set(live) == {r["subscriptionId"] for r in granted}
    snake = "private_num" if mode == "AX" else "relation_num"
    assert {live[r["subscriptionId"]][snake] for r in granted} == set(pool)
    assert server.alive()


# methods


@pytest.mark.parametrize("method", [b"TRACE", b"OPTIONS", b"PATCH"])
def test_another_method_on_a_spec_path_is_405_with_the_spec_methods(
    server: Server, unchanged: None, method: bytes
) -> None:
    reply = _raw(server, _request(AXB.encode(), method=method))
    assert reply.startswith(b"HTTP/1.1 405 "), reply[:100]
    assert dict(_headers(reply))["allow"] == "DELETE, GET, POST, PUT"
    assert "method not allowed" in dict(_headers(reply))["x-pns-mock-problem"]


def test_an_unknown_path_stays_404(server: Server, unchanged: None) -> None:
    assert _raw(server, _request(b"/rest/no/such/path", method=b"OPTIONS")).startswith(b"HTTP/1.1 404 ")


def test_a_malformed_request_in_a_pipeline_keeps_the_replies_of_the_requests_before_it(
    server: Server,
) -> None:
    binds = []
    for n in range(2):
        body = b'{"callerNum": "+861380000%04d", "calleeNum": "+861390000%04d"}' % (n + 7000, n + 7000)
        binds.append(_request(AXB.encode(), body=body, method=b"POST").replace(b"Connection: close\r\n", b""))
    before = len(_apps(server)[0]["bindings"])
    reply = _raw(server, b"".join(binds) + b"NOT HTTP AT ALL\r\n\r\n")
    statuses = [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", reply)]
    assert statuses == [200, 200, 400], reply[:600]
    assert len(_apps(server)[0]["bindings"]) == before + 2


@pytest.mark.parametrize("content_type", [None, b"text/json", b"text/plain"])
def test_a_body_without_the_json_media_type_gets_1010002(
    server: Server, unchanged: None, content_type: bytes | None
) -> None:
    body = b'{"callerNum": "+8613800006001", "calleeNum": "+8613900006001"}'
    request = _request(AXB.encode(), body=body, method=b"POST").replace(
        b"Content-Type: application/json;charset=UTF-8\r\n",
        b"Content-Type: %s\r\n" % content_type if content_type else b"",
    )
    assert _code(_raw(server, request)) == (403, "1010002")


@pytest.mark.parametrize(
    "query",
    [b"expires=99999999999", b"expires=99999999999&signature=" + b"0" * 64, b""],
    ids=["no signature", "forged signature", "nothing"],
)
def test_a_recording_link_the_server_did_not_sign_is_refused(
    server: Server, unchanged: None, query: bytes
) -> None:
    target = b"/_pns-files/recordings/ostor.huawei.com/any.wav?" + query
    reply = _raw(server, b"GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" % target)
    assert reply.startswith(b"HTTP/1.1 403 ")
    assert "download link" in dict(_headers(reply))["x-pns-mock-problem"]
