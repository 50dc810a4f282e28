"""Translations of the spec: every text has its zh-CN form, read through the loader like English."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pns_mock import spec
from pns_mock.spec import i18n
from pns_mock.spec.i18n_missing import missing, skeleton, stale

ROOT = Path(__file__).resolve().parents[2]
EN = spec.load()
ZH = spec.load("zh-CN")
_CODE = re.compile(r"`[^`]+`")


def _describe(texts: list[i18n.Text]) -> str:
    return "\n".join(f"  {t.owner} [{t.key}]: {t.english.strip()[:160]!r}" for t in texts)


def test_the_spec_declares_its_translations_in_one_root_extension() -> None:
    assert EN.document["x-pns-i18n"] == {"zh-CN": "i18n/zh-CN.yaml"}
    assert spec.languages() == ("en", "zh-CN")
    assert (spec.spec_path().parent / "i18n" / "zh-CN.yaml").is_file()


def test_every_text_of_the_spec_has_a_chinese_translation_that_differs_from_the_english() -> None:
    todo = list(missing(EN.document, spec.overlay("zh-CN")))
    assert not todo, (
        f"{len(todo)} texts of spec/pns-openapi.yaml have no zh-CN text (or one identical to the "
        "English) in spec/i18n/zh-CN.yaml; `python -m pns_mock.spec.i18n_missing` prints a skeleton to fill "
        "in:\n" + _describe(todo)
    )


def test_the_coverage_reaches_every_kind_of_text_the_issue_names() -> None:
    owners = {t.owner for t in i18n.texts(EN.document) if i18n.required(t)}
    for op in EN.operations.values():
        assert op.pointer in owners, op.operation_id
        for p in op.raw.get("parameters", ()):
            if "$ref" not in p:
                assert f"{op.pointer}/parameters/name={p['name']}" in owners
    for hook in EN.webhooks.values():
        assert hook.pointer in owners, hook.name
    for code in EN.result_codes:
        assert f"/x-pns-result-codes/code={code}" in owners, code
    conflicts = {o for o in owners if o.endswith(("/x-pns-conflict", "/conflict"))}
    assert len(conflicts) == len(EN.conflicts()), "every conflict note is walked"
    properties = [t for t in i18n.texts(EN.document) if "/properties/" in t.owner]
    assert len(properties) > 200, "schema property descriptions are walked"
    for table in i18n.TABLES:
        assert {f"/{table}/code={row['code']}" for row in EN.document[table]} <= owners, table
    captions = [t for t in i18n.texts(EN.document) if "/examples/" in t.owner]
    assert captions and all(t.key == "summary" for t in captions)
    assert not any(
        t.key == "text" and t.owner.startswith("/x-pns-result-codes") for t in i18n.texts(EN.document)
    ), "resultdesc is wire data, never translated"


def test_the_overlay_holds_no_entry_for_a_text_the_spec_no_longer_has() -> None:
    leftovers = stale(EN.document, spec.overlay("zh-CN"))
    assert not leftovers, "delete these entries from spec/i18n/zh-CN.yaml:\n" + "\n".join(leftovers)


def test_translations_keep_every_code_span_of_the_english() -> None:
    table = spec.overlay("zh-CN")
    lost = [
        (
            t.owner,
            t.key,
            sorted(set(_CODE.findall(t.english)) - set(_CODE.findall(i18n.lookup(table, t) or ""))),
        )
        for t in i18n.texts(EN.document)
    ]
    lost = [entry for entry in lost if entry[2]]
    assert not lost, "field names, values and codes in backticks must survive translation:\n" + "\n".join(
        f"  {owner} [{key}]: {spans}" for owner, key, spans in lost
    )


def test_the_chinese_spec_has_the_same_operations_and_rules_with_chinese_texts() -> None:
    assert ZH.lang == "zh-CN" and EN.lang == "en"
    assert ZH.operations.keys() == EN.operations.keys()
    assert ZH.routes.keys() == EN.routes.keys()
    assert {c: rc.http_status for c, rc in ZH.result_codes.items()} == {
        c: rc.http_status for c, rc in EN.result_codes.items()
    }
    bind = ZH.operations["createAxbBinding"]
    assert "绑定" in bind.raw["summary"]
    assert ZH.result_codes["1012010"].meaning != EN.result_codes["1012010"].meaning
    assert ZH.result_codes["1012010"].text == EN.result_codes["1012010"].text, (
        "resultdesc stays as on the wire"
    )
    assert "华为云" in ZH.conflicts()[0].why or ZH.conflicts()[0].why != EN.conflicts()[0].why
    # the English document is untouched by localizing
    assert "绑定" not in EN.operations["createAxbBinding"].raw["summary"]


def test_text_looks_a_text_up_by_owner_pointer_with_english_fallback() -> None:
    assert spec.text("/components/schemas/UserData", "description", "zh-CN").startswith("客户")
    english = EN.document["components"]["schemas"]["UserData"]["description"]
    assert spec.text("/components/schemas/UserData", "description") == english
    rc = "/x-pns-result-codes/code=1010002"
    assert spec.text(rc, "handling", "zh-CN") != spec.text(rc, "handling")
    with pytest.raises(ValueError, match="zh-CN"):
        spec.load("fr")


def test_localize_keeps_english_where_the_overlay_has_nothing() -> None:
    document: dict[str, Any] = {
        "x-pns-result-codes": [{"code": "0", "meaning": "ok", "handling": "read it"}],
        "paths": {"/a": {"get": {"summary": "Get a", "parameters": [{"name": "q", "description": "Q"}]}}},
    }
    table = {
        "/x-pns-result-codes/code=0": {"meaning": "成功"},
        "/paths/~1a/get/parameters/name=q": {"description": "查询"},
    }
    out = i18n.localize(document, table)
    assert out["x-pns-result-codes"][0] == {"code": "0", "meaning": "成功", "handling": "read it"}
    assert out["paths"]["/a"]["get"]["parameters"][0]["description"] == "查询"
    assert out["paths"]["/a"]["get"]["summary"] == "Get a"
    assert document["x-pns-result-codes"][0]["meaning"] == "ok"
    assert [t.pointer for t in missing(document, table)] == [
        "/x-pns-result-codes/code=0/handling",
        "/paths/~1a/get/summary",
    ]


def test_list_items_are_keyed_by_code_or_name_so_insertions_do_not_move_them() -> None:
    assert i18n.item_token(7, {"code": "1010002"}) == "code=1010002"
    assert i18n.item_token(3, {"name": "relationNum", "in": "query"}) == "name=relationNum"
    assert i18n.item_token(4, {"id": "axb.page-size", "code": "1010002"}) == "id=axb.page-size"
    assert i18n.item_token(2, {"description": "x"}) == "2"
    assert i18n.item_token(0, "plain") == "0"


def test_texts_skip_payload_examples_but_keep_a_property_named_like_a_data_keyword() -> None:
    document = {
        "properties": {"value": {"description": "The value."}},
        "examples": [{"description": "payload, not prose"}],
        "x-enumDescriptions": {"a": "A."},
    }
    assert [(t.owner, t.key) for t in i18n.texts(document)] == [
        ("/properties/value", "description"),
        ("/x-enumDescriptions", "a"),
    ]


def test_the_skeleton_is_an_overlay_fragment_with_the_english_to_translate() -> None:
    texts = [
        i18n.Text("/x-pns-result-codes/code=1", "meaning", "One.\nTwo lines.\n"),
        i18n.Text("/components/schemas/A/x-enumDescriptions", "true", "Yes."),
    ]
    parsed = yaml.safe_load(skeleton(texts))
    assert parsed == {
        "/x-pns-result-codes/code=1": {"meaning": "One.\nTwo lines."},
        "/components/schemas/A/x-enumDescriptions": {"true": "Yes."},
    }
    assert skeleton([]) == ""


def test_the_missing_script_runs_as_a_module_and_reports_nothing_to_do() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pns_mock.spec.i18n_missing", "zh-CN"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "" and "0 texts missing in zh-CN" in result.stderr
