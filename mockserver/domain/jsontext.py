"""What a JSON document must be before the mock keeps any of it: Unicode text, finite numbers.

JSON can carry a lone surrogate (`"\\ud800"`), which is valid JSON but no Unicode text: it cannot
be encoded as UTF-8, so a reply, the state dump or the `--state` file holding it would fail
later, far from the request that brought it. Python's JSON reader also takes `NaN`, `Infinity`
and `1e400` (read as infinity). Both are refused where a document enters: the API's bodies, the
admin API's, configuration files and the state file.
"""

from __future__ import annotations

import json
import math
from typing import Any


def unicode_problem(value: Any, where: str = "") -> str | None:
    """Where `value` holds a string (or key) that is not Unicode text, and why; None if nowhere."""
    kind = type(value)
    if kind is str:
        return None if value.isascii() or _encodable(value) else f"{where or 'value'}: {_why(value)}"
    if kind is dict:
        for key, item in value.items():
            if type(key) is str and not _encodable(key):
                return f"{where or 'object'}: a key {_why(key)}"
            found = unicode_problem(item, f"{where}.{key}" if where else str(key))
            if found:
                return found
    elif kind is list:
        for index, item in enumerate(value):
            found = unicode_problem(item, f"{where}[{index}]")
            if found:
                return found
    return None


def finite_problem(value: Any, where: str = "") -> str | None:
    """Where `value` holds NaN or an infinity; None if nowhere."""
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{where or 'value'}: {value!r} is not a finite number"
    if isinstance(value, dict):
        for key, item in value.items():
            found = finite_problem(item, f"{where}.{key}" if where else str(key))
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = finite_problem(item, f"{where}[{index}]")
            if found:
                return found
    return None


def strict_loads(text: str | bytes) -> Any:
    """JSON as the standard library reads it, minus NaN, infinities and lone surrogates (ValueError)."""
    value = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    problem = unicode_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _why(text: str) -> str:
    index = next(i for i, char in enumerate(text) if 0xD800 <= ord(char) <= 0xDFFF)
    return f"holds a lone surrogate (\\u{ord(text[index]):04x} at {index}): not Unicode text"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a finite number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value
