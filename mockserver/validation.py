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

from spec import Operation, SchemaRegistry, Spec

from .errors import PnsError
from .jsontext import unicode_problem
from .wire import to_bool

INVALID = "1010002"


@dataclass(frozen=True)
class _OperationRules:
    query_schema: dict[str, Any]
    query_pointer: str
    integer_params: frozenset[str]
    body_pointer: str | None
    bool_fields: frozenset[str]
    empty_query_ok: bool = False  # whether no query parameters at all pass the query schema


class RequestValidator:
    def __init__(self, spec: Spec, schemas: SchemaRegistry) -> None:
        self._spec = spec
        self._schemas = schemas
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
        return _OperationRules(
            query_schema={"type": "object", "properties": props, "required": required},
            query_pointer=f"{op.pointer}/parameters",
            integer_params=frozenset(integers),
            body_pointer=op.request_schema_pointer,
            bool_fields=frozenset(bools),
        )

    def validate(self, op: Operation, query: str, content_type: str | None, body: bytes) -> dict[str, Any]:
        rules = self._rules[op.operation_id]
        params = self._query(op, rules, query)
        payload = self._body(op, rules, content_type, body)
        if payload:
            for key, value in payload.items():
                params.setdefault(key, value)  # the query string wins over a DELETE body
        self._one_of(op, params)
        for name in rules.bool_fields:
            if name in params:
                params[name] = to_bool(params[name])
        return params

    def _query(self, op: Operation, rules: _OperationRules, query: str) -> dict[str, Any]:
        try:
            params = _parse_query(query)
        except UnicodeDecodeError as exc:
            raise PnsError(INVALID, "query string is not valid UTF-8", rule="query.utf8") from exc
        for name in rules.integer_params:
            text = params.get(name)
            if isinstance(text, str) and text.lstrip("-").isdigit():
                params[name] = int(text)
        if not params and rules.empty_query_ok:
            return params
        if self._fast_query[op.operation_id].is_valid(params):
            return params
        errors = self._query_validators[op.operation_id].iter_errors(params)
        first = next(iter(sorted(errors, key=lambda e: list(e.path))), None)
        if first is not None:
            field = ".".join(str(p) for p in first.absolute_path) or "query"
            hint = ""
            raw = dict(_raw_pairs(query))
            if field in raw and "+" in raw[field]:
                hint = "; a '+' in a query string decodes to a space: send it as %2B"
            raise PnsError(
                INVALID,
                f"query {field}: {first.message}{hint}",
                rule=f"{op.operation_id} parameter {field}: {first.validator}",
                field=field,
                value=first.instance,
            )
        return params

    def _body(
        self, op: Operation, rules: _OperationRules, content_type: str | None, body: bytes
    ) -> dict[str, Any] | None:
        if rules.body_pointer is None:
            return None
        if not body.strip():
            if op.body_required:
                raise PnsError(
                    INVALID, "the request needs a JSON body", rule=f"{op.operation_id} requestBody"
                )
            return None
        media = (content_type or "").split(";", 1)[0].strip().lower()
        if media != self._media_type:
            sent = f"is {content_type!r}" if content_type else "is missing"
            raise PnsError(
                INVALID,
                f"Content-Type {sent}; a request with a body must send {self._media_type};charset=UTF-8",
                rule="x-pns-request-media",
            )
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PnsError(INVALID, "body is not valid UTF-8", rule="body.utf8") from exc
        try:
            payload = _loads(text)
        except ValueError as exc:
            raise PnsError(INVALID, f"body is not valid JSON: {exc}", rule="body.json") from exc
        except RecursionError as exc:
            raise PnsError(INVALID, "body is not valid JSON: nested too deeply", rule="body.json") from exc
        if not isinstance(payload, dict):
            raise PnsError(INVALID, "body must be a JSON object", rule="body.type")
        if self._fast_body[op.operation_id].is_valid(payload):
            return payload
        validator = self._schemas.validator(rules.body_pointer)
        errors = sorted(validator.iter_errors(payload), key=lambda e: (len(e.path), list(e.path)))
        if errors:
            err = errors[0]
            path = [str(p) for p in err.absolute_path]
            value = err.instance
            if err.validator == "required" and isinstance(err.instance, dict):
                path.append(next(n for n in err.validator_value if n not in err.instance))
                value = None  # absent
            field = ".".join(path) or "body"
            schema_path = "/".join(str(p) for p in err.absolute_schema_path)
            raise PnsError(
                INVALID,
                f"{field}: {err.message}",
                rule=f"{op.operation_id} requestBody {schema_path}",
                field=field,
                value=value,
            )
        return payload

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
        raise PnsError(INVALID, f"send one of: {options}", rule=f"{op.operation_id} x-pns-one-of")


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
