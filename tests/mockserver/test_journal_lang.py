"""PNS_MOCK_LANG: the server's journal carries the refused field's description in that language too,
while `X-PNS-Mock-Problem` stays ASCII."""

from __future__ import annotations

import re
import subprocess
import sys

import httpx
import pytest

from pns_mock import spec
from pns_mock.mockserver.domain import PROBLEM_HEADER, auth
from pns_mock.mockserver.http import HttpResponse, reply_problems

from .helpers import axb_client, make_engine
from .serving import serve

AXB = "/rest/caas/relationnumber/partners/v1.0"
BAD_BIND = {"callerNum": "13800000001", "calleeNum": "+8613900000002"}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _valid(operation_id: str, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    loaded = spec.load()
    wrapped = HttpResponse(status, headers, body)
    problems = reply_problems(
        loaded, spec.SchemaRegistry(loaded.document), loaded.operations[operation_id], wrapped
    )
    assert problems == []


def test_a_chinese_journal_describes_the_refused_field_in_english_and_chinese() -> None:
    engine = make_engine()
    engine.platform.journal.lang = "zh-CN"
    reply = axb_client(engine).call("POST", AXB, json=BAD_BIND)
    assert reply.status == 403
    problem = dict((k.lower(), v) for k, v in reply.headers)[PROBLEM_HEADER.lower()]
    assert problem.isascii() and "callerNum" in problem
    entry = engine.platform.journal.entries("createAxbBinding")[-1]
    assert entry.field == "callerNum"
    assert entry.field_description is not None
    english, chinese = entry.field_description.split(" / ")
    assert english.startswith("A real user number") and _CJK.search(chinese)


def test_an_english_journal_adds_nothing() -> None:
    engine = make_engine()
    axb_client(engine).call("POST", AXB, json=BAD_BIND)
    assert engine.platform.journal.entries("createAxbBinding")[-1].field_description is None


def test_pns_mock_lang_reaches_the_journal_over_a_real_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PNS_MOCK_LANG", "zh-CN")
    with serve() as base:
        headers = auth.sign("AKSK", "demo-axb", "demo-axb-secret", "0123456789abcdef", auth.created_now())
        reply = httpx.post(
            base + AXB, json=BAD_BIND, headers={**headers, "Content-Type": "application/json;charset=UTF-8"}
        )
        _valid("createAxbBinding", reply.status_code, list(reply.headers.items()), reply.content)
        assert reply.headers[PROBLEM_HEADER].isascii()
        journal = httpx.get(f"{base}/_pns/journal", params={"operationId": "createAxbBinding"}).json()
    entry = journal["result"][-1]
    assert entry["field"] == "callerNum"
    assert "全局号码格式" in entry["field_description"]


def test_an_unknown_pns_mock_lang_stops_the_server_with_status_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pns_mock.mockserver", "serve", "--port", "0"],
        env={"PNS_MOCK_LANG": "fr", "PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "PNS_MOCK_LANG='fr'" in result.stderr
