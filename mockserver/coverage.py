"""Contract coverage of a test session: which operations, push types and result codes it exercised."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from spec import Spec

from .journal import Entry


class Coverage:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.operations: set[str] = set()
        self.result_codes: set[str] = set()
        self.webhooks: set[str] = set()
        self.used = False

    def add_requests(self, entries: Iterable[Entry]) -> None:
        self.used = True
        for entry in entries:
            if entry.operation_id:
                self.operations.add(entry.operation_id)
            if entry.resultcode:
                self.result_codes.add(entry.resultcode)

    def add_push(self, webhook: str) -> None:
        self.used = True
        self.webhooks.add(webhook)

    def report(self) -> dict[str, Any]:
        def part(seen: set[str], universe: Iterable[str]) -> dict[str, Any]:
            every = sorted(universe)
            return {
                "exercised": sorted(seen & set(every)),
                "never": [x for x in every if x not in seen],
                "ratio": f"{len(seen & set(every))}/{len(every)}",
            }

        return {
            "operations": part(self.operations, self.spec.operations),
            "webhooks": part(self.webhooks, self.spec.webhooks),
            "resultCodes": part(self.result_codes, self.spec.result_codes),
        }

    def lines(self) -> list[str]:
        report = self.report()
        out = []
        for title, key in (
            ("operations", "operations"),
            ("push types", "webhooks"),
            ("result codes", "resultCodes"),
        ):
            part = report[key]
            out.append(f"{title:<13} {part['ratio']:>6}  never: {', '.join(part['never']) or '-'}")
        return out

    def write(self, path: str) -> None:
        Path(path).write_text(json.dumps(self.report(), indent=2) + "\n", encoding="utf-8")

    # Merging runs (pytest-xdist: each worker measures its own tests, the controller reports them all)

    def to_dict(self) -> dict[str, Any]:
        """What this run saw, as JSON-able data: every set it keeps, sorted, and `used`."""
        seen = {name: sorted(value) for name, value in vars(self).items() if isinstance(value, set)}
        return {"used": self.used, **seen}

    def merge(self, data: dict[str, Any]) -> None:
        """Add what another run saw (its `to_dict()`)."""
        self.used = self.used or bool(data.get("used"))
        for name, values in data.items():
            seen = getattr(self, name, None)
            if isinstance(seen, set) and isinstance(values, list):
                seen.update(values)

    @classmethod
    def from_dict(cls, spec: Spec, data: dict[str, Any]) -> Coverage:
        coverage = cls(spec)
        coverage.merge(data)
        return coverage
