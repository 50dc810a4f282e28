"""The loader gives the rest of the code typed access to the spec."""

from __future__ import annotations

import pytest

from pns_mock import spec


def test_operations_are_typed_with_path_method_mode_and_codes() -> None:
    op = spec.load().operations["createAxbBinding"]
    assert (op.method, op.path, op.mode) == ("post", "/rest/caas/relationnumber/partners/v1.0", "AXB")
    assert op.vendor_name == "CreateAXBBinding"
    assert "1012010" in op.specific_codes
    assert {"0", "1010010", "1023006", "1012010"} <= set(op.result_codes)


def test_every_code_an_operation_lists_is_in_the_catalogue() -> None:
    loaded = spec.load()
    for op in loaded.operations.values():
        for code in op.result_codes:
            assert code in loaded.result_codes, f"{op.operation_id} lists unknown code {code}"


def test_result_codes_know_their_http_status_text_and_handling() -> None:
    codes = spec.load().result_codes
    assert len(codes) >= 50
    digest = codes["1010010"]
    assert (digest.http_status, digest.text) == (401, "Invalid digest.")
    assert digest.body() == {"resultcode": "1010010", "resultdesc": "Invalid digest."}
    for rc in codes.values():
        assert rc.http_status in (200, 301, 400, 401, 403, 404, 500), rc.code
        assert rc.text and rc.meaning and rc.trigger and rc.handling, rc.code
        assert rc.scope in ("common", "operation"), rc.code
        assert isinstance(rc.code, str) and rc.code.isdigit(), rc.code


def test_codes_catalogued_for_operations_are_listed_by_some_operation() -> None:
    loaded = spec.load()
    listed = {code for op in loaded.operations.values() for code in op.specific_codes}
    orphans = [
        c
        for c, rc in loaded.result_codes.items()
        if rc.scope == "operation" and c not in listed and c not in ("1010004", "1020001", "1020002")
    ]
    assert orphans == []


def test_failure_tables_match_the_enums_of_the_fields_that_use_them() -> None:
    loaded = spec.load()
    tables = {
        "x-pns-hangup-causes": set(loaded.hangup_causes),
        "x-pns-disconnect-points": set(loaded.disconnect_points),
        "x-pns-q850-causes": set(loaded.q850_causes),
    }
    seen = set()
    stack: list[object] = [loaded.document["webhooks"], loaded.document["components"]]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            table = node.get("x-pns-table")
            if table in tables and "enum" in node:
                assert set(node["enum"]) == tables[table], table
                seen.add(table)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    assert seen == set(tables)


def test_conflicts_are_collected_with_what_is_accepted_and_why() -> None:
    conflicts = spec.load().conflicts()
    assert len(conflicts) >= 20
    for c in conflicts:
        assert c.summary and c.accepted and c.why, c.pointer


def test_spec_path_points_inside_the_package() -> None:
    assert spec.spec_path().name == "pns-openapi.yaml"
    assert spec.spec_path().parent.name == "spec"


def test_every_result_code_has_a_known_handling_class_and_the_vendors_reason() -> None:
    codes = spec.load().result_codes
    for rc in codes.values():
        assert rc.handling_class in spec.HANDLING_CLASSES, rc.code
        assert len(rc.handling_reason) > 20, rc.code
    assert {rc.handling_class for rc in codes.values()} == set(spec.HANDLING_CLASSES)


def test_only_transient_codes_say_the_same_request_may_succeed_later() -> None:
    codes = spec.load().result_codes
    for rc in codes.values():
        assert rc.retryable is rc.retry_unchanged_can_succeed is (rc.handling_class == "transient"), rc.code
    # the platform's own failures, and nothing else, are transient
    assert {c for c, rc in codes.items() if rc.handling_class == "transient"} == {
        c for c, rc in codes.items() if rc.http_status == 500
    }


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("1012102", "a blacklisted X stays blacklisted until the account is sorted out"),
        ("1012010", "the pair stays bound until it is unbound or another X is used"),
        ("1012012", "recording stays off until the application is changed"),
        ("1010008", "the application's state does not heal by itself"),
        ("1010029", "a frozen account stays frozen until it is topped up"),
        ("1012008", "the vendor warns against resending the same bind"),
    ],
)
def test_codes_that_need_a_change_first_are_not_transient(code: str, why: str) -> None:
    assert not spec.load().result_codes[code].retry_unchanged_can_succeed, why


def test_header_and_token_codes_are_auth_and_refusals_by_state_are_not() -> None:
    codes = spec.load().result_codes
    for rc in codes.values():
        if rc.code.startswith("10230") and rc.http_status == 400:
            assert rc.handling_class == "auth", rc.code
        if rc.text == "The record does not exist.":
            assert rc.handling_class == "not-found", rc.code
