"""What the journals say went wrong: contract violations of requests and pushes, hopeless resends."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pns_mock.spec import Spec

from ..domain.errors import Problem
from ..pushes.journal import Push
from .expectations import expectation_of
from .journal import Entry

if TYPE_CHECKING:
    pass


NO_OPERATION = "(no operation)"


@dataclass(frozen=True)
class Violation:
    kind: str  # "request": a request broke the API contract; "push": a receiver answered wrongly
    operation: str  # operationId, webhook name, or NO_OPERATION
    request: str  # "POST /path" (request) or "POST http://receiver/path" (push)
    problem: str
    field: str | None = None
    sent: Any = None
    expected: str | None = None
    example: Any = None
    rule: str | None = None
    resultcode: str | None = None
    journal_id: int | None = None  # GET /_pns/journal id of the request, or GET /_pns/pushes id of the push
    absent: bool = False  # the field was not sent at all (`sent` is then None)


@dataclass(frozen=True)
class Detection:
    """An identical request sent again after a result code that says it cannot succeed unchanged."""

    operation: str
    resultcode: str
    handling_class: str
    count: int  # how many times it was sent again
    journal_ids: tuple[int, ...]  # the repeats
    kind: str = "repeated-unchanged"


def _invalid_request(spec: Spec) -> tuple[set[str], set[int]]:
    rule = spec.document.get("x-pns-verdict", {}).get("invalidRequest", {})
    return set(rule.get("codes", ())), set(rule.get("httpStatuses", ()))


def request_violations(spec: Spec, entry: Entry) -> list[Violation]:
    """The violations a journal entry records, one per problem, if the request broke the contract.

    A refusal by a business rule of the platform (state, capacity: `x-pns-rules` without a field
    order) is no violation: a correct client meets those too. A refusal as invalid
    (`x-pns-verdict.invalidRequest`) always is, whatever rule refused it.
    """
    request = f"{entry.method} {entry.path}"
    if entry.status == 404:
        return [
            Violation(
                "request",
                NO_OPERATION,
                request,
                "the PNS API has no such path and method",
                expected="one of the spec's paths: "
                + ", ".join(sorted({o.path for o in spec.routes.values()})),
                resultcode=None,
                journal_id=entry.id,
            )
        ]
    if entry.operation_id is None or entry.rule == "fault injection":
        return []
    codes, statuses = _invalid_request(spec)
    code = spec.result_codes.get(entry.resultcode or "")
    refused_as_invalid = code is not None and (code.code in codes or code.http_status in statuses)
    business = spec.rules.get(entry.rule) if entry.rule else None
    if not refused_as_invalid and (not entry.rule or (business is not None and business.field_order is None)):
        return []  # a business refusal (or a success): the platform understood the request
    problems = entry.problems or [
        Problem(entry.problem or "", entry.rule or "", entry.field or "", entry.sent, False)
    ]
    found = []
    for problem in problems:
        expected, example = expectation_of(spec, entry.operation_id, problem.field or None)
        found.append(
            Violation(
                "request",
                entry.operation_id,
                request,
                problem.detail or f"the platform refused the request as invalid ({entry.resultcode})",
                field=problem.field or None,
                sent=None if problem.absent else problem.value,
                expected=expected,
                example=example,
                rule=problem.rule or entry.rule or "refused as invalid",
                resultcode=entry.resultcode,
                journal_id=entry.id,
                absent=problem.absent,
            )
        )
    return found


def push_violation(spec: Spec, push: Push) -> Violation | None:
    """A push the customer's receiver did not answer as the spec says (its first wrong answer)."""
    wrong = next((a for a in push.attempts if a.error is not None), None)
    if wrong is None:
        return None
    hook = spec.webhooks[push.webhook]
    owed = (
        "a JSON decision matching " + hook.reply_schema_pointer
        if hook.reply_schema_pointer
        else "an empty body"
    )
    return Violation(
        "push",
        push.webhook,
        f"POST {push.url}",
        f"the receiver did not answer the push as the platform needs: {wrong.error}",
        sent=None if wrong.status is None else f"HTTP {wrong.status} {wrong.response_body[:200]}".strip(),
        expected=f"HTTP 200 with {owed}",
        rule=f"{hook.pointer}/responses/200",
        journal_id=push.id,
    )


def detections(spec: Spec, entries: Iterable[Entry]) -> list[Detection]:
    """Requests sent again unchanged (same operation, application, query and body; auth headers
    aside) after a result code whose handling class says the same request cannot succeed."""
    refused: dict[tuple[Any, ...], str] = {}
    repeats: dict[tuple[str, str], list[int]] = {}
    for entry in entries:
        if entry.operation_id is None:
            continue
        key = (entry.operation_id, entry.app_key, entry.query, entry.request_body)
        if key in refused:
            repeats.setdefault((entry.operation_id, refused[key]), []).append(entry.id)
        code = spec.result_codes.get(entry.resultcode or "")
        if (
            code is not None
            and not code.is_success
            and code.handling_class
            and not code.retry_unchanged_can_succeed
        ):
            refused[key] = code.code
        else:
            refused.pop(key, None)
    return [
        Detection(op, rc, spec.result_codes[rc].handling_class, len(ids), tuple(ids))
        for (op, rc), ids in repeats.items()
    ]
