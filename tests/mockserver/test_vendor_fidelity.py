"""The vendor's documented rules, each checked in-process and over a real socket.

Every rule here is one a customer's code would meet on the live platform; the spec says where
the vendor states it (`x-pns-source`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .fidelity import Api, InProcess, OverSocket
from .helpers import AXB, A, B
from .serving import serve

AXB_X = "+8617010000001"


@pytest.fixture(scope="module")
def server() -> Iterator[OverSocket]:
    with serve("--frozen-clock") as base:
        yield OverSocket(base)


@pytest.fixture(params=["in-process", "socket"])
def api(request: pytest.FixtureRequest) -> Api:
    if request.param == "in-process":
        return InProcess()
    over: OverSocket = request.getfixturevalue("server")
    over.reset()
    return over


# Nonce: 1 to 128 digits and letters


@pytest.mark.parametrize(
    ("method", "path", "query", "json"),
    [
        ("POST", AXB, None, {"callerNum": A, "calleeNum": B, "relationNum": AXB_X}),
        ("GET", AXB, {"relationNum": AXB_X}, None),
    ],
)
def test_a_nonce_of_129_characters_is_refused_as_no_usable_nonce(
    api: Api, method: str, path: str, query: dict[str, str] | None, json: dict[str, str] | None
) -> None:
    r = api.call("demo-axb", method, path, query=query, json=json, nonce="a" * 129)
    assert (r.status, r.code) == (400, "1023035")
    assert "129 characters" in r.problem and "1 to 128" in r.problem


def test_a_nonce_of_128_characters_is_accepted(api: Api) -> None:
    bind = {"callerNum": A, "calleeNum": B, "relationNum": AXB_X}
    assert api.call("demo-axb", "POST", AXB, json=bind, nonce="Z9" * 64).code == "0"


def test_a_nonce_with_dashes_is_refused(api: Api) -> None:
    r = api.call("demo-axb", "GET", AXB, query={"relationNum": AXB_X}, nonce="66c92b11-ff8a-425f")
    assert r.code == "1023035"
    assert "not only digits and letters" in r.problem
