"""Schemathesis hooks: sign every generated request as the demo application of its operation's mode.

Loaded through `SCHEMATHESIS_HOOKS=tests.reliability.schemathesis_hooks` by
`tests/reliability/run_schemathesis.py` (the CI test and `scripts/schemathesis.sh`).

Random identifiers almost never name a live binding, so only error paths would be exercised.
To reach the success paths too, half of the positive cases that name a binding or an X number (a
fifth of the deletes) get a live one of the signing application instead, read from the admin
API's state dump.
"""

from __future__ import annotations

import json
import random
import secrets
import urllib.request
from typing import Any

import schemathesis
from requests.structures import CaseInsensitiveDict

from pns_mock import spec
from pns_mock.mockserver.domain import auth

# operations of no mode ("common") are signed by the AXB application
_APP_OF_MODE = {
    "AXB": "demo-axb",
    "AX": "demo-ax",
    "AXE": "demo-axe",
    "AXYB": "demo-axyb",
    "common": "demo-axb",
}
_AUTH_HEADERS = ("authorization", "x-aksk", "x-wsse")
_MODES = {(op.method.upper(), op.path): op.mode for op in spec.load().operations.values()}
_X_FIELDS = ("relationNum", "privateNum", "virtualNum")
_choices = random.Random(0)  # deterministic with one worker and a fixed --seed


def app_of(method: str, path: str) -> str:
    """The demo app of the operation's mode; methods the spec lacks (the coverage phase sends
    TRACE and friends) are signed as AXB."""
    return _APP_OF_MODE[_MODES.get((method.upper(), path), "common")]


def _live(base_url: str, app_key: str) -> tuple[list[str], list[str]]:
    """The app's live subscription ids and its X numbers."""
    with urllib.request.urlopen(f"{base_url}/_pns/state", timeout=5) as reply:
        state = json.loads(reply.read())["result"]
    app = next(a for a in state["apps"] if a["app_key"] == app_key)
    return [b["subscription_id"] for b in app["bindings"]], [n["number"] for n in app["numbers"]]


def _steer(case: schemathesis.Case[Any], app_key: str) -> None:
    meta = case.meta
    if meta is None or meta.generation.mode is not schemathesis.GenerationMode.POSITIVE:
        return
    containers = [c for c in (case.query, case.body) if isinstance(c, dict)]
    named = [(c, k) for c in containers for k in ("subscriptionId", *_X_FIELDS) if k in c]
    # deletes less often, so that operations fuzzed after them still find live bindings
    if not named or _choices.random() >= (0.2 if case.method.upper() == "DELETE" else 0.5):
        return
    ids, numbers = _live(case.operation.schema.get_base_url(), app_key)
    for container, key in named:
        pool = ids if key == "subscriptionId" else numbers
        if pool:
            container[key] = _choices.choice(pool)


@schemathesis.hook
def before_call(
    context: schemathesis.HookContext, case: schemathesis.Case[Any], kwargs: dict[str, Any]
) -> None:
    app_key = app_of(case.method, case.path)
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() not in _AUTH_HEADERS}
    headers.update(auth.sign("AKSK", app_key, f"{app_key}-secret", secrets.token_hex(16), auth.created_now()))
    case.headers = CaseInsensitiveDict(headers)
    if isinstance(case.query, dict) and "app_key" in case.query:
        case.query["app_key"] = app_key  # AXYB repeats the signing app_key in the query string
    _steer(case, app_key)
