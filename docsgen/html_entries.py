"""HTML of one operation, one push type and one call-flow diagram."""

from __future__ import annotations

from spec import ResultCode, Rule, Source

from . import prose, sequence, snippets
from .htmlparts import cell, code_block, conflict_note, esc, fields_table, link, table
from .model import NO_BODY, CallFlow, ModeDoc, OperationDoc, Reference, WebhookDoc


def operation(op: OperationDoc, ref: Reference) -> str:
    codes = {rc.code: rc for rc in ref.result_codes}
    server, auth = ref.servers[0][0], ref.auth[0]
    vendor = link(op.vendor_doc, op.vendor_name or "vendor page") if op.vendor_doc else ""
    parts = [
        f'<section class="entry op" id="op-{esc(op.operation_id)}" data-search>',
        f"<h3>{esc(op.operation_id)}</h3>",
        f'<div class="endpoint"><span class="method {esc(op.method.lower())}">{esc(op.method)}</span>'
        f"<code>{esc(op.path)}</code></div>",
        f'<p class="summary">{prose.inline(op.summary)}</p>',
        f'<p class="meta">Mode {esc(op.mode)}{" · vendor: " + vendor if vendor else ""}</p>',
        f'<div class="prose">{prose.to_html(op.description)}</div>',
        conflict_note(op.conflict),
        rules_list(op.rules),
    ]
    if op.parameters or op.body_fields:
        parts += ["<h4>Parameters</h4>", fields_table((*op.parameters, *op.body_fields))]
    parts.append("<h4>Examples</h4>")
    for example in op.requests:
        text = snippets.http_request(example, server, auth)
        parts.append(_figure(example.name, example.summary, code_block(text, json_after_blank_line=True)))
    for response in op.responses:
        text = snippets.http_response(response)
        parts.append(_figure(response.name, response.summary, code_block(text, json_after_blank_line=True)))
    if op.reply_fields:
        parts += [
            f"<details><summary>Reply fields ({len(op.reply_fields)})</summary>",
            fields_table(op.reply_fields),
            "</details>",
        ]
    parts += ["<h4>Result codes</h4>", _codes_table(op.specific_codes, codes)]
    common = "".join(
        f'<li><a href="#rc-{esc(c)}" title="{esc(codes[c].text)}"><code>{esc(c)}</code></a></li>'
        for c in op.common_codes
    )
    parts.append(
        f"<details><summary>…and the {len(op.common_codes)} codes every operation can return "
        f'(authentication, account, platform)</summary><ul class="codes">{common}</ul></details>'
    )
    if op.errors:
        bodies = "".join(
            _figure(e.name, "", code_block(snippets.http_response(e), json_after_blank_line=True))
            for e in op.errors
        )
        parts.append(f"<details><summary>Error replies ({len(op.errors)})</summary>{bodies}</details>")
    parts.append("</section>")
    return "\n".join(parts)


def rules_list(rules: tuple[Rule, ...]) -> str:
    """The operation's business rules, each with the vendor page and section it comes from."""
    if not rules:
        return ""
    items = "".join(
        f'<li><a href="#rule-{esc(r.id)}"><code>{esc(r.id)}</code></a> {prose.inline(r.summary)}'
        + (f' (<a href="#rc-{esc(r.code)}"><code>{esc(r.code)}</code></a>)' if r.code else "")
        + f' <span class="source">source: {source_link(r.source)}</span></li>'
        for r in rules
    )
    return f'<h4>Rules and their vendor sources</h4><ul class="rules">{items}</ul>'


def source_link(source: Source) -> str:
    text = f"{source.page}, {source.section}"
    return link(source.url, text) if source.url else esc(text)


def _codes_table(specific: tuple[str, ...], codes: dict[str, ResultCode]) -> str:
    rows = [
        "<tr>"
        + cell("Code", f'<a href="#rc-{esc(c)}"><code>{esc(c)}</code></a>')
        + cell("HTTP", esc(codes[c].http_status))
        + cell("resultdesc", esc(codes[c].text))
        + cell("Meaning", prose.inline(codes[c].meaning))
        + cell("Class", f"<strong>{esc(codes[c].handling_class)}</strong>")
        + "</tr>"
        for c in ("0", *specific)
    ]
    return table(("Code", "HTTP", "resultdesc", "Meaning", "Class"), rows)


def _figure(name: str, summary: str, body: str) -> str:
    caption = f"<b>{esc(name)}</b>" + (f" · {prose.inline(summary)}" if summary else "")
    return f'<figure class="example"><figcaption>{caption}</figcaption>{body}</figure>'


def webhook(hook: WebhookDoc, ref: Reference) -> str:
    delivery = ref.delivery
    vendor = link(hook.vendor_doc, hook.vendor_name or "vendor page") if hook.vendor_doc else ""
    target = dict(delivery.targets).get(hook.target, "")
    retries = (
        f'{esc(snippets.retry_schedule(delivery))} (<a href="#delivery">delivery</a>)'
        if hook.retried
        else "Not re-sent: answer it at once, the call waits for your reply."
    )
    reply = (
        prose.inline(hook.reply_text) if hook.reply_text else "HTTP 200 with a JSON body, described below."
    )
    parts = [
        f'<section class="entry push" id="push-{esc(hook.name)}" data-search>',
        f"<h3>{esc(hook.name)}</h3>",
        f'<div class="endpoint"><span class="method post">POST</span><code>{esc(hook.target)}</code></div>',
        f'<p class="summary">{prose.inline(hook.summary)}</p>',
        f'<p class="meta">Mode {esc(hook.mode)}{" · vendor: " + vendor if vendor else ""}</p>',
        '<dl class="facts">',
        f"<dt>Sent to</dt><dd><code>{esc(hook.target)}</code>: {prose.inline(target)}</dd>",
        f"<dt>You reply</dt><dd>{reply}</dd>",
        f"<dt>On failure</dt><dd>{prose.inline(hook.failure_text) or 'The call is not routed.'}</dd>",
        f"<dt>Retries</dt><dd>{retries}</dd>",
        "</dl>",
        f'<div class="prose">{prose.to_html(hook.description)}</div>',
        conflict_note(hook.conflict),
        "<h4>Body fields</h4>",
        fields_table(hook.fields),
    ]
    if hook.rules:
        parts.append("<ul>" + "".join(f"<li>{prose.inline(r)}</li>" for r in hook.rules) + "</ul>")
    if hook.reply_fields:
        parts += ["<h4>The reply you owe</h4>", fields_table(hook.reply_fields)]
    parts.append("<h4>Examples</h4>")
    for example in hook.examples:
        kind = "Reply" if example.body is NO_BODY else "Push"
        value = example.reply if example.body is NO_BODY else example.body
        block = code_block(snippets.to_json(value), json=True)
        parts.append(_figure(f"{kind}: {example.name}", example.summary, block))
    parts.append("</section>")
    return "\n".join(parts)


def flow_figure(mode: ModeDoc, flow: CallFlow) -> str:
    return (
        f'<section class="entry flow" id="flow-{esc(mode.name.lower())}" data-search>'
        f"<h3>Call flow: an answered {esc(mode.name)} call</h3>"
        f'<p class="meta">What your phones and your server see, in order (times in UTC). '
        f"Generated from <code>{esc(flow.source)}</code>.</p>"
        f'<div class="diagram">{sequence.render(flow)}</div>'
        '<p class="scroll-hint muted">Scroll the diagram sideways to see your server.</p>'
        "</section>"
    )
