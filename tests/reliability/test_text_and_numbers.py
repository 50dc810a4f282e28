"""Strings that are not Unicode text and numbers that are not finite, over a real socket.

A lone surrogate (`"\\ud800"`) is valid JSON but no text; `NaN`, `inf` and `1e400` are numbers no
clock can read. Each is refused before anything is stored, and the state stays readable.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pns_mock.spec import Operation
from pns_mock.spec import load as load_spec

from .support import ROOT, Server, checked, demo_app, signed

SPEC = load_spec()
FIXTURES = ROOT / "fixtures" / "operations"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with Server("--frozen-clock", log=tmp_path_factory.mktemp("text") / "server.log") as running:
        yield running


def _string_paths(schema: Any, prefix: tuple[str, ...] = (), depth: int = 0) -> list[tuple[str, ...]]:
    """Every path to a string-typed property of a request schema, read from the spec."""
    schema = SPEC.deref(schema)
    found: list[tuple[str, ...]] = []
    types = schema.get("type")
    if prefix and (types == "string" or (isinstance(types, list) and "string" in types)):
        found.append(prefix)
    if depth < 3:
        for name, prop in schema.get("properties", {}).items():
            found.extend(_string_paths(prop, (*prefix, name), depth + 1))
        for variant in schema.get("allOf", []):
            found.extend(_string_paths(variant, prefix, depth + 1))
    return found


def _fields() -> list[tuple[str, str, tuple[str, ...]]]:
    """(operationId, "body" or "query", path) for every string field of every operation."""
    out: list[tuple[str, str, tuple[str, ...]]] = []
    for op in SPEC.operations.values():
        for param in op.parameters:
            if param.location == "query" and SPEC.deref(param.schema).get("type") == "string":
                out.append((op.operation_id, "query", (param.name,)))
        if op.request_schema_pointer:
            body = SPEC.resolve(op.request_schema_pointer)
            out.extend((op.operation_id, "body", path) for path in _string_paths(body))
    return sorted(set(out))


FIELDS = _fields()


def _base(op: Operation) -> dict[str, Any]:
    request: dict[str, Any] = json.loads((FIXTURES / f"{op.operation_id}.json").read_text())["request"]
    return request


def _send(server: Server, op: Operation, where: str, path: tuple[str, ...], text: str) -> httpx.Response:
    request = _base(op)
    query = dict(request.get("query", {}))
    body = json.loads(json.dumps(request.get("body"))) if "body" in request else None
    if where == "query":
        query[path[0]] = text
    else:
        body = body if isinstance(body, dict) else {}
        node = body
        for name in path[:-1]:
            child = node.get(name)
            if not isinstance(child, dict):
                child = node[name] = {}
            node = child
        node[path[-1]] = text
    # surrogates travel as escapes in JSON and as their (invalid) UTF-8 bytes in a query string
    qs = "&".join(f"{k}={quote(str(v).encode('utf-8', 'surrogatepass'), safe='')}" for k, v in query.items())
    content = json.dumps(body).encode() if body is not None else b""
    return httpx.request(
        op.method.upper(),
        f"{server.url}{op.path}" + (f"?{qs}" if qs else ""),
        content=content,
        headers=signed(demo_app(op.mode)),
        timeout=10,
    )


def _state_is_readable(server: Server) -> None:
    reply = httpx.get(f"{server.url}/_pns/state", timeout=10)
    assert reply.status_code == 200, reply.text
    assert reply.json()["ok"] is True


def test_every_operation_has_string_fields_to_try() -> None:
    assert {op for op, _, _ in FIELDS} == set(SPEC.operations)


@pytest.mark.parametrize(("operation_id", "where", "path"), FIELDS, ids=lambda v: str(v))
def test_a_lone_surrogate_in_any_string_field_is_1010002_and_stores_nothing(
    server: Server, operation_id: str, where: str, path: tuple[str, ...]
) -> None:
    op = SPEC.operations[operation_id]
    before = server.admin("GET", "state")
    reply = checked(operation_id, _send(server, op, where, path, "a\ud800b"))
    assert (reply.status_code, reply.json()["resultcode"]) == (403, "1010002")
    assert "surrogate" in reply.headers["x-pns-mock-problem"] or where == "query"
    assert server.admin("GET", "state") == before


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    field=st.sampled_from(FIELDS),
    text=st.text(st.characters(codec=None, categories=None), max_size=40)
    | st.lists(st.sampled_from(["\ud800", "\udfff", "\udbff\udc00", "a", "é", "+86"])).map("".join),
)
def test_arbitrary_strings_in_every_string_field_never_get_a_5xx(
    server: Server, field: tuple[str, str, tuple[str, ...]], text: str
) -> None:
    operation_id, where, path = field
    reply = checked(operation_id, _send(server, SPEC.operations[operation_id], where, path, text))
    assert reply.status_code < 500, reply.text
    _state_is_readable(server)


# the admin API and the configuration


def test_a_lone_surrogate_in_an_admin_body_is_refused_and_changes_nothing(server: Server) -> None:
    before = server.admin("GET", "state")
    app = {"app_key": "demo-\ud800", "app_secret": "s", "mode": "AXB"}
    reply = httpx.post(f"{server.url}/_pns/apps", content=json.dumps(app), headers=_JSON, timeout=10)
    assert reply.status_code == 400 and "surrogate" in reply.json()["error"]
    reset = {"apps": [{"app_key": "k", "app_secret": "\udc00", "mode": "AX"}]}
    reply = httpx.post(f"{server.url}/_pns/reset", content=json.dumps(reset), headers=_JSON, timeout=10)
    assert reply.status_code == 400 and "surrogate" in reply.json()["error"]
    assert server.admin("GET", "state") == before


def test_a_lone_surrogate_in_a_config_file_names_the_key(tmp_path: Path) -> None:
    from pns_mock.mockserver.cli import main

    path = tmp_path / "bad.yaml"
    path.write_text('apps:\n  - {app_key: "k\\ud800", app_secret: s, mode: AXB}\n', encoding="utf-8")
    assert main(["check-config", str(path)]) == 2


_JSON = {"Content-Type": "application/json"}


# the clock


@pytest.mark.parametrize(
    "body",
    [
        b'{"advance": "nan"}',
        b'{"advance": "inf"}',
        b'{"advance": 1e400}',
        b'{"advance": NaN}',
        b'{"advance": Infinity}',
        b'{"advance": -1}',
        b'{"advance": 1e15}',
        b'{"set": "nan"}',
        b'{"set": 1e400}',
        b'{"set": -1}',
        b'{"set": "10000-01-01T00:00:00Z"}',
        b'{"freeze": false, "advance": "nan"}',
        b'{"advance": true}',
    ],
    ids=lambda b: b.decode(),
)
def test_a_clock_value_that_is_no_time_is_refused_before_the_clock_moves(server: Server, body: bytes) -> None:
    server.admin("POST", "reset")
    before = server.admin("GET", "clock")
    httpx.post(f"{server.url}/_pns/clock", json={"freeze": True}, timeout=10)
    frozen = server.admin("GET", "clock")
    reply = httpx.post(f"{server.url}/_pns/clock", content=body, headers=_JSON, timeout=10)
    assert reply.status_code == 400, reply.text
    assert reply.json()["ok"] is False
    assert server.admin("GET", "clock") == frozen
    bind = {"callerNum": "+8613800000001", "calleeNum": "+8613900000002", "relationNum": "+8617010000001"}
    op = "/rest/caas/relationnumber/partners/v1.0"
    created = checked(
        "createAxbBinding", httpx.post(f"{server.url}{op}", json=bind, headers=signed("demo-axb"))
    )
    assert created.json()["resultcode"] == "0"
    gone = httpx.delete(
        f"{server.url}{op}?subscriptionId={created.json()['subscriptionId']}", headers=signed("demo-axb")
    )
    assert checked("deleteAxbBinding", gone).json()["resultcode"] == "0"
    httpx.post(f"{server.url}/_pns/clock", json={"freeze": before["frozen"]}, timeout=10)


def test_infinite_durations_in_a_config_file_are_refused(tmp_path: Path) -> None:
    from pns_mock.mockserver.cli import main

    for line in ("auth_window_seconds: .inf", "lockout_seconds: .nan", "push_timeout_seconds: 1e9"):
        path = tmp_path / "bad.yaml"
        path.write_text(f"server:\n  {line}\n", encoding="utf-8")
        assert main(["check-config", str(path)]) == 2, line
