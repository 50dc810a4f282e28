"""What a test session did with the PNS fixtures: coverage, violations, and the coverage gate.

One `SessionReport` per pytest process. Under pytest-xdist each worker fills its own and sends
`to_dict()` to the controller, which `merge`s them: the controller's report is then the one a
serial run of the same tests gives. Nothing here imports pytest; the spec is read on first use.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pns_mock.mockserver.report import Coverage

    from .mock import PnsMock


class SessionReport:
    def __init__(self, modes: tuple[str, ...] = ()) -> None:
        self._modes = modes  # declared with --pns-modes: the coverage's denominators
        self._coverage: Coverage | None = None
        # one record per violation that failed a test: {"test", "operation", "problem"}
        self.violations: list[dict[str, str]] = []

    @property
    def coverage(self) -> Coverage:
        if self._coverage is None:
            from pns_mock import spec
            from pns_mock.mockserver.report import Coverage

            self._coverage = Coverage(spec.load(), self._modes)
        return self._coverage

    @property
    def used(self) -> bool:
        """Whether any test of the session used a PNS fixture."""
        return self._coverage is not None and self._coverage.used

    def add_test(self, test: str, mock: PnsMock) -> None:
        """Record what one test did with its platform (its own requests and pushes)."""
        coverage = self.coverage
        coverage.used = True
        coverage.add_requests(mock.journal())
        for webhook in mock.pushed:
            coverage.add_push(webhook)
        if mock.options.fail_on_violations:
            for violation in mock.violations():
                problem = str(violation).splitlines()[0]
                self.violations.append({"test": test, "operation": violation.operation, "problem": problem})

    # merging (pytest-xdist)

    def to_dict(self) -> dict[str, Any]:
        return {
            "coverage": self._coverage.to_dict() if self._coverage is not None else None,
            "violations": self.violations,
        }

    def merge(self, data: dict[str, Any]) -> None:
        if data.get("coverage"):
            self.coverage.merge(data["coverage"])
        self.violations.extend(data.get("violations") or [])

    # reporting

    def as_json(self) -> dict[str, Any]:
        ordered = sorted(self.violations, key=lambda v: (v["test"], v["operation"], v["problem"]))
        return {**self.coverage.report(), "violations": ordered}

    def lines(self, color: bool = False) -> list[str]:
        """The summary, the coverage part rendered by the run verdict's own terminal renderer."""
        from pns_mock.mockserver.report import verdict

        tests = len({v["test"] for v in self.violations})
        found = f"{len(self.violations)} in {tests} test(s)" if self.violations else "none"
        summary = verdict.terminal(verdict.of_coverage(self.coverage), color=color, outcome=False)
        return [*summary.splitlines(), f"{'violations':<13} {found}"]

    def write(self, path: str) -> None:
        Path(path).write_text(json.dumps(self.as_json(), indent=2) + "\n", encoding="utf-8")

    def operation_percent(self) -> float:
        part = self.coverage.report()["operations"]
        exercised, never = len(part["exercised"]), len(part["never"])
        return 100.0 * exercised / (exercised + never) if exercised + never else 100.0

    def gate(self, minimum: float) -> str | None:
        """Why the session fails the coverage gate, or None when it passes (or there is no gate)."""
        if minimum <= 0:
            return None
        percent = self.operation_percent()
        if percent >= minimum:
            return None
        part = self.coverage.report()["operations"]
        return (
            f"PNS contract coverage gate failed: operations {part['ratio']} ({percent:.1f} %) is below "
            f"--pns-coverage-min {minimum:g} %; never exercised: {', '.join(part['never'])}"
        )


__all__ = ["SessionReport"]
