"""No reply text is a template that leaked: every placeholder is filled or the vendor's literal text."""

from __future__ import annotations

import json
import re

import pytest

from pns_mock import spec
from pns_mock.mockserver.domain import Fault
from pns_mock.mockserver.http import Engine
from pns_mock.spec.model import RESULTDESC_MAX

from .helpers import AXB, A, B, C, Client, axb_client, make_engine

SPEC = spec.load()
LEFT_OVER = re.compile(r"[${}]")
SAMPLES = ("+8613900000002", "callerNum", "", None)


def _client(engine: Engine, mode: str) -> Client:
    mode = "AXB" if mode == "common" else mode
    return Client(engine, f"demo-{mode.lower()}", f"demo-{mode.lower()}-secret")


def _emittable() -> list[tuple[str, str]]:
    return [(op_id, code) for op_id, op in SPEC.operations.items() for code in op.result_codes if code != "0"]


def test_every_code_each_operation_can_answer_has_no_placeholder_left() -> None:
    engine = make_engine()
    seen = set()
    for op_id, code in _emittable():
        op = SPEC.operations[op_id]
        engine.platform.faults.arm(Fault(op_id, resultcode=code))
        reply = _client(engine, op.mode).call(op.method.upper(), op.path, body=b"{}")
        body = json.loads(reply.body)
        assert body["resultcode"] == code
        assert not LEFT_OVER.search(body["resultdesc"]), (op_id, body)
        seen.add(code)
    assert "1012010" in seen  # the one catalogue text with a placeholder


@pytest.mark.parametrize("code", sorted(SPEC.result_codes))
@pytest.mark.parametrize("fill", SAMPLES)
def test_every_catalogue_entry_renders_without_a_placeholder(code: str, fill: str | None) -> None:
    entry = SPEC.result_codes[code]
    text = entry.body("callerNum has an invalid format.", fill)["resultdesc"]
    assert not LEFT_OVER.search(text)
    assert not LEFT_OVER.search(entry.example_body()["resultdesc"])  # what fixtures and docs show
    assert 0 < len(text) <= RESULTDESC_MAX
    # what fills in is the value, and nothing else changes
    if entry.placeholder and fill:
        assert text == entry.text.replace(entry.placeholder, fill)
    elif entry.reason is None:
        assert text in (entry.text, *entry.alternative_texts)


def test_every_reason_phrase_renders_without_a_placeholder() -> None:
    rule = SPEC.result_codes["1010002"].reason
    assert rule is not None
    for key in rule.phrases:
        assert not LEFT_OVER.search(rule.phrase(key, "callerNum", 32)), key


def test_resultdesc_bound_matches_the_spec() -> None:
    assert SPEC.document["components"]["schemas"]["ResultDesc"]["maxLength"] == RESULTDESC_MAX


def test_an_axb_clash_names_the_number_already_bound() -> None:
    client = axb_client(make_engine())
    x = json.loads(client.call("POST", AXB, json={"callerNum": A, "calleeNum": B}).body)["relationNum"]
    clash = client.call("POST", AXB, json={"callerNum": B, "calleeNum": C, "relationNum": x})
    assert json.loads(clash.body) == {
        "resultcode": "1012010",
        "resultdesc": f"The number {B} has been bound.",
    }
    entry = client.engine.platform.journal.entries()[-1]
    assert (entry.field, entry.sent) == ("callerNum", B)
