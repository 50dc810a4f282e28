"""The loader gives the rest of the code typed access to the spec."""

from __future__ import annotations

import spec


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
