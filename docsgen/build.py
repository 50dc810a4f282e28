"""Build the `Reference` from the spec (and the examples of `fixtures/`, when there)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from pns_mock.spec import Operation, Spec, Webhook

from . import examples
from .fields import conflict_of, fields, rules
from .model import (
    NO_BODY,
    AuthScheme,
    CauseTable,
    Delivery,
    Field,
    ModeDoc,
    OperationDoc,
    PushExample,
    Reference,
    TimestampFormat,
    WebhookDoc,
    WorkedExample,
)
from .snippets import signing_recipe

AUTH_HEADERS = ("X-AKSK", "X-WSSE")  # documented once, in the authentication section
_JSON = "application/json"
_TIMESTAMP_SCHEMAS = ("Created", "PnsDateTime", "SmsTimestamp", "SubscribeTime")
# Root tables, in the order a reader looks them up: what hung up, where, and the carrier's cause.
_CAUSE_TABLES = (
    ("hangup-causes", "Hang-up causes (`stateCode`, `ulFailReason`)"),
    ("disconnect-points", "Disconnect points"),
    ("q850-causes", "Q.850 causes (`fwdUnaswRsn`)"),
)


def build_reference(s: Spec, fixtures: Path | None) -> Reference:
    info = s.document["info"]
    return Reference(
        title=str(info["title"]),
        version=str(info["version"]),
        overview=str(info.get("description", "")).strip(),
        vendor_doc=str(info.get("x-vendor-doc", "")),
        servers=tuple((str(x["url"]), str(x.get("description", ""))) for x in s.document.get("servers", ())),
        auth=_auth(s),
        timestamps=tuple(_timestamp(s, name) for name in _TIMESTAMP_SCHEMAS),
        modes=tuple(_mode(s, tag, fixtures) for tag in s.document["tags"]),
        delivery=_delivery(s.delivery),
        result_codes=tuple(s.result_codes.values()),
        cause_tables=tuple(
            CauseTable(anchor, title, tuple(table.values()))
            for (anchor, title), table in zip(
                _CAUSE_TABLES, (s.hangup_causes, s.disconnect_points, s.q850_causes), strict=True
            )
        ),
        examples_source="fixtures/" if fixtures else "the spec's media-type examples",
        rules=tuple(s.rules.values()),
        lang=s.lang,
    )


def _mode(s: Spec, tag: Mapping[str, Any], fixtures: Path | None) -> ModeDoc:
    name = str(tag["name"])
    mode_key = name if name != "Common" else "common"
    ops = sorted((op for op in s.operations.values() if op.mode == mode_key), key=operation_order)
    return ModeDoc(
        name=name,
        description=str(tag.get("description", "")),
        operations=tuple(_operation(s, op, fixtures) for op in ops),
        webhooks=tuple(_webhook(s, w) for w in s.webhooks.values() if w.mode == mode_key),
        flow=examples.call_flow(s, name, fixtures) if mode_key != "common" else None,
    )


def operation_order(op: Operation) -> tuple[int, str]:
    """Create, then query, modify, delete, then the rest: the order a binding lives in."""
    verbs = ("create", "query", "modify", "set", "delete")
    rank = next((i for i, v in enumerate(verbs) if op.operation_id.startswith(v)), len(verbs))
    return rank, op.operation_id


def _operation(s: Spec, op: Operation, fixtures: Path | None) -> OperationDoc:
    requests, responses, errors = examples.operation_examples(s, op, fixtures)
    body_pointer = op.request_schema_pointer
    reply_pointer = op.response_schema_pointer(200)
    return OperationDoc(
        operation_id=op.operation_id,
        method=op.method.upper(),
        path=op.path,
        mode=op.mode,
        summary=str(op.raw.get("summary", "")),
        description=str(op.raw.get("description", "")).strip(),
        vendor_name=op.vendor_name,
        vendor_doc=op.vendor_doc,
        parameters=tuple(
            _parameter(s, p)
            for p in (s.deref(x) for x in op.raw.get("parameters", ()))
            if p["name"] not in AUTH_HEADERS
        ),
        body_fields=tuple(fields(s, s.resolve(body_pointer), "body")) if body_pointer else (),
        reply_fields=tuple(fields(s, s.resolve(reply_pointer), "reply")) if reply_pointer else (),
        requests=requests,
        responses=responses,
        errors=errors,
        specific_codes=op.specific_codes,
        common_codes=op.common_codes,
        one_of=op.one_of,
        conflict=conflict_of(op.raw, op.pointer),
        rules=s.rules_for(op.operation_id),
    )


def _parameter(s: Spec, raw: Mapping[str, Any]) -> Field:
    name = str(raw["name"])
    wrapper = {"properties": {name: raw.get("schema", {})}, "required": [name] if raw.get("required") else []}
    base = next(fields(s, wrapper, str(raw["in"])))
    return replace(
        base,
        description=str(raw.get("description", "")).strip() or base.description,
        conflict=conflict_of(raw) or base.conflict,
    )


def _webhook(s: Spec, hook: Webhook) -> WebhookDoc:
    raw = hook.raw
    ok = raw.get("responses", {}).get("200", {})
    reply_schema = s.resolve(hook.reply_schema_pointer) if hook.reply_schema_pointer else None
    bodies = _named(raw.get("requestBody"))
    replies = _named(ok)
    return WebhookDoc(
        name=hook.name,
        mode=hook.mode,
        summary=str(raw.get("summary", "")),
        description=str(raw.get("description", "")).strip(),
        vendor_name=str(raw.get("x-vendor-name", "")),
        vendor_doc=hook.vendor_doc,
        target=str(raw.get("x-pns-target", "")),
        retried=bool(raw.get("x-pns-retried", True)),
        fields=tuple(fields(s, s.resolve(hook.body_schema_pointer), "body")),
        rules=tuple(rules(s, s.resolve(hook.body_schema_pointer))),
        reply_fields=tuple(fields(s, reply_schema, "reply")) if reply_schema else (),
        reply_text=str(ok.get("description", "")).strip(),
        failure_text=str(raw.get("responses", {}).get("default", {}).get("description", "")).strip(),
        examples=tuple(
            PushExample(n, str(ex.get("summary", "")), ex["value"], NO_BODY) for n, ex in bodies.items()
        )
        + tuple(
            PushExample(n, str(ex.get("summary", "")), NO_BODY, ex["value"]) for n, ex in replies.items()
        ),
        conflict=conflict_of(raw, hook.pointer),
    )


def _named(holder: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    return dict((holder or {}).get("content", {}).get(_JSON, {}).get("examples", {}))


def _auth(s: Spec) -> tuple[AuthScheme, ...]:
    schemes = s.document["components"]["securitySchemes"]
    out = []
    for rule in s.delivery["auth"].values():
        header_scheme, token_scheme = (schemes[n] for n in rule["securityScheme"])
        scheme = AuthScheme(
            name=str(header_scheme["x-pns-header-value"]).split(" ", 1)[0],
            authorization=str(header_scheme["x-pns-header-value"]),
            token_header=str(token_scheme["name"]),
            digest=str(rule["digest"]),
            description=f"{header_scheme['description'].strip()}\n\n{token_scheme['description'].strip()}",
            worked_examples=tuple(
                WorkedExample(e["app_secret"], e["nonce"], e["created"], e["password_digest"])
                for e in token_scheme.get("x-pns-worked-examples", ())
            ),
        )
        if scheme.worked_examples:
            code = signing_recipe(scheme, token_scheme["x-pns-digest"], scheme.worked_examples[0])
            scheme = replace(scheme, recipe=code)
        out.append(scheme)
    return tuple(out)


def _timestamp(s: Spec, name: str) -> TimestampFormat:
    schema = s.document["components"]["schemas"][name]
    return TimestampFormat(
        schema=name,
        format=str(schema["format"]),
        pattern=str(schema["pattern"]),
        description=str(schema.get("description", "")).strip(),
        examples=tuple(str(e) for e in schema.get("examples", ())),
        conflict=conflict_of(schema, f"/components/schemas/{name}"),
    )


def _delivery(d: Mapping[str, Any]) -> Delivery:
    return Delivery(
        method=str(d["method"]),
        content_type=str(d["contentType"]),
        success_status=int(d["successStatus"]),
        retry_minutes=tuple(int(m) for m in d["retryScheduleMinutes"]),
        retry_note=str(d.get("retryScheduleNote", "")),
        not_retried=tuple(d.get("notRetried", ())),
        reply_timeout_note=str(d.get("replyTimeoutNote", "")),
        targets=tuple((str(k), str(v)) for k, v in d.get("targets", {}).items()),
        conflict=conflict_of(d, "/x-pns-delivery"),
    )
