"""The catalogue sections of the Markdown reference: rules with their sources, result codes, causes."""

from __future__ import annotations

from pns_mock.spec import HANDLING_CLASSES, ResultCode, Source

from . import prose
from .mdtext import anchor, code, conflict_cell, table
from .model import CauseTable, Reference
from .ui import Words


def source_link(source: Source) -> str:
    text = f"{source.page}, {source.section}"
    return f"[{text}]({source.url})" if source.url else text


def rules(ref: Reference) -> str:
    w = ref.w
    rows = [
        (
            f"{anchor('rule-' + r.id)}{code(r.id)}",
            prose.markdown_cell(r.summary),
            code(r.code) if r.code else "—",
            ", ".join(f"[{o}](#op-{o})" for o in r.operations)
            + (f" ({w('server setting')} {code(r.setting)})" if r.setting else ""),
            source_link(r.source),
        )
        for r in ref.rules
    ]
    return "\n\n".join(
        [
            anchor("rules"),
            f"## {w('Rules and their sources')}",
            w(
                "Every business rule the mock enforces, with the vendor page and section it comes from "
                "(`x-pns-rules` in the spec). A refusal names its rule in `X-PNS-Mock-Problem` as "
                "`[rule: id]`."
            ),
            table(
                (w("Rule"), w("What the platform does"), w("Code"), w("Applies to"), w("Vendor source")),
                rows,
            ),
        ]
    )


def _as_sent(w: Words, rc: ResultCode) -> str:
    """An example of the text as the mock sends it, when a reason or a filled placeholder changes it."""
    sent = rc.example_body()["resultdesc"]
    return "" if sent == rc.text else " (" + w("as sent, e.g.: {text}", text=prose.markdown_cell(sent)) + ")"


def result_codes(ref: Reference) -> str:
    w = ref.w
    used: dict[str, list[str]] = {}
    for op in ref.operations:
        for c in op.specific_codes:
            used.setdefault(c, []).append(f"[{op.operation_id}](#op-{op.operation_id})")
    rows = [
        (
            f"{anchor('rc-' + rc.code)}{code(rc.code)}",
            str(rc.http_status),
            prose.markdown_cell(rc.text) + _as_sent(w, rc),
            prose.markdown_cell(rc.meaning)
            + (f" *{w('Trigger:')}* {prose.markdown_cell(rc.trigger)}" if rc.trigger else "")
            + " "
            + w(
                "Returned by {where}.",
                where=w("every operation") if rc.scope == "common" else ", ".join(used.get(rc.code, ["—"])),
            )
            + conflict_cell(w, rc.conflict),
            prose.markdown_cell(rc.handling),
            f"**{rc.handling_class}** " + prose.markdown_cell(rc.handling_reason),
        )
        for rc in ref.result_codes
    ]
    classes = [(f"**{name}**", w(what)) for name, what in HANDLING_CLASSES.items()]
    return "\n\n".join(
        [
            anchor("result-codes"),
            f"## {w('Result codes')}",
            w(
                'Every reply carries `resultcode` as a **string**; `"0"` is success. Each code has one '
                "handling class: what your client does next. Only **transient** codes may succeed "
                "when the same request is sent again later, unchanged."
            ),
            table((w("Class"), w("What the client does")), classes),
            table((w("Code"), "HTTP", "resultdesc", w("Meaning"), w("Handling"), w("Class")), rows),
        ]
    )


def cause_table(w: Words, t: CauseTable) -> str:
    rows = [(code(r.code), prose.markdown_cell(r.text), r.category) for r in t.rows]
    heads = (w("Code"), w("Meaning"), w("Category"))
    return "\n\n".join([anchor(t.anchor), f"## {w(t.title)}", table(heads, rows)])
