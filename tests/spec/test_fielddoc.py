"""A request field's description, in English and next to it in the language asked for."""

from __future__ import annotations

import pytest

from pns_mock import spec
from pns_mock.spec.fielddoc import field_description, field_schema, first_sentence, translated_description


def test_a_body_field_is_described_in_english_and_chinese() -> None:
    text = field_description("createAxbBinding", "callerNum", "zh-CN")
    assert text is not None
    english, chinese = text.split(" / ")
    assert english == "A real user number in global format: `+`, country code, number."
    assert chinese.startswith("全局号码格式的真实用户号码") and chinese.endswith("。")
    assert field_description("createAxbBinding", "callerNum") == english


@pytest.mark.parametrize(
    ("operation_id", "field"),
    [
        ("createAxbBinding", "preVoice.callerHintTone"),  # nested through $ref
        ("queryAxbBinding", "relationNum"),  # a query parameter
        ("queryAxbBinding", "query.relationNum"),  # as the journal names it
        ("createAxeBinding", "bindExpiredTime"),
    ],
)
def test_nested_fields_and_query_parameters_are_found_in_both_languages(
    operation_id: str, field: str
) -> None:
    english = field_schema(spec.load(), operation_id, field)
    chinese = field_schema(spec.load("zh-CN"), operation_id, field)
    assert english is not None and chinese is not None
    assert english.get("type") == chinese.get("type") and english.get("pattern") == chinese.get("pattern")
    translated = translated_description(operation_id, field, "zh-CN")
    assert translated and translated != first_sentence(english["description"])


def test_unknown_fields_operations_and_english_give_no_translation() -> None:
    assert field_description("createAxbBinding", "noSuchField", "zh-CN") is None
    assert field_description("noSuchOperation", "callerNum", "zh-CN") is None
    assert translated_description("createAxbBinding", "callerNum", "en") is None
    assert field_schema(spec.load(), "createAxbBinding", "body") is None


def test_first_sentence_stops_at_the_first_full_stop_of_either_language() -> None:
    assert first_sentence("One, e.g. `x`. Two.") == "One, e.g. `x`."
    assert first_sentence("A line\nbroken. Next") == "A line broken."
    assert first_sentence("第一句\n接着。第二句。") == "第一句接着。"
    assert first_sentence("No stop at all") == "No stop at all"
    assert first_sentence("Para one\n\nPara two.") == "Para one"
