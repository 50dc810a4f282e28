"""The request and response examples of the operations, and the call flows of the diagrams.

In a checkout they come from `fixtures/` (generated from the spec by `pns_mock.contract_tests.fixturegen`,
and validated by the suite). An installed wheel ships no `fixtures/`, so the same examples are
rebuilt from the spec's own media-type examples, the way the generator builds them; a test keeps
the two sources equal.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from pns_mock.spec import Operation, Spec

from .model import NO_BODY, CallFlow, FlowStep, RequestExample, ResponseExample
from .ui import Words

CHECKOUT_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
_JSON = "application/json"

Examples = tuple[tuple[RequestExample, ...], tuple[ResponseExample, ...], tuple[ResponseExample, ...]]


def default_fixtures() -> Path | None:
    """`fixtures/` next to the package when running from a checkout, else None."""
    return CHECKOUT_FIXTURES if (CHECKOUT_FIXTURES / "operations").is_dir() else None


def _named(holder: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    """The named `application/json` examples (with `summary` and `value`) of a body or response."""
    content = (holder or {}).get("content", {}).get(_JSON, {})
    return dict(content.get("examples", {}))


def _summaries(holder: Mapping[str, Any] | None) -> dict[str, str]:
    return {name: str(ex.get("summary", "")) for name, ex in _named(holder).items()}


def operation_examples(s: Spec, op: Operation, fixtures: Path | None) -> Examples:
    data = _load(fixtures / "operations" / f"{op.operation_id}.json") if fixtures else _from_spec(s, op)
    body_names = list(_named(op.raw.get("requestBody"))) or ["request"]
    success_names = [n for status, r in op.raw["responses"].items() if status[0] in "23" for n in _named(r)]
    request_summaries = _summaries(op.raw.get("requestBody"))
    response_summaries = {
        n: v
        for status, r in op.raw["responses"].items()
        if status[0] in "23"
        for n, v in _summaries(r).items()
    }
    raw_requests = {body_names[0]: data["request"], **data.get("otherRequests", {})}
    requests = tuple(
        RequestExample(
            name=name,
            summary=request_summaries.get(name) or _query_summary(Words(s.lang), r.get("query", {})),
            method=op.method.upper(),
            path=op.path,
            query=r.get("query", {}),
            body=r.get("body", NO_BODY),
        )
        for name, r in raw_requests.items()
    )
    raw_responses = {(success_names or ["response"])[0]: data["response"], **data.get("otherResponses", {})}
    responses = tuple(_response(n, response_summaries.get(n, ""), r) for n, r in raw_responses.items())
    errors = tuple(_response(n, "", r) for n, r in data["errors"].items())
    return requests, responses, errors


def _query_summary(w: Words, query: Mapping[str, Any]) -> str:
    fields = ", ".join(f"`{k}`" for k in query if k != "app_key")
    return w("Look up by {fields}", fields=fields) if query else ""


def _response(name: str, summary: str, raw: Mapping[str, Any]) -> ResponseExample:
    return ResponseExample(
        name, summary, int(raw["status"]), raw.get("body", NO_BODY), raw.get("headers", {})
    )


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# The spec fallback: the same shapes `pns_mock.contract_tests.fixturegen` writes.


def _from_spec(s: Spec, op: Operation) -> dict[str, Any]:
    successes: dict[str, dict[str, Any]] = {}
    errors: dict[str, dict[str, Any]] = {}
    for status, response in op.raw["responses"].items():
        if status[0] in "23":
            examples = _named(response)
            headers = {n: h["example"] for n, h in response.get("headers", {}).items() if "example" in h}
            successes |= {n: {"status": int(status), "body": e["value"]} for n, e in examples.items()} or {
                status: {"status": int(status), "headers": headers}
            }
        else:
            resolved = s.deref(response)
            errors |= {n: {"status": int(status), "body": e["value"]} for n, e in _named(resolved).items()}
    for code in op.specific_codes:
        rc = s.result_codes[code]
        if str(rc.http_status) in op.raw["responses"]:
            errors[code] = {"status": rc.http_status, "body": rc.example_body()}
    query = _query(s, op, next(iter(successes)))
    bodies = [e["value"] for e in _named(op.raw.get("requestBody")).values()]
    requests = [_request(query, b) for b in bodies] or [_request(query, NO_BODY)]
    names = list(_named(op.raw.get("requestBody")))
    out: dict[str, Any] = {"request": requests[0], "response": next(iter(successes.values()))}
    if len(requests) > 1:
        out["otherRequests"] = dict(zip(names[1:], requests[1:], strict=True))
    if len(successes) > 1:
        out["otherResponses"] = dict(list(successes.items())[1:])
    out["errors"] = errors
    return out


def _request(query: dict[str, Any], body: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"query": query} if query else {}
    return out | ({"body": body} if body is not NO_BODY else {})


def _query(s: Spec, op: Operation, example: str) -> dict[str, Any]:
    """Required query parameters, plus (without a body) the selector group the example is named after."""
    raw = {p["name"]: p.get("example") for p in (s.deref(p) for p in op.raw.get("parameters", ()))}
    names = [p.name for p in op.parameters if p.location == "query" and p.required]
    if not op.has_body and op.one_of:
        named = [g for g in op.one_of if all(n.lower() in example.lower() for n in g)]
        names += (named or [op.one_of[-1]])[0]
    return {n: _demo_app_key(op.mode) if raw[n] is None and n == "app_key" else raw[n] for n in names}


def _demo_app_key(mode: str) -> str:
    """The mock's demo application of the mode, so the examples run against `pns-mock serve` as shown."""
    text = resources.files("pns_mock.mockserver").joinpath("defaults.yaml").read_text(encoding="utf-8")
    return next(str(a["app_key"]) for a in yaml.safe_load(text)["apps"] if a["mode"] == mode)


# Call flows for the sequence diagrams


def call_flow(s: Spec, mode: str, fixtures: Path | None) -> CallFlow | None:
    """The answered call of a mode: a fixture flow, else the spec's event examples in order."""
    hook = f"callEvent{mode.capitalize()}"
    relative = f"webhooks/{hook}/answered.json"
    if fixtures is not None and (fixtures / relative).is_file():
        data = _load(fixtures / relative)
        steps = tuple(_step(e["webhook"], e["body"], e.get("reply", NO_BODY)) for e in data["events"])
        cdr = data["cdr"]
        return CallFlow(
            mode, "answered", f"fixtures/{relative}", steps, cdr["webhook"], cdr["body"]["feeLst"][0]
        )
    if hook not in s.webhooks:
        return None
    events: list[FlowStep] = []
    block = s.webhooks.get(f"callinBlock{mode.capitalize()}")
    if block is not None:
        body = next(iter(_named(block.raw["requestBody"]).values()))["value"]
        reply = next(iter(_named(block.raw["responses"]["200"]).values()))["value"]
        events.append(_step(block.name, body, reply))
    for example in _named(s.webhooks[hook].raw["requestBody"]).values():
        events.append(_step(hook, example["value"], NO_BODY))
        if events[-1].event_type == "disconnect":
            break
    fee = f"fee{mode.capitalize()}"
    cdr = next(iter(_named(s.webhooks[fee].raw["requestBody"]).values()))["value"]["feeLst"][0]
    return CallFlow(mode, "answered", f"the examples of {hook}", tuple(events), fee, cdr)


def _step(webhook: str, body: Mapping[str, Any], reply: Any) -> FlowStep:
    info = body.get("statusInfo", {})
    return FlowStep(
        webhook=webhook,
        event_type=str(body.get("eventType", "")),
        timestamp=str(info.get("timestamp", "")),
        caller=str(info.get("caller", "")),
        called=str(info.get("called", "")),
        state_code=info.get("stateCode"),
        state_desc=str(info.get("stateDesc", "")),
        digits=str(info.get("digitInfo", "")),
        reply=reply,
    )
