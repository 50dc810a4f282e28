"""The codes an operation can return, for inject and for parametrized tests."""

from __future__ import annotations

import pytest

from pns_mock import spec
from pns_mock.contract_tests.codes import check_returnable, result_codes
from pns_mock.contract_tests.violations import PnsToolkitError

from .test_plugin import CLIENT

pytest_plugins = ["pytester"]
S = spec.load()


def test_an_operation_returns_its_own_codes_and_the_common_ones_but_not_success() -> None:
    codes = result_codes("createAxbBinding")
    assert set(codes) == set(S.operations["createAxbBinding"].result_codes) - {"0"}
    assert set(S.result_codes.common()) - {"0"} <= set(codes)
    assert "1011005" not in codes  # an AX code


def test_codes_can_be_narrowed_to_one_handling_class() -> None:
    transient = result_codes("createAxbBinding", handling_class="transient")
    assert transient and all(S.result_codes[c].retry_unchanged_can_succeed for c in transient)
    with pytest.raises(PnsToolkitError, match="known: success, transient"):
        result_codes("createAxbBinding", handling_class="retryable")


@pytest.mark.parametrize(
    ("operation", "code", "says"),
    [
        ("createAxbBinding", "1011005", "'1011005' is never returned by createAxbBinding"),
        ("createAxbBinding", "0", "'0' is success, not a fault"),
        ("createAxbBinding", "999", "'999' is not a documented PNS result code"),
        ("*", "1012010", "'1012010' is not returned by every operation"),
    ],
)
def test_inject_refuses_a_code_the_operation_never_returns_and_lists_those_it_can(
    operation: str, code: str, says: str
) -> None:
    with pytest.raises(PnsToolkitError) as refused:
        check_returnable(operation, code)
    message = str(refused.value)
    assert says in message
    assert message.endswith(", ".join(result_codes(operation)))


def test_a_customer_test_parametrized_over_every_code_of_an_operation(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(pns_client=CLIENT)
    pytester.makepyfile(
        test_codes="""
        import pytest
        from pns_mock import spec
        from pns_mock.contract_tests.codes import result_codes
        from pns_client import bind

        @pytest.mark.parametrize("code", result_codes("createAxbBinding"))
        def test_bind_reports_every_refusal(pns, code):
            pns.inject("createAxbBinding", code)
            reply = bind(pns.app("AXB"), "+8613800000001", "+8613900000002")
            assert reply["resultcode"] == code
            # the vendor's text, with a reason appended (1010002) or its number filled in (1012010)
            rc = spec.load().result_codes[code]
            texts = (rc.text.split("$")[0], *rc.alternative_texts)
            assert reply["resultdesc"].startswith(texts), reply

        def test_inject_of_a_foreign_code(pns):
            pns.inject("createAxbBinding", "1011005")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=len(result_codes("createAxbBinding")), failed=1)
    result.stdout.fnmatch_lines(
        ["*PnsToolkitError: pns.inject: '1011005' is never returned by createAxbBinding*"]
    )
