"""JSON Schema validators for any schema inside the spec, built once and cached.

The spec is OpenAPI 3.1, whose schemas are JSON Schema 2020-12. Two validators per schema:
- `fast(...)`: compiled by jsonschema-rs (Rust), about 1 microsecond for a request body; the hot
  path asks it only "valid or not";
- `validator(...)`: pure-Python `jsonschema`, which explains what is wrong; used when `fast`
  says no, and by the tests (a differential test keeps both, and openapi-core, in agreement).
The four PNS timestamp formats are checked as real dates, not only by their patterns.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_URI = "urn:pns-spec"

# Named timestamp formats used by the spec, as strptime patterns.
TIME_FORMATS: Mapping[str, str] = {
    "pns-created": "%Y-%m-%dT%H:%M:%SZ",
    "pns-datetime": "%Y-%m-%d %H:%M:%S",
    "pns-sms-timestamp": "%Y-%m-%dT%H:%M:%S.%fZ",
    "pns-subscribe-time": "%Y-%m-%d %H:%M:%S",
}

FORMAT_CHECKER = FormatChecker()


def _register(name: str, pattern: str) -> None:
    def _check(value: object) -> bool:
        if not isinstance(value, str):
            return True
        datetime.strptime(value, pattern)
        return True

    FORMAT_CHECKER.checks(name, raises=ValueError)(_check)


for _name, _pattern in TIME_FORMATS.items():
    _register(_name, _pattern)


def _format_check(pattern: str) -> Any:
    def check(value: str) -> bool:
        try:
            datetime.strptime(value, pattern)
        except ValueError:
            return False
        return True

    return check


FAST_FORMATS = {name: _format_check(pattern) for name, pattern in TIME_FORMATS.items()}


class SchemaRegistry:
    """Validators for schemas addressed by JSON pointer into one spec document."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        resource: Resource[Any] = DRAFT202012.create_resource(document)
        self._registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
        self._fast_registry = jsonschema_rs.Registry(
            [(SPEC_URI, dict(document))], draft=jsonschema_rs.Draft202012
        )

    def _compile(self, schema: Mapping[str, Any]) -> Any:
        return jsonschema_rs.Draft202012Validator(
            dict(schema), registry=self._fast_registry, formats=FAST_FORMATS, validate_formats=True
        )

    @functools.cache  # noqa: B019 - one registry per spec, kept for the process
    def fast(self, pointer: str) -> Any:
        """A compiled validator (`.is_valid(instance)`) for the schema at `pointer`."""
        return self._compile({"$ref": f"{SPEC_URI}#{pointer}"})

    def fast_for(self, schema: Mapping[str, Any]) -> Any:
        """A compiled validator for a schema built at run time whose `$ref`s point into the spec."""
        return self._compile(_rebase(schema))

    @functools.cache  # noqa: B019 - one registry per spec, kept for the process
    def validator(self, pointer: str) -> Validator:
        schema = {"$ref": f"{SPEC_URI}#{pointer}"}
        return Draft202012Validator(schema, registry=self._registry, format_checker=FORMAT_CHECKER)

    def validator_for(self, schema: Mapping[str, Any]) -> Validator:
        """A validator for a schema built at run time whose `$ref`s point into the spec."""
        rewritten = _rebase(schema)
        return Draft202012Validator(rewritten, registry=self._registry, format_checker=FORMAT_CHECKER)

    def errors(self, pointer: str, instance: Any) -> list[str]:
        """Human-readable problems of `instance` against the schema at `pointer` (empty if valid)."""
        found = []
        for err in sorted(self.validator(pointer).iter_errors(instance), key=lambda e: list(e.path)):
            where = "/".join(str(p) for p in err.absolute_path) or "(body)"
            found.append(f"{where}: {err.message}")
        return found


def _rebase(node: Any) -> Any:
    """Make document-local `#/...` references absolute, so they resolve against the spec."""
    if isinstance(node, Mapping):
        return {
            k: (f"{SPEC_URI}{v}" if k == "$ref" and isinstance(v, str) and v.startswith("#") else _rebase(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rebase(v) for v in node]
    return node
