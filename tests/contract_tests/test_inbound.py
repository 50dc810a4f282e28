"""The push driver: pushes to a customer's ASGI app, WSGI app or URL, and checks their replies."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from pns_mock.contract_tests.inbound import PushReplyViolation
from pns_mock.contract_tests.mock import PnsMock

Answer = Callable[[str, dict[str, Any]], tuple[int, bytes]]


def asgi_app(answer: Answer, seen: list[tuple[str, dict[str, Any]]]) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        message = await receive()
        body = json.loads(message["body"])
        seen.append((scope["path"], body))
        status, data = answer(scope["path"], body)
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": data})

    return app


def empty_ok(path: str, body: dict[str, Any]) -> tuple[int, bytes]:
    return 200, b""


def test_x_mode_call_goes_through_the_customers_block_decision(pns: PnsMock) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    def answer(path: str, body: dict[str, Any]) -> tuple[int, bytes]:
        if body.get("eventType") == "callin":
            decision = {"operation": "connect", "connectInfo": {"calleeNum": "+8613900000002"}}
            return 200, json.dumps(decision).encode()
        return 200, b""

    sent = pns.pushes_to(asgi_app(answer, seen), mode="X").call("answered")
    assert sent[0].webhook == "callinBlockX"
    assert sent[0].reply["operation"] == "connect"
    assert [body.get("eventType") for _, body in seen][-1] == "fee"


def test_a_notify_reply_with_a_body_is_reported(pns: PnsMock) -> None:
    def chatty(path: str, body: dict[str, Any]) -> tuple[int, bytes]:
        return 200, b'{"result": "ok"}'

    with pytest.raises(PushReplyViolation, match="empty body"):
        pns.pushes_to(asgi_app(chatty, [])).call("answered")


def test_a_block_reply_that_breaks_the_spec_is_reported(pns: PnsMock) -> None:
    def wrong(path: str, body: dict[str, Any]) -> tuple[int, bytes]:
        return 200, b'{"operation": "dial"}'

    with pytest.raises(PushReplyViolation, match="would count it as failed"):
        pns.pushes_to(asgi_app(wrong, []), mode="X").call("answered")


def test_a_failing_handler_is_reported_as_a_push_the_platform_retries(pns: PnsMock) -> None:
    def broken(path: str, body: dict[str, Any]) -> tuple[int, bytes]:
        return 500, b""

    with pytest.raises(PushReplyViolation, match="retry"):
        pns.pushes_to(asgi_app(broken, [])).call("busy")


@pytest.fixture
def http_receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    got: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", got
    server.shutdown()


def test_pushes_go_over_http_to_a_url(pns: PnsMock, http_receiver: tuple[str, list[dict[str, Any]]]) -> None:
    url, got = http_receiver
    pns.pushes_to(url, mode="AX").call("no-answer")
    assert [body.get("eventType") for body in got] == ["callin", "callout", "alerting", "disconnect", "fee"]


def test_single_pushes_from_the_spec_examples_and_coverage(pns: PnsMock) -> None:
    driver = pns.pushes_to(asgi_app(empty_ok, []))
    driver.send("numStatus", driver.example("numStatus"))
    driver.send("smsNotifyAxb", driver.example("smsNotifyAxb"))
    assert pns.pushed == ["numStatus", "smsNotifyAxb"]


def test_an_invalid_body_is_refused_before_sending(pns: PnsMock) -> None:
    driver = pns.pushes_to(asgi_app(empty_ok, []))
    with pytest.raises(ValueError, match="not a valid numStatus body"):
        driver.send("numStatus", {"eventType": "numStatus", "numInfo": []})
