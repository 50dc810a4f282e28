"""Does the real platform's reply still match the spec? Each difference, with its spec pointer.

The kinds: a field the reply schema does not document (its `properties`, through `$ref` and
`allOf`/`oneOf`/`anyOf`), a result code not in the catalogue, a code the operation does not list,
an HTTP status other than the catalogue's for the code, a timestamp in another format than its
schema's `format`, a status the operation does not declare, a body that is not JSON, and any
other schema error.
"""

from __future__ import annotations

import functools
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
    # compiled once: the common case costs microseconds, and a valid reply has valid timestamps
    valid = schemas.fast(pointer).is_valid(document)
    _walk(_shape(spec, pointer), document, [], found, formats=not valid)
    if valid:
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


@dataclass
class _Shape:
    """What the walk needs of a schema, compiled once per spec pointer: its format, its documented
    properties (None: not an object schema, or an open map) and the shape of its items."""

    pointer: str
    fmt: str | None = None
    properties: dict[str, _Shape] | None = None
    items: _Shape | None = None


@functools.cache
def _shape(spec: Spec, pointer: str) -> _Shape:
    return _compile(spec, pointer, spec.resolve(pointer), {})


def _compile(spec: Spec, pointer: str, schema: Any, seen: dict[str, _Shape]) -> _Shape:
    while isinstance(schema, Mapping) and "$ref" in schema:
        pointer = str(schema["$ref"]).removeprefix("#")
        schema = spec.resolve(pointer)
    if pointer in seen:  # a recursive schema
        return seen[pointer]
    shape = seen[pointer] = _Shape(pointer)
    if not isinstance(schema, Mapping):
        return shape
    fmt = schema.get("format")
    shape.fmt = fmt if fmt in TIME_FORMATS else None
    found = _properties(spec, pointer, schema)
    if (found or "properties" in schema or schema.get("type") == "object") and not isinstance(
        schema.get("additionalProperties"), Mapping
    ):
        shape.properties = {name: _compile(spec, *pair, seen) for name, pair in found.items()}
    if isinstance(schema.get("items"), Mapping):
        shape.items = _compile(spec, f"{pointer}/items", schema["items"], seen)
    return shape


def _walk(shape: _Shape, value: Any, path: list[Any], out: list[Finding], formats: bool) -> None:
    """Undocumented fields (and, when `formats`, timestamp formats) of `value` against `shape`."""
    fmt = shape.fmt
    if formats and fmt is not None and isinstance(value, str) and not _parses(value, TIME_FORMATS[fmt]):
        field = _field(path)
        problem = f"{field} is {value!r}, not in format {fmt} ({TIME_FORMATS[fmt]})"
        out.append(Finding("timestamp-format", problem, shape.pointer, field, value))
    if isinstance(value, dict) and shape.properties is not None:
        properties = shape.properties
        for name, sub in value.items():
            child = properties.get(name)
            if child is None:
                field = _field([*path, name])
                problem = f"{field} is not a field the spec documents here"
                out.append(Finding("undocumented-field", problem, shape.pointer, field, sub))
            elif child.properties is not None or child.items is not None or (formats and child.fmt):
                _walk(child, sub, [*path, name], out, formats)
    elif isinstance(value, list) and shape.items is not None:
        for index, item in enumerate(value):
            _walk(shape.items, item, [*path, index], out, formats)


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
