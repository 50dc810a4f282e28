"""What the reference shows, as plain data: the renderers read only these objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from pns_mock.spec import Conflict, ResultCode, Rule, TableRow

from .ui import Words

NO_BODY = None


@dataclass(frozen=True)
class Field:
    """One parameter or body field; nested fields carry a dotted `path` (`feeLst[].callerNum`)."""

    path: str
    location: str  # query, body, reply
    type: str
    required: bool
    description: str
    constraints: tuple[str, ...] = ()
    values: tuple[tuple[str, str], ...] = ()  # enum value -> what it means
    timestamp_format: str = ""  # a pns-* format, linked to the timestamp section
    conflict: Conflict | None = None

    @property
    def depth(self) -> int:
        return self.path.count(".")


@dataclass(frozen=True)
class RequestExample:
    name: str
    summary: str
    method: str
    path: str
    query: Mapping[str, Any]
    body: Any  # NO_BODY when the request has none

    @property
    def query_string(self) -> str:
        """As sent on the wire: a number's `+` becomes `%2B`."""
        return urlencode(self.query, quote_via=quote)

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query_string}" if self.query else self.path


@dataclass(frozen=True)
class ResponseExample:
    name: str
    summary: str
    status: int
    body: Any  # NO_BODY for a redirect
    headers: Mapping[str, str]


@dataclass(frozen=True)
class OperationDoc:
    operation_id: str
    method: str
    path: str
    mode: str
    summary: str
    description: str
    vendor_name: str
    vendor_doc: str
    parameters: tuple[Field, ...]
    body_fields: tuple[Field, ...]
    reply_fields: tuple[Field, ...]
    requests: tuple[RequestExample, ...]
    responses: tuple[ResponseExample, ...]
    errors: tuple[ResponseExample, ...]
    specific_codes: tuple[str, ...]
    common_codes: tuple[str, ...]
    one_of: tuple[tuple[str, ...], ...]
    conflict: Conflict | None
    rules: tuple[Rule, ...] = ()  # the business rules of this operation, each with its vendor source


@dataclass(frozen=True)
class PushExample:
    name: str
    summary: str
    body: Any
    reply: Any  # NO_BODY when the customer owes an empty 200


@dataclass(frozen=True)
class WebhookDoc:
    name: str
    mode: str
    summary: str
    description: str
    vendor_name: str
    vendor_doc: str
    target: str  # the console URL the push goes to
    retried: bool
    fields: tuple[Field, ...]
    rules: tuple[str, ...]  # per-event rules of the body schema
    reply_fields: tuple[Field, ...]
    reply_text: str  # what a 200 means / must carry
    failure_text: str
    examples: tuple[PushExample, ...]
    conflict: Conflict | None


@dataclass(frozen=True)
class FlowStep:
    webhook: str
    event_type: str
    timestamp: str
    caller: str
    called: str
    state_code: int | None
    state_desc: str
    digits: str
    reply: Any  # the Block reply, NO_BODY for an empty 200


@dataclass(frozen=True)
class CallFlow:
    mode: str
    outcome: str
    source: str
    steps: tuple[FlowStep, ...]
    cdr_webhook: str
    cdr: Mapping[str, Any]


@dataclass(frozen=True)
class ModeDoc:
    name: str
    description: str
    operations: tuple[OperationDoc, ...]
    webhooks: tuple[WebhookDoc, ...]
    flow: CallFlow | None

    @property
    def anchor(self) -> str:
        return f"mode-{self.name.lower()}"


@dataclass(frozen=True)
class TimestampFormat:
    schema: str
    format: str
    pattern: str
    description: str
    examples: tuple[str, ...]
    conflict: Conflict | None


@dataclass(frozen=True)
class WorkedExample:
    app_secret: str
    nonce: str
    created: str
    password_digest: str


@dataclass(frozen=True)
class AuthScheme:
    name: str  # AKSK, WSSE
    authorization: str  # the fixed Authorization value
    token_header: str
    digest: str  # the formula
    description: str
    worked_examples: tuple[WorkedExample, ...]
    recipe: str = ""  # runnable Python that signs, checked against the first worked example


@dataclass(frozen=True)
class Delivery:
    method: str
    content_type: str
    success_status: int
    retry_minutes: tuple[int, ...]
    retry_note: str
    not_retried: tuple[str, ...]
    reply_timeout_note: str
    targets: tuple[tuple[str, str], ...]
    conflict: Conflict | None


@dataclass(frozen=True)
class CauseTable:
    anchor: str
    title: str
    rows: tuple[TableRow, ...]


@dataclass(frozen=True)
class Reference:
    title: str
    version: str
    overview: str
    vendor_doc: str
    servers: tuple[tuple[str, str], ...]
    auth: tuple[AuthScheme, ...]
    timestamps: tuple[TimestampFormat, ...]
    modes: tuple[ModeDoc, ...]
    delivery: Delivery
    result_codes: tuple[ResultCode, ...]
    cause_tables: tuple[CauseTable, ...]
    examples_source: str  # where the examples came from, said in the docs
    rules: tuple[Rule, ...] = ()  # every business rule (`x-pns-rules`) with its vendor source
    lang: str = "en"  # language of the prose (the spec's texts and the page's words)

    @property
    def w(self) -> Words:
        """The page's words in `lang`."""
        return Words(self.lang)

    @property
    def operations(self) -> tuple[OperationDoc, ...]:
        return tuple(op for mode in self.modes for op in mode.operations)

    @property
    def webhooks(self) -> tuple[WebhookDoc, ...]:
        return tuple(hook for mode in self.modes for hook in mode.webhooks)

    @property
    def counts(self) -> str:
        """The line "19 operations, 17 push types, 52 result codes", in the page's language."""
        return self.w(
            "{operations} operations, {pushes} push types, {codes} result codes",
            operations=len(self.operations),
            pushes=len(self.webhooks),
            codes=len(self.result_codes),
        )
