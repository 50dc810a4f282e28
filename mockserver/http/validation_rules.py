"""What the validator checks for each operation, compiled once from the spec.

Per operation: the query string's schema, which query parameters are integers, the body's
schema pointer, the boolean fields (`RecordFlag`), the `x-pns-field-order` and
`x-pns-confirmed-fields` rules, and every name the spec documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pns_mock.spec import FieldOrder, Operation, Spec


@dataclass(frozen=True)
class OperationRules:
    query_schema: dict[str, Any]
    query_pointer: str
    integer_params: frozenset[str]
    body_pointer: str | None
    bool_fields: frozenset[str]
    # (rule id, result code, order) of each `x-pns-field-order` rule of the operation
    field_orders: tuple[tuple[str, str, FieldOrder], ...] = ()
    # (rule id, fields the vendor confirms, where it says so) of each `x-pns-confirmed-fields` rule
    confirmed: tuple[tuple[str, frozenset[str], str], ...] = ()
    empty_query_ok: bool = False  # whether no query parameters at all pass the query schema
    # every name the spec documents for the operation: query parameters and body fields
    documented: frozenset[str] = frozenset()


def compile_rules(spec: Spec, op: Operation) -> OperationRules:
    """The rules of `op`; `empty_query_ok` is left False (it needs a compiled query validator)."""
    props: dict[str, Any] = {}
    required: list[str] = []
    integers: set[str] = set()
    for p in op.parameters:
        if p.location != "query":
            continue
        props[p.name] = dict(p.schema)
        if p.required:
            required.append(p.name)
        if spec.deref(p.schema).get("type") == "integer":
            integers.add(p.name)
    bools: set[str] = set()
    if op.request_schema_pointer:
        body = spec.deref(spec.resolve(op.request_schema_pointer))
        for name, prop in body.get("properties", {}).items():
            if prop.get("$ref", "").endswith("/RecordFlag"):
                bools.add(name)
    for p in op.parameters:
        if p.schema.get("$ref", "").endswith("/RecordFlag"):
            bools.add(p.name)
    documented = set(props)
    if op.request_schema_pointer:
        documented |= _property_names(spec, spec.resolve(op.request_schema_pointer))
    return OperationRules(
        documented=frozenset(documented),
        query_schema={"type": "object", "properties": props, "required": required},
        query_pointer=f"{op.pointer}/parameters",
        integer_params=frozenset(integers),
        body_pointer=op.request_schema_pointer,
        bool_fields=frozenset(bools),
        field_orders=tuple(
            (rule.id, rule.code, rule.field_order)
            for rule in spec.rules_for(op.operation_id)
            if rule.field_order is not None
        ),
        confirmed=tuple(
            (rule.id, frozenset(rule.confirmed_fields), rule.source.page)
            for rule in spec.rules_for(op.operation_id)
            if rule.confirmed_fields
        ),
    )


def _property_names(spec: Spec, schema: Mapping[str, Any]) -> set[str]:
    """The property names of a schema, through $ref and its allOf, oneOf and anyOf branches."""
    schema = spec.deref(schema) if "$ref" in schema else schema
    names = set(schema.get("properties", {}))
    for key in ("allOf", "oneOf", "anyOf"):
        for branch in schema.get(key, ()):
            names |= _property_names(spec, branch)
    return names
