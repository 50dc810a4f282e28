"""External checks: Redocly's linter, and a real wheel installed into a clean virtualenv."""

from __future__ import annotations

import os
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


@pytest.mark.slow
def test_wheel_installs_into_a_clean_venv_and_finds_the_spec(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
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
    venv = tmp_path / "venv"
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
    # The dependencies (not the checkout) become importable through a plain path entry.
    deps = sysconfig.get_paths()["purelib"]
    Path(site, "_deps.pth").write_text(deps + "\n")
    script = textwrap.dedent(
        """
        import spec, mockserver, contract_tests
        s = spec.load()
        assert len(s.operations) == 19, len(s.operations)
        assert len(s.result_codes) >= 50
        from mockserver import verdict
        assert verdict.SCHEMA_FILE.is_file(), "the verdict's JSON Schema is not in the wheel"
        # the translation overlay and the page words ship too
        assert spec.load("zh-CN").operations["createAxbBinding"].vendor_name == "AXB模式绑定接口"
        import docsgen.ui
        assert docsgen.ui.Words("zh-CN")("Result codes") != "Result codes"
        print(spec.spec_path())
        """
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    result = subprocess.run(
        [str(python), "-c", script], cwd=tmp_path, capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(site), result.stdout
