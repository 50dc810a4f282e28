"""The journal keeps every header name a request came with, bounded, and never a secret."""

from __future__ import annotations

from pns_mock.mockserver.report import (
    ENTRY_HEADER_BYTES,
    HEADER_COUNT_LIMIT,
    HEADER_VALUE_LIMIT,
    MORE_HEADERS,
)

from .helpers import AXB, X1, axb_client, make_engine


def _journaled(headers: dict[str, str], signed: bool = True) -> dict[str, str]:
    client = axb_client(make_engine())
    client.call("GET", AXB, query={"relationNum": X1}, headers=headers, signed=signed)
    return client.engine.platform.journal.entries()[-1].headers


def test_unknown_headers_are_kept_with_their_values() -> None:
    headers = _journaled({"X-Request-Id": "r-17", "Accept": "application/json"})
    assert (headers["x-request-id"], headers["accept"]) == ("r-17", "application/json")
    assert headers["authorization"] == "AKSK"
    assert headers["x-aksk"] == 'UsernameToken Username="demo-axb" (digest hidden)'


def test_many_headers_are_kept_up_to_the_count_bound() -> None:
    many = {f"X-E{i:03d}": "v" for i in range(100)}
    headers = _journaled(many)
    assert len(headers) == HEADER_COUNT_LIMIT + 1
    assert headers[MORE_HEADERS] == f"{len(many) + 3 - HEADER_COUNT_LIMIT} not journaled"  # + 3 signed
    assert headers["authorization"] == "AKSK"  # what the diagnosis needs stays first


def test_long_headers_stay_within_the_entry_budget() -> None:
    many = {f"X-Extra-{i:03d}": "v" * 1000 for i in range(100)}
    headers = _journaled(many)
    kept = [v for k, v in headers.items() if k.startswith("x-extra-")]
    assert kept and all(len(v) <= HEADER_VALUE_LIMIT for v in kept)
    assert sum(len(k) + len(v) for k, v in headers.items()) <= ENTRY_HEADER_BYTES
    assert headers["authorization"] == "AKSK" and "x-aksk" in headers


def test_credentials_under_any_name_are_hidden() -> None:
    headers = _journaled(
        {
            "X-PNS-Admin-Token": "s3cret-token",
            "Cookie": "session=abc",
            "2": 'X-AKSK: UsernameToken Username="k", PasswordDigest="c2VjcmV0ZGlnZXN0", Nonce="n"',
            "Legacy": "passworddigest=c2VjcmV0ZGlnZXN0",
        },
        signed=False,
    )
    assert (headers["x-pns-admin-token"], headers["cookie"]) == ("(hidden)", "(hidden)")
    assert headers["2"] == 'X-AKSK: UsernameToken Username="k", PasswordDigest="(hidden)", Nonce="n"'
    assert "c2VjcmV0ZGlnZXN0" not in str(headers) and "s3cret" not in str(headers)
