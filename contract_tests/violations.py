"""Contract violations: what the customer's code sent that the PNS spec does not allow.

Violations are `AssertionError`s (the customer's code is wrong); misuse of the toolkit raises
`PnsToolkitError` instead. Every message names the operation and the field, shows what was sent
and what the spec expects, and gives a correct example taken from the spec.
"""

from __future__ import annotations

import json
from typing import Any

from mockserver.journal import Entry
from mockserver.verdict import request_violations
from spec import Spec

OPT_OUT = "@pytest.mark.pns(fail_on_violations=False)"


class _Absent:
    """What `sent` is for a field the request did not carry (None is JSON null, which was sent)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


class PnsToolkitError(Exception):
    """The plugin was used wrongly (not a problem of the code under test)."""


class PnsFidelityWarning(UserWarning):
    """The mock accepted what the vendor's pages do not confirm the live platform accepts."""


class ContractViolation(AssertionError):
    def __init__(
        self,
        *,
        operation: str,
        request: str,
        problem: str,
        field: str | None = None,
        sent: Any = ABSENT,
        expected: str | None = None,
        example: Any = None,
        rule: str | None = None,
        answer: str | None = None,
        opt_out: str = OPT_OUT,
    ) -> None:
        self.operation = operation
        self.field = field
        self.sent = sent
        self.expected = expected
        self.example = example
        lines = [f"PNS contract violation in {operation} ({request}): {problem}"]
        if field:
            lines.append(f"  field:    {field}")
            lines.append(
                f"  sent:     {'(absent)' if sent is ABSENT else json.dumps(sent, ensure_ascii=False)}"
            )
        if expected:
            lines.append(f"  expected: {expected}")
        if example is not None:
            lines.append(f"  example:  {json.dumps(example, ensure_ascii=False)}")
        if rule:
            lines.append(f"  rule:     {rule}")
        if answer:
            lines.append(f"  the mock answered, as the platform would: {answer}")
        lines.append(f"  (to accept this in one test: {opt_out})")
        super().__init__("\n".join(lines))


class Violations(ContractViolation):
    """Several violations from one test, reported together as one `ContractViolation`."""

    def __init__(self, found: list[ContractViolation]) -> None:
        self.violations = found
        self.operation = ", ".join(dict.fromkeys(v.operation for v in found))
        self.field = self.sent = self.expected = self.example = None
        AssertionError.__init__(
            self, f"{len(found)} PNS contract violation(s):\n\n" + "\n\n".join(map(str, found))
        )


def from_entry(spec: Spec, entry: Entry) -> list[ContractViolation]:
    """The violations a journal entry records, one per problem, if the request broke the contract
    (the run verdict decides, so the plugin and `pns-mock run` always agree)."""
    answer = "HTTP 404" if entry.status == 404 else f"HTTP {entry.status} {entry.response_body[:200]}"
    return [
        ContractViolation(
            operation=found.operation,
            request=found.request,
            problem=found.problem,
            field=found.field,
            sent=ABSENT if found.absent else found.sent,
            expected=found.expected,
            example=found.example,
            rule=found.rule,
            answer=answer,
        )
        for found in request_violations(spec, entry)
    ]
