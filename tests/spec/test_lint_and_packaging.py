"""External checks: Redocly's linter, and a real wheel installed into a clean virtualenv."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_redocly_lint_reports_no_errors() -> None:
    redocly = ROOT / "node_modules" / ".bin" / "redocly"
    assert redocly.exists(), "Redocly CLI is not installed: run scripts/setup.sh"
    result = subprocess.run(
        [str(redocly), "lint", "--config", str(ROOT / "redocly.yaml"), "--format", "summary"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    errors = [line for line in output.splitlines() if line.startswith("error ")]
    assert errors == [], output


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel built as the README says, installed into a virtualenv of its own.

    The dependencies come from this interpreter's site-packages through a plain path entry (so
    nothing is downloaded); the checkout itself is not importable from that venv.
    """
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        timeout=300,
    )
    wheel = next(dist.glob("pns_mock-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "-q",
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    Path(site, "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python, site


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}


@pytest.mark.slow
def test_wheel_installs_into_a_clean_venv_and_finds_the_spec(
    installed_wheel: tuple[Path, str], tmp_path: Path
) -> None:
    python, site = installed_wheel
    script = textwrap.dedent(
        """
        from pns_mock import spec, mockserver, contract_tests
        s = spec.load()
        assert len(s.operations) == 19, len(s.operations)
        assert len(s.result_codes) >= 50
        from pns_mock.mockserver.report import verdict
        assert verdict.SCHEMA_FILE.is_file(), "the verdict's JSON Schema is not in the wheel"
        # the translation overlay and the page words ship too
        assert spec.load("zh-CN").operations["createAxbBinding"].vendor_name == "AXB模式绑定接口"
        from pns_mock.docsgen import ui
        assert ui.Words("zh-CN")("Result codes") != "Result codes"
        print(spec.spec_path())
        """
    )
    result = subprocess.run(
        [str(python), "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=_clean_env(),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(site), result.stdout


# A customer repository with top-level names of its own that the toolkit's folders share.
CUSTOMER_FILES = {
    "spec.py": 'NAME = "the customer\'s spec"\n',
    "mockserver/__init__.py": 'NAME = "the customer\'s mockserver"\n',
    "fixtures/__init__.py": 'NAME = "the customer\'s fixtures"\n',
    "contract_tests/__init__.py": 'NAME = "the customer\'s contract tests"\n',
    "docsgen.py": 'NAME = "the customer\'s docsgen"\n',
    "tests/test_own_code.py": textwrap.dedent(
        """
        import contract_tests
        import docsgen
        import fixtures
        import mockserver
        import spec


        def test_the_customers_packages_are_its_own():
            assert spec.NAME == "the customer's spec"
            assert mockserver.NAME == "the customer's mockserver"
            assert fixtures.NAME == "the customer's fixtures"
            assert contract_tests.NAME == "the customer's contract tests"
            assert docsgen.NAME == "the customer's docsgen"
        """
    ),
    "tests/test_pns.py": textwrap.dedent(
        """
        import requests

        from pns_mock.mockserver.domain import created_now, sign

        AXB = "https://rtcpns.cn-north-1.myhuaweicloud.com/rest/caas/relationnumber/partners/v1.0"


        def test_an_axb_binding_through_the_plugin(pns):
            app = pns.app("AXB")
            headers = sign("AKSK", app.app_key, app.app_secret, "n0nce42", created_now(pns.now()))
            body = {"callerNum": "+8613800000001", "calleeNum": "+8613900000002"}
            reply = requests.post(AXB, json=body, headers=headers, timeout=5).json()
            assert reply["resultcode"] == "0", reply
            assert reply["relationNum"] in app.numbers
        """
    ),
}


@pytest.mark.slow
def test_the_wheel_leaves_a_customers_own_spec_and_mockserver_alone(
    installed_wheel: tuple[Path, str], tmp_path: Path
) -> None:
    python, _ = installed_wheel
    project = tmp_path / "customer"
    for name, text in CUSTOMER_FILES.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (project / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["."]\n')
    result = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project,
        capture_output=True,
        text=True,
        env=_clean_env(),
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "2 passed" in output, output


def test_the_toolkit_imports_itself_only_as_pns_mock() -> None:
    """A bare `import spec` would load a second copy of the package in a checkout, and fail in a
    customer's venv, where only `pns_mock` is installed."""
    bare = re.compile(r"^\s*(?:from|import) (?:spec|mockserver|contract_tests|docsgen)\b", re.M)
    this = Path(__file__).resolve()  # its customer project imports its own `spec` on purpose
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for folder in ("spec", "mockserver", "contract_tests", "docsgen", "tests", "bench", "examples")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.resolve() != this and "node_modules" not in path.parts
        for match in bare.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "import these as pns_mock.*:\n" + "\n".join(found)
