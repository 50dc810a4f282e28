"""Query strings into names and values: what `parse_qsl` gives, quick on what PNS clients send.

The first of repeated names wins; a `+` decodes to a space and `%2B` to a plus, as in any form
encoding. Undecodable bytes raise `UnicodeDecodeError` (the validator turns it into 1010002).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote


def parse_query(query: str) -> dict[str, Any]:
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


def raw_pairs(query: str) -> list[tuple[str, str]]:
    """The query's (name, value) pairs as sent, undecoded: for hints about what the client wrote."""
    out = []
    for part in query.split("&"):
        name, _, value = part.partition("=")
        out.append((name, value))
    return out
