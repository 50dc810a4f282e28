"""`--pns-lang zh-CN` / `pns_lang`: violation messages show the field's Chinese description too."""

from __future__ import annotations

import pytest

from tests.contract_tests.test_plugin import CLIENT

pytest_plugins = ["pytester"]

WRONG_NUMBER = """
from pns_client import bind

def test_bind(pns):
    bind(pns.app("AXB"), "13800000001", "+8613900000002")
"""
CHINESE = "*expected:*(A real user number in global format*) [[]zh-CN: 全局号码格式的真实用户号码*"


@pytest.fixture
def customer(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(pns_client=CLIENT, test_wrong=WRONG_NUMBER)
    return pytester


def test_the_command_line_option_adds_the_chinese_description_next_to_the_english(
    customer: pytest.Pytester,
) -> None:
    result = customer.runpytest("-p", "no:cacheprovider", "--pns-lang", "zh-CN")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*field:    callerNum", CHINESE, '*example:  "+8613800000001"'])


def test_the_ini_key_does_the_same(customer: pytest.Pytester) -> None:
    customer.makeini("[pytest]\npns_lang = zh-CN\n")
    result = customer.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([CHINESE])


def test_english_is_the_default_and_shows_no_chinese(customer: pytest.Pytester) -> None:
    result = customer.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*expected:*(A real user number in global format*"])
    assert "zh-CN:" not in result.stdout.str()


def test_an_unknown_language_is_a_usage_error(customer: pytest.Pytester) -> None:
    result = customer.runpytest("-p", "no:cacheprovider", "--pns-lang", "fr")
    assert result.ret == pytest.ExitCode.USAGE_ERROR  # checked when the session starts
    result.stderr.fnmatch_lines(["*pns option lang: expected one of en, zh-CN, got 'fr'*"])
