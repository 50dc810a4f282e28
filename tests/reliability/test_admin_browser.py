"""The admin API against a web page in the developer's browser, and admin bodies of any size.

Each test plays, over a real socket, the request a browser would send: the headers a page's
`fetch` or form adds (Origin, Sec-Fetch-Site, text/plain), or a rebound Host name.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import httpx
import pytest

from .support import Server

ONE_APP = {"app_key": "seeded", "app_secret": "seeded-secret", "mode": "AXB"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with Server(log=tmp_path_factory.mktemp("browser") / "server.log") as running:
        yield running


def _apps(server: Server) -> list[str]:
    return [app["app_key"] for app in server.admin("GET", "state")["apps"]]


@pytest.fixture
def unchanged(server: Server) -> Iterator[None]:
    server.admin("POST", "reset")
    before = server.admin("GET", "state")["apps"]
    yield
    assert server.admin("GET", "state")["apps"] == before


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example", "Content-Type": "text/plain"},
        {"Origin": "https://evil.example", "Content-Type": "application/json"},
        {"Origin": "null", "Content-Type": "application/json"},
        {"Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"},
        {"Content-Type": "text/plain;charset=UTF-8"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Host": "rebound.evil.example:8080", "Content-Type": "application/json"},
    ],
    ids=[
        "foreign origin, text/plain",
        "foreign origin",
        "null origin",
        "cross-site",
        "text/plain",
        "form",
        "rebound host",
    ],
)
def test_a_page_in_a_browser_cannot_reset_the_state(
    server: Server, unchanged: None, headers: dict[str, str]
) -> None:
    reply = httpx.post(f"{server.url}/_pns/reset", content=json.dumps({"apps": [ONE_APP]}), headers=headers)
    assert reply.status_code in (403, 415), reply.text
    assert reply.json()["ok"] is False and reply.json()["error"]


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Host": "rebound.evil.example"}, {"Sec-Fetch-Site": "cross-site"}],
    ids=["foreign origin", "rebound host", "cross-site"],
)
def test_a_page_in_a_browser_cannot_read_the_state_with_its_secrets(
    server: Server, headers: dict[str, str]
) -> None:
    reply = httpx.get(f"{server.url}/_pns/state", headers=headers)
    assert reply.status_code == 403
    assert "secret" not in reply.text


def test_a_page_cannot_make_the_server_post_to_an_internal_url(server: Server, unchanged: None) -> None:
    app = {**ONE_APP, "callbacks": {"status": "http://127.0.0.1:9/internal"}}
    headers = {"Origin": "http://attacker.test", "Content-Type": "text/plain"}
    reply = httpx.post(f"{server.url}/_pns/apps", content=json.dumps(app), headers=headers)
    assert reply.status_code in (403, 415)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://localhost:3000"},
        {"Origin": "http://127.0.0.1:8080"},
        {"Host": "localhost:8080"},
        {"Host": "[::1]:8080"},
        {"Sec-Fetch-Site": "same-origin"},
    ],
    ids=["localhost origin", "loopback origin", "localhost host", "IPv6 host", "same-origin"],
)
def test_the_developers_own_tools_on_loopback_are_served(server: Server, headers: dict[str, str]) -> None:
    reply = httpx.post(f"{server.url}/_pns/clock", json={"freeze": False}, headers=headers)
    assert reply.status_code == 200, reply.text


def test_a_configured_admin_host_is_served(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("hosts")
    config = folder / "config.yaml"
    config.write_text("server: {admin_hosts: [mock.internal]}\n")
    with Server("--config", str(config), log=folder / "server.log") as running:
        served = httpx.get(f"{running.url}/_pns/clock", headers={"Host": "mock.internal:8080"})
        refused = httpx.get(f"{running.url}/_pns/clock", headers={"Host": "other.internal"})
    assert (served.status_code, refused.status_code) == (200, 403)


# admin bodies larger than one TCP read


def _seed(size: int) -> bytes:
    """A valid reset body of at least `size` bytes: applications with many numbers each."""
    apps: list[dict[str, object]] = []
    total = 0
    while total < size:
        index = len(apps)
        numbers = [{"number": f"+86170{index:04d}{n:04d}", "area_code": "0755"} for n in range(1000)]
        apps.append(
            {"app_key": f"seed-{index:04d}", "app_secret": "s" * 64, "mode": "AXB", "numbers": numbers}
        )
        total += len(json.dumps(apps[-1]))
    return json.dumps({"apps": apps}).encode()


def _post_in_pieces(server: Server, path: str, body: bytes, piece: int = 1000) -> tuple[int, bytes]:
    """POST `body` in small writes, so the server receives it in many parts."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(head)
        for start in range(0, len(body), piece * 64):
            s.sendall(body[start : start + piece * 64])
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
    status = int(reply.split(b" ", 2)[1])
    return status, reply.split(b"\r\n\r\n", 1)[1]


def test_a_1_mb_reset_body_is_read_whole_and_applied(server: Server) -> None:
    body = _seed(1024 * 1024)
    status, reply = _post_in_pieces(server, "/_pns/reset", body)
    assert status == 200, reply
    keys = _apps(server)
    assert len(keys) == len(json.loads(body)["apps"])
    assert keys[0] == "seed-0000"
    server.admin("POST", "reset", json={})


def test_an_admin_body_over_the_limit_is_refused_not_read_as_empty(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("limit")
    config = folder / "config.yaml"
    config.write_text("server: {max_admin_body_bytes: 200000}\n")
    with Server("--config", str(config), log=folder / "server.log") as running:
        before = running.admin("GET", "state")["apps"]
        status, reply = _post_in_pieces(running, "/_pns/reset", _seed(300_000))
        assert status == 413
        assert "max_admin_body_bytes" in json.loads(reply)["error"]
        assert running.admin("GET", "state")["apps"] == before
