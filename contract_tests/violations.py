"""Contract violations: what the customer's code sent that the PNS spec does not allow.

Violations are `AssertionError`s (the customer's code is wrong); misuse of the toolkit raises
`PnsToolkitError` instead. Every message names the operation and the field, shows what was sent
and what the spec expects, and gives a correct example taken from the spec.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from mockserver.auth import created_now
from mockserver.errors import Problem
from mockserver.journal import Entry
from spec import Operation, Spec
from spec.fielddoc import translated_description

OPT_OUT = "@pytest.mark.pns(fail_on_violations=False)"


class _Absent:
    """What `sent` is for a field the request did not carry (None is JSON null, which was sent)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


class PnsToolkitError(Exception):
    """The plugin was used wrongly (not a problem of the code under test)."""


class PnsFidelityWarning(UserWarning):
    """The mock accepted what the vendor's pages do not confirm the live platform accepts."""


class ContractViolation(AssertionError):
    def __init__(
        self,
        *,
        operation: str,
        request: str,
        problem: str,
        field: str | None = None,
        sent: Any = ABSENT,
        expected: str | None = None,
        example: Any = None,
        rule: str | None = None,
        answer: str | None = None,
        opt_out: str = OPT_OUT,
    ) -> None:
        self.operation = operation
        self.field = field
        self.sent = sent
        self.expected = expected
        self.example = example
        lines = [f"PNS contract violation in {operation} ({request}): {problem}"]
        if field:
            lines.append(f"  field:    {field}")
            lines.append(
                f"  sent:     {'(absent)' if sent is ABSENT else json.dumps(sent, ensure_ascii=False)}"
            )
        if expected:
            lines.append(f"  expected: {expected}")
        if example is not None:
            lines.append(f"  example:  {json.dumps(example, ensure_ascii=False)}")
        if rule:
            lines.append(f"  rule:     {rule}")
        if answer:
            lines.append(f"  the mock answered, as the platform would: {answer}")
        lines.append(f"  (to accept this in one test: {opt_out})")
        super().__init__("\n".join(lines))


class Violations(AssertionError):
    """Several violations from one test, reported together."""

    def __init__(self, found: list[ContractViolation]) -> None:
        self.violations = found
        super().__init__(f"{len(found)} PNS contract violation(s):\n\n" + "\n\n".join(map(str, found)))


def _deref(spec: Spec, schema: Mapping[str, Any]) -> Mapping[str, Any]:
    return spec.deref(schema) if "$ref" in schema else schema


def _properties(spec: Spec, schema: Mapping[str, Any]) -> dict[str, Any]:
    """Properties of a schema, gathered through $ref, allOf, oneOf and anyOf branches."""
    schema = _deref(spec, schema)
    found: dict[str, Any] = dict(schema.get("properties", {}))
    for key in ("allOf", "oneOf", "anyOf"):
        for branch in schema.get(key, ()):
            for name, prop in _properties(spec, branch).items():
                found.setdefault(name, prop)
    return found


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
        schema = _properties(spec, schema).get(part)
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


def with_translation(expected: str | None, operation_id: str, field: str, lang: str) -> str | None:
    """`expected`, with the field's description in `lang` next to the English one (`--pns-lang`).

    The translation comes from the spec's `x-pns-i18n` overlay; English, or a field without a
    translated description, leaves `expected` as it is.
    """
    translated = translated_description(operation_id, field, lang)
    if not translated:
        return expected
    return f"{expected} [{lang}: {translated}]" if expected else f"[{lang}: {translated}]"


def from_entry(spec: Spec, entry: Entry, lang: str = "en") -> list[ContractViolation]:
    """The violations a journal entry records, one per problem, if the request broke the contract."""
    request = f"{entry.method} {entry.path}"
    if entry.status == 404:
        return [
            ContractViolation(
                operation="(no operation)",
                request=request,
                problem="the PNS API has no such path and method",
                expected="one of the spec's paths: "
                + ", ".join(sorted({o.path for o in spec.routes.values()})),
                answer="HTTP 404",
            )
        ]
    if not entry.rule or entry.rule == "fault injection" or entry.operation_id is None:
        return []
    business = spec.rules.get(entry.rule)
    if business is not None and business.field_order is None:
        return []  # a platform rule refused it (state, capacity): a correct client meets these too
    op = spec.operations[entry.operation_id]
    answer = f"HTTP {entry.status} {entry.response_body[:200]}"
    problems = entry.problems or [
        Problem(entry.problem or "", entry.rule, entry.field or "", entry.sent, entry.sent is None)
    ]
    return [_violation(spec, op, request, problem, answer, lang) for problem in problems]


def _violation(
    spec: Spec, op: Operation, request: str, problem: Problem, answer: str, lang: str = "en"
) -> ContractViolation:
    field = problem.field or None
    expected: str | None = None
    example: Any = None
    if field and field.split(".")[-1] == "Created" and field.startswith("X-"):
        created = spec.document["components"]["schemas"]["Created"]
        expected = describe(spec, created)
        example = created_now()
    elif field:
        schema = field_schema(spec, op, field)
        expected = with_translation(describe(spec, schema) if schema else None, op.operation_id, field, lang)
        example = example_for(spec, op, field, schema)
    return ContractViolation(
        operation=op.operation_id,
        request=request,
        problem=problem.detail or "the request breaks the spec",
        field=field,
        sent=ABSENT if problem.absent else problem.value,
        expected=expected,
        example=example,
        rule=problem.rule or None,
        answer=answer,
    )
