"""The verdict on a client's run: contract violations, coverage and detections, from the journals.

One builder (`build`, or `of_platform`) and three renderers (`terminal`, `as_json`, `junit`) serve
`pns-mock run`, `GET /_pns/report`, `pns-mock report --url`, `serve --report-*` and the pytest
plugin's summary. `from_json` reads a verdict back (the report client renders what the server built).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from xml.sax.saxutils import escape, quoteattr

from pns_mock.spec import Spec

from ..pushes.journal import Push
from .coverage import Coverage, coverage_lines
from .journal import Entry
from .violations import (
    NO_OPERATION,
    Detection,
    Violation,
    detections,
    push_violation,
    request_violations,
)

if TYPE_CHECKING:
    from ..pushes.delivery import Deliverer
    from .journal import Journal


class Journals(Protocol):
    """What a verdict reads from a platform: its request journal and its pushes."""

    journal: Journal
    deliverer: Deliverer


SCHEMA = "pns-mock-verdict"
VERSION = 1
SCHEMA_FILE = Path(__file__).with_name("verdict.schema.json")  # the JSON Schema of `as_json`, shipped


@dataclass(frozen=True)
class Drift:
    """A way the real platform's replies differ from the spec (`pns-mock proxy`), once per kind,
    operation, field and spec pointer, with how often it was seen and its first (masked) example."""

    kind: str  # undocumented-field, unknown-resultcode, status-mismatch, timestamp-format, ...
    operation: str
    request: str  # "POST /path" of the first reply it was seen in
    problem: str
    pointer: str  # where the spec says otherwise
    count: int
    field: str | None = None
    example: Any = None


@dataclass(frozen=True)
class Verdict:
    requests: int
    pushes: int
    violations: tuple[Violation, ...]
    detections: tuple[Detection, ...]
    coverage: Mapping[str, Any] = field(default_factory=dict)
    drift: tuple[Drift, ...] = ()  # only a proxy's verdict has any

    @property
    def operation_percent(self) -> float:
        return float(self.coverage["operations"]["percent"])

    def failures(self, coverage_min: float | None = None) -> list[str]:
        """Why the run fails (empty: it passes)."""
        out = []
        if self.violations:
            out.append(f"{len(self.violations)} contract violation(s)")
        if self.drift:
            out.append(f"{len(self.drift)} drift finding(s): the platform's replies differ from the spec")
        if coverage_min is not None and self.operation_percent < coverage_min:
            out.append(
                f"operation coverage {self.operation_percent:g} % is below --coverage-min {coverage_min:g}"
            )
        return out


def build(spec: Spec, entries: list[Entry], pushes: Iterable[Push] = ()) -> Verdict:
    coverage = Coverage(spec)
    coverage.add_requests(entries)
    found = [v for e in entries for v in request_violations(spec, e)]
    sent = [p for p in pushes if p.attempts]
    for push in sent:
        violation = push_violation(spec, push)
        coverage.add_push(push.webhook, answered_correctly=violation is None)
        if violation:
            found.append(violation)
    return Verdict(len(entries), len(sent), tuple(found), tuple(detections(spec, entries)), coverage.report())


def of_coverage(coverage: Coverage) -> Verdict:
    """The coverage part alone (the pytest plugin fails each test on its own violations)."""
    return Verdict(coverage.requests, coverage.pushes, (), (), coverage.report())


def of_platform(platform: Journals, spec: Spec) -> Verdict:
    return build(spec, platform.journal.entries(), platform.deliverer.pushes())


# renderers


def as_json(verdict: Verdict, coverage_min: float | None = None) -> dict[str, Any]:
    def camel(data: dict[str, Any]) -> dict[str, Any]:
        return {k.split("_")[0] + "".join(p.title() for p in k.split("_")[1:]): v for k, v in data.items()}

    failures = verdict.failures(coverage_min)
    return {
        "schema": SCHEMA,
        "version": VERSION,
        "passed": not failures,
        "failures": failures,
        "coverageMin": coverage_min,
        "requests": verdict.requests,
        "pushes": verdict.pushes,
        "violations": [camel(asdict(v)) for v in verdict.violations],
        "detections": [camel(asdict(d)) | {"journalIds": list(d.journal_ids)} for d in verdict.detections],
        "coverage": dict(verdict.coverage),
        "drift": [camel(asdict(d)) for d in verdict.drift],
    }


def from_json(data: Mapping[str, Any]) -> Verdict:
    if data.get("schema") != SCHEMA or data.get("version") != VERSION:
        raise ValueError(f"not a {SCHEMA} version {VERSION} document")

    def snake(item: Mapping[str, Any]) -> dict[str, Any]:
        return {"".join(f"_{c.lower()}" if c.isupper() else c for c in k): v for k, v in item.items()}

    return Verdict(
        int(data["requests"]),
        int(data["pushes"]),
        tuple(Violation(**snake(v)) for v in data["violations"]),
        tuple(Detection(**(snake(d) | {"journal_ids": tuple(d["journalIds"])})) for d in data["detections"]),
        data["coverage"],
        tuple(Drift(**snake(d)) for d in data.get("drift", ())),
    )


def terminal(
    verdict: Verdict, *, color: bool = False, coverage_min: float | None = None, outcome: bool = True
) -> str:
    def paint(text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if color else text

    lines = [f"requests {verdict.requests}, pushes {verdict.pushes}"]
    for v in verdict.violations:
        where = f"journal #{v.journal_id}" if v.kind == "request" else f"push #{v.journal_id}"
        lines.append(paint(f"VIOLATION {v.operation} ({v.request}, {where}): {v.problem}", "31"))
        if v.field:
            lines.append(f"  field:    {v.field}")
        if v.field or v.kind == "push":
            lines.append(
                f"  sent:     {'(absent)' if v.sent is None else json.dumps(v.sent, ensure_ascii=False)}"
            )
        if v.expected:
            lines.append(f"  expected: {v.expected}")
        if v.example is not None:
            lines.append(f"  example:  {json.dumps(v.example, ensure_ascii=False)}")
    lines += [paint(_detection_line(d), "33") for d in verdict.detections]
    for d in verdict.drift:
        lines.append(
            paint(f"DRIFT {d.operation} ({d.kind}, seen {d.count}x, first {d.request}): {d.problem}", "35")
        )
        if d.field:
            lines.append(f"  field:    {d.field}")
        if d.example is not None:
            lines.append(f"  example:  {json.dumps(d.example, ensure_ascii=False)}")
        lines.append(f"  spec:     {d.pointer}")
    lines += coverage_lines(dict(verdict.coverage))
    failures = verdict.failures(coverage_min)
    if not outcome:
        return "\n".join(lines)
    lines.append(paint("FAILED: " + "; ".join(failures), "31;1") if failures else paint("PASSED", "32;1"))
    return "\n".join(lines)


def junit(verdict: Verdict, coverage_min: float | None = None) -> str:
    """JUnit XML: one testcase per operation and push type in scope, violations as failures; never
    exercised ones are skipped, or failed when operation coverage is below `coverage_min`."""
    cov = verdict.coverage
    gap_fails = coverage_min is not None and verdict.operation_percent < coverage_min
    by_name: dict[str, list[Violation]] = {}
    for v in verdict.violations:
        by_name.setdefault(v.operation, []).append(v)
    cases: list[str] = []
    failed = skipped = 0
    groups = (("operation", cov["operations"]), ("push", cov["webhooks"]))
    names = [(kind, n) for kind, part in groups for n in part["exercised"] + part["never"]]
    names += [("request", n) for n in by_name if n == NO_OPERATION]
    for kind, name in names:
        never = name in cov["operations"]["never"] or name in cov["webhooks"]["never"]
        body = []
        if never and not (gap_fails and kind == "operation"):
            body.append(f'<skipped message="{kind} never exercised"/>')
            skipped += 1
        body += [_failure(v) for v in by_name.get(name, ())]
        body += [_drift_failure(d) for d in verdict.drift if d.operation == name]
        if never and gap_fails and kind == "operation":
            body.append(
                f'<failure type="CoverageGap" message="{kind} never exercised, below --coverage-min"/>'
            )
        failed += any(b.startswith("<failure") for b in body)
        body += [
            f"<system-out>{escape(_detection_line(d))}</system-out>"
            for d in verdict.detections
            if d.operation == name
        ]
        case = f'<testcase classname="pns.{kind}" name={quoteattr(name)} time="0">{"".join(body)}</testcase>'
        cases.append(case)
    summary = escape("\n".join(coverage_lines(dict(cov))))
    attrs = f'tests="{len(cases)}" failures="{failed}" errors="0" skipped="{skipped}" time="0"'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name="pns-mock" tests="{len(cases)}" failures="{failed}" errors="0" time="0">\n'
        f'<testsuite name="pns-mock contract" {attrs}>\n'
        + "\n".join(cases)
        + f"\n<system-out>{summary}</system-out>\n</testsuite>\n</testsuites>\n"
    )


def _detection_line(d: Detection) -> str:
    return (
        f"DETECTED  {d.operation}: the same request sent again {d.count} time(s) after {d.resultcode} "
        f"({d.handling_class}: it cannot succeed unchanged); journal {', '.join(map(str, d.journal_ids))}"
    )


def _failure(v: Violation) -> str:
    text = [f"{v.request}: {v.problem}"]
    for label, value in (
        ("field", v.field),
        ("sent", v.sent),
        ("expected", v.expected),
        ("example", v.example),
    ):
        if value is not None:
            text.append(
                f"{label}: {value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}"
            )
    text.append(f"{'journal' if v.kind == 'request' else 'push'} id: {v.journal_id}")
    message = quoteattr(v.problem[:300])
    return f'<failure type="ContractViolation" message={message}>{escape(chr(10).join(text))}</failure>'


def _drift_failure(d: Drift) -> str:
    text = [f"{d.request}: {d.problem}", f"kind: {d.kind}", f"seen: {d.count}", f"spec: {d.pointer}"]
    if d.field:
        text.append(f"field: {d.field}")
    if d.example is not None:
        text.append(f"example: {json.dumps(d.example, ensure_ascii=False)}")
    message = quoteattr(d.problem[:300])
    return f'<failure type="Drift" message={message}>{escape(chr(10).join(text))}</failure>'


__all__ = [
    "NO_OPERATION",
    "SCHEMA",
    "SCHEMA_FILE",
    "VERSION",
    "Detection",
    "Drift",
    "Journals",
    "Verdict",
    "Violation",
    "as_json",
    "build",
    "detections",
    "from_json",
    "junit",
    "of_coverage",
    "of_platform",
    "push_violation",
    "request_violations",
    "terminal",
]
