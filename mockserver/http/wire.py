"""Translation between the wire (camelCase JSON, spec types) and the domain (snake_case Python).

Field names are never listed here: a wire name maps to a domain name by one rule
(`callerNum` -> `caller_num`), and replies are shaped from the reply schema's own properties.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Mapping
from typing import Any

from pns_mock.spec import Spec
from pns_mock.spec.schemas import TIME_FORMATS

from ..domain.clock import format_time

_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@functools.lru_cache(maxsize=4096)  # bounded: clients may send any parameter name
def snake(name: str) -> str:
    return _BOUNDARY.sub("_", name).lower()


def call_with(func: Callable[..., Any], params: Mapping[str, Any]) -> Any:
    """Call a backend method with the parameters it accepts; the platform ignores the others."""
    accepted, names = _keywords(getattr(func, "__func__", func))
    kwargs = {}
    for wire, value in params.items():
        keyword = names.get(wire)
        if keyword is None:
            keyword = snake(wire)
            if keyword not in accepted:
                continue
            names[wire] = keyword  # bounded: only names the function accepts are kept
        kwargs[keyword] = value
    return func(**kwargs)


@functools.cache
def _keywords(func: Callable[..., Any]) -> tuple[frozenset[str], dict[str, str]]:
    """The keywords `func` accepts, and a cache of wire name -> keyword."""
    return frozenset(inspect.signature(func).parameters), {}


def to_bool(value: Any) -> Any:
    """`"true"`/`"false"` and JSON booleans both mean a boolean (spec: RecordFlag conflict)."""
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    return value


Render = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


class Shaper:
    """Builds reply bodies from domain objects, reading field names and types from the spec.

    Each reply schema is compiled once into a tree of small render functions (one per schema
    node): per reply the work is one call per field, with no schema lookups.
    """

    def __init__(self, spec: Spec) -> None:
        self._spec = spec
        # Spec schemas never change: each one is resolved and compiled once (keyed by identity).
        self._resolved: dict[int, tuple[Mapping[str, Any], Mapping[str, Any]]] = {}
        self._compiled: dict[int, tuple[Mapping[str, Any], Render]] = {}
        self._replies: dict[str, Callable[[Any, Mapping[str, Any]], dict[str, Any]]] = {}

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

    def reply(self, pointer: str, result: Any, envelope: Mapping[str, Any]) -> dict[str, Any]:
        """A success reply: the envelope's fields as they are, the others read from `result`."""
        build = self._replies.get(pointer)
        if build is None:
            build = self._replies[pointer] = self._compile_reply(self._spec.resolve(pointer), envelope)
        return build(result, envelope)

    def compile(self, schema: Mapping[str, Any]) -> Render:
        cached = self._compiled.get(id(schema))
        if cached is not None and cached[0] is schema:
            return cached[1]
        # a schema may contain itself: children compiled meanwhile call through this cell
        cell: list[Render] = []
        self._compiled[id(schema)] = (schema, lambda value: cell[0](value))
        render = self._build(schema)
        cell.append(render)
        self._compiled[id(schema)] = (schema, render)
        return render

    def _fields(self, resolved: Mapping[str, Any]) -> tuple[tuple[str, str, Render, Any], ...]:
        required = resolved.get("required", ())
        fields = []
        for name, prop in resolved.get("properties", {}).items():
            # the documented default stands in for a required field the object lacks
            default = self.resolve(prop).get("default") if name in required else None
            fields.append((name, snake(name), self.compile(prop), default))
        return tuple(fields)

    def _build(self, schema: Mapping[str, Any]) -> Render:
        resolved = self.resolve(schema)
        kind = resolved.get("type")
        items = resolved.get("items", {}) if (kind == "array" or "items" in resolved) else None
        has_props = kind == "object" or "properties" in resolved
        obj = _object_renderer(self._fields(resolved)) if has_props else None
        scalar = _scalar_renderer(resolved)
        if items is not None:
            item = self.compile(items)
            always_array = kind == "array"

            def render_items(value: Any) -> Any:
                if value is None:
                    return None
                if always_array or isinstance(value, list | tuple):
                    return [item(v) for v in value]
                return obj(value) if obj is not None else scalar(value)

            return render_items
        if obj is not None:
            return obj
        return scalar

    def _compile_reply(
        self, schema: Mapping[str, Any], envelope: Mapping[str, Any]
    ) -> Callable[[Any, Mapping[str, Any]], dict[str, Any]]:
        fields = self._fields(self.resolve(schema))
        body = _object_renderer(tuple(f for f in fields if f[0] not in envelope))
        first = tuple(f[0] for f in fields if f[0] in envelope)  # in schema order

        def build(result: Any, env: Mapping[str, Any]) -> dict[str, Any]:
            out = {name: env[name] for name in first}
            rendered = body(result)
            if rendered:
                out.update(rendered)
            return out

        return build


_MAPPINGS = (dict, Mapping)  # dict first: the fast check


def _object_renderer(fields: tuple[tuple[str, str, Render, Any], ...]) -> Render:
    """A function rendering objects of one schema, generated from its fields (as `dataclasses`
    does for `__init__`): one straight run of lines per field, the common conversions inlined.
    Names reach the source only through `repr`."""
    env: dict[str, Any] = {"_MAPPINGS": _MAPPINGS, "as_string": as_string}
    steps = []
    for index, (name, _attr, render, default) in enumerate(fields):
        step = []
        if default is not None:
            env[f"D{index}"] = default
            step.append(f"if v is None: v = D{index}")
        step.append("if v is not None:")
        if render is _identity:
            step.append(f"    out[{name!r}] = v")
        elif render is as_string:
            step += ["    if v.__class__ is not str: v = as_string(v)", f"    out[{name!r}] = v"]
        elif render is _bool_to_int:
            step += ["    if v.__class__ is bool: v = int(v)", f"    out[{name!r}] = v"]
        else:  # may turn a value into None: then the field is left out
            env[f"R{index}"] = render
            step += [f"    v = R{index}(v)", "    if v is not None:", f"        out[{name!r}] = v"]
        steps.append(step)
    lines = ["def render_object(value):", "    if value is None:", "        return None", "    out = {}"]
    lines += ["    if isinstance(value, _MAPPINGS):", "        get = value.get"]
    for (name, _attr, _render, _default), step in zip(fields, steps, strict=True):
        lines += [f"        v = get({name!r})", *[f"        {line}" for line in step]]
    lines.append("    else:")
    lines.append("        pass")
    for (_name, attr, _render, _default), step in zip(fields, steps, strict=True):
        lines += [f"        v = getattr(value, {attr!r}, None)", *[f"        {line}" for line in step]]
    lines.append("    return out")
    exec(compile("\n".join(lines), "<pns-mock reply shaper>", "exec"), env)
    render_object: Render = env["render_object"]
    return render_object


def _scalar_renderer(schema: Mapping[str, Any]) -> Render:
    """How one scalar field turns a domain value into its wire form (types per the spec)."""
    fmt = schema.get("format")
    kind = schema.get("type")
    if isinstance(fmt, str) and fmt in TIME_FORMATS:
        time_format = fmt

        def render_time(value: Any) -> Any:
            if isinstance(value, int | float) and not isinstance(value, bool):
                return format_time(float(value), time_format)
            return as_string(value) if kind == "string" else value

        return render_time
    if kind == "string":
        return as_string
    if kind == "integer":
        return _bool_to_int
    if kind is None and "oneOf" in schema:
        return _bool_to_text
    return _identity


def as_string(value: Any) -> Any:
    if value.__class__ is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _bool_to_int(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def _bool_to_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
