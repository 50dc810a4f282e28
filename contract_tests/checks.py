"""Checks run on each journaled request: each returns the violations it finds.

They read journal entries, so they work the same for in-process calls and for requests that a
separate process sent to the real server.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import parse_qsl

from mockserver.journal import Entry
from spec import Operation, Spec

from .options import PnsOptions
from .violations import ContractViolation, _properties, from_entry

Check = Callable[[Spec, Entry, PnsOptions], list[ContractViolation]]


def spec_rules(spec: Spec, entry: Entry, options: PnsOptions) -> list[ContractViolation]:
    """The request failed the spec's own rules (schema, auth, mode, path)."""
    found = from_entry(spec, entry, options.lang)
    return [found] if found else []


def documented_fields(spec: Spec, entry: Entry, options: PnsOptions) -> list[ContractViolation]:
    """Fields the spec does not document: the platform ignores them, so they are silent bugs."""
    if not options.strict_fields or entry.operation_id is None or entry.rule:
        return []
    op = spec.operations[entry.operation_id]
    declared_query = {p.name for p in op.parameters if p.location == "query"}
    extra = [f"query.{name}" for name, _ in parse_qsl(entry.query) if name not in declared_query]
    if op.request_schema_pointer and entry.request_body.strip():
        try:
            body = json.loads(entry.request_body)
        except ValueError:
            body = None
        if isinstance(body, dict):
            known = _properties(spec, spec.resolve(op.request_schema_pointer))
            # a DELETE may carry its query parameters in a JSON body (documented leniency)
            extra += [name for name in body if name not in known and name not in declared_query]
    return [
        ContractViolation(
            operation=op.operation_id,
            request=f"{entry.method} {entry.path}",
            problem="field not documented by the PNS spec (the platform ignores it: check its name)",
            field=name,
            expected="one of: " + ", ".join(sorted(declared_query | set(_body_fields(spec, op)))),
            opt_out="@pytest.mark.pns(strict_fields=False)",
        )
        for name in extra
    ]


def _body_fields(spec: Spec, op: Operation) -> list[str]:
    pointer = op.request_schema_pointer
    return list(_properties(spec, spec.resolve(pointer))) if pointer else []


CHECKS: tuple[Check, ...] = (spec_rules, documented_fields)


def violations(spec: Spec, entries: list[Entry], options: PnsOptions) -> list[ContractViolation]:
    return [v for entry in entries for check in CHECKS for v in check(spec, entry, options)]
