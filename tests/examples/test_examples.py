"""The example customer integration: its own tests pass, and the wrong client gets clear messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytest_plugins = ["pytester"]


def test_the_example_integration_passes_its_own_tests() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "examples/ride_hailing/tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "11 passed" in result.stdout
    assert "PNS contract coverage" in result.stdout


@pytest.mark.parametrize(
    ("function", "lines"),
    [
        (
            "bind_with_local_time",
            ["*field:    X-AKSK.Created", "*sent:     *", "*expected:*pns-created*", "*example:  *T*Z*"],
        ),
        (
            "bind_without_country_code",
            ["*field:    calleeNum", '*sent:     "13900000002"', '*example:  "+8613900000002"'],
        ),
    ],
)
def test_the_wrong_client_fails_with_a_message_that_says_what_to_fix(
    pytester: pytest.Pytester, function: str, lines: list[str]
) -> None:
    pytester.makepyfile(
        test_wrong=f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from examples.ride_hailing.wrong_client import {function}

        def test_bind(pns):
            app = pns.app("AXB")
            {function}(pns.base_url, app.app_key, app.app_secret)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*PNS contract violation*", *lines])
