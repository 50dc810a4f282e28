"""`pns_mock` and `PnsMockMixin`: the in-process platform without pytest's fixtures."""

from __future__ import annotations

import asyncio
import io
import unittest
from typing import Any, ClassVar

import httpx
import pytest
import requests

from pns_mock.contract_tests import ContractViolation, PnsMock, PnsMockMixin, PnsToolkitError, pns_mock
from pns_mock.contract_tests.violations import Violations
from pns_mock.mockserver.domain import auth

AXB = "https://rtcpns.cn-north-1.myhuaweicloud.com/rest/caas/relationnumber/partners/v1.0"


def _headers(pns: PnsMock) -> dict[str, str]:
    app = pns.app("AXB")
    signed = auth.sign("AKSK", app.app_key, app.app_secret, "0123456789abcdef", auth.created_now())
    return {**signed, "Content-Type": "application/json;charset=UTF-8"}


def _bind(pns: PnsMock, caller: str = "+8613800000001", **extra: Any) -> dict[str, Any]:
    body = {"callerNum": caller, "calleeNum": "+8613900000002", **extra}
    reply: dict[str, Any] = requests.post(AXB, json=body, headers=_headers(pns), timeout=5).json()
    return reply


def test_as_a_context_manager_it_answers_requests_and_stops_intercepting_at_exit() -> None:
    with pns_mock() as pns:
        assert _bind(pns)["resultcode"] == "0"
        assert len(pns.bindings()) == 1
    with pytest.raises(requests.ConnectionError):  # the vendor's host is not reached from the tests
        requests.post(AXB, json={}, timeout=0.5)


def _two_violations() -> None:
    with pns_mock() as pns:
        _bind(pns, "13800000001")
        _bind(pns, "+8613800000001", calleeNumber="typo")


def _refused_and_raised() -> None:
    with pns_mock() as pns:
        reply = _bind(pns, "13800000001")
        raise RuntimeError(f"binding refused: {reply['resultcode']}")


def test_violations_are_raised_at_exit_as_one_contract_violation_listing_them_all() -> None:
    with pytest.raises(ContractViolation) as raised:
        _two_violations()
    assert isinstance(raised.value, Violations)
    assert len(raised.value.violations) == 2
    assert "2 PNS contract violation(s)" in str(raised.value)
    assert "field:    callerNum" in str(raised.value) and "field:    calleeNumber" in str(raised.value)


def test_a_violation_is_raised_even_when_the_code_failed_and_names_that_failure_its_cause() -> None:
    with pytest.raises(ContractViolation) as raised:
        _refused_and_raised()
    assert raised.value.field == "callerNum"
    assert isinstance(raised.value.__cause__, RuntimeError)


def test_violations_can_be_accepted_and_read() -> None:
    with pns_mock(fail_on_violations=False) as pns:
        assert _bind(pns, "13800000001")["resultcode"] == "1010002"
    assert [v.field for v in pns.violations()] == ["callerNum"]


def test_options_are_those_of_the_marker_and_unknown_ones_are_refused() -> None:
    with pns_mock(strict_fields=False) as pns:
        assert _bind(pns, calleeNumber="typo")["resultcode"] == "0"
    with pytest.raises(PnsToolkitError, match=r"unknown option\(s\) \['strict_feilds'\]"):
        pns_mock(strict_feilds=False)


def test_as_a_decorator_the_platform_comes_last_and_each_call_gets_a_fresh_one() -> None:
    seen: list[PnsMock] = []

    @pns_mock()
    def bind_once(caller: str, pns: PnsMock) -> str:
        seen.append(pns)
        assert pns.bindings() == []
        return str(_bind(pns, caller)["resultcode"])

    assert bind_once("+8613800000001") == "0"
    assert bind_once("+8613800000002") == "0"
    assert seen[0] is not seen[1]


def test_as_a_decorator_of_a_coroutine_function_it_serves_httpx() -> None:
    @pns_mock()
    async def bind(pns: PnsMock) -> str:
        async with httpx.AsyncClient() as client:
            body = {"callerNum": "+8613800000001", "calleeNum": "+8613900000002"}
            reply = await client.post(AXB, json=body, headers=_headers(pns))
        return str(reply.json()["resultcode"])

    assert asyncio.run(bind()) == "0"


def test_a_decorated_function_that_breaks_the_spec_raises_the_violation() -> None:
    @pns_mock()
    def bind(pns: PnsMock) -> None:
        _bind(pns, "13800000001")

    with pytest.raises(ContractViolation, match="callerNum"):
        bind()


class _Bindings(PnsMockMixin, unittest.TestCase):
    __test__ = False  # run below by unittest's own runner, not collected by pytest
    pns_options: ClassVar[dict[str, Any]] = {"strict_fields": False}

    def setUp(self) -> None:
        super().setUp()
        self.app = self.pns.app("AXB")

    def test_binds(self) -> None:
        assert _bind(self.pns, calleeNumber="lenient")["resultcode"] == "0"

    def test_starts_empty(self) -> None:
        assert self.pns.bindings() == []
        _bind(self.pns)

    def test_breaks_the_spec(self) -> None:
        _bind(self.pns, "13800000001")


def test_the_unittest_mixin_gives_each_test_a_platform_and_fails_the_one_that_broke_the_spec() -> None:
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(_Bindings)
    result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(suite)
    assert result.testsRun == 3
    assert result.errors == []
    assert [test.id().rsplit(".", 1)[1] for test, _ in result.failures] == ["test_breaks_the_spec"]
    assert "ContractViolation" in result.failures[0][1] and "field:    callerNum" in result.failures[0][1]


def test_the_package_exports_the_non_pytest_api_by_name() -> None:
    from pns_mock import contract_tests
    from pns_mock.contract_tests import standalone

    assert contract_tests.__all__ == [
        "ContractViolation",
        "PnsMock",
        "PnsMockMixin",
        "PnsToolkitError",
        "pns_mock",
    ]
    assert contract_tests.pns_mock is standalone.pns_mock
    with pytest.raises(AttributeError, match="no attribute 'mock_pns'"):
        contract_tests.mock_pns  # noqa: B018 - the attribute access is the test
