"""Does a reply conform to the spec? Used by the test suite on every reply, and by the plugin."""

from __future__ import annotations

import json

from pns_mock.spec import Operation, SchemaRegistry, Spec

from .message import HttpResponse


def reply_problems(spec: Spec, schemas: SchemaRegistry, op: Operation, response: HttpResponse) -> list[str]:
    """Everything wrong with `response` as a reply of `op`; empty when it conforms."""
    if response.drop:
        return []
    status = response.status
    declared = op.raw.get("responses", {})
    if str(status) not in declared:
        return [f"{op.operation_id}: HTTP {status} is not a declared response ({sorted(declared)})"]
    pointer = op.response_schema_pointer(status)
    if pointer is None:
        return []
    content_type = response.header("Content-Type") or ""
    problems = []
    if content_type.replace(" ", "").lower() != "application/json;charset=utf-8":
        problems.append(f"Content-Type is {content_type!r}")
    try:
        body = json.loads(response.body)
    except ValueError:
        return [*problems, f"body is not JSON: {response.body[:200]!r}"]
    problems += [f"{op.operation_id} {status}: {e}" for e in schemas.errors(pointer, body)]
    code = body.get("resultcode") if isinstance(body, dict) else None
    if isinstance(code, str):
        catalogued = spec.result_codes.get(code)
        if catalogued is None:
            problems.append(f"resultcode {code} is not in the catalogue")
        else:
            if catalogued.http_status != status:
                problems.append(f"resultcode {code} travels with HTTP {catalogued.http_status}, not {status}")
            if code not in op.result_codes:
                problems.append(f"{op.operation_id} does not list resultcode {code}")
            if catalogued.reason is not None and body.get("resultdesc") == catalogued.text:
                problems.append(f"resultcode {code} carries a reason, and resultdesc names none")
    return problems
