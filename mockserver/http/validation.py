"""Turn a raw request into validated parameters, or the vendor's 1010002 with an exact reason.

Validators are compiled once per operation from the spec at start-up; per request the work is
parsing, one schema check for the query string and one for the body.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote

import orjson
from jsonschema import ValidationError

from pns_mock.spec import FieldOrder, Operation, ReasonRule, SchemaRegistry, Spec

from ..domain.errors import PnsError, Problem
from ..domain.jsontext import unicode_problem
from .wire import to_bool

INVALID = "1010002"


@dataclass(frozen=True)
class _OperationRules:
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


class RequestValidator:
    def __init__(self, spec: Spec, schemas: SchemaRegistry) -> None:
        self._spec = spec
        self._schemas = schemas
        self._reasons = spec.result_codes[INVALID].reason or ReasonRule("", 0, {"other": ""})
        self._media_type = str(spec.document["x-pns-request-media"]["mediaType"]).lower()
        self._rules = {op.operation_id: self._compile(op) for op in spec.operations.values()}
        self._query_validators = {
            op_id: schemas.validator_for(rules.query_schema) for op_id, rules in self._rules.items()
        }
        # Compiled once; per request the hot path only asks "valid?" and explains a "no" slowly.
        self._fast_query = {
            op_id: schemas.fast_for(rules.query_schema) for op_id, rules in self._rules.items()
        }
        # most requests with a body come with no query string at all: decided once, not per request
        self._rules = {
            op_id: replace(rules, empty_query_ok=self._fast_query[op_id].is_valid({}))
            for op_id, rules in self._rules.items()
        }
        self._fast_body = {
            op_id: schemas.fast(rules.body_pointer)
            for op_id, rules in self._rules.items()
            if rules.body_pointer
        }

    def _compile(self, op: Operation) -> _OperationRules:
        props: dict[str, Any] = {}
        required: list[str] = []
        integers: set[str] = set()
        for p in op.parameters:
            if p.location != "query":
                continue
            props[p.name] = dict(p.schema)
            if p.required:
                required.append(p.name)
            if self._spec.deref(p.schema).get("type") == "integer":
                integers.add(p.name)
        bools: set[str] = set()
        if op.request_schema_pointer:
            body = self._spec.deref(self._spec.resolve(op.request_schema_pointer))
            for name, prop in body.get("properties", {}).items():
                if prop.get("$ref", "").endswith("/RecordFlag"):
                    bools.add(name)
        for p in op.parameters:
            if p.schema.get("$ref", "").endswith("/RecordFlag"):
                bools.add(p.name)
        documented = set(props)
        if op.request_schema_pointer:
            documented |= _property_names(self._spec, self._spec.resolve(op.request_schema_pointer))
        return _OperationRules(
            documented=frozenset(documented),
            query_schema={"type": "object", "properties": props, "required": required},
            query_pointer=f"{op.pointer}/parameters",
            integer_params=frozenset(integers),
            body_pointer=op.request_schema_pointer,
            bool_fields=frozenset(bools),
            field_orders=tuple(
                (rule.id, rule.code, rule.field_order)
                for rule in self._spec.rules_for(op.operation_id)
                if rule.field_order is not None
            ),
            confirmed=tuple(
                (rule.id, frozenset(rule.confirmed_fields), rule.source.page)
                for rule in self._spec.rules_for(op.operation_id)
                if rule.confirmed_fields
            ),
        )

    def validate(
        self,
        op: Operation,
        query: str,
        content_type: str | None,
        body: bytes,
        undocumented: list[str] | None = None,
    ) -> dict[str, Any]:
        """The request's parameters; names the spec does not document go into `undocumented`."""
        rules = self._rules[op.operation_id]
        # every schema problem of the request is reported, the query string's and the body's
        found: list[Problem] = []
        try:
            params = self._query(op, rules, query)
        except PnsError as err:
            found += err.problems
            params = {}
        try:
            payload = self._body(op, rules, content_type, body)
        except PnsError as err:
            if not found:
                raise
            found += err.problems
        if found:
            raise PnsError.of(INVALID, found)
        if payload:
            for key, value in payload.items():
                params.setdefault(key, value)  # the query string wins over a DELETE body
        if undocumented is not None and not params.keys() <= rules.documented:
            undocumented += [name for name in params if name not in rules.documented]
        self._one_of(op, params)
        for rule_id, code, order in rules.field_orders:
            broken = order.broken_by(params)
            if broken:
                raise PnsError(code, broken, rule=rule_id, field=order.larger, value=params[order.larger])
        for name in rules.bool_fields:
            if name in params:
                params[name] = to_bool(params[name])
        return params

    def notice(self, op: Operation, params: Mapping[str, Any]) -> str | None:
        """What an accepted request relied on that the vendor does not confirm, or None."""
        for rule_id, confirmed, page in self._rules[op.operation_id].confirmed:
            unconfirmed = [name for name in params if name not in confirmed]
            if unconfirmed:
                return (
                    f"accepted, but the vendor ({page}) confirms only {', '.join(sorted(confirmed))} "
                    f"for {op.operation_id}; unconfirmed: {', '.join(unconfirmed)} [rule: {rule_id}]"
                )
        return None

    def _query(self, op: Operation, rules: _OperationRules, query: str) -> dict[str, Any]:
        try:
            params = _parse_query(query)
        except UnicodeDecodeError as exc:
            raise PnsError(
                INVALID,
                "query string is not valid UTF-8",
                rule="query.utf8",
                reason=self.phrase("query.utf8"),
            ) from exc
        for name in rules.integer_params:
            text = params.get(name)
            if isinstance(text, str) and text.lstrip("-").isdigit():
                params[name] = int(text)
        if not params and rules.empty_query_ok:
            return params
        if self._fast_query[op.operation_id].is_valid(params):
            return params
        errors = sorted(
            self._query_validators[op.operation_id].iter_errors(params), key=lambda e: list(e.path)
        )
        raw = dict(_raw_pairs(query))
        found: list[Problem] = []
        for err in errors:
            for field, value, absent in _fields_of(err, "query"):
                hint = ""
                if field in raw and "+" in raw[field]:
                    hint = "; a '+' in a query string decodes to a space: send it as %2B"
                found.append(
                    Problem(
                        f"query {field}: {err.message}{hint}",
                        f"{op.operation_id} parameter {field}: {err.validator}",
                        field,
                        value,
                        absent,
                        self._reason_of(err, field),
                    )
                )
        if found:
            raise PnsError.of(INVALID, _one_per_field(found))
        return params

    def _body(
        self, op: Operation, rules: _OperationRules, content_type: str | None, body: bytes
    ) -> dict[str, Any] | None:
        if rules.body_pointer is None:
            return None
        if not body.strip():
            if op.body_required:
                raise PnsError(
                    INVALID,
                    "the request needs a JSON body",
                    rule=f"{op.operation_id} requestBody",
                    reason=self.phrase("body.missing"),
                )
            return None
        media = (content_type or "").split(";", 1)[0].strip().lower()
        if media != self._media_type:
            sent = f"is {content_type!r}" if content_type else "is missing"
            raise PnsError(
                INVALID,
                f"Content-Type {sent}; a request with a body must send {self._media_type};charset=UTF-8",
                rule="x-pns-request-media",
                reason=self.phrase("content-type"),
            )
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PnsError(
                INVALID, "body is not valid UTF-8", rule="body.utf8", reason=self.phrase("body.utf8")
            ) from exc
        try:
            payload = _loads(text)
        except ValueError as exc:
            raise PnsError(
                INVALID, f"body is not valid JSON: {exc}", rule="body.json", reason=self.phrase("body.json")
            ) from exc
        except RecursionError as exc:
            raise PnsError(
                INVALID,
                "body is not valid JSON: nested too deeply",
                rule="body.json",
                reason=self.phrase("body.json"),
            ) from exc
        if not isinstance(payload, dict):
            raise PnsError(
                INVALID, "body must be a JSON object", rule="body.type", reason=self.phrase("body.type")
            )
        if self._fast_body[op.operation_id].is_valid(payload):
            return payload
        validator = self._schemas.validator(rules.body_pointer)
        errors = sorted(validator.iter_errors(payload), key=lambda e: (len(e.path), list(e.path)))
        found = [
            Problem(
                f"{field}: {err.message}{_pattern_rule(err)}",
                f"{op.operation_id} requestBody " + "/".join(str(p) for p in err.absolute_schema_path),
                field,
                value,
                absent,
                self._reason_of(err, field),
            )
            for err in errors
            for field, value, absent in _fields_of(err, "body")
        ]
        if found:
            raise PnsError.of(INVALID, _one_per_field(found))
        return payload

    def phrase(self, key: str, field: str = "", limit: object = "") -> str:
        """The short reason of the catalogue's 1010002 for `key` (see its `reason.phrases`)."""
        return self._reasons.phrase(key, field, limit)

    def _reason_of(self, err: ValidationError, field: str) -> str:
        """The short reason for one field of a schema error (each missing name of a `required`)."""
        if err.validator == "required":
            return self.phrase("required", field, "")
        return self._schema_reason(err)[1]

    def _schema_reason(self, err: ValidationError) -> tuple[str, str]:
        """The parameter a schema error is about (dotted path), and the short reason for it."""
        path = [str(p) for p in err.absolute_path]
        keyword = str(err.validator)
        limit: object = err.validator_value
        instance = err.instance
        if keyword == "required" and isinstance(instance, dict):
            path.append(next((str(n) for n in err.validator_value if n not in instance), "?"))
            limit = ""
        elif keyword == "additionalProperties" and isinstance(instance, dict):
            known = err.schema.get("properties", {}) if isinstance(err.schema, dict) else {}
            path.append(next((str(n) for n in instance if n not in known), "?"))
            limit = ""
        elif keyword in ("anyOf", "oneOf") and _required_groups(limit):
            # alternatives told apart by what they require, like `x-pns-one-of`
            field = ".".join(path)
            return field, self.phrase(
                "one-of", field, " | ".join(" + ".join(g) for g in _required_groups(limit))
            )
        elif keyword == "not" and isinstance(limit, dict) and limit.get("required"):
            field = ".".join(path)
            return field, self.phrase("not-together", field, " and ".join(map(str, limit["required"])))
        elif keyword == "type" and isinstance(limit, list):
            limit = " or ".join(str(t) for t in limit)
        elif keyword not in _LIMITED:
            limit = ""
        field = ".".join(path)
        return field, self.phrase(keyword, field, limit)

    def _one_of(self, op: Operation, params: Mapping[str, Any]) -> None:
        if not op.one_of:
            return
        for group in op.one_of:
            for name in group:
                value = params.get(name)
                if value is None or value == "":
                    break
            else:  # every name of the group was given
                return
        options = " | ".join(" + ".join(group) for group in op.one_of)
        raise PnsError(
            INVALID,
            f"send one of: {options}",
            rule=f"{op.operation_id} x-pns-one-of",
            reason=self.phrase("one-of", limit=options),
        )


def _required_groups(branches: Any) -> list[list[str]]:
    """The `required` names of each branch of an anyOf/oneOf; empty unless every branch has some."""
    groups: list[list[str]] = []
    for branch in branches if isinstance(branches, list) else ():
        names = branch.get("required") if isinstance(branch, dict) else None
        if not names:
            return []
        groups.append([str(n) for n in names])
    return groups


# Keywords whose value the reason states (a length, a bound, a type); others state none: a
# pattern or an enum would make the reason long and put `$` and braces in `resultdesc`.
_LIMITED = frozenset(
    ("type", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
     "minItems", "maxItems")
)  # fmt: skip


def _property_names(spec: Spec, schema: Mapping[str, Any]) -> set[str]:
    """The property names of a schema, through $ref and its allOf, oneOf and anyOf branches."""
    schema = spec.deref(schema) if "$ref" in schema else schema
    names = set(schema.get("properties", {}))
    for key in ("allOf", "oneOf", "anyOf"):
        for branch in schema.get(key, ()):
            names |= _property_names(spec, branch)
    return names


def _fields_of(err: ValidationError, whole: str) -> list[tuple[str, Any, bool]]:
    """The wire fields a schema error is about, with what was sent there (or that it was absent)."""
    path = [str(p) for p in err.absolute_path]
    if err.validator == "required" and isinstance(err.instance, dict):
        missing = [n for n in err.validator_value if n not in err.instance]
        return [(".".join([*path, name]), None, True) for name in missing]
    return [(".".join(path) or whole, err.instance, False)]


def _one_per_field(found: list[Problem]) -> list[Problem]:
    """The first problem of each field: one bad field is one problem, however many keywords it breaks."""
    seen: dict[str, Problem] = {}
    for problem in found:
        seen.setdefault(problem.field, problem)
    return list(seen.values())


def _parse_query(query: str) -> dict[str, Any]:
    """`a=1&b=%2B86&c` as `{"a": "1", "b": "+86", "c": ""}`: the first of repeated names wins.

    What `parse_qsl(query, keep_blank_values=True, errors="strict")` gives, without its cost on
    the common case of names and values that need no decoding.
    """
    params: dict[str, Any] = {}
    if not query:
        return params
    for part in query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        if "%" in name or "+" in name:
            name = _unquote_plus(name)
        if "%" in value or "+" in value:
            value = _unquote_plus(value)
        if name not in params:
            params[name] = value
    return params


def _unquote_plus(text: str) -> str:
    """`unquote_plus(text, errors="strict")`, quick for the one escape PNS numbers need (%2B)."""
    if "+" in text:
        text = text.replace("+", " ")
    if "%" in text:
        simple = text.replace("%2B", "+").replace("%2b", "+")
        return simple if "%" not in simple else unquote(text, errors="strict")
    return text


def _raw_pairs(query: str) -> list[tuple[str, str]]:
    out = []
    for part in query.split("&"):
        name, _, value = part.partition("=")
        out.append((name, value))
    return out


def _number(text: str) -> float | int:
    """JSON numbers with a fraction: 7.0 is the integer 7 (JSON Schema treats them alike, and so
    must the replies that echo them), 7.5 stays a float (and fails an `integer` field)."""
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


_DECODER = json.JSONDecoder(parse_float=_number)  # made once: json.loads(..., parse_float=) makes one a call


def _loads(text: str) -> Any:
    """The JSON of a request body, as `_DECODER` reads it.

    orjson reads it several times faster, and gives the same result whenever no number in it
    became a float: it turns integers past 64 bits into floats, and `_DECODER` turns fractions
    like 7.0 into integers. So a result with a float in it, or one orjson refuses (NaN, lone
    surrogates, which the standard library accepts), is read again by `_DECODER`.
    """
    try:
        payload = orjson.loads(text)
    except orjson.JSONDecodeError:
        # orjson refuses lone surrogates, the standard library does not: none may go further
        payload = _DECODER.decode(text)
        problem = unicode_problem(payload)
        if problem:
            raise PnsError(INVALID, f"body {problem}", rule="body.unicode") from None
        return payload
    return _DECODER.decode(text) if _has_float(payload) else payload


def _has_float(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        for item in value.values():
            inner = type(item)
            if inner is float or ((inner is dict or inner is list) and _has_float(item)):
                return True
        return False
    if kind is list:
        return any(_has_float(item) for item in value)
    return kind is float


def _pattern_rule(err: ValidationError) -> str:
    """A pattern's own description (the rule in words), for the problem text: " (...)" or ""."""
    schema = err.schema if isinstance(err.schema, dict) else {}
    rule = schema.get("description") if err.validator == "pattern" else None
    return f" ({' '.join(str(rule).split())})" if rule else ""
