"""Does the real platform's reply still match the spec? Each difference, with its spec pointer.

The kinds: a field the reply schema does not document (its `properties`, through `$ref` and
`allOf`/`oneOf`/`anyOf`), a result code not in the catalogue, a code the operation does not list,
an HTTP status other than the catalogue's for the code, a timestamp in another format than its
schema's `format`, a status the operation does not declare, a body that is not JSON, and any
other schema error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pns_mock.spec import Operation, SchemaRegistry, Spec
from pns_mock.spec.schemas import TIME_FORMATS

_COVERED = frozenset(("additionalProperties", "unevaluatedProperties"))  # reported as undocumented-field


@dataclass(frozen=True)
class Finding:
    kind: str
    problem: str
    pointer: str
    field: str | None = None
    value: Any = None

    @property
    def key(self) -> tuple[str, str | None, str]:
        """What makes two findings the same: kind, field (list positions aside) and pointer."""
        return self.kind, self.field, self.pointer


def reply_findings(
    spec: Spec, schemas: SchemaRegistry, op: Operation, status: int, body: bytes
) -> list[Finding]:
    found: list[Finding] = []
    declared = op.raw.get("responses", {})
    if str(status) not in declared:
        found.append(
            Finding(
                "undeclared-status",
                f"HTTP {status} is not a response the spec declares for {op.operation_id} "
                f"({', '.join(sorted(declared))})",
                f"{op.pointer}/responses",
                value=status,
            )
        )
    try:
        document = json.loads(body)
    except ValueError:
        where = op.response_schema_pointer(status) or f"{op.pointer}/responses"
        return [*found, Finding("not-json", "the reply body is not JSON", where, value=_head(body))]
    # the schema of the code's own status: a success sent with HTTP 500 is still a success reply
    code = spec.result_codes.get(str(document.get("resultcode"))) if isinstance(document, dict) else None
    owed = code.http_status if code is not None else status
    pointer = op.response_schema_pointer(owed) or op.response_schema_pointer(status)
    if isinstance(document, dict):
        found += _code_findings(spec, op, status, document)
    if pointer is None:
        return found
    walked: list[Finding] = []
    _walk(spec, pointer, spec.resolve(pointer), document, [], walked)
    found += walked
    if schemas.fast(pointer).is_valid(document):  # compiled once: the common case costs microseconds
        return found
    for err in schemas.validator(pointer).iter_errors(document):
        if err.validator in _COVERED or _is_timestamp(err.schema):
            continue
        path = _field(list(err.absolute_path))
        found.append(
            Finding("schema", f"{path or '(body)'}: {err.message}", pointer, path or None, err.instance)
        )
    return found


def _code_findings(spec: Spec, op: Operation, status: int, body: Mapping[str, Any]) -> list[Finding]:
    code = body.get("resultcode")
    if not isinstance(code, str):
        return []  # a missing or non-string code is a schema error, reported there
    catalogue = spec.document.get("x-pns-result-codes", [])
    index = next((i for i, row in enumerate(catalogue) if row.get("code") == code), None)
    if index is None:
        return [
            Finding(
                "unknown-resultcode",
                f"resultcode {code} is not in the catalogue",
                "/x-pns-result-codes",
                "resultcode",
                code,
            )
        ]
    found = []
    known = spec.result_codes[code]
    if known.http_status != status:
        found.append(
            Finding(
                "status-mismatch",
                f"resultcode {code} came with HTTP {status}; the catalogue says HTTP {known.http_status}",
                f"/x-pns-result-codes/{index}/httpStatus",
                "resultcode",
                code,
            )
        )
    if code not in op.result_codes:
        found.append(
            Finding(
                "unlisted-resultcode",
                f"{op.operation_id} does not list resultcode {code}",
                f"{op.pointer}/x-pns-result-codes",
                "resultcode",
                code,
            )
        )
    return found


def _walk(spec: Spec, pointer: str, schema: Any, value: Any, path: list[Any], out: list[Finding]) -> None:
    """Undocumented fields and timestamp formats of `value` against the schema at `pointer`."""
    while isinstance(schema, Mapping) and "$ref" in schema:
        pointer = str(schema["$ref"]).removeprefix("#")
        schema = spec.resolve(pointer)
    if not isinstance(schema, Mapping):
        return
    fmt = str(schema.get("format"))
    if isinstance(value, str) and fmt in TIME_FORMATS and not _parses(value, TIME_FORMATS[fmt]):
        field = _field(path)
        out.append(
            Finding(
                "timestamp-format",
                f"{field} is {value!r}, not in format {fmt} ({TIME_FORMATS[fmt]})",
                pointer,
                field,
                value,
            )
        )
    if isinstance(value, dict):
        properties = _properties(spec, pointer, schema)
        if properties or "properties" in schema or schema.get("type") == "object":
            for name in value:
                if name not in properties and not isinstance(schema.get("additionalProperties"), Mapping):
                    field = _field([*path, name])
                    problem = f"{field} is not a field the spec documents here"
                    out.append(Finding("undocumented-field", problem, pointer, field, value[name]))
        for name, sub in value.items():
            if name in properties:
                _walk(spec, *properties[name], sub, [*path, name], out)
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            _walk(spec, f"{pointer}/items", schema["items"], item, [*path, index], out)


def _properties(spec: Spec, pointer: str, schema: Mapping[str, Any]) -> dict[str, tuple[str, Any]]:
    """name -> (pointer, schema) of every property, through `$ref` and combinator branches."""
    while "$ref" in schema:
        pointer = str(schema["$ref"]).removeprefix("#")
        schema = spec.resolve(pointer)
    found = {
        name: (f"{pointer}/properties/{name}", sub) for name, sub in (schema.get("properties") or {}).items()
    }
    for key in ("allOf", "oneOf", "anyOf"):
        for index, branch in enumerate(schema.get(key, ())):
            for name, pair in _properties(spec, f"{pointer}/{key}/{index}", branch).items():
                found.setdefault(name, pair)
    return found


def _is_timestamp(schema: Any) -> bool:
    return isinstance(schema, Mapping) and schema.get("format") in TIME_FORMATS


def _parses(value: str, pattern: str) -> bool:
    try:
        datetime.strptime(value, pattern)
    except ValueError:
        return False
    return True


def _field(path: list[Any]) -> str:
    """A wire path with list positions as `*`, so one finding covers every item of a list."""
    return "/".join("*" if isinstance(part, int) else str(part) for part in path)


def _head(body: bytes) -> str:
    return body[:120].decode("utf-8", "replace")
