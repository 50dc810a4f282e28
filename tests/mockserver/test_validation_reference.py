"""The fast validator agrees with openapi-core, the reference, on a corpus of requests.

The corpus: every request example in the spec, and for each one every required field removed
and every field given a value of the wrong JSON type.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest

from pns_mock import spec
from pns_mock.mockserver.domain import PnsError, auth
from pns_mock.mockserver.http import RequestValidator, validation_json

HOST = "https://rtcpns.cn-north-1.myhuaweicloud.com"


@pytest.fixture(scope="module")
def reference() -> OpenAPI:
    return OpenAPI.from_dict(spec.load_document())


@pytest.fixture(scope="module")
def fast() -> RequestValidator:
    loaded = spec.load()
    return RequestValidator(loaded, spec.SchemaRegistry(loaded.document))


def _wrong_type(value: Any) -> Any:
    return 12345 if isinstance(value, str) else "text"


def _corpus() -> Iterator[tuple[str, str, dict[str, Any]]]:
    loaded = spec.load()
    for op in loaded.operations.values():
        content = op.raw.get("requestBody", {}).get("content", {}).get("application/json", {})
        if not op.body_required:
            continue
        schema = loaded.resolve(op.request_schema_pointer) if op.request_schema_pointer else {}
        required = schema.get("required", [])
        for name, example in content.get("examples", {}).items():
            body = example["value"]
            yield op.operation_id, f"{name}", body
            for field in required:
                if field in body:
                    yield (
                        op.operation_id,
                        f"{name}-without-{field}",
                        {k: v for k, v in body.items() if k != field},
                    )
            for field, value in body.items():
                yield op.operation_id, f"{name}-{field}-wrong-type", {**body, field: _wrong_type(value)}


CASES = list(_corpus())


def _reference_accepts(reference: OpenAPI, op: spec.Operation, body: dict[str, Any]) -> bool:
    headers = auth.sign("AKSK", "k", "s", "abc", auth.created_now())
    headers["Content-Type"] = "application/json"
    query = {"app_key": "k"} if any(p.name == "app_key" for p in op.parameters) else {}
    request = MockRequest(
        HOST,
        op.method,
        op.path,
        headers=headers,
        args=query,
        data=json.dumps(body).encode(),
        content_type="application/json",
    )
    try:
        reference.validate_request(request)
    except Exception:  # noqa: BLE001 - any validation error means "rejected"
        return False
    return True


def _fast_accepts(fast: RequestValidator, op: spec.Operation, body: dict[str, Any]) -> bool:
    query = (
        urlencode({"app_key": "k"}, quote_via=quote)
        if any(p.name == "app_key" for p in op.parameters)
        else ""
    )
    try:
        fast.validate(op, query, "application/json", json.dumps(body).encode())
    except PnsError:
        return False
    return True


def test_corpus_is_large_enough() -> None:
    assert len(CASES) > 100


@pytest.mark.parametrize(("operation_id", "case", "body"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_fast_validator_agrees_with_openapi_core(
    reference: OpenAPI, fast: RequestValidator, operation_id: str, case: str, body: dict[str, Any]
) -> None:
    op = spec.load().operations[operation_id]
    assert _fast_accepts(fast, op, body) == _reference_accepts(reference, op, body)


# Query strings: the validator's own decoder agrees with the standard library's parse_qsl.
# The pieces never spell a declared parameter, so only the decoding can refuse a query.

_QUERY_PIECES = st.sampled_from(
    [
        *("a", "Z", "0", " ", "+", "=", "&", "%", "中"),
        *("%2B", "%2b", "%20", "%3D", "%26", "%E4%B8%AD", "%ff", "%zz"),
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.lists(_QUERY_PIECES, max_size=10).map("".join))
def test_query_strings_decode_like_parse_qsl(fast: RequestValidator, raw: str) -> None:
    op = spec.load().operations["queryAxbBinding"]
    query = f"subscriptionId=sid-1&{raw}"
    try:
        expected: dict[str, str] = {}
        for name, value in parse_qsl(query, keep_blank_values=True, errors="strict"):
            expected.setdefault(name, value)
    except UnicodeDecodeError:
        with pytest.raises(PnsError) as refused:
            fast.validate(op, query, None, b"")
        assert refused.value.code == "1010002"
        return
    assert fast.validate(op, query, None, b"") == expected


# Bodies: orjson's quick reading agrees with the standard library's (floats, big integers and
# what orjson refuses fall back to the latter).

_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats()
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(value=_JSON_VALUES)
def test_bodies_read_like_the_standard_library(value: Any) -> None:
    text = json.dumps(value)
    expected = validation_json._DECODER.decode(text)
    assert repr(validation_json.loads(text)) == repr(expected)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 7.0}',
        '{"a": 1e3}',
        '{"a": NaN}',
        '{"a": 1, "a": 2}',
        "[123456789012345678901234567890]",
    ],
)
def test_bodies_orjson_reads_differently_fall_back(text: str) -> None:
    assert repr(validation_json.loads(text)) == repr(validation_json._DECODER.decode(text))


@pytest.mark.parametrize("text", ['{"a": "\\ud800"}', '{"a": ["x\\udfff"]}', '{"\\udbff": 1}'])
def test_a_lone_surrogate_that_only_the_standard_library_reads_is_refused(text: str) -> None:
    with pytest.raises(PnsError) as refused:
        validation_json.loads(text)
    assert refused.value.code == "1010002" and "surrogate" in refused.value.detail
