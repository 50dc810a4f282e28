"""Translation between the wire (camelCase JSON, spec types) and the domain (snake_case Python).

Field names are never listed here: a wire name maps to a domain name by one rule
(`callerNum` -> `caller_num`), and replies are shaped from the reply schema's own properties.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from spec import Spec
from spec.schemas import TIME_FORMATS

_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@functools.cache
def snake(name: str) -> str:
    return _BOUNDARY.sub("_", name).lower()


def call_with(func: Callable[..., Any], params: Mapping[str, Any]) -> Any:
    """Call a backend method with the parameters it accepts; the platform ignores the others."""
    accepted = _keywords(func)
    return func(**{snake(k): v for k, v in params.items() if snake(k) in accepted})


@functools.cache
def _keywords_of(func: Callable[..., Any]) -> frozenset[str]:
    return frozenset(inspect.signature(func).parameters)


def _keywords(func: Callable[..., Any]) -> frozenset[str]:
    return _keywords_of(getattr(func, "__func__", func))


def to_bool(value: Any) -> Any:
    """`"true"`/`"false"` and JSON booleans both mean a boolean (spec: RecordFlag conflict)."""
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    return value


def format_time(epoch: float, fmt: str) -> str:
    moment = datetime.fromtimestamp(epoch, UTC)
    text = moment.strftime(TIME_FORMATS[fmt])
    if fmt == "pns-sms-timestamp":  # milliseconds, not microseconds
        text = text[:-4] + "Z"
    return text


@dataclass(frozen=True)
class _Plan:
    schema: Mapping[str, Any]  # resolved
    kind: Any
    items: Mapping[str, Any] | None  # array: the item schema
    props: tuple[tuple[str, str, Mapping[str, Any], Any], ...] | None  # object: name, attr, schema, default
    array: bool


class Shaper:
    """Builds reply bodies from domain objects, reading field names and types from the spec."""

    def __init__(self, spec: Spec) -> None:
        self._spec = spec
        # Spec schemas never change: each one is resolved and planned once (keyed by identity).
        self._resolved: dict[int, tuple[Mapping[str, Any], Mapping[str, Any]]] = {}
        self._plans: dict[int, tuple[Mapping[str, Any], _Plan]] = {}

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        cached = self._resolved.get(id(schema))
        if cached is not None and cached[0] is schema:
            return cached[1]
        resolved = self._resolve(schema)
        self._resolved[id(schema)] = (schema, resolved)
        return resolved

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        if "$ref" in schema:
            # siblings of a $ref (OpenAPI 3.1) refine the target, e.g. a field's own description
            extra = {k: v for k, v in schema.items() if k != "$ref"}
            target = self._spec.deref(schema)
            schema = {**target, **extra} if extra else target
        if "allOf" in schema:
            merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                part = self.resolve(part)
                for key, value in part.items():
                    if key == "properties":
                        merged.setdefault("properties", {}).update(value)
                    elif key == "required":
                        merged["required"] = [*merged.get("required", []), *value]
                    else:
                        merged.setdefault(key, value)
            schema = merged
        return schema

    def shape(self, pointer: str, value: Any) -> Any:
        return self.render(self._spec.resolve(pointer), value)

    def _plan(self, schema: Mapping[str, Any]) -> _Plan:
        """How to render values of `schema`, worked out once per schema (keyed by identity)."""
        cached = self._plans.get(id(schema))
        if cached is not None and cached[0] is schema:
            return cached[1]
        resolved = self.resolve(schema)
        kind = resolved.get("type")
        items = resolved.get("items", {}) if (kind == "array" or "items" in resolved) else None
        props: tuple[tuple[str, str, Mapping[str, Any], Any], ...] | None = None
        if kind == "object" or "properties" in resolved:
            required = resolved.get("required", ())
            props = tuple(
                # the documented default stands in for a required field the object lacks
                (name, snake(name), prop, self.resolve(prop).get("default") if name in required else None)
                for name, prop in resolved.get("properties", {}).items()
            )
        plan = _Plan(resolved, kind, items, props, kind == "array")
        self._plans[id(schema)] = (schema, plan)
        return plan

    def render(self, schema: Mapping[str, Any], value: Any) -> Any:
        if value is None:
            return None
        plan = self._plan(schema)
        if plan.items is not None and (plan.array or isinstance(value, list | tuple)):
            return [self.render(plan.items, v) for v in value]
        if plan.props is not None:
            out: dict[str, Any] = {}
            mapping = isinstance(value, dict | Mapping)  # dict first: the fast check
            for name, attr, prop, default in plan.props:
                raw = value.get(name) if mapping else getattr(value, attr, None)
                if raw is None:
                    if default is None:
                        continue
                    raw = default
                rendered = self.render(prop, raw)
                if rendered is not None:
                    out[name] = rendered
            return out
        return self._scalar(plan.schema, value)

    def _scalar(self, schema: Mapping[str, Any], value: Any) -> Any:
        fmt = schema.get("format")
        if (
            isinstance(fmt, str)
            and fmt in TIME_FORMATS
            and isinstance(value, int | float)
            and not isinstance(value, bool)
        ):
            return format_time(float(value), fmt)
        kind = schema.get("type")
        if kind == "string":
            if isinstance(value, bool):
                return "true" if value else "false"
            if isinstance(value, int | float):
                return str(value)
        if kind == "integer" and isinstance(value, bool):
            return int(value)
        if kind is None and "oneOf" in schema and isinstance(value, bool):
            return "true" if value else "false"
        return value
