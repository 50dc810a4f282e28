"""What the spec expects of a refused request's field, in words, with a correct example.

Shared by the pytest plugin's `ContractViolation` messages and the run verdict, so both say the
same thing about the same request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pns_mock.spec import Operation, Spec
from pns_mock.spec.fielddoc import properties

from ..domain.auth import created_now
from .journal import Entry


def _deref(spec: Spec, schema: Mapping[str, Any]) -> Mapping[str, Any]:
    return spec.deref(schema) if "$ref" in schema else schema


def field_schema(spec: Spec, op: Operation, field: str) -> Mapping[str, Any] | None:
    """The schema of a wire field of `op` (query parameter or dotted body path)."""
    name = field.removeprefix("query.")
    for param in op.parameters:
        if param.name == name and param.location == "query":
            return _deref(spec, param.schema)
    if op.request_schema_pointer is None:
        return None
    schema: Mapping[str, Any] | None = spec.resolve(op.request_schema_pointer)
    for part in name.split("."):
        if schema is None or part.isdigit():
            break
        schema = properties(spec, schema).get(part)
    return _deref(spec, schema) if schema is not None else None


def describe(spec: Spec, schema: Mapping[str, Any]) -> str:
    """What a schema expects, in one line."""
    parts = []
    variants = schema.get("oneOf") or schema.get("anyOf")
    if variants:
        return " or ".join(describe(spec, _deref(spec, v)) for v in variants)
    if "const" in schema:
        parts.append(f"exactly {json.dumps(schema['const'])}")
    if "enum" in schema:
        parts.append("one of " + ", ".join(json.dumps(v) for v in schema["enum"]))
    kind = schema.get("type")
    if kind and "enum" not in schema and "const" not in schema:
        parts.append(str(kind))
    if "format" in schema:
        parts.append(f"format {schema['format']}")
    if "pattern" in schema:
        parts.append(f"matching {schema['pattern']}")
    if "minLength" in schema or "maxLength" in schema:
        parts.append(f"length {schema.get('minLength', 0)}..{schema.get('maxLength', '')}")
    if "minimum" in schema or "maximum" in schema:
        parts.append(f"from {schema.get('minimum', '')} to {schema.get('maximum', '')}")
    text = ", ".join(parts)
    description = str(schema.get("description", "")).strip().split("\n")[0]
    return f"{text} ({description})" if description and text else (text or description)


def example_for(spec: Spec, op: Operation, field: str, schema: Mapping[str, Any] | None) -> Any:
    """A correct value for the field: from the operation's own examples, else the schema's."""
    name = field.removeprefix("query.")
    content = op.raw.get("requestBody", {}).get("content", {}).get("application/json", {})
    for example in content.get("examples", {}).values():
        value: Any = example.get("value", {})
        for part in name.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            return value
    if schema is not None:
        if schema.get("examples"):
            return schema["examples"][0]
        if "enum" in schema:
            return schema["enum"][0]
    return None


def expectation(spec: Spec, entry: Entry) -> tuple[str | None, Any]:
    """What the spec expects of the entry's offending field, and a correct example (or Nones)."""
    return expectation_of(spec, entry.operation_id, entry.field)


def expectation_of(spec: Spec, operation_id: str | None, field: str | None) -> tuple[str | None, Any]:
    """What the spec expects of a wire field of an operation, and a correct example (or Nones)."""
    if not field or operation_id is None:
        return None, None
    if field.split(".")[-1] == "Created" and field.startswith("X-"):
        created = spec.document["components"]["schemas"]["Created"]
        return describe(spec, created), created_now()
    op = spec.operations[operation_id]
    schema = field_schema(spec, op, field)
    return (describe(spec, schema) if schema else None), example_for(spec, op, field, schema)
