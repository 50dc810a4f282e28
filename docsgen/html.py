"""The reference as one self-contained HTML page: CSS and JS inline, diagrams as inline SVG.

The Content-Security-Policy forbids every outside resource, so the page cannot reach a CDN even by
mistake, and works offline; only the links to the vendor's pages point outside.
"""

from __future__ import annotations

from collections import Counter
from importlib import resources

from pns_mock.spec import HANDLING_CLASSES

from . import prose, snippets
from .html_entries import flow_figure, operation, source_link, webhook
from .htmlparts import cell, code_block, conflict_note, esc, link, table
from .model import Field, OperationDoc, Reference, WebhookDoc
from .ui import ENGLISH

# The languages a site is rendered in, with the name each calls itself: the language switch.
LANGUAGES = ((ENGLISH, "English"), ("zh-CN", "简体中文"))

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def asset(name: str) -> str:
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def render_html(ref: Reference) -> str:
    body = "\n".join(
        [
            _overview(ref),
            _auth(ref),
            _timestamps(ref),
            *(_mode(ref, i) for i in range(len(ref.modes))),
            _delivery(ref),
            _rules(ref),
            _result_codes(ref),
            *(_cause_table(ref, i) for i in range(len(ref.cause_tables))),
        ]
    )
    w = ref.w
    return f"""<!DOCTYPE html>
<html lang="{esc(ref.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="generator" content="pns-mock docs">
<title>{esc(w("{title} reference", title=ref.title))}</title>
<style>
{asset("site.css")}</style>
</head>
<body>
<header class="topbar">
<a class="brand" href="#overview">{esc(w("PNS reference"))} <small>v{esc(ref.version)}</small></a>
{language_switch(ref)}
<div class="search" role="search">
<input id="search" type="search" placeholder="{esc(w("Search: operation, field, result code…"))}"
 aria-label="{esc(w("Search this page"))}" autocomplete="off" spellcheck="false">
<output id="search-status" for="search" aria-live="polite"></output>
</div>
</header>
<div class="layout">
{_nav(ref)}
<main id="content">
{body}
</main>
</div>
<script>
{asset("search.js")}</script>
</body>
</html>
"""


def language_switch(ref: Reference) -> str:
    """Links to the same page in the other languages (`site/` holds English, `site/<lang>/` the others)."""
    links = []
    for lang, label in LANGUAGES:
        if lang == ref.lang:
            links.append(f'<strong lang="{esc(lang)}">{esc(label)}</strong>')
            continue
        up = "" if ref.lang == ENGLISH else "../"
        href = f"{up}index.html" if lang == ENGLISH else f"{up}{lang}/index.html"
        links.append(f'<a href="{esc(href)}" hreflang="{esc(lang)}" lang="{esc(lang)}">{esc(label)}</a>')
    return f'<nav class="lang" aria-label="Language">{" · ".join(links)}</nav>'


def _nav(ref: Reference) -> str:
    w = ref.w

    def item(anchor: str, text: str, cls: str = "") -> str:
        klass = f' class="{cls}"' if cls else ""
        return f'<li{klass}><a href="#{esc(anchor)}">{esc(text)}</a></li>'

    items = [
        item("overview", w("Overview")),
        item("auth", w("Authentication")),
        item("timestamps", w("Timestamps")),
    ]
    for mode in ref.modes:
        sub = [item(f"op-{op.operation_id}", op.operation_id) for op in mode.operations]
        sub += [item(f"push-{hook.name}", w("{name} (push)", name=hook.name)) for hook in mode.webhooks]
        if mode.flow is not None:
            sub.append(item(f"flow-{mode.name.lower()}", w("Call flow diagram")))
        items.append(
            f'<li class="group"><a href="#{esc(mode.anchor)}">{esc(mode_title(ref, mode.name))}</a>'
            f"<ul>{''.join(sub)}</ul></li>"
        )
    items += [
        item("delivery", w("Push delivery and retries"), "group"),
        item("rules", w("Rules and their sources"), "group"),
        item("result-codes", w("Result codes"), "group"),
    ]
    items += [item(t.anchor, w(t.title).split(" (")[0]) for t in ref.cause_tables]
    return (
        f'<nav class="toc" aria-label="{esc(w("Contents"))}"><details><summary>{esc(w("Contents"))}</summary>'
        f"<ul>{''.join(items)}</ul></details></nav>"
    )


def mode_title(ref: Reference, name: str) -> str:
    return ref.w("Shared by all modes") if name == "Common" else ref.w("{name} mode", name=name)


def _overview(ref: Reference) -> str:
    w = ref.w
    servers = "".join(f"<li><code>{esc(url)}</code>: {prose.inline(text)}</li>" for url, text in ref.servers)
    counts = w(
        "{operations} operations, {pushes} push types, {codes} result codes",
        operations=len(ref.operations),
        pushes=len(ref.webhooks),
        codes=len(ref.result_codes),
    )
    about = w(
        "Generated by `pns-mock docs` from the OpenAPI spec alone. Request and response examples come "
        "from {source}; the pns-mock test suite sends every request example shown here to the mock and "
        "checks it is accepted. Where the vendor's own pages disagree, a highlighted note says what is "
        "accepted and why. Press `/` to search.",
        source=w(ref.examples_source),
    )
    return f"""<section id="overview" data-group>
<div data-search>
<h1>{esc(ref.title)}</h1>
<p class="lead">{esc(w("Version {version}", version=ref.version))} · {esc(counts)} · \
{link(ref.vendor_doc, w("vendor documentation"))}</p>
<div class="prose">{prose.to_html(ref.overview)}</div>
<h4>{esc(w("Base URLs"))}</h4><ul>{servers}</ul>
<h4>{esc(w("About this reference"))}</h4>
<p>{prose.inline(about)}</p>
</div>
</section>"""


def _auth(ref: Reference) -> str:
    w = ref.w
    parts = [
        f'<section id="auth" data-group><h2>{esc(w("Authentication"))}</h2>',
        "<p>"
        + prose.inline(
            w(
                "Every request, and every push the platform sends you, carries two headers: a fixed "
                "`Authorization` value naming the scheme, and a token header with your app_key, a fresh "
                "nonce, the time and a digest over them."
            )
        )
        + "</p>",
    ]
    for scheme in ref.auth:
        worked = "".join(
            "<tr>"
            + cell("app_secret", f"<code>{esc(x.app_secret)}</code>")
            + cell("Nonce", f"<code>{esc(x.nonce)}</code>")
            + cell("Created", f"<code>{esc(x.created)}</code>")
            + cell("PasswordDigest", f"<code>{esc(x.password_digest)}</code>")
            + "</tr>"
            for x in scheme.worked_examples
        )
        parts += [
            f'<div class="entry" id="auth-{esc(scheme.name.lower())}" data-search>',
            f"<h3>{esc(scheme.name)}</h3>",
            '<dl class="facts">',
            f"<dt>Authorization</dt><dd><code>{esc(scheme.authorization)}</code></dd>",
            f"<dt>{esc(w('Token header'))}</dt><dd><code>{esc(scheme.token_header)}</code></dd>",
            f"<dt>{esc(w('Digest'))}</dt><dd><code>{esc(scheme.digest)}</code></dd>",
            "</dl>",
            f'<div class="prose">{prose.to_html(scheme.description)}</div>',
            f"<h4>{esc(w('Worked example'))}</h4>",
            table(("app_secret", "Nonce", "Created", "PasswordDigest"), [worked]),
        ]
        if scheme.recipe:
            parts += [f"<h4>{esc(w('Recipe (Python)'))}</h4>", code_block(scheme.recipe)]
        parts.append("</div>")
    parts.append("</section>")
    return "\n".join(parts)


def _timestamps(ref: Reference) -> str:
    w = ref.w
    entries: list[OperationDoc | WebhookDoc] = [*ref.operations, *ref.webhooks]
    uses = Counter(f.timestamp_format for entry in entries for f in _all_fields(entry))
    heads = (w("Format"), w("Example"), w("Pattern"), w("Description"))
    rows = [
        f'<tr id="ts-{esc(t.format)}" data-search>'
        + cell(heads[0], f"<code>{esc(t.format)}</code><br><span class='muted'>{esc(t.schema)}</span>")
        + cell(heads[1], "<br>".join(f"<code>{esc(e)}</code>" for e in t.examples))
        + cell(heads[2], f"<code>{esc(t.pattern)}</code>")
        + cell(
            heads[3],
            prose.to_html(t.description)
            + (
                f'<p class="muted">{esc(w("Used by {n} fields in this reference.", n=uses[t.format]))}</p>'
                if uses[t.format]
                else ""
            )
            + conflict_note(t.conflict, w, folded=True),
        )
        + "</tr>"
        for t in ref.timestamps
    ]
    intro = w(
        "The API writes times in four different formats. Every field in this reference that uses one "
        "links to its row here."
    )
    return (
        f'<section id="timestamps" data-group><h2>{esc(w("Timestamps"))}</h2>'
        f"<p>{esc(intro)}</p>" + table(heads, rows) + "</section>"
    )


def _all_fields(entry: OperationDoc | WebhookDoc) -> tuple[Field, ...]:
    if isinstance(entry, OperationDoc):
        return (*entry.parameters, *entry.body_fields, *entry.reply_fields)
    return (*entry.fields, *entry.reply_fields)


def _mode(ref: Reference, index: int) -> str:
    w = ref.w
    mode = ref.modes[index]
    counts = w(
        "{operations} operations, {pushes} push types.",
        operations=len(mode.operations),
        pushes=len(mode.webhooks),
    )
    parts = [
        f'<section id="{esc(mode.anchor)}" data-group>',
        f"<h2>{esc(mode_title(ref, mode.name))}</h2>",
        f'<div data-search><p class="lead">{prose.inline(mode.description)}</p>',
        f"<p>{esc(counts)}</p></div>",
    ]
    if mode.flow is not None:
        parts.append(flow_figure(mode, mode.flow, w))
    parts += [operation(op, ref) for op in mode.operations]
    parts += [webhook(hook, ref) for hook in mode.webhooks]
    parts.append("</section>")
    return "\n".join(parts)


def _delivery(ref: Reference) -> str:
    w = ref.w
    d = ref.delivery
    attempts = "".join(
        f"<li>{esc(w('retry {i}: +{m} min', i=i, m=m))}</li>" for i, m in enumerate(d.retry_minutes, 1)
    )
    targets = "".join(f"<li><code>{esc(k)}</code>: {prose.inline(v)}</li>" for k, v in d.targets)
    not_retried = ", ".join(f'<a href="#push-{esc(n)}">{esc(n)}</a>' for n in d.not_retried)
    signed = w("signed like your requests")
    return f"""<section id="delivery" data-group><h2>{esc(w("Push delivery and retries"))}</h2>
<div class="entry" data-search>
<dl class="facts">
<dt>{esc(w("Request"))}</dt><dd><code>{esc(d.method)}</code>, \
<code>Content-Type: {esc(d.content_type)}</code>,
{esc(signed)} (<a href="#auth">{esc(w("Authentication"))}</a>)</dd>
<dt>{esc(w("Delivered when"))}</dt><dd>{esc(w("you answer HTTP {status}", status=d.success_status))}</dd>
<dt>{esc(w("Schedule"))}</dt><dd>{esc(snippets.retry_schedule(d, w))}<ol>{attempts}</ol>\
{prose.inline(d.retry_note)}</dd>
<dt>{esc(w("Never re-sent"))}</dt><dd>{not_retried or esc(w("none"))}</dd>
<dt>{esc(w("Reply timeout"))}</dt><dd>{prose.inline(d.reply_timeout_note)}</dd>
</dl>
<h4>{esc(w("Where pushes go (console settings)"))}</h4><ul>{targets}</ul>
{conflict_note(d.conflict, w)}
</div></section>"""


def _rules(ref: Reference) -> str:
    w = ref.w
    heads = (w("Rule"), w("What the platform does"), w("Code"), w("Applies to"), w("Vendor source"))
    rows = [
        f'<tr id="rule-{esc(r.id)}" data-search>'
        + cell(heads[0], f"<code>{esc(r.id)}</code>")
        + cell(heads[1], prose.inline(r.summary))
        + cell(heads[2], f'<a href="#rc-{esc(r.code)}"><code>{esc(r.code)}</code></a>' if r.code else "—")
        + cell(
            heads[3],
            ", ".join(f'<a href="#op-{esc(o)}">{esc(o)}</a>' for o in r.operations)
            + (
                f"<br><span class='muted'>{esc(w('server setting'))} <code>{esc(r.setting)}</code></span>"
                if r.setting
                else ""
            ),
        )
        + cell(heads[4], source_link(r.source))
        + "</tr>"
        for r in ref.rules
    ]
    intro = w(
        "Every business rule the mock enforces, with the vendor page and section it comes from "
        "(`x-pns-rules` in the spec). A refusal names its rule in `X-PNS-Mock-Problem` as `[rule: id]`."
    )
    return (
        f'<section id="rules" data-group><h2>{esc(w("Rules and their sources"))}</h2>'
        f"<p>{prose.inline(intro)}</p>" + table(heads, rows) + "</section>"
    )


def _result_codes(ref: Reference) -> str:
    w = ref.w
    used: dict[str, list[str]] = {}
    for op in ref.operations:
        for code in op.specific_codes:
            used.setdefault(code, []).append(op.operation_id)
    heads = (w("Code"), "HTTP", "resultdesc", w("Meaning"), w("Handling"), w("Class"))
    rows = []
    for rc in ref.result_codes:
        if rc.scope == "common":
            where = esc(w("every operation"))
        else:
            where = ", ".join(f'<a href="#op-{esc(o)}">{esc(o)}</a>' for o in used.get(rc.code, ())) or "—"
        also = "".join(
            f"<br><span class='muted'>{esc(w('also: {text}', text=t))}</span>" for t in rc.alternative_texts
        )
        sent = rc.example_body()["resultdesc"]  # a reason appended, a placeholder filled
        if sent != rc.text:
            also += f"<br><span class='muted'>{esc(w('as sent, e.g.: {text}', text=sent))}</span>"
        trigger = f"<p><em>{esc(w('Trigger:'))}</em> {prose.inline(rc.trigger)}</p>" if rc.trigger else ""
        rows.append(
            f'<tr id="rc-{esc(rc.code)}" data-search>'
            + cell(heads[0], f"<code>{esc(rc.code)}</code><br><span class='muted'>{esc(rc.family)}</span>")
            + cell("HTTP", esc(rc.http_status))
            + cell("resultdesc", esc(rc.text) + also)
            + cell(
                heads[3],
                prose.to_html(rc.meaning)
                + trigger
                + f"<p class='muted'>{w('Returned by {where}.', where=where)}</p>"
                + conflict_note(rc.conflict, w, folded=True),
            )
            + cell(heads[4], prose.to_html(rc.handling))
            + cell(
                heads[5],
                f"<strong>{esc(rc.handling_class)}</strong><br>{prose.inline(rc.handling_reason)}",
            )
            + "</tr>"
        )
    intro = w(
        'Every reply carries `resultcode` as a **string**; `"0"` is success. Decide on `resultcode`, '
        "not on the HTTP status or the text. Each code has one handling class: what your client "
        "does next. Only **transient** codes may succeed when the same request is sent again later, "
        "unchanged."
    )
    return (
        f'<section id="result-codes" data-group><h2>{esc(w("Result codes"))}</h2>'
        f"<p>{prose.inline(intro)}</p>"
        + table(
            (w("Class"), w("What the client does")),
            [
                "<tr>"
                + cell(w("Class"), f"<strong>{esc(name)}</strong>")
                + cell(w("What the client does"), esc(w(what)))
                + "</tr>"
                for name, what in HANDLING_CLASSES.items()
            ],
        )
        + table(heads, rows)
        + "</section>"
    )


def _cause_table(ref: Reference, index: int) -> str:
    w = ref.w
    t = ref.cause_tables[index]
    heads = (w("Code"), w("Meaning"), w("Category"))
    rows = [
        "<tr data-search>"
        + cell(heads[0], f"<code>{esc(r.code)}</code>")
        + cell(heads[1], esc(r.text))
        + cell(heads[2], esc(r.category))
        + "</tr>"
        for r in t.rows
    ]
    return (
        f'<section id="{esc(t.anchor)}" data-group><h2>{prose.inline(w(t.title))}</h2>'
        + table(heads, rows)
        + "</section>"
    )
