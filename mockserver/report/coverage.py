"""Contract coverage: which operations, push types and result codes a run exercised.

Scoped to the modes the run used: a suite for an AXB integration is measured against the AXB
operations, pushes and codes plus the common ones, not against AXE's. A run that used no mode at
all (only common operations, or nothing) is measured against the whole spec.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pns_mock.spec import Spec

from .journal import Entry

COMMON = "common"


class Coverage:
    def __init__(self, spec: Spec, modes: Iterable[str] = ()) -> None:
        """`modes`: the modes the run is about, when declared (`--pns-modes`); by default the
        ones it used."""
        self.spec = spec
        self.declared_modes = tuple(modes)
        self.operations: set[str] = set()
        self.result_codes: set[str] = set()
        self.webhooks: set[str] = set()
        self.webhooks_answered_wrongly: set[str] = set()
        self.modes: set[str] = set()
        self.requests = 0
        self.pushes = 0
        self.used = False

    def add_requests(self, entries: Iterable[Entry]) -> None:
        self.used = True
        for entry in entries:
            self.requests += 1
            if entry.operation_id:
                self.operations.add(entry.operation_id)
                self._mode(self.spec.operations[entry.operation_id].mode)
            if entry.resultcode:
                self.result_codes.add(entry.resultcode)

    def add_push(self, webhook: str, answered_correctly: bool = True) -> None:
        self.used = True
        self.pushes += 1
        self.webhooks.add(webhook)
        if not answered_correctly:
            self.webhooks_answered_wrongly.add(webhook)
        hook = self.spec.webhooks.get(webhook)
        if hook is not None:
            self._mode(hook.mode)

    def _mode(self, mode: str) -> None:
        if mode != COMMON:
            self.modes.add(mode)

    def scoped_modes(self) -> set[str]:
        """The modes the denominators count: the declared ones, else the ones the run used."""
        return set(self.declared_modes) or self.modes

    def _in_scope(self, mode: str) -> bool:
        modes = self.scoped_modes()
        return not modes or mode == COMMON or mode in modes

    def scope(self) -> tuple[list[str], list[str], list[str]]:
        """The operations, push types and result codes this run is measured against."""
        operations = [o.operation_id for o in self.spec.operations.values() if self._in_scope(o.mode)]
        webhooks = [w.name for w in self.spec.webhooks.values() if self._in_scope(w.mode)]
        if not self.scoped_modes():
            return operations, webhooks, list(self.spec.result_codes)
        codes = dict.fromkeys(c for op in operations for c in self.spec.operations[op].result_codes)
        return operations, webhooks, list(codes)

    def report(self) -> dict[str, Any]:
        def part(seen: set[str], universe: Iterable[str]) -> dict[str, Any]:
            every = sorted(universe)
            exercised = [x for x in every if x in seen]
            return {
                "exercised": exercised,
                "never": [x for x in every if x not in seen],
                "ratio": f"{len(exercised)}/{len(every)}",
                "percent": round(100.0 * len(exercised) / len(every), 1) if every else 100.0,
            }

        operations, webhooks, codes = self.scope()
        pushes = part(self.webhooks, webhooks)
        pushes["answeredWrongly"] = sorted(self.webhooks_answered_wrongly & set(webhooks))
        return {
            "modes": sorted(self.scoped_modes()) or ["all"],
            "operations": part(self.operations, operations),
            "webhooks": pushes,
            "resultCodes": part(self.result_codes, codes),
        }

    def lines(self) -> list[str]:
        return coverage_lines(self.report())

    def write(self, path: str) -> None:
        Path(path).write_text(json.dumps(self.report(), indent=2) + "\n", encoding="utf-8")

    # Merging runs (pytest-xdist: each worker measures its own tests, the controller reports them all)

    def to_dict(self) -> dict[str, Any]:
        """What this run saw, as JSON-able data: every set it keeps, sorted, and `used`."""
        seen = {name: sorted(value) for name, value in vars(self).items() if isinstance(value, set)}
        counts = {"requests": self.requests, "pushes": self.pushes}
        return {"used": self.used, **counts, **seen}

    def merge(self, data: dict[str, Any]) -> None:
        """Add what another run saw (its `to_dict()`)."""
        self.used = self.used or bool(data.get("used"))
        self.requests += int(data.get("requests", 0))
        self.pushes += int(data.get("pushes", 0))
        for name, values in data.items():
            seen = getattr(self, name, None)
            if isinstance(seen, set) and isinstance(values, list):
                seen.update(values)

    @classmethod
    def from_dict(cls, spec: Spec, data: dict[str, Any]) -> Coverage:
        coverage = cls(spec)
        coverage.merge(data)
        return coverage


def coverage_lines(report: dict[str, Any]) -> list[str]:
    """A coverage report (`Coverage.report()`, or read back from JSON) as terminal lines."""
    out = [f"modes         {', '.join(report['modes'])}"]
    for title, key in (
        ("operations", "operations"),
        ("push types", "webhooks"),
        ("result codes", "resultCodes"),
    ):
        part = report[key]
        out.append(f"{title:<13} {part['ratio']:>6}  never: {', '.join(part['never']) or '-'}")
    wrong = report["webhooks"].get("answeredWrongly")
    if wrong:
        out.append(f"{'':<13} {'':>6}  receiver answered wrongly: {', '.join(wrong)}")
    return out
