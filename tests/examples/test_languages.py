"""The PHP, Java and Node examples run under `pns-mock run`, and their verdicts are asserted.

The right integration of each language passes (exit 0, no violation); the wrong one fails the
run with exactly its four mistakes in both report files. Every reply the mock sent a client is
checked against the spec (from the journal the run saved).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.mockserver.serving import assert_journaled_replies_conform

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

# (kind, operation, field, resultcode) of each deliberate mistake of the wrong integrations
WRONG = [
    ("request", "createAxbBinding", "X-AKSK.Created", "1023031"),
    ("request", "createAxbBinding", "calleeNum", "1010002"),
    ("request", "queryAxbBinding", None, "1010010"),
    ("push", "numStatus", None, None),
]


@pytest.fixture(scope="module")
def java_classes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert shutil.which("javac"), "no JDK: run scripts/setup.sh (it installs default-jdk-headless)"
    out = tmp_path_factory.mktemp("java")
    sources = sorted(map(str, (EXAMPLES / "java").glob("*.java")))
    subprocess.run(["javac", "-d", str(out), *sources], check=True, timeout=120)
    return out


def client(language: str, variant: str, java_classes: Path) -> list[str]:
    if language == "java":
        return ["java", "-cp", str(java_classes), variant.title()]
    program = shutil.which(language)
    assert program, f"no {language}: run scripts/setup.sh"
    return [program, str(EXAMPLES / language / f"{variant}.{'php' if language == 'php' else 'mjs'}")]


def run_example(
    language: str,
    variant: str,
    java_classes: Path,
    tmp: Path,
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(Path(__file__).with_name("journal_after.py")), str(tmp / "journal.json")]
    return subprocess.run(
        [sys.executable, "-m", "pns_mock.mockserver", "run",
         "--config", str(EXAMPLES / language / "pns-mock.yaml"),
         "--junit", str(tmp / "verdict.xml"), "--json", str(tmp / "verdict.json"),
         "--", *command, "--", *client(language, variant, java_classes)],
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


def assert_replies_conform(journal_file: Path) -> None:
    assert_journaled_replies_conform(json.loads(journal_file.read_text())["result"])


def failures(junit_file: Path) -> list[tuple[str, str]]:
    suite = ET.parse(junit_file).getroot().find("testsuite")
    assert suite is not None
    return [(case.get("name", ""), f.get("type", "")) for case in suite for f in case.findall("failure")]


@pytest.mark.parametrize("language", ["php", "java", "node"])
def test_the_right_integration_passes_with_no_violation(
    language: str, java_classes: Path, tmp_path: Path
) -> None:
    result = run_example(language, "right", java_classes, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{language}: right integration done" in result.stdout
    verdict = json.loads((tmp_path / "verdict.json").read_text())
    assert (verdict["passed"], verdict["violations"]) == (True, [])
    assert (verdict["requests"], verdict["pushes"]) == (3, 1)
    exercised = ["createAxbBinding", "deleteAxbBinding", "queryAxbBinding"]
    assert verdict["coverage"]["operations"]["exercised"] == exercised
    assert verdict["coverage"]["webhooks"]["exercised"] == ["numStatus"]
    assert failures(tmp_path / "verdict.xml") == []
    assert result.stdout.rstrip().endswith("PASSED")
    assert_replies_conform(tmp_path / "journal.json")


@pytest.mark.parametrize("language", ["php", "java", "node"])
def test_the_wrong_integration_fails_with_exactly_its_mistakes(
    language: str, java_classes: Path, tmp_path: Path
) -> None:
    result = run_example(language, "wrong", java_classes, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{language}: wrong integration done" in result.stdout  # the client itself saw nothing wrong
    verdict = json.loads((tmp_path / "verdict.json").read_text())
    found = [(v["kind"], v["operation"], v["field"], v["resultcode"]) for v in verdict["violations"]]
    assert found == WRONG
    assert verdict["passed"] is False and verdict["coverage"]["webhooks"]["answeredWrongly"] == ["numStatus"]
    expected = sorted((op, "ContractViolation") for _, op, _, _ in WRONG)
    assert sorted(failures(tmp_path / "verdict.xml")) == expected
    assert "FAILED: 4 contract violation(s)" in result.stdout
    assert_replies_conform(tmp_path / "journal.json")
