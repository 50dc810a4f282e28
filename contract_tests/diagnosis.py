"""What the plugin adds to a test's report: its contract violations and its journal, in every outcome.

A client that raises on a non-"0" `resultcode` fails the test before the plugin's own check
runs; the customer would then see only their client's "1010002 Invalid request.". So every
report of a test that used `pns` or `pns_server` carries the diagnosis the plugin has:

- failed or errored (any phase): sections "PNS contract violations" and "PNS journal";
- passed with violations: the test fails (unless `fail_on_violations=False`);
- xfailed: the reason shown by `-rx` ends with the violations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pytest

from pns_mock.mockserver.report import Entry

from .violations import ContractViolation, Violations

if TYPE_CHECKING:
    from .mock import PnsMock

VIOLATIONS_SECTION = "PNS contract violations"
JOURNAL_SECTION = "PNS journal (the requests of this test)"


def journal_line(entry: Entry) -> str:
    """One request as a line: what was called, by whom, and what the mock answered."""
    target = entry.path + (f"?{entry.query}" if entry.query else "")
    who = f" app_key={entry.app_key}" if entry.app_key else ""
    answer = f"HTTP {entry.status}" + (f" resultcode {entry.resultcode}" if entry.resultcode else "")
    line = f"#{entry.id} {entry.method} {target} [{entry.operation_id or 'no operation'}]{who} -> {answer}"
    problems = [p.detail for p in entry.problems] or ([entry.problem] if entry.problem else [])
    if entry.undocumented:
        problems.append("fields the spec does not document: " + ", ".join(entry.undocumented))
    return line + "".join(f"\n      problem: {p}" for p in problems)


def journal_text(entries: Sequence[Entry]) -> str:
    return "\n".join(journal_line(e) for e in entries)


def violations_text(found: Sequence[ContractViolation]) -> str:
    return f"{len(found)} PNS contract violation(s):\n\n" + "\n\n".join(map(str, found))


class Diagnosis:
    """The diagnosis of one test; `shown` counts the violations already in one of its reports."""

    def __init__(self, mock: PnsMock) -> None:
        self.mock = mock
        self.shown = 0

    def check(self) -> None:
        """After a test body that returned: the violations of its requests fail it."""
        if not self.mock.options.fail_on_violations:
            return
        found = self.mock.violations()
        self.shown = len(found)
        if len(found) == 1:
            raise found[0]
        if found:
            raise Violations(found)

    def amend(self, report: pytest.TestReport) -> None:
        """Add the diagnosis to the report of one phase (setup, call, teardown) of the test."""
        found = self.mock.violations()
        if hasattr(report, "wasxfail"):  # xfailed (or xpassed): the reason -rx prints
            if found:
                report.wasxfail = f"{report.wasxfail}\n{violations_text(found)}".lstrip("\n")
                self.shown = len(found)
            return
        new = found[self.shown :]
        if report.failed:
            if new:
                report.sections.append((VIOLATIONS_SECTION, violations_text(new)))
            entries = self.mock.journal()
            if entries:
                report.sections.append((JOURNAL_SECTION, journal_text(entries)))
        elif report.when == "setup":
            return  # the call phase reports what the fixtures' requests did
        elif new and self.mock.options.fail_on_violations:
            # a teardown that passed while its requests broke the contract
            report.outcome = "failed"
            journal = journal_text(self.mock.journal())
            report.longrepr = f"{violations_text(new)}\n\n{JOURNAL_SECTION}:\n{journal}"
        self.shown = len(found)
