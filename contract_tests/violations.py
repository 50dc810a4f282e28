"""Contract violations: what the customer's code sent that the PNS spec does not allow.

Violations are `AssertionError`s (the customer's code is wrong); misuse of the toolkit raises
`PnsToolkitError` instead. Every message names the operation and the field, shows what was sent
and what the spec expects, and gives a correct example taken from the spec.
"""

from __future__ import annotations

import json
from typing import Any

from pns_mock.mockserver.report import Entry, request_violations
from pns_mock.spec import Spec
from pns_mock.spec.fielddoc import translated_description

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


def with_translation(expected: str | None, operation_id: str, field: str, lang: str) -> str | None:
    """`expected`, with the field's description in `lang` next to the English one (`--pns-lang`).

    The translation comes from the spec's `x-pns-i18n` overlay; English, or a field without a
    translated description, leaves `expected` as it is.
    """
    translated = translated_description(operation_id, field, lang)
    if not translated:
        return expected
    return f"{expected} [{lang}: {translated}]" if expected else f"[{lang}: {translated}]"


def from_entry(spec: Spec, entry: Entry, lang: str = "en") -> list[ContractViolation]:
    """The violations a journal entry records, one per problem, if the request broke the contract
    (the run verdict decides, so the plugin and `pns-mock run` always agree)."""
    answer = "HTTP 404" if entry.status == 404 else f"HTTP {entry.status} {entry.response_body[:200]}"
    found = []
    for violation in request_violations(spec, entry):
        expected = violation.expected
        if violation.field and violation.operation in spec.operations and lang != "en":
            expected = with_translation(expected, violation.operation, violation.field, lang)
        found.append(
            ContractViolation(
                operation=violation.operation,
                request=violation.request,
                problem=violation.problem,
                field=violation.field,
                sent=ABSENT if violation.absent else violation.sent,
                expected=expected,
                example=violation.example,
                rule=violation.rule,
                answer=answer,
            )
        )
    return found
