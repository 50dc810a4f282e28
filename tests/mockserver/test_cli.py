"""`pns-mock` on a real socket, as a newcomer runs it."""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pns_mock import spec
from pns_mock.mockserver.domain import auth
from pns_mock.mockserver.http import HttpResponse, reply_problems

from .serving import serve

AXB = "/rest/caas/relationnumber/partners/v1.0"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve() as base:
        yield base


def _checked(operation_id: str, response: httpx.Response) -> httpx.Response:
    loaded = spec.load()
    wrapped = HttpResponse(response.status_code, list(response.headers.items()), response.content)
    problems = reply_problems(
        loaded, spec.SchemaRegistry(loaded.document), loaded.operations[operation_id], wrapped
    )
    assert problems == []
    return response


def _signed(key: str = "demo-axb", secret: str = "demo-axb-secret") -> dict[str, str]:
    headers = auth.sign("AKSK", key, secret, "0123456789abcdef0123456789abcdef", auth.created_now())
    return {**headers, "Content-Type": "application/json;charset=UTF-8"}


def test_bind_query_and_unbind_over_http_with_the_demo_credentials(server: str) -> None:
    body = {"callerNum": "+8613800000001", "calleeNum": "+8613900000002", "areaCode": "0755"}
    bound = _checked("createAxbBinding", httpx.post(f"{server}{AXB}", json=body, headers=_signed()))
    assert bound.json()["resultcode"] == "0"
    sid = bound.json()["subscriptionId"]
    query = _checked(
        "queryAxbBinding", httpx.get(f"{server}{AXB}", params={"subscriptionId": sid}, headers=_signed())
    )
    assert query.json()["relationNumList"][0]["callerNum"] == "+8613800000001"
    gone = _checked(
        "deleteAxbBinding", httpx.delete(f"{server}{AXB}", params={"subscriptionId": sid}, headers=_signed())
    )
    assert gone.json() == {"resultcode": "0", "resultdesc": "Success"}


def test_the_server_keeps_serving_after_garbage(server: str) -> None:
    bad = httpx.post(f"{server}{AXB}", content=b"\xff{not json", headers=_signed())
    assert _checked("createAxbBinding", bad).json()["resultcode"] == "1010002"
    assert httpx.get(f"{server}/no/such/path").status_code == 404
    assert httpx.get(f"{server}/_pns/state").json()["ok"] is True


def test_admin_clock_moves_and_journal_records(server: str) -> None:
    before = httpx.get(f"{server}/_pns/clock").json()["result"]["epoch"]
    moved = httpx.post(f"{server}/_pns/clock", json={"advance": 3600}).json()["result"]["epoch"]
    assert moved - before >= 3600
    journal = httpx.get(f"{server}/_pns/journal", params={"limit": 5}).json()["result"]
    assert journal and all("PasswordDigest" not in str(e) for e in journal)


def test_invalid_config_names_the_key_and_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("apps:\n  - app_key: k\n    app_secret: s\n    mode: AXC\n")
    result = subprocess.run(
        [sys.executable, "-m", "pns_mock.mockserver", "serve", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "apps[0].mode" in result.stderr


def test_config_with_unknown_key_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("apps:\n  - app_key: k\n    app_secret: s\n    mode: AXB\n    colour: red\n")
    result = subprocess.run(
        [sys.executable, "-m", "pns_mock.mockserver", "check-config", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "colour" in result.stderr


def test_injected_drop_cuts_the_connection_once_and_the_server_keeps_serving(server: str) -> None:
    armed = httpx.post(f"{server}/_pns/faults", json={"operationId": "createAxbBinding", "drop": True})
    assert armed.json()["ok"] is True
    body = {"callerNum": "+8613600000001", "calleeNum": "+8613600000002"}
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(f"{server}{AXB}", json=body, headers=_signed())
    after = _checked("createAxbBinding", httpx.post(f"{server}{AXB}", json=body, headers=_signed()))
    assert after.json()["resultcode"] == "0"


def test_tls_serves_the_same_api_over_https_with_a_generated_certificate(tmp_path: Path) -> None:
    with serve("--tls", "--cert-dir", str(tmp_path), tls=True) as base:
        cert = tmp_path / "cert.pem"
        body = {"callerNum": "+8613500000001", "calleeNum": "+8613500000002"}
        # verify=False, as the clients in the wild do; and a verifying client trusting the cert
        insecure = httpx.post(f"{base}{AXB}", json=body, headers=_signed(), verify=False)
        assert _checked("createAxbBinding", insecure).json()["resultcode"] == "0"
        context = ssl.create_default_context(cafile=str(cert))
        verified = httpx.get(f"{base}/_pns/clock", verify=context)
        assert verified.status_code == 200


def test_undocumented_fields_are_answered_as_the_platform_does_but_reported(server: str) -> None:
    body = {"callerNum": "+8613400000001", "calleeNum": "+8613400000002", "calleeNumber": "x"}
    reply = _checked("createAxbBinding", httpx.post(f"{server}{AXB}", json=body, headers=_signed()))
    assert reply.json()["resultcode"] == "0"
    assert "calleeNumber" in reply.headers["X-PNS-Mock-Problem"]
    assert "strict_fields" in reply.headers["X-PNS-Mock-Problem"]
    (entry,) = httpx.get(
        f"{server}/_pns/journal", params={"operationId": "createAxbBinding", "limit": 1}
    ).json()["result"]
    assert entry["undocumented"] == ["calleeNumber"]
    assert entry["app_key"] == "demo-axb"


def test_no_strict_fields_lets_undocumented_fields_pass_silently() -> None:
    with serve("--no-strict-fields") as base:
        body = {"callerNum": "+8613400000001", "calleeNum": "+8613400000002", "calleeNumber": "x"}
        reply = _checked("createAxbBinding", httpx.post(f"{base}{AXB}", json=body, headers=_signed()))
        assert reply.json()["resultcode"] == "0"
        assert "X-PNS-Mock-Problem" not in reply.headers
        (entry,) = httpx.get(f"{base}/_pns/journal", params={"limit": 1}).json()["result"]
        assert entry["undocumented"] == []


def test_a_busy_port_prints_one_error_line_and_exits_2_without_the_banner() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "pns_mock.mockserver", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"pns-mock: cannot listen on 127.0.0.1:{port}: ")
