"""Flatten a JSON Schema from the spec into rows of fields a reader can scan."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pns_mock.spec import Conflict, Spec

from .model import Field

MAX_DEPTH = 4


def merged(s: Spec, schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema with its `$ref` chain folded in; keywords next to a `$ref` win over the target's."""
    if "$ref" not in schema:
        return dict(schema)
    target = merged(s, s.resolve(schema["$ref"].removeprefix("#")))
    return target | {k: v for k, v in schema.items() if k != "$ref"}


def conflict_of(schema: Mapping[str, Any], pointer: str = "") -> Conflict | None:
    raw = schema.get("x-pns-conflict")
    if not isinstance(raw, Mapping):
        return None
    return Conflict(pointer, raw.get("summary", ""), raw.get("accepted", ""), raw.get("why", ""))


def _properties(
    s: Spec, schema: Mapping[str, Any], *, keep_false: bool = False
) -> tuple[dict[str, Any], set[str]]:
    """Properties and required names of an object schema, its `allOf` branches included.

    A property set to `false` in a branch means "never sent" and drops out.
    """
    props: dict[str, Any] = dict(schema.get("properties", {}))
    required: set[str] = set(schema.get("required", ()))
    for branch in schema.get("allOf", ()):
        part = merged(s, branch)
        if "if" in part:
            continue
        inner, inner_required = _properties(s, part, keep_false=True)
        for name, sub in inner.items():
            props[name] = _combine(s, props[name], sub) if name in props else sub
        required |= inner_required
    return {n: p for n, p in props.items() if keep_false or p is not False}, required


def _combine(s: Spec, first: Any, second: Any) -> Any:
    """Two schemas of one property (main schema and a narrowing branch): the later words win."""
    if first is False or second is False:
        return False
    out = merged(s, first)
    for key, value in merged(s, second).items():
        if key == "properties" and "properties" in out:
            props = dict(out["properties"])
            for name, sub in value.items():
                props[name] = _combine(s, props[name], sub) if name in props else sub
            out[key] = props
        elif key == "required":
            out[key] = [*out.get(key, ()), *(n for n in value if n not in out.get(key, ()))]
        else:
            out[key] = value
    return out


def _object_of(s: Spec, schema: Mapping[str, Any]) -> tuple[Mapping[str, Any] | None, str]:
    """The object schema nested in `schema` (directly, as array items, or in a oneOf), and the path suffix."""
    if schema.get("type") == "object" or "properties" in schema or "allOf" in schema:
        return schema, "."
    if schema.get("type") == "array" and isinstance(schema.get("items"), Mapping):
        inner, _ = _object_of(s, merged(s, schema["items"]))
        return inner, "[]."
    for branch in schema.get("oneOf", ()):
        inner, suffix = _object_of(s, merged(s, branch))
        if inner is not None:
            return inner, suffix
    return None, ""


def type_text(s: Spec, schema: Mapping[str, Any]) -> str:
    if "const" in schema:
        return f"const {_literal(schema['const'])}"
    if "oneOf" in schema or "anyOf" in schema:
        branches = [type_text(s, merged(s, b)) for b in schema.get("oneOf", schema.get("anyOf", ()))]
        return " | ".join(dict.fromkeys(branches))
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        kind = " | ".join(kind)
    if kind == "array" and isinstance(schema.get("items"), Mapping):
        return f"array of {type_text(s, merged(s, schema['items']))}"
    if kind == "any" and ("properties" in schema or "allOf" in schema):
        return "object"
    return str(kind)


def _literal(value: Any) -> str:
    return (
        f'"{value}"'
        if isinstance(value, str)
        else str(value).lower()
        if isinstance(value, bool)
        else str(value)
    )


def constraints(schema: Mapping[str, Any]) -> tuple[str, ...]:
    out = []
    low, high = schema.get("minLength"), schema.get("maxLength")
    if low is not None or high is not None:
        out.append(f"length {low or 0}..{high if high is not None else '∞'}")
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None or high is not None:
        out.append(f"range {low if low is not None else '-∞'}..{high if high is not None else '∞'}")
    if schema.get("minItems") is not None or schema.get("maxItems") is not None:
        out.append(f"items {schema.get('minItems', 0)}..{schema.get('maxItems', '∞')}")
    if "pattern" in schema and not str(schema.get("format", "")).startswith("pns-"):
        out.append(f"pattern {schema['pattern']}")
    if "default" in schema:
        out.append(f"default {_literal(schema['default'])}")
    return tuple(out)


def values(schema: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    enum = schema.get("enum")
    if enum is None:
        for branch in schema.get("oneOf", ()):
            if "enum" in branch:
                return values(branch)
        return ()
    meanings = {str(k): v for k, v in schema.get("x-enumDescriptions", {}).items()}
    return tuple((_literal(v), meanings.get(str(v), "")) for v in enum)


def fields(
    s: Spec, schema: Mapping[str, Any], location: str, *, prefix: str = "", depth: int = 0
) -> Iterator[Field]:
    """Every property of an object schema, depth first, nested objects and arrays included."""
    props, required = _properties(s, merged(s, schema))
    for name, raw in props.items():
        sub = merged(s, raw)
        path = f"{prefix}{name}"
        fmt = str(sub.get("format", ""))
        yield Field(
            path=path,
            location=location,
            type=type_text(s, sub),
            required=name in required,
            description=str(sub.get("description", "")).strip(),
            constraints=constraints(sub),
            values=values(sub),
            timestamp_format=fmt if fmt.startswith("pns-") else "",
            conflict=conflict_of(raw) or conflict_of(sub),
        )
        inner, suffix = _object_of(s, sub)
        if inner is not None and depth < MAX_DEPTH:
            yield from fields(s, inner, location, prefix=f"{path}{suffix}", depth=depth + 1)


def rules(s: Spec, schema: Mapping[str, Any]) -> Iterator[str]:
    """The prose of the conditional (`if`/`then`) rules a body schema enforces."""
    for branch in merged(s, schema).get("allOf", ()):
        part = merged(s, branch)
        if "if" in part and part.get("description"):
            yield str(part["description"]).strip()
        elif "if" not in part:
            yield from rules(s, part)
