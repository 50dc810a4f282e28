"""The Django example: its tests pass under Django's own test runner, without pytest fixtures."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_django_example_passes_its_own_tests_under_manage_py_test() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tests.examples.django_runner", "--verbosity", "2"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"^Ran 8 tests in ", result.stderr, re.MULTILINE), output
    assert "\nOK" in result.stderr
    # the push receiver ran (pushes_to) and the binding service's requests were answered
    assert "test_a_whole_call_is_stored_in_order_with_its_record" in result.stderr
    validated = re.search(r"(\d+) mock replies validated against the spec", result.stdout)
    assert validated and int(validated.group(1)) >= 4, output
