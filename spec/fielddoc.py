"""The description of one request field of an operation, in English and in another language.

A field is named as the mock's validation names it: a query parameter (`relationNum`, or
`query.relationNum`), a dotted body path (`preVoice.callerHintTone`, `feeLst.0.callerNum`), or
`body`. The same lookup runs in the English spec and in the localized one (same structure, other
texts), so the two descriptions are the same text in two languages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .i18n import ENGLISH
from .loader import Spec, load

# A sentence ends at `. ` (or `!`, `?`) in English and at the ideographic full stop (or the
# full-width `!`, `?`: U+FF01, U+FF1F) in Chinese.
_SENTENCE = re.compile(r"^(.+?(?:(?<!e\.g)(?<!i\.e)[.!?](?=\s|$)|[。\uff01\uff1f]))")
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def field_schema(s: Spec, operation_id: str, field: str) -> Mapping[str, Any] | None:
    """The schema of a wire field (query parameter or dotted body path), `$ref`s followed."""
    op = s.operations.get(operation_id)
    if op is None:
        return None
    name = field.removeprefix("query.")
    for param in op.parameters:
        if param.name == name and param.location == "query":
            return s.deref(param.schema)
    if op.request_schema_pointer is None:
        return None
    schema: Mapping[str, Any] | None = s.resolve(op.request_schema_pointer)
    for part in name.split("."):
        if schema is None:
            return None
        if part.isdigit():
            items = s.deref(schema).get("items")
            schema = items if isinstance(items, Mapping) else schema
            continue
        schema = properties(s, schema).get(part)
    return s.deref(schema) if isinstance(schema, Mapping) else None


def properties(s: Spec, schema: Mapping[str, Any]) -> dict[str, Any]:
    """Properties of a schema, gathered through $ref, allOf, oneOf and anyOf branches."""
    schema = s.deref(schema)
    found: dict[str, Any] = dict(schema.get("properties", {}))
    for key in ("allOf", "oneOf", "anyOf"):
        for branch in schema.get(key, ()):
            for name, prop in properties(s, branch).items():
                found.setdefault(name, prop)
    return found


def first_sentence(text: str) -> str:
    """The first sentence of a description's first paragraph, on one line."""
    paragraph = text.strip().split("\n\n")[0]
    joined = ""
    for line in (line.strip() for line in paragraph.splitlines() if line.strip()):
        joined += line if not joined or _CJK.match(joined[-1]) or _CJK.match(line[0]) else " " + line
    match = _SENTENCE.match(joined)
    return match.group(1) if match else joined


def translated_description(operation_id: str, field: str, lang: str) -> str | None:
    """The field's description in `lang` (first sentence), None for English or when it has none."""
    if lang == ENGLISH:
        return None
    schema = field_schema(load(lang), operation_id, field)
    english = field_schema(load(), operation_id, field)
    if not schema or not english or not schema.get("description"):
        return None
    text = first_sentence(str(schema["description"]))
    return None if text == first_sentence(str(english.get("description", ""))) else text


def field_description(operation_id: str, field: str, lang: str = ENGLISH) -> str | None:
    """`English. / 中文。` for a field of an operation (English alone for English), None when undocumented."""
    schema = field_schema(load(), operation_id, field)
    if not schema or not schema.get("description"):
        return None
    english = first_sentence(str(schema["description"]))
    translated = translated_description(operation_id, field, lang)
    return f"{english} / {translated}" if translated else english
