"""`serve --port P --tls-port Q`: HTTP and HTTPS from one process, one platform, one state."""

from __future__ import annotations

import argparse
import json
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
from pns_mock.mockserver.http import (
    HttpResponse,
    ListenerError,
    add_listener_options,
    listeners_from,
    reply_problems,
)

from .serving import free_port, serve

AXB = "/rest/caas/relationnumber/partners/v1.0"
SPEC = spec.load()
NONCE = "66c92b11ff8a425fb8d4ccfe0ed9ed1f"


def _checked(operation_id: str, response: HttpResponse) -> HttpResponse:
    problems = reply_problems(
        SPEC, spec.SchemaRegistry(SPEC.document), SPEC.operations[operation_id], response
    )
    assert problems == []
    return response


def _wrapped(response: httpx.Response) -> HttpResponse:
    return HttpResponse(response.status_code, list(response.headers.items()), response.content)


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tls_port = free_port()
    cert_dir = tmp_path_factory.mktemp("tls")
    with serve("--tls-port", str(tls_port), "--cert-dir", str(cert_dir)) as http_base:
        yield http_base, f"https://127.0.0.1:{tls_port}"


def _java_over_tls(https_base: str, method: str, target: str, body: bytes = b"") -> HttpResponse:
    """The vendor's Java sample: WSSE with `dsl`, HTTPS with certificate checks off."""
    created = auth.created_now()
    digest = auth.wsse_digest("demo-axb-secret", NONCE, created)
    host, port = https_base.removeprefix("https://").split(":")
    request = (
        f"{method} {target} HTTP/1.1\r\n"
        "Host: rtcapi.cn-north-1.myhuaweicloud.com:12543\r\n"
        "Content-Type: application/json;charset=UTF-8\r\n"
        'Authorization: WSSE realm="SDP", profile="UsernameToken", dsl="Appkey"\r\n'
        f'X-WSSE: UsernameToken Username="demo-axb",PasswordDigest="{digest}",'
        f'Nonce="{NONCE}",Created="{created}"\r\n'
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection((host, int(port)), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="rtcapi.cn-north-1.myhuaweicloud.com") as sock,
    ):
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, payload = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = [(k, v) for k, _, v in (line.partition(": ") for line in lines)]
    return HttpResponse(int(status_line.split()[1]), headers, payload)


def test_a_binding_made_over_https_is_known_over_http_and_back(both: tuple[str, str]) -> None:
    http_base, https_base = both
    body = b'{"callerNum":"+8613400000001","calleeNum":"+8613400000002","areaCode":"0755"}'
    bound = _checked("createAxbBinding", _java_over_tls(https_base, "POST", AXB, body))
    assert bound.status == 200
    sid = json.loads(bound.body)["subscriptionId"]
    headers = auth.sign("AKSK", "demo-axb", "demo-axb-secret", NONCE, auth.created_now())
    queried = httpx.get(f"{http_base}{AXB}", params={"subscriptionId": sid}, headers=headers)
    _checked("queryAxbBinding", _wrapped(queried))
    assert queried.json()["relationNumList"][0]["callerNum"] == "+8613400000001"
    gone = httpx.delete(f"{http_base}{AXB}", params={"subscriptionId": sid}, headers=headers)
    assert _checked("deleteAxbBinding", _wrapped(gone)).status == 200
    again = _java_over_tls(https_base, "GET", f"{AXB}?subscriptionId={sid}")
    assert json.loads(_checked("queryAxbBinding", again).body)["resultcode"] != "0"


def test_the_admin_api_and_the_clock_are_shared(both: tuple[str, str]) -> None:
    http_base, https_base = both
    moved = httpx.post(f"{http_base}/_pns/clock", json={"advance": 3600}).json()["result"]["epoch"]
    seen = httpx.get(f"{https_base}/_pns/clock", verify=False).json()["result"]["epoch"]
    assert seen >= moved


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_listener_options(parser)
    return parser.parse_args(argv)


def test_listener_plans(tmp_path: Path) -> None:
    cert_dir = ["--cert-dir", str(tmp_path)]
    assert [x.url for x in listeners_from(_args("--port", "9000"))] == ["http://127.0.0.1:9000"]
    assert [x.url for x in listeners_from(_args("--tls", "--port", "443", *cert_dir))] == [
        "https://127.0.0.1:443"
    ]
    both = listeners_from(_args("--port", "8080", "--tls-port", "12543", "--tls-port", "443", *cert_dir))
    assert [x.url for x in both] == [
        "http://127.0.0.1:8080",
        "https://127.0.0.1:12543",
        "https://127.0.0.1:443",
    ]
    assert both[1].cert == both[2].cert == tmp_path / "cert.pem"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--port", "8080", "--tls-port", "8080"), "each port may be given once"),
        (("--cert", "c.pem"), "--cert needs --key"),
        (("--key", "k.pem", "--tls-port", "12543"), "--key needs --cert"),
    ],
)
def test_listener_options_that_do_not_fit_are_refused(argv: tuple[str, ...], message: str) -> None:
    with pytest.raises(ListenerError, match=message):
        listeners_from(_args(*argv))


def test_a_port_in_use_stops_the_start_with_one_line_and_no_listener_left(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy, free = taken.getsockname()[1], free_port()
        argv = ["serve", "--port", str(free), "--tls-port", str(busy), "--cert-dir", str(tmp_path)]
        command = [sys.executable, "-m", "pns_mock.mockserver", *argv]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert "address already in use" in done.stderr.lower() and "Traceback" not in done.stderr
    with socket.socket() as again:
        again.bind(("127.0.0.1", free))  # the HTTP port bound first was released
