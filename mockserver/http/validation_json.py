"""Request bodies from JSON text into Python values, with numbers as the schema checks them.

7.0 is the integer 7, 7.5 stays a float; a body holding a lone surrogate is refused with 1010002.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from ..domain.errors import PnsError
from ..domain.jsontext import unicode_problem
from .validation_reasons import INVALID


def _number(text: str) -> float | int:
    """JSON numbers with a fraction: 7.0 is the integer 7 (JSON Schema treats them alike, and so
    must the replies that echo them), 7.5 stays a float (and fails an `integer` field)."""
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


_DECODER = json.JSONDecoder(parse_float=_number)  # made once: json.loads(..., parse_float=) makes one a call


def loads(text: str) -> Any:
    """The JSON of a request body, as `_DECODER` reads it.

    orjson reads it several times faster, and gives the same result whenever no number in it
    became a float: it turns integers past 64 bits into floats, and `_DECODER` turns fractions
    like 7.0 into integers. So a result with a float in it, or one orjson refuses (NaN, lone
    surrogates, which the standard library accepts), is read again by `_DECODER`.
    """
    try:
        payload = orjson.loads(text)
    except orjson.JSONDecodeError:
        # orjson refuses lone surrogates, the standard library does not: none may go further
        payload = _DECODER.decode(text)
        problem = unicode_problem(payload)
        if problem:
            raise PnsError(INVALID, f"body {problem}", rule="body.unicode") from None
        return payload
    return _DECODER.decode(text) if _has_float(payload) else payload


def _has_float(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        for item in value.values():
            inner = type(item)
            if inner is float or ((inner is dict or inner is list) and _has_float(item)):
                return True
        return False
    if kind is list:
        return any(_has_float(item) for item in value)
    return kind is float
