"""A call flow as an inline SVG sequence diagram: the phones, the platform, and the customer's server.

Styles are presentation attributes, so the same SVG works inline in the HTML and as a file next to
the Markdown. No ids: several diagrams share one page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from html import escape

from .model import NO_BODY, CallFlow, FlowStep
from .ui import Words

LANE = 150
LEFT = 62  # the time column
ROW = 30
TOP = 74
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
INK, MUTED, PHONE, PUSH = "#111827", "#64748b", "#0f766e", "#1d4ed8"

SVG_NS = ' xmlns="http://www.w3.org/2000/svg"'  # inline SVG in HTML needs none
CALLER, PLATFORM, CALLEE, SERVER = range(4)


@dataclass(frozen=True)
class Row:
    time: str
    source: int
    target: int
    label: str
    color: str
    dashed: bool = False
    note: bool = False


def rows(flow: CallFlow, w: Words) -> list[Row]:
    out: list[Row] = []
    answered_at: str | None = None
    for step in flow.steps:
        time = step.timestamp[11:]
        phone = _phone_row(step, time, answered_at, w)
        if step.event_type == "answer":
            answered_at = step.timestamp
        if phone is not None:
            out.append(phone)
        out.append(
            Row("" if phone else time, PLATFORM, SERVER, f"POST {step.webhook}: {step.event_type}", PUSH)
        )
        out.append(Row("", SERVER, PLATFORM, _reply_label(step.reply, w), MUTED, dashed=True))
    cdr = w("POST {webhook}: the CDR (eventType fee)", webhook=flow.cdr_webhook)
    out.append(Row("", PLATFORM, SERVER, cdr, PUSH))
    out.append(Row("", SERVER, PLATFORM, w("200, empty body"), MUTED, dashed=True))
    return out


def _phone_row(step: FlowStep, time: str, answered_at: str | None, w: Words) -> Row | None:
    kind = step.event_type
    if kind == "callin":
        return Row(time, CALLER, PLATFORM, w("dials {number}", number=step.called), PHONE)
    if kind == "collectInfo":
        return Row(
            time, CALLER, PLATFORM, w("keys the extension {digits}", digits=step.digits).strip(), PHONE
        )
    if kind == "callout":
        return Row(time, PLATFORM, CALLEE, w("calls {number}", number=step.called), PHONE)
    if kind == "alerting":
        return Row(time, CALLEE, PLATFORM, w("rings"), PHONE)
    if kind == "answer":
        return Row(time, CALLEE, PLATFORM, w("answers"), PHONE)
    if kind == "disconnect":
        label = (
            w(
                "hang-up after {seconds} s of talk: stateCode {code}",
                seconds=_seconds(answered_at, step.timestamp),
                code=step.state_code,
            )
            if answered_at
            else w("hang-up: stateCode {code}", code=step.state_code)
        )
        return Row(time, CALLER, CALLEE, label, INK, note=True)
    return None


def _seconds(start: str, end: str) -> int:
    fmt = "%Y-%m-%d %H:%M:%S"
    return int((datetime.strptime(end, fmt) - datetime.strptime(start, fmt)).total_seconds())


def _reply_label(reply: object, w: Words) -> str:
    if reply is NO_BODY:
        return w("200, empty body")
    operation = reply.get("operation") if isinstance(reply, dict) else None
    text = f"operation {operation}" if operation else json.dumps(reply, ensure_ascii=False)[:40]
    return w("200 with the routing reply: {text}", text=text)


def _x(lane: int) -> int:
    return LEFT + LANE * lane + LANE // 2


def render(flow: CallFlow, w: Words, *, standalone: bool = False) -> str:
    """The diagram; `standalone` adds the XML namespace a separate .svg file needs."""
    first = flow.steps[0] if flow.steps else None
    callee = next((s.called for s in flow.steps if s.event_type == "callout"), "")
    heads = [
        (w("Caller"), first.caller if first else ""),
        (w("PNS platform"), f"X {first.called}" if first else ""),
        (w("Callee"), callee),
        (w("Your server"), w("callback URLs")),
    ]
    body = rows(flow, w)
    height = TOP + ROW * len(body) + 16
    width = LEFT + LANE * 4
    title = w(
        "{mode} call flow ({outcome}), from {source}",
        mode=flow.mode,
        outcome=flow.outcome,
        source=flow.source,
    )
    parts = [
        f'<svg{SVG_NS if standalone else ""} viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" font-family="{escape(FONT)}" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for lane, (name, detail) in enumerate(heads):
        x = _x(lane)
        parts += [
            f'<line x1="{x}" y1="50" x2="{x}" y2="{height - 8}" stroke="#cbd5e1" stroke-dasharray="4 4"/>',
            f'<rect x="{x - 70}" y="8" width="140" height="42" rx="6" fill="#eef2f7" stroke="#94a3b8"/>',
            _text(x, 26, name, INK, ' font-weight="600"'),
            _text(x, 42, detail, MUTED, ' font-size="11"'),
        ]
    for index, row in enumerate(body):
        parts += _draw(row, TOP + ROW * index + ROW // 2)
    parts.append("</svg>")
    return "\n".join(parts)


def _draw(row: Row, y: int) -> list[str]:
    out = []
    if row.time:
        out.append(f'<text x="6" y="{y + 4}" font-size="11" fill="{MUTED}">{escape(row.time)}</text>')
    x1, x2 = _x(row.source), _x(row.target)
    if row.note:
        out += [
            f'<rect x="{x1 - 60}" y="{y - 11}" width="{x2 - x1 + 120}" height="22" rx="4" '
            'fill="#fff7ed" stroke="#fdba74"/>',
            _text((x1 + x2) // 2, y + 4, row.label, INK),
        ]
        return out
    tip = 8 if x2 > x1 else -8
    dash = ' stroke-dasharray="5 4"' if row.dashed else ""
    out += [
        f'<line x1="{x1}" y1="{y + 6}" x2="{x2 - tip}" y2="{y + 6}" stroke="{row.color}" '
        f'stroke-width="1.5"{dash}/>',
        f'<polygon points="{x2},{y + 6} {x2 - tip},{y + 2} {x2 - tip},{y + 10}" fill="{row.color}"/>',
        _text((x1 + x2) // 2, y, row.label, row.color),
    ]
    return out


def _text(x: int, y: int, text: str, color: str, extra: str = "") -> str:
    return f'<text x="{x}" y="{y}" text-anchor="middle" fill="{color}"{extra}>{escape(text)}</text>'
