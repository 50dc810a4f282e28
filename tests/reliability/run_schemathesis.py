"""Schemathesis against a real `pns-mock serve` with our spec, every request signed by the hooks.

The CI test (`test_schemathesis.py`) runs a small budget; `scripts/schemathesis.sh` runs this
module for the long run (`--max-examples 100`: about 4,700 cases) and prints Schemathesis's
report and which operations answered what.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .support import ROOT, Server

SPEC = ROOT / "spec" / "pns-openapi.yaml"
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"
HOOKS = "tests.reliability.schemathesis_hooks"


@dataclass
class Result:
    returncode: int
    output: str  # Schemathesis's report (empty when it was printed as it ran)
    journal: list[dict[str, Any]]  # what the server answered, from GET /_pns/journal

    @property
    def cases(self) -> int:
        found = re.findall(r"(\d+) generated", self.output)
        return int(found[-1]) if found else 0

    def answers(self) -> Counter[tuple[str, int]]:
        return Counter((e["operation_id"], e["status"]) for e in self.journal if e["operation_id"])


def run(
    workdir: Path,
    *,
    max_examples: int,
    seed: int,
    extra: Sequence[str] = (),
    capture: bool = True,
    checks: str = CHECKS,
) -> Result:
    """One run against a fresh server; `workdir` receives the server log and any report."""
    with Server(log=workdir / "server.log") as server:
        command = [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            str(SPEC),
            "--url",
            server.url,
            "--checks",
            checks,
            "--max-examples",
            str(max_examples),
            "--seed",
            str(seed),
            "--workers",
            "1",  # one worker keeps the run deterministic (and Hypothesis is not thread-safe)
            *extra,
        ]
        env = {**os.environ, "SCHEMATHESIS_HOOKS": HOOKS, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
        completed = subprocess.run(
            command, cwd=workdir, env=env, capture_output=capture, text=True, timeout=3600, check=False
        )
        journal = server.admin("GET", "journal")
    return Result(completed.returncode, (completed.stdout or "") + (completed.stderr or ""), journal)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-examples", type=int, default=100, help="cases per operation and phase")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--checks", default=CHECKS, help=f"Schemathesis checks (default {CHECKS}; or all)")
    parser.add_argument("extra", nargs="*", help="more `st run` options, after --")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pns-schemathesis-") as workdir:
        result = run(
            Path(workdir),
            max_examples=args.max_examples,
            seed=args.seed,
            extra=args.extra,
            capture=False,
            checks=args.checks,
        )
    print("\nserver answers (operationId, HTTP status: count):")
    for (operation, status), count in sorted(result.answers().items()):
        print(f"  {operation:<26} {status}  {count}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
