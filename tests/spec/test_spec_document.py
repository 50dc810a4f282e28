"""The spec itself: valid OpenAPI 3.1, every $ref resolves, every example validates, nothing vanishes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from openapi_spec_validator import validate

from pns_mock import spec
from pns_mock.spec import SchemaRegistry

OPERATION_IDS = {
    "createAxbBinding",
    "deleteAxbBinding",
    "modifyAxbBinding",
    "queryAxbBinding",
    "createAxBinding",
    "deleteAxBinding",
    "modifyAxBinding",
    "queryAxBinding",
    "setAxTemporaryCallee",
    "createAxeBinding",
    "deleteAxeBinding",
    "modifyAxeBinding",
    "queryAxeBinding",
    "queryAxeBindingV2",
    "createAxybBinding",
    "deleteAxybBinding",
    "queryAxybBinding",
    "getRecordingDownloadUrl",
    "stopCall",
}

WEBHOOKS = {
    "callEventAxb",
    "callEventAx",
    "callEventAxe",
    "callEventAxyb",
    "callEventX",
    "callinBlockX",
    "feeAxb",
    "feeAx",
    "feeAxe",
    "feeAxyb",
    "feeX",
    "numStatus",
    "smsNotifyAx",
    "smsBlockAx",
    "smsNotifyAxb",
    "smsNotifyX",
    "smsBlockX",
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return spec.load_document()


@pytest.fixture(scope="module")
def registry(document: dict[str, Any]) -> SchemaRegistry:
    return SchemaRegistry(document)


def _walk(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    yield pointer, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{pointer}/{index}")


def test_spec_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_ref_resolves(document: dict[str, Any]) -> None:
    refs = [(p, n["$ref"]) for p, n in _walk(document) if isinstance(n, dict) and "$ref" in n]
    assert refs
    for pointer, ref in refs:
        assert ref.startswith("#/"), f"{pointer}: only local references are allowed, got {ref}"
        spec.resolve_pointer(document, ref)


def _media_examples(document: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    for pointer, node in _walk(document):
        if isinstance(node, dict) and "schema" in node and isinstance(node.get("examples"), dict):
            for name, example in node["examples"].items():
                yield f"{pointer}/schema", f"{pointer}/examples/{name}", example["value"]


def test_every_media_example_validates_against_its_schema(
    document: dict[str, Any], registry: SchemaRegistry
) -> None:
    examples = list(_media_examples(document))
    assert len(examples) > 60
    problems = [
        f"{where}: {err}"
        for schema_ptr, where, value in examples
        for err in registry.errors(schema_ptr, value)
    ]
    assert problems == []


def test_every_schema_example_validates(document: dict[str, Any], registry: SchemaRegistry) -> None:
    problems = []
    for pointer, node in _walk(document["components"]["schemas"], "/components/schemas"):
        if (
            isinstance(node, dict)
            and isinstance(node.get("examples"), list)
            and "properties" not in pointer[-11:]
        ):
            for value in node["examples"]:
                problems += [f"{pointer}: {e}" for e in registry.errors(pointer, value)]
    assert problems == []


def test_operation_ids_are_pinned() -> None:
    assert set(spec.load().operations) == OPERATION_IDS


def test_webhook_names_are_pinned() -> None:
    assert set(spec.load().webhooks) == WEBHOOKS


def test_every_operation_has_examples_for_request_and_every_inline_response() -> None:
    for op in spec.load().operations.values():
        body = op.raw.get("requestBody", {}).get("content", {}).get("application/json")
        if body and op.body_required:
            assert body.get("examples"), f"{op.operation_id}: request body has no example"
        for status, response in op.raw["responses"].items():
            content = response.get("content", {}).get("application/json")
            if content and "$ref" not in response:
                assert content.get("examples"), f"{op.operation_id} {status}: no example"


def test_every_webhook_has_body_examples_and_a_reply_definition() -> None:
    for hook in spec.load().webhooks.values():
        body = hook.raw["requestBody"]["content"]["application/json"]
        assert body.get("examples"), f"{hook.name}: no example body"
        assert "200" in hook.raw["responses"], f"{hook.name}: the reply the customer owes is not described"
        if hook.reply_schema_pointer:
            reply = hook.raw["responses"]["200"]["content"]["application/json"]
            assert reply.get("examples"), f"{hook.name}: Block reply without example"


def test_every_operation_and_webhook_names_its_vendor_page() -> None:
    loaded = spec.load()
    pages = [(o.operation_id, o.vendor_doc) for o in loaded.operations.values()]
    pages += [(w.name, w.vendor_doc) for w in loaded.webhooks.values()]
    for name, url in pages:
        assert re.match(r"^https://(support\.)?huaweicloud\.com/", url), f"{name}: x-vendor-doc is {url!r}"


def test_every_operation_declares_its_mode_and_tag() -> None:
    for op in spec.load().operations.values():
        assert op.mode in ("AXB", "AX", "AXE", "AXYB", "common"), op.operation_id
        assert op.raw.get("tags"), op.operation_id


def test_every_enum_documents_the_meaning_of_each_value(document: dict[str, Any]) -> None:
    missing = []
    for pointer, node in _walk(document):
        in_condition = "/if/" in pointer or "/not/" in pointer  # conditions, not field definitions
        if isinstance(node, dict) and "enum" in node and len(node["enum"]) > 1 and not in_condition:
            described = node.get("x-enumDescriptions") or node.get("x-pns-table")
            if not described and "description" not in node:
                missing.append(pointer)
    assert missing == []


def test_timestamp_schemas_carry_both_a_named_format_and_a_pattern(document: dict[str, Any]) -> None:
    formats = set()
    for pointer, node in _walk(document):
        if isinstance(node, dict) and str(node.get("format", "")).startswith("pns-"):
            assert "pattern" in node, f"{pointer}: format {node['format']} without pattern"
            formats.add(node["format"])
    assert formats == {"pns-created", "pns-datetime", "pns-sms-timestamp", "pns-subscribe-time"}


def _properties(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for pointer, node in _walk(document):
        if isinstance(node, dict) and isinstance(node.get("properties"), dict):
            for name, prop in node["properties"].items():
                if isinstance(prop, dict):
                    yield pointer, name, prop


TIME_FIELD = re.compile(r"(Time|^timestamp|^timeStamp)$")
TIME_EXCEPTIONS = {"duration", "bindExpiredTime", "callbackExpiredTime"}


def _resolved(document: dict[str, Any], prop: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in prop:
        prop = spec.resolve_pointer(document, prop["$ref"])
    return prop


def test_every_time_field_uses_one_of_the_named_timestamp_formats(document: dict[str, Any]) -> None:
    wrong = []
    for pointer, name, prop in _properties(document):
        if TIME_FIELD.search(name) and name not in TIME_EXCEPTIONS:
            target = _resolved(document, prop)
            if not str(target.get("format", "")).startswith("pns-"):
                wrong.append(f"{pointer}/properties/{name}")
    assert wrong == []


NUMBER_FIELD = re.compile(r"(Num|Number|^caller|^called|^calling|^number|^num[ABXY])$")
NUMBER_EXCEPTIONS = {"extendNum", "pageNum"}


def test_every_phone_number_field_has_a_global_format_pattern(document: dict[str, Any]) -> None:
    wrong = []
    for pointer, name, prop in _properties(document):
        if NUMBER_FIELD.search(name) and name not in NUMBER_EXCEPTIONS:
            target = _resolved(document, prop)
            variants = target.get("oneOf") or target.get("anyOf") or [target]
            patterns = [_resolved(document, v).get("pattern", "") for v in variants]
            if not all(p.startswith("^\\+") for p in patterns):
                wrong.append(f"{pointer}/properties/{name}: {patterns}")
    assert wrong == []
