"""What a schema error says in a 1010002: the fields it is about and the catalogue's short reason.

The reasons are the phrases of the catalogue's 1010002 entry (`reason.phrases` in the spec),
keyed by JSON Schema keyword or by one of the validator's own keys (`body.json`, `one-of`, ...).
"""

from __future__ import annotations

from typing import Any

from jsonschema import ValidationError

from pns_mock.spec import ReasonRule, Spec

from ..domain.errors import Problem

INVALID = "1010002"

# Keywords whose value the reason states (a length, a bound, a type); others state none: a
# pattern or an enum would make the reason long and put `$` and braces in `resultdesc`.
_LIMITED = frozenset(
    ("type", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
     "minItems", "maxItems")
)  # fmt: skip


class Reasons:
    """The short reasons of 1010002, read from the spec's catalogue once."""

    def __init__(self, spec: Spec) -> None:
        self._rule = spec.result_codes[INVALID].reason or ReasonRule("", 0, {"other": ""})

    def phrase(self, key: str, field: str = "", limit: object = "") -> str:
        """The short reason of the catalogue's 1010002 for `key` (see its `reason.phrases`)."""
        return self._rule.phrase(key, field, limit)

    def reason_of(self, err: ValidationError, field: str) -> str:
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


def _required_groups(branches: Any) -> list[list[str]]:
    """The `required` names of each branch of an anyOf/oneOf; empty unless every branch has some."""
    groups: list[list[str]] = []
    for branch in branches if isinstance(branches, list) else ():
        names = branch.get("required") if isinstance(branch, dict) else None
        if not names:
            return []
        groups.append([str(n) for n in names])
    return groups


def fields_of(err: ValidationError, whole: str) -> list[tuple[str, Any, bool]]:
    """The wire fields a schema error is about, with what was sent there (or that it was absent)."""
    path = [str(p) for p in err.absolute_path]
    if err.validator == "required" and isinstance(err.instance, dict):
        missing = [n for n in err.validator_value if n not in err.instance]
        return [(".".join([*path, name]), None, True) for name in missing]
    return [(".".join(path) or whole, err.instance, False)]


def one_per_field(found: list[Problem]) -> list[Problem]:
    """The first problem of each field: one bad field is one problem, however many keywords it breaks."""
    seen: dict[str, Problem] = {}
    for problem in found:
        seen.setdefault(problem.field, problem)
    return list(seen.values())


def pattern_rule(err: ValidationError) -> str:
    """A pattern's own description (the rule in words), for the problem text: " (...)" or ""."""
    schema = err.schema if isinstance(err.schema, dict) else {}
    rule = schema.get("description") if err.validator == "pattern" else None
    return f" ({' '.join(str(rule).split())})" if rule else ""
