"""The auth headers real PNS clients send, spelled byte for byte as each sends them.

The spellings are those of the vendor's samples (Python, PHP, Node, Java) and of public client
code; each is built here from its recipe, not copied.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import uuid
from collections.abc import Iterator

import httpx
import pytest

from pns_mock import spec
from pns_mock.mockserver.domain import auth
from pns_mock.mockserver.http import HttpResponse, reply_problems

from .helpers import AXB, WALL, Client, make_engine
from .serving import serve

KEY, SECRET = "demo-axb", "demo-axb-secret"
CREATED = auth.created_now(WALL)
BIND = {"callerNum": "+8613800000001", "calleeNum": "+8613900000002", "areaCode": "0755"}

JAVA_AUTHORIZATION = 'WSSE realm="SDP", profile="UsernameToken", dsl="Appkey"'


def _aksk(nonce: str, created: str = CREATED, secret: str = SECRET) -> str:
    mac = hmac.new(secret.encode(), (nonce + created).encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def _wsse(nonce: str, created: str = CREATED, secret: str = SECRET, *, hex_form: bool = False) -> str:
    h = hashlib.sha256((nonce + created + secret).encode())
    return base64.b64encode(h.hexdigest().encode() if hex_form else h.digest()).decode()


def _token(digest: str, nonce: str, sep: str = ",", created: str = CREATED) -> str:
    return sep.join(
        (
            f'UsernameToken Username="{KEY}"',
            f'PasswordDigest="{digest}"',
            f'Nonce="{nonce}"',
            f'Created="{created}"',
        )
    )


UUID_HEX = uuid.UUID(int=0x66C92B11FF8A425FB8D4CCFE0ED9ED1F).hex  # uuid4().hex, as Python samples
UNIQID = "5f3c1a2b4d6e8"  # PHP uniqid(): 13 hex characters
RANDOM_128 = bytes(range(64)).hex()  # 64 random bytes as hex (Node samples)

# name -> (Authorization, token header name, token value)
ACCEPTED: dict[str, tuple[str, str, str]] = {
    "aksk, current pages": (
        'AKSK realm="SDP",profile="UsernameToken",type="Appkey"',
        "X-AKSK",
        _token(_aksk(UUID_HEX), UUID_HEX),
    ),
    "aksk, comma and space everywhere": (
        'AKSK realm="SDP", profile="UsernameToken", type="Appkey"',
        "X-AKSK",
        _token(_aksk(UUID_HEX), UUID_HEX, ", "),
    ),
    "aksk, java-style dsl": (
        'AKSK realm="SDP", profile="UsernameToken", dsl="Appkey"',
        "X-AKSK",
        _token(_aksk(UUID_HEX), UUID_HEX),
    ),
    "aksk, 128-character nonce": (
        'AKSK realm="SDP",profile="UsernameToken",type="Appkey"',
        "X-AKSK",
        _token(_aksk(RANDOM_128), RANDOM_128),
    ),
    "wsse, raw digest, php uniqid nonce": (
        'WSSE realm="SDP",profile="UsernameToken",type="Appkey"',
        "X-WSSE",
        _token(_wsse(UNIQID), UNIQID),
    ),
    "wsse, hex digest (older python samples)": (
        'WSSE realm="SDP",profile="UsernameToken",type="Appkey"',
        "X-WSSE",
        _token(_wsse(UUID_HEX, hex_form=True), UUID_HEX),
    ),
    "wsse, the vendor's java sample": (JAVA_AUTHORIZATION, "X-WSSE", _token(_wsse(UUID_HEX), UUID_HEX)),
    "wsse, java sample with comma and space in the token": (
        JAVA_AUTHORIZATION,
        "X-WSSE",
        _token(_wsse(UUID_HEX), UUID_HEX, ", "),
    ),
}


def _bind(headers: dict[str, str]) -> tuple[int, dict[str, str], dict[str, str]]:
    client = Client(make_engine(), KEY, SECRET)
    response = client.call("POST", AXB, json=BIND, headers=headers, signed=False)
    return response.status, json.loads(response.body), dict(response.headers)


@pytest.mark.parametrize("variant", sorted(ACCEPTED))
def test_every_header_spelling_the_vendor_samples_use_is_accepted(variant: str) -> None:
    authorization, token_header, token = ACCEPTED[variant]
    status, body, _ = _bind({"Authorization": authorization, token_header: token})
    assert (status, body["resultcode"]) == (200, "0")


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        ('WSSE realm="SDP", profile="UsernameToken"', "1023012"),  # neither type nor dsl
        ('WSSE realm="SDP", profile="UsernameToken", dsl="AppKey"', "1023011"),
        ('WSSE realm="SDP", profile="UsernameToken", type="Appkey", dsl="x"', "0"),  # type wins
        ('WSSE realm="SDP", profile="UsernameToken", type="x", dsl="Appkey"', "1023011"),
        ('WSSE profile="UsernameToken", dsl="Appkey"', "1023007"),
        ('WSSE realm="SDP", dsl="Appkey"', "1023008"),
        ('AKSK realm="SDP", profile="UsernameToken", dsx="Appkey"', "1023012"),
    ],
)
def test_dsl_stands_for_type_and_each_missing_part_keeps_its_code(authorization: str, code: str) -> None:
    scheme = authorization.split(" ", 1)[0]
    digest = _aksk(UUID_HEX) if scheme == "AKSK" else _wsse(UUID_HEX)
    _, body, headers = _bind({"Authorization": authorization, f"X-{scheme}": _token(digest, UUID_HEX)})
    assert body["resultcode"] == code
    if code == "1023011" and "dsl" in authorization and "type=" not in authorization:
        assert 'dsl is "AppKey"' in headers["X-PNS-Mock-Problem"]


def test_the_spec_records_dsl_as_a_conflict_of_both_schemes() -> None:
    schemes = spec.load().document["components"]["securitySchemes"]
    for name in ("AkskAuthorization", "WsseAuthorization"):
        assert schemes[name]["x-pns-attribute-aliases"] == {"dsl": "type"}
        assert "dsl" in schemes[name]["x-pns-conflict"]["accepted"]


def test_headers_under_numbered_names_get_1023006() -> None:
    # one PHP package passes its header lines as a list, so they arrive named 0..3
    authorization, token_header, token = ACCEPTED["wsse, raw digest, php uniqid nonce"]
    lines = [
        "Content-Type: application/json;charset=UTF-8",
        f"Authorization: {authorization}",
        f"{token_header}: {token}",
        "Accept: application/json",
    ]
    status, body, _ = _bind({str(i): line for i, line in enumerate(lines)})
    assert (status, body["resultcode"]) == (400, "1023006")


def _raw_exchange(base: str, request: bytes) -> HttpResponse:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = [tuple(line.split(": ", 1)) for line in header_lines]
    return HttpResponse(int(status_line.split()[1]), headers, body)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve() as base:
        yield base


def _http(base: str, method: str, path: str, header_lines: list[str], body: bytes = b"") -> HttpResponse:
    head = [f"{method} {path} HTTP/1.1", f"Host: {base.removeprefix('http://')}", *header_lines]
    head += [f"Content-Length: {len(body)}", "Connection: close"]
    return _raw_exchange(base, ("\r\n".join(head) + "\r\n\r\n").encode() + body)


def _conforms(operation_id: str, response: HttpResponse) -> None:
    loaded = spec.load()
    problems = reply_problems(
        loaded, spec.SchemaRegistry(loaded.document), loaded.operations[operation_id], response
    )
    assert problems == []


def test_the_java_sample_binds_over_a_real_socket(server: str) -> None:
    created = auth.created_now()
    body = b'{"callerNum":"+8613800000001","calleeNum":"+8613900000002","areaCode":"0755"}'
    token = _token(_wsse(UUID_HEX, created), UUID_HEX, created=created)
    lines = [
        "Content-Type: application/json;charset=UTF-8",
        f"Authorization: {JAVA_AUTHORIZATION}",
        f"X-WSSE: {token}",
    ]
    response = _http(server, "POST", AXB, lines, body)
    _conforms("createAxbBinding", response)
    assert (response.status, b'"resultcode":"0"' in response.body) == (200, True)


def test_numbered_headers_are_refused_and_journaled_under_the_names_they_came_with(server: str) -> None:
    created = auth.created_now()
    digest = _wsse(UNIQID, created)
    token = _token(digest, UNIQID, created=created)
    lines = [
        "0: Content-Type: application/json;charset=UTF-8",
        '1: Authorization: WSSE realm="SDP",profile="UsernameToken",type="Appkey"',
        f"2: X-WSSE: {token}",
        "3: Accept: application/json",
        "User-Agent: PHP",
    ]
    # PHP stream contexts given a list of header lines send each under its index
    response = _http(server, "GET", AXB, lines)
    _conforms("queryAxbBinding", response)
    assert json.loads(response.body)["resultcode"] == "1023006"
    journal = httpx.get(f"{server}/_pns/journal", params={"limit": 1}).json()["result"]
    headers = journal[-1]["headers"]
    assert list(headers)[:4] == ["host", "0", "1", "2"]
    assert headers["0"] == "Content-Type: application/json;charset=UTF-8"
    assert headers["1"].startswith("Authorization: WSSE realm=")
    assert headers["2"].startswith(f'X-WSSE: UsernameToken Username="{KEY}",PasswordDigest="(hidden)"')
    assert headers["3"] == "Accept: application/json" and headers["user-agent"] == "PHP"
    assert digest not in json.dumps(journal)
