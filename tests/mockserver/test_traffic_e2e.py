"""A newcomer's flow: start the mock, bind A-X-B, run `pns-mock call`, receive signed pushes."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from pns_mock import spec
from pns_mock.mockserver.domain import auth

from .serving import free_port, serve

AXB = "/rest/caas/relationnumber/partners/v1.0"
A, B, X = "+8613800000001", "+8613900000002", "+8617010000001"
SECRET = "e2e-secret"


class Receiver:
    """The customer's push endpoint: records every request and answers 200 with an empty body."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append((self.path, dict(self.headers.items()), json.loads(body)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture(scope="module")
def server(receiver: Receiver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    config = tmp_path_factory.mktemp("cfg") / "apps.yaml"
    config.write_text(
        "apps:\n"
        "  - app_key: e2e-axb\n"
        f"    app_secret: {SECRET}\n"
        "    mode: AXB\n"
        "    recording: true\n"
        "    sms: true\n"
        f"    numbers: [{{number: '{X}', area_code: '0755'}}]\n"
        f"    callbacks: {{status: '{receiver.url}/status', fee: '{receiver.url}/fee',"
        f" sms_notify: '{receiver.url}/sms'}}\n"
    )
    with serve("--config", str(config), "--frozen-clock") as base:
        yield base


def _cli(*args: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "pns_mock.mockserver", *args]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def test_a_call_pushes_five_signed_events_then_the_cdr(server: str, receiver: Receiver) -> None:
    headers = auth.sign("AKSK", "e2e-axb", SECRET, "abc123", auth.created_now())
    body = {"callerNum": A, "calleeNum": B, "relationNum": X, "userData": "ride-e2e-1"}
    bound = httpx.post(f"{server}{AXB}", json=body, headers=headers)
    assert bound.json()["resultcode"] == "0"
    before = len(receiver.received)
    call = _cli("call", "--from", A, "--to", X, "--talk", "20", "--url", server)
    assert call["forwarded_to"] == B
    httpx.post(f"{server}/_pns/clock", json={"advance": 60})
    receiver.wait_for(before + 6)
    got = receiver.received[before:]
    assert [(path, body.get("eventType")) for path, _, body in got] == [
        ("/status", "callin"),
        ("/status", "callout"),
        ("/status", "alerting"),
        ("/status", "answer"),
        ("/status", "disconnect"),
        ("/fee", "fee"),
    ]
    loaded = spec.load()
    schemas = spec.SchemaRegistry(loaded.document)
    verifier = auth.Authenticator(secret_of={"e2e-axb": SECRET}.get)
    for path, head, body in got:
        webhook = "callEventAxb" if path == "/status" else "feeAxb"
        assert schemas.errors(loaded.webhooks[webhook].body_schema_pointer, body) == []
        assert head["Content-Type"] == "application/json;charset=UTF-8"
        verified = verifier.authenticate({k.lower(): v for k, v in head.items()})
        assert verified.app_key == "e2e-axb"
    # every event naming the binding carries its userData (the call-event table; spec x-pns-conflict)
    assert [body["statusInfo"].get("userData") for _, _, body in got[:5]] == ["ride-e2e-1"] * 5
    fee = got[-1][2]["feeLst"][0]
    assert fee["sessionId"] == call["sessionId"] == got[0][2]["statusInfo"]["sessionId"]
    assert fee["fwdAnswerTime"] == got[3][2]["statusInfo"]["timestamp"]


def test_sms_and_the_push_journal_through_the_cli_and_admin(server: str, receiver: Receiver) -> None:
    before = len(receiver.received)
    result = _cli("sms", "--from", A, "--to", X, "--text", "on my way", "--url", server)
    assert result["forwarded_to"] == B
    receiver.wait_for(before + 1)
    assert receiver.received[before][2]["smsEvent"]["called"] == B
    journal = httpx.get(f"{server}/_pns/pushes", params={"webhook": "smsNotifyAxb"}).json()["result"]
    assert journal[-1]["state"] == "delivered"
    for attempt in journal[-1]["attempts"]:
        assert 'PasswordDigest="(not journaled)"' in attempt["headers"]["X-AKSK"]


def test_cli_reports_an_unreachable_server(tmp_path: Path) -> None:
    port = free_port()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pns_mock.mockserver",
            "call",
            "--from",
            A,
            "--to",
            X,
            "--url",
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 1
    assert "cannot reach" in out.stderr
