"""1010002 names its reason in `resultdesc`, as the vendor's replies do; the detail stays in the header."""

from __future__ import annotations

import json

import pytest

from pns_mock import spec
from pns_mock.mockserver.domain import PROBLEM_HEADER
from pns_mock.mockserver.http import Engine, HttpResponse, json_response, reply_problems

from .helpers import AX, AXB, AXE, A, B, Client, ax_client, axb_client, axe_client, make_engine

SPEC = spec.load()
INVALID = SPEC.result_codes["1010002"]
RESULTDESC_MAX = SPEC.document["components"]["schemas"]["ResultDesc"]["maxLength"]


@pytest.fixture
def engine() -> Engine:
    return make_engine()


def _refusal(response: HttpResponse) -> tuple[str, str]:
    body = json.loads(response.body)
    assert body["resultcode"] == INVALID.code
    return body["resultdesc"], response.header(PROBLEM_HEADER) or ""


def _reason(resultdesc: str) -> str:
    rule = INVALID.reason
    assert rule is not None
    prefix = INVALID.text + rule.joiner
    assert resultdesc.startswith(prefix)
    return resultdesc.removeprefix(prefix)


def test_the_catalogue_says_1010002_carries_a_reason_and_how() -> None:
    rule = INVALID.reason
    assert rule is not None
    assert 0 < rule.max_length < RESULTDESC_MAX - len(INVALID.text)
    assert "other" in rule.phrases
    # a code without a reason keeps its text whatever reason the mock has
    assert SPEC.result_codes["1010003"].body("anything") == SPEC.result_codes["1010003"].body()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        # a PHP client that forgot the +86 prefix
        (b'{"callerNum":"13800000001","calleeNum":"+8613900000002"}', "callerNum has an invalid format."),
        (b'{"calleeNum":"+8613900000002"}', "callerNum is missing."),
        (b'{"callerNum":"+8613800000001","calleeNum":"+8613900000002","duration":"60"}',
         "duration must be of type integer."),
        (b'{"callerNum":"+8613800000001","calleeNum":"+8613900000002","maxDuration":99999}',
         "maxDuration is greater than 1440."),
        (b"callerNum=+8613800000001", "the request body is not valid JSON."),
        (b'["+8613800000001"]', "the request body must be a JSON object."),
        (b'{"callerNum":"\xff"}', "the request body is not valid UTF-8."),
    ],
)  # fmt: skip
def test_axb_bind_refusals_name_the_parameter_and_what_is_wrong(
    engine: Engine, body: bytes, reason: str
) -> None:
    resultdesc, problem = _refusal(axb_client(engine).call("POST", AXB, body=body))
    assert resultdesc == INVALID.text + INVALID.reason.joiner + reason  # type: ignore[union-attr]
    assert problem.startswith(f"1010002 {INVALID.text} ") and "[rule: " in problem


def test_an_unescaped_plus_in_the_query_string_names_the_parameter(engine: Engine) -> None:
    # curl -G --data 'relationNum=+8617010000001': the + arrives as a space
    reply = axb_client(engine).call("GET", AXB, raw_query="relationNum=+8617010000001")
    resultdesc, problem = _refusal(reply)
    assert _reason(resultdesc) == "relationNum has an invalid format."
    assert "send it as %2B" in problem


def test_the_full_detail_stays_in_the_header_and_the_journal(engine: Engine) -> None:
    client = axb_client(engine)
    resultdesc, problem = _refusal(client.call("POST", AXB, json={"callerNum": "138", "calleeNum": B}))
    assert _reason(resultdesc) == "callerNum is shorter than 4 characters."
    entry = engine.platform.journal.entries()[-1]
    assert entry.problem is not None and "'138' is too short" in entry.problem
    assert "'138' is too short" in problem
    assert (entry.field, entry.sent) == ("callerNum", "138")


@pytest.mark.parametrize(
    ("client", "method", "path", "payload", "headers", "names"),
    [
        (axb_client, "POST", AXB, b"", {}, "body"),
        (axb_client, "POST", AXB, b'{"callerNum": "+8613800000001"}', {"Content-Type": "text/plain"},
         "Content-Type"),
        (axb_client, "DELETE", AXB, b"", {}, "relationNum"),  # neither identifier
        (axb_client, "POST", AXB, b"{" + b" " * 70000 + b"}", {}, "65536"),
        (ax_client, "POST", AX, json.dumps({"origNum": A}).encode(), {}, "areaCode"),
        (axe_client, "POST", AXE, json.dumps(
            {"bindNum": A, "areaCode": "0755", "callbackTone": "t.wav", "callbackNum": B}).encode(), {},
         "callbackNum"),
    ],
)  # fmt: skip
def test_every_kind_of_1010002_names_its_reason_in_printable_ascii(
    engine: Engine,
    client: object,
    method: str,
    path: str,
    payload: bytes,
    headers: dict[str, str],
    names: str,
) -> None:
    make: type[Client] = client  # type: ignore[assignment]
    resultdesc, _ = _refusal(make(engine).call(method, path, body=payload, headers=headers))  # type: ignore[call-arg]
    reason = _reason(resultdesc)
    assert names in reason
    assert reason.isascii() and reason.isprintable()
    assert len(reason) <= INVALID.reason.max_length  # type: ignore[union-attr]


def test_a_long_or_non_ascii_reason_is_made_printable_and_cut() -> None:
    rule = INVALID.reason
    assert rule is not None
    text = INVALID.body("userData 订单\n" + "x" * 500)["resultdesc"]
    reason = _reason(text)
    assert reason.startswith("userData ?? x") and reason.endswith("...")
    assert reason.isascii() and reason.isprintable() and len(reason) == rule.max_length
    assert len(text) <= RESULTDESC_MAX


def test_the_reply_check_flags_a_1010002_that_names_no_reason() -> None:
    op = SPEC.operations["createAxbBinding"]
    bare = json_response(403, {"resultcode": "1010002", "resultdesc": INVALID.text})
    problems = reply_problems(SPEC, spec.SchemaRegistry(SPEC.document), op, bare)
    assert problems == ["resultcode 1010002 carries a reason, and resultdesc names none"]
