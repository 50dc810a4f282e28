"""Checks run on each journaled request: each returns the violations it finds.

They read journal entries, so they work the same for in-process calls and for requests that a
separate process sent to the real server.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import parse_qsl

from pns_mock.mockserver.report import Entry
from pns_mock.spec import Operation, Spec
from pns_mock.spec.fielddoc import properties as _properties

from .options import PnsOptions
from .violations import ContractViolation, from_entry

Check = Callable[[Spec, Entry, PnsOptions], list[ContractViolation]]


def spec_rules(spec: Spec, entry: Entry, options: PnsOptions) -> list[ContractViolation]:
    """The request failed the spec's own rules (schema, auth, mode, path)."""
    return from_entry(spec, entry, options.lang)


def documented_fields(spec: Spec, entry: Entry, options: PnsOptions) -> list[ContractViolation]:
    """Fields the spec does not document: the platform ignores them, so they are silent bugs.

    Checked on refused requests too: a request shows every one of its problems at once.
    """
    if not options.strict_fields or entry.operation_id is None:
        return []
    op = spec.operations[entry.operation_id]
    declared_query = {p.name for p in op.parameters if p.location == "query"}
    extra = [(f"query.{name}", value) for name, value in parse_qsl(entry.query) if name not in declared_query]
    if op.request_schema_pointer and entry.request_body.strip():
        try:
            body = json.loads(entry.request_body)
        except ValueError:
            body = None
        if isinstance(body, dict):
            known = _properties(spec, spec.resolve(op.request_schema_pointer))
            # a DELETE may carry its query parameters in a JSON body (documented leniency)
            extra += [
                (name, value)
                for name, value in body.items()
                if name not in known and name not in declared_query
            ]
    return [
        ContractViolation(
            operation=op.operation_id,
            request=f"{entry.method} {entry.path}",
            problem="field not documented by the PNS spec (the platform ignores it: check its name)",
            field=name,
            sent=value,
            expected="one of: " + ", ".join(sorted(declared_query | set(_body_fields(spec, op)))),
            opt_out="@pytest.mark.pns(strict_fields=False)",
        )
        for name, value in extra
    ]


def confirmed_fields(spec: Spec, entry: Entry, options: PnsOptions) -> list[ContractViolation]:
    """Under `strict_fields`, fields the mock took that the vendor does not confirm fail the test
    (otherwise they are only warnings: see `warnings_of`)."""
    if not options.strict_fields or entry.notice is None or entry.operation_id is None:
        return []
    return [
        ContractViolation(
            operation=entry.operation_id,
            request=f"{entry.method} {entry.path}",
            problem=entry.notice,
            opt_out="@pytest.mark.pns(strict_fields=False) (then it is a warning)",
        )
    ]


def warnings_of(entries: list[Entry], options: PnsOptions) -> list[str]:
    """Notices that are warnings rather than failures (when `strict_fields` is off)."""
    if options.strict_fields:
        return []
    return [f"{e.operation_id} ({e.method} {e.path}): {e.notice}" for e in entries if e.notice]


def _body_fields(spec: Spec, op: Operation) -> list[str]:
    pointer = op.request_schema_pointer
    return list(_properties(spec, spec.resolve(pointer))) if pointer else []


CHECKS: tuple[Check, ...] = (spec_rules, documented_fields, confirmed_fields)


def violations(spec: Spec, entries: list[Entry], options: PnsOptions) -> list[ContractViolation]:
    return [v for entry in entries for check in CHECKS for v in check(spec, entry, options)]
