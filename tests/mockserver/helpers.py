"""A signing test client over the engine, with a fixed wall clock."""

from __future__ import annotations

import json as jsonlib
from typing import Any
from urllib.parse import quote, urlencode

from pns_mock.mockserver.config import Config, default_config
from pns_mock.mockserver.domain import VirtualClock, auth
from pns_mock.mockserver.http import Engine, HttpRequest, HttpResponse
from pns_mock.mockserver.platform import Platform

WALL = 1795514400.0  # 2026-11-24T10:00:00Z
NONCE = "66C92B11FF8A425FB8D4CCFE0ED9ED1F"

AXB = "/rest/caas/relationnumber/partners/v1.0"
AX = "/rest/provision/caas/privatenumber/v1.0"
AX_CALLEE = "/rest/caas/privatenumber/calleenumber/v1.0"
AXE = "/rest/caas/extendnumber/v1.0"
AXE_V2 = "/rest/caas/extendnumber/v2.0"
AXYB = "/rest/omp/xyrelationnumber/v1.0"

A, B, C, D = "+8613800000001", "+8613900000002", "+8613700000003", "+8613600000004"
X1, X2, X_BJ, X_SH = "+8617010000001", "+8617010000002", "+8617110000001", "+8616710000001"


def make_engine(config: Config | None = None) -> Engine:
    platform = Platform(
        config or default_config(),
        clock=VirtualClock(start=WALL, frozen=True),
        wall_clock=lambda: WALL,
    )
    return Engine(platform)


class Client:
    def __init__(self, engine: Engine, app_key: str, secret: str, scheme: str = "AKSK") -> None:
        self.engine = engine
        self.app_key = app_key
        self.secret = secret
        self.scheme = scheme

    def headers(self, created: str | None = None) -> dict[str, str]:
        return auth.sign(self.scheme, self.app_key, self.secret, NONCE, created or auth.created_now(WALL))

    def call(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        json: Any = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        raw_query: str | None = None,
        signed: bool = True,
    ) -> HttpResponse:
        all_headers = {"Content-Type": "application/json;charset=UTF-8"}
        if signed:
            all_headers.update(self.headers())
        all_headers.update(headers or {})
        payload = body if body is not None else (jsonlib.dumps(json).encode() if json is not None else b"")
        qs = raw_query if raw_query is not None else urlencode(query or {}, quote_via=quote)
        request = HttpRequest.build(
            method, path, query=qs, headers=all_headers, body=payload, client="127.0.0.1"
        )
        return self.engine.handle(request)


def axb_client(engine: Engine) -> Client:
    return Client(engine, "demo-axb", "demo-axb-secret")


def ax_client(engine: Engine) -> Client:
    return Client(engine, "demo-ax", "demo-ax-secret")


def axe_client(engine: Engine) -> Client:
    return Client(engine, "demo-axe", "demo-axe-secret")


def axyb_client(engine: Engine) -> Client:
    return Client(engine, "demo-axyb", "demo-axyb-secret")
