"""Turn a raw request into validated parameters, or the vendor's 1010002 with an exact reason.

Validators are compiled once per operation from the spec at start-up (`validation_rules`); per
request the work is parsing (`validation_query`, `validation_json`), one schema check for the
query string and one for the body; only a refused request is explained (`validation_reasons`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pns_mock.spec import Operation, SchemaRegistry, Spec

from ..domain.errors import PnsError, Problem
from .validation_json import loads
from .validation_query import parse_query, raw_pairs
from .validation_reasons import INVALID, Reasons, fields_of, one_per_field, pattern_rule
from .validation_rules import OperationRules, compile_rules
from .wire import to_bool

__all__ = ["INVALID", "RequestValidator"]


class RequestValidator:
    def __init__(self, spec: Spec, schemas: SchemaRegistry) -> None:
        self._schemas = schemas
        self._reasons = Reasons(spec)
        self._media_type = str(spec.document["x-pns-request-media"]["mediaType"]).lower()
        self._rules = {op.operation_id: compile_rules(spec, op) for op in spec.operations.values()}
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

    def _query(self, op: Operation, rules: OperationRules, query: str) -> dict[str, Any]:
        try:
            params = parse_query(query)
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
        raw = dict(raw_pairs(query))
        found: list[Problem] = []
        for err in errors:
            for field, value, absent in fields_of(err, "query"):
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
                        self._reasons.reason_of(err, field),
                    )
                )
        if found:
            raise PnsError.of(INVALID, one_per_field(found))
        return params

    def _body(
        self, op: Operation, rules: OperationRules, content_type: str | None, body: bytes
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
            payload = loads(text)
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
                f"{field}: {err.message}{pattern_rule(err)}",
                f"{op.operation_id} requestBody " + "/".join(str(p) for p in err.absolute_schema_path),
                field,
                value,
                absent,
                self._reasons.reason_of(err, field),
            )
            for err in errors
            for field, value, absent in fields_of(err, "body")
        ]
        if found:
            raise PnsError.of(INVALID, one_per_field(found))
        return payload

    def phrase(self, key: str, field: str = "", limit: object = "") -> str:
        """The short reason of the catalogue's 1010002 for `key` (see its `reason.phrases`)."""
        return self._reasons.phrase(key, field, limit)

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
