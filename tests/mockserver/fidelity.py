"""One way to call the mock for the vendor-fidelity tests: in-process through the engine, or over a
real socket against `pns-mock serve`. Both check every reply against the spec."""

from __future__ import annotations

import json as jsonlib
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote, urlencode

import httpx

from pns_mock import spec
from pns_mock.mockserver.domain import auth
from pns_mock.mockserver.http import Engine, HttpResponse, reply_problems

from .helpers import NONCE, WALL, Client, make_engine

SECRETS = {f"demo-{mode}": f"demo-{mode}-secret" for mode in ("axb", "ax", "axe", "axyb", "x")}


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]

    @property
    def code(self) -> Any:
        return self.body.get("resultcode") if isinstance(self.body, dict) else None

    @property
    def problem(self) -> str:
        return self.headers.get("x-pns-mock-problem", "")


class Api(Protocol):
    def call(
        self,
        app_key: str,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        json: Any = None,
        nonce: str | None = None,
    ) -> Reply: ...

    def journal(self, operation_id: str) -> list[dict[str, Any]]: ...

    def reset(self) -> None: ...

    def advance(self, seconds: float) -> None: ...


class InProcess:
    def __init__(self, engine: Engine | None = None) -> None:
        self.engine = engine or make_engine()

    def call(
        self,
        app_key: str,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        json: Any = None,
        nonce: str | None = None,
    ) -> Reply:
        client = Client(self.engine, app_key, SECRETS[app_key])
        headers = auth.sign("AKSK", app_key, SECRETS[app_key], nonce or NONCE, auth.created_now(WALL))
        r = client.call(method, path, query=query, json=json, headers=headers)
        return Reply(r.status, r.json(), {k.lower(): v for k, v in r.headers})

    def journal(self, operation_id: str) -> list[dict[str, Any]]:
        return [e.as_dict() for e in self.engine.platform.journal.entries(operation_id)]

    def reset(self) -> None:
        self.engine = make_engine()

    def advance(self, seconds: float) -> None:
        self.engine.platform.clock.advance(seconds)


class OverSocket:
    """A running `pns-mock serve --frozen-clock`; replies are checked against the spec here."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = httpx.Client(base_url=base, timeout=10)
        self.spec = spec.load()
        self.schemas = spec.SchemaRegistry(self.spec.document)

    def call(
        self,
        app_key: str,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        json: Any = None,
        nonce: str | None = None,
    ) -> Reply:
        headers = {
            "Content-Type": "application/json;charset=UTF-8",
            **auth.sign("AKSK", app_key, SECRETS[app_key], nonce or NONCE, auth.created_now()),
        }
        body = jsonlib.dumps(json).encode() if json is not None else b""
        qs = urlencode(query or {}, quote_via=quote)
        r = self.http.request(method, f"{path}?{qs}" if qs else path, content=body, headers=headers)
        op = self.spec.routes[(method, path)]
        wire = HttpResponse(r.status_code, list(r.headers.items()), r.content)
        problems = reply_problems(self.spec, self.schemas, op, wire)
        assert not problems, f"the server's reply breaks the spec: {problems}"
        return Reply(r.status_code, r.json() if r.content else None, dict(r.headers.items()))

    def journal(self, operation_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.http.get(
            "/_pns/journal", params={"operationId": operation_id}
        ).json()["result"]
        return found

    def reset(self) -> None:
        self.http.post("/_pns/reset").raise_for_status()
        self.http.delete("/_pns/journal").raise_for_status()

    def advance(self, seconds: float) -> None:
        self.http.post("/_pns/clock", json={"advance": seconds}).raise_for_status()
