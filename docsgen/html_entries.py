"""HTML of one operation, one push type and one call-flow diagram."""

from __future__ import annotations

from pns_mock.spec import ResultCode, Rule, Source

from . import prose, sequence, snippets
from .htmlparts import cell, code_block, conflict_note, esc, fields_table, link, table
from .model import NO_BODY, CallFlow, ModeDoc, OperationDoc, Reference, WebhookDoc
from .ui import Words


def operation(op: OperationDoc, ref: Reference) -> str:
    w = ref.w
    codes = {rc.code: rc for rc in ref.result_codes}
    server, auth = ref.servers[0][0], ref.auth[0]
    vendor = link(op.vendor_doc, op.vendor_name or w("vendor page")) if op.vendor_doc else ""
    parts = [
        f'<section class="entry op" id="op-{esc(op.operation_id)}" data-search>',
        f"<h3>{esc(op.operation_id)}</h3>",
        f'<div class="endpoint"><span class="method {esc(op.method.lower())}">{esc(op.method)}</span>'
        f"<code>{esc(op.path)}</code></div>",
        f'<p class="summary">{prose.inline(op.summary)}</p>',
        _meta(w, op.mode, vendor),
        f'<div class="prose">{prose.to_html(op.description)}</div>',
        conflict_note(op.conflict, w),
        rules_list(op.rules, w),
    ]
    if op.parameters or op.body_fields:
        parts += [f"<h4>{esc(w('Parameters'))}</h4>", fields_table((*op.parameters, *op.body_fields), w)]
    parts.append(f"<h4>{esc(w('Examples'))}</h4>")
    for example in op.requests:
        text = snippets.http_request(example, server, auth)
        parts.append(_figure(example.name, example.summary, code_block(text, json_after_blank_line=True)))
    for response in op.responses:
        text = snippets.http_response(response)
        parts.append(_figure(response.name, response.summary, code_block(text, json_after_blank_line=True)))
    if op.reply_fields:
        parts += [
            f"<details><summary>{esc(w('Reply fields ({n})', n=len(op.reply_fields)))}</summary>",
            fields_table(op.reply_fields, w),
            "</details>",
        ]
    parts += [f"<h4>{esc(w('Result codes'))}</h4>", _codes_table(op.specific_codes, codes, w)]
    common = "".join(
        f'<li><a href="#rc-{esc(c)}" title="{esc(codes[c].text)}"><code>{esc(c)}</code></a></li>'
        for c in op.common_codes
    )
    also = w(
        "…and the {n} codes every operation can return (authentication, account, platform)",
        n=len(op.common_codes),
    )
    parts.append(f'<details><summary>{esc(also)}</summary><ul class="codes">{common}</ul></details>')
    if op.errors:
        bodies = "".join(
            _figure(e.name, "", code_block(snippets.http_response(e), json_after_blank_line=True))
            for e in op.errors
        )
        title = esc(w("Error replies ({n})", n=len(op.errors)))
        parts.append(f"<details><summary>{title}</summary>{bodies}</details>")
    parts.append("</section>")
    return "\n".join(parts)


def rules_list(rules: tuple[Rule, ...], w: Words) -> str:
    """The operation's business rules, each with the vendor page and section it comes from."""
    if not rules:
        return ""
    items = "".join(
        f'<li><a href="#rule-{esc(r.id)}"><code>{esc(r.id)}</code></a> {prose.inline(r.summary)}'
        + (f' (<a href="#rc-{esc(r.code)}"><code>{esc(r.code)}</code></a>)' if r.code else "")
        + f' <span class="source">{esc(w("source:"))} {source_link(r.source)}</span></li>'
        for r in rules
    )
    return f'<h4>{esc(w("Rules and their vendor sources"))}</h4><ul class="rules">{items}</ul>'


def source_link(source: Source) -> str:
    text = f"{source.page}, {source.section}"
    return link(source.url, text) if source.url else esc(text)


def _meta(w: Words, mode: str, vendor: str) -> str:
    by = f" · {esc(w('vendor:'))} {vendor}" if vendor else ""
    return f'<p class="meta">{esc(w("Mode {mode}", mode=mode))}{by}</p>'


def _codes_table(specific: tuple[str, ...], codes: dict[str, ResultCode], w: Words) -> str:
    heads = (w("Code"), "HTTP", "resultdesc", w("Meaning"), w("Class"))
    rows = [
        "<tr>"
        + cell(heads[0], f'<a href="#rc-{esc(c)}"><code>{esc(c)}</code></a>')
        + cell("HTTP", esc(codes[c].http_status))
        + cell("resultdesc", esc(codes[c].text))
        + cell(heads[3], prose.inline(codes[c].meaning))
        + cell(heads[4], f"<strong>{esc(codes[c].handling_class)}</strong>")
        + "</tr>"
        for c in ("0", *specific)
    ]
    return table(heads, rows)


def _figure(name: str, summary: str, body: str) -> str:
    caption = f"<b>{esc(name)}</b>" + (f" · {prose.inline(summary)}" if summary else "")
    return f'<figure class="example"><figcaption>{caption}</figcaption>{body}</figure>'


def webhook(hook: WebhookDoc, ref: Reference) -> str:
    w = ref.w
    delivery = ref.delivery
    vendor = link(hook.vendor_doc, hook.vendor_name or w("vendor page")) if hook.vendor_doc else ""
    target = dict(delivery.targets).get(hook.target, "")
    retries = (
        f'{esc(snippets.retry_schedule(delivery, w))} (<a href="#delivery">{esc(w("delivery"))}</a>)'
        if hook.retried
        else esc(w("Not re-sent: answer it at once, the call waits for your reply."))
    )
    reply = (
        prose.inline(hook.reply_text)
        if hook.reply_text
        else esc(w("HTTP 200 with a JSON body, described below."))
    )
    parts = [
        f'<section class="entry push" id="push-{esc(hook.name)}" data-search>',
        f"<h3>{esc(hook.name)}</h3>",
        f'<div class="endpoint"><span class="method post">POST</span><code>{esc(hook.target)}</code></div>',
        f'<p class="summary">{prose.inline(hook.summary)}</p>',
        _meta(w, hook.mode, vendor),
        '<dl class="facts">',
        f"<dt>{esc(w('Sent to'))}</dt><dd><code>{esc(hook.target)}</code>: {prose.inline(target)}</dd>",
        f"<dt>{esc(w('You reply'))}</dt><dd>{reply}</dd>",
        f"<dt>{esc(w('On failure'))}</dt>"
        f"<dd>{prose.inline(hook.failure_text) or esc(w('The call is not routed.'))}</dd>",
        f"<dt>{esc(w('Retries'))}</dt><dd>{retries}</dd>",
        "</dl>",
        f'<div class="prose">{prose.to_html(hook.description)}</div>',
        conflict_note(hook.conflict, w),
        f"<h4>{esc(w('Body fields'))}</h4>",
        fields_table(hook.fields, w),
    ]
    if hook.rules:
        parts.append("<ul>" + "".join(f"<li>{prose.inline(r)}</li>" for r in hook.rules) + "</ul>")
    if hook.reply_fields:
        parts += [f"<h4>{esc(w('The reply you owe'))}</h4>", fields_table(hook.reply_fields, w)]
    parts.append(f"<h4>{esc(w('Examples'))}</h4>")
    for example in hook.examples:
        kind = w("Reply") if example.body is NO_BODY else w("Push")
        value = example.reply if example.body is NO_BODY else example.body
        block = code_block(snippets.to_json(value), json=True)
        parts.append(_figure(f"{kind}: {example.name}", example.summary, block))
    parts.append("</section>")
    return "\n".join(parts)


def flow_figure(mode: ModeDoc, flow: CallFlow, w: Words) -> str:
    meta = w(
        "What your phones and your server see, in order (times in UTC). Generated from `{source}`.",
        source=flow.source,
    )
    return (
        f'<section class="entry flow" id="flow-{esc(mode.name.lower())}" data-search>'
        f"<h3>{esc(w('Call flow: an answered {mode} call', mode=mode.name))}</h3>"
        f'<p class="meta">{prose.inline(meta)}</p>'
        f'<div class="diagram">{sequence.render(flow, w)}</div>'
        f'<p class="scroll-hint muted">{esc(w("Scroll the diagram sideways to see your server."))}</p>'
        "</section>"
    )
