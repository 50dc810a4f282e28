"""The admin API answers loopback only unless a token is configured; secrets never reach a log."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from pns_mock.mockserver import cli, commands
from pns_mock.mockserver.config import default_config
from pns_mock.mockserver.domain import auth
from pns_mock.mockserver.http import Engine, HttpRequest, listeners
from pns_mock.mockserver.platform import Platform

from .support import AXB, Server, free_port, signed

TOKEN = "admin-token-for-tests"
REMOTE = "10.0.0.5"  # never contacted: the address only appears in an in-process request


def _state(engine: Engine, client: str, headers: dict[str, str] | None = None) -> int:
    request = HttpRequest.build("GET", "/_pns/state", headers=headers, client=client)
    return engine.handle(request).status


@pytest.fixture
def engine() -> Engine:
    return Engine(Platform(default_config()))


def test_without_a_token_the_admin_api_answers_loopback_only(engine: Engine) -> None:
    assert _state(engine, "127.0.0.1") == 200
    assert _state(engine, "::1") == 200
    assert _state(engine, REMOTE) == 403
    assert _state(engine, REMOTE, {"X-PNS-Admin-Token": "guess"}) == 403


def test_with_a_token_a_remote_client_needs_it_and_is_then_served(engine: Engine) -> None:
    engine.admin.token = TOKEN
    assert _state(engine, REMOTE) == 403
    assert _state(engine, REMOTE, {"X-PNS-Admin-Token": "wrong"}) == 403
    assert _state(engine, REMOTE, {"X-PNS-Admin-Token": TOKEN}) == 200
    assert _state(engine, "127.0.0.1") == 403  # a token binds loopback too


def test_the_pns_api_itself_answers_any_client(engine: Engine) -> None:
    request = HttpRequest.build(
        "GET", AXB, query="relationNum=%2B8617010000001", headers=signed("demo-axb"), client=REMOTE
    )
    assert engine.handle(request).json()["resultcode"] == "1012007"


def _served(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> Any:
    """Run `pns-mock serve` up to the point where it would listen; return the ASGI app."""
    served: list[Any] = []
    monkeypatch.setattr(listeners, "serve_all", lambda app, listeners, **kwargs: served.append(app))
    # a free port: serve refuses a busy one before it gets this far
    assert cli.main(["serve", "--port", str(free_port()), *argv]) == 0
    return served[0]


def test_serve_admin_token_sets_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _served(monkeypatch, ["--admin-token", TOKEN]).engine.admin.token == TOKEN
    assert _served(monkeypatch, []).engine.admin.token is None


def test_config_server_admin_token_sets_the_token_and_the_flag_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("server: {admin_token: from-config}\n")
    assert _served(monkeypatch, ["--config", str(config)]).engine.admin.token == "from-config"
    assert _served(monkeypatch, ["--config", str(config), "--admin-token", TOKEN]).engine.admin.token == TOKEN


def test_the_token_can_come_from_a_file_or_the_environment_and_the_flag_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret_file = tmp_path / "token"
    secret_file.write_text("from-file\n")
    assert _served(monkeypatch, ["--admin-token-file", str(secret_file)]).engine.admin.token == "from-file"
    monkeypatch.setenv(commands.TOKEN_ENV, "from-env")
    assert _served(monkeypatch, []).engine.admin.token == "from-env"
    assert _served(monkeypatch, ["--admin-token-file", str(secret_file)]).engine.admin.token == "from-file"
    assert _served(monkeypatch, ["--admin-token", TOKEN]).engine.admin.token == TOKEN
    (tmp_path / "empty").write_text("")
    assert cli.main(["serve", "--admin-token-file", str(tmp_path / "empty")]) == 2


def test_a_token_from_the_environment_never_shows_in_the_process_list(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(commands.TOKEN_ENV, SECRET)
    with Server(log=tmp_path / "server.log") as server:
        cmdline = Path(f"/proc/{server.pid}/cmdline").read_bytes()
        refused = httpx.get(f"{server.url}/_pns/clock")
        served = httpx.get(f"{server.url}/_pns/clock", headers={"X-PNS-Admin-Token": SECRET})
    assert SECRET.encode() not in cmdline
    assert (refused.status_code, served.status_code) == (403, 200)


def test_the_banner_prints_no_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _served(monkeypatch, [])
    out = capsys.readouterr()
    assert "app_key=demo-axb" in out.out
    assert not [a.app_secret for a in default_config().apps if a.app_secret in out.out + out.err]


# logs, journals and push records of a real server


SECRET = "Zq8-very-secret-value-7Hk"
_DIGEST = re.compile(r'PasswordDigest="([^"]+)"')


class Receiver:
    """Push receiver that keeps the headers of what it gets (the platform's signed tokens)."""

    def __init__(self) -> None:
        self.headers: list[dict[str, str]] = []
        seen = self.headers

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                seen.append(dict(self.headers.items()))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def test_secrets_and_digests_never_appear_in_logs_or_journals(tmp_path: Path, receiver: Receiver) -> None:
    x, a, b = "+8617710000001", "+8613800000001", "+8613900000002"
    config = tmp_path / "config.json"
    app = {
        "app_key": "private",
        "app_secret": SECRET,
        "mode": "AXB",
        "numbers": [{"number": x, "area_code": "0755"}],
        "callbacks": {"status": f"{receiver.url}/status", "fee": f"{receiver.url}/fee"},
    }
    config.write_text(json.dumps({"apps": [app]}))
    sent: list[dict[str, str]] = []
    # trace: uvicorn's most verbose level, a superset of debug
    server = Server("--config", str(config), "--log-level", "trace", log=tmp_path / "server.log")
    with server, httpx.Client(base_url=server.url, timeout=10) as client:
        for scheme in ("AKSK", "WSSE"):
            sent.append(auth.sign(scheme, "private", SECRET, f"n{scheme}", auth.created_now()))
            sent.append(auth.sign(scheme, "private", "not-the-secret", f"w{scheme}", auth.created_now()))
        bind = {"callerNum": a, "calleeNum": b, "relationNum": x}
        for headers in sent:
            client.post(AXB, json=bind, headers=headers)
        client.post(AXB, content=b"{broken", headers=sent[0])
        client.post("/_pns/calls", json={"from": a, "to": x, "answer_after": 0.1, "talk": 0.1})
        for _ in range(200):  # bounded: pushes go out within milliseconds
            if len(receiver.headers) >= 2:
                break
            threading.Event().wait(0.02)
        assert receiver.headers, "no push arrived"
        journal = client.get("/_pns/journal").text
        pushes = client.get("/_pns/pushes").text
    logs = server.output()
    digests = {d for h in [*sent, *receiver.headers] for value in h.values() for d in _DIGEST.findall(value)}
    assert len(digests) >= len(sent) + 1
    for name, text in (("server output", logs), ("journal", journal), ("push journal", pushes)):
        assert SECRET not in text, f"the app secret leaked into the {name}"
        leaked = [d for d in digests if d in text]
        assert not leaked, f"PasswordDigest values leaked into the {name}: {leaked}"
    assert "TRACE:" in logs  # the server did log verbosely


# Nonce replay


def test_nonce_replays_are_accepted_by_default_as_the_vendor_documents_no_check(tmp_path: Path) -> None:
    with Server(log=tmp_path / "server.log") as server:
        headers = signed("demo-axb")
        replies = [
            httpx.get(f"{server.url}{AXB}?relationNum=%2B8617010000001", headers=headers) for _ in range(2)
        ]
    assert [r.json()["resultcode"] for r in replies] == ["1012007", "1012007"]


def test_with_a_replay_window_a_replayed_nonce_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("server: {nonce_replay_seconds: 300}\n" + _DEMO_AXB_APP)
    with Server("--config", str(config), log=tmp_path / "server.log") as server:
        headers = signed("demo-axb")
        bind = {"callerNum": "+8613800000001", "calleeNum": "+8613900000002"}
        first = httpx.post(f"{server.url}{AXB}", json=bind, headers=headers)
        again = httpx.post(f"{server.url}{AXB}", json=bind, headers=headers)
        fresh = httpx.get(f"{server.url}{AXB}?relationNum=%2B8617010000001", headers=signed("demo-axb"))
        bindings = server.admin("GET", "state")["apps"][0]["bindings"]
    assert first.json()["resultcode"] == "0"
    assert (again.status_code, again.json()["resultcode"]) == (401, "1010010")
    assert "Nonce" in again.headers["x-pns-mock-problem"]
    assert fresh.json()["resultcode"] == "0"
    assert len(bindings) == 1


_DEMO_AXB_APP = """apps:
  - {app_key: demo-axb, app_secret: demo-axb-secret, mode: AXB,
     numbers: [{number: "+8617010000001", area_code: "0755"}]}
"""
