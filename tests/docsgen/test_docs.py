"""docsgen: the reference shows everything in the spec, links resolve, loads nothing from the network,
renders the same twice, and every request example it shows is accepted by the mock."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from pns_mock import docsgen, spec
from pns_mock.docsgen import prose, sequence, snippets
from pns_mock.docsgen.examples import default_fixtures
from pns_mock.docsgen.model import NO_BODY, OperationDoc, RequestExample
from pns_mock.docsgen.ui import Words
from pns_mock.mockserver.cli import main
from pns_mock.mockserver.config import Config, default_config
from pns_mock.mockserver.domain import PROBLEM_HEADER, IdFactory, PrivateNumber, auth
from pns_mock.mockserver.http import HttpResponse
from pns_mock.mockserver.platform import Platform
from pns_mock.mockserver.traffic import ActiveCall
from tests.mockserver.helpers import Client, make_engine

ROOT = Path(__file__).resolve().parents[2]
S = spec.load()
REF = docsgen.reference()
HTML = docsgen.render_html(REF)
MARKDOWN = docsgen.render_markdown(REF)


# What the reference shows


def test_public_api_is_pinned() -> None:
    assert docsgen.__all__ == [
        "FORMATS",
        "Reference",
        "build_reference",
        "reference",
        "render_html",
        "render_markdown",
        "site_folder",
        "write_site",
    ]


def test_examples_come_from_the_checkouts_fixtures() -> None:
    assert default_fixtures() == ROOT / "fixtures"
    assert REF.examples_source == "fixtures/"


@pytest.mark.parametrize("text", [HTML, MARKDOWN], ids=["html", "markdown"])
def test_every_operation_push_type_and_result_code_appears(text: str) -> None:
    for name in [*S.operations, *S.webhooks]:
        assert re.search(rf'id="(op|push)-{name}"', text), name
    for code in S.result_codes:
        assert f'id="rc-{code}"' in text, code
    for fmt in ("pns-created", "pns-datetime", "pns-sms-timestamp", "pns-subscribe-time"):
        assert f'id="ts-{fmt}"' in text, fmt


def test_every_mode_has_its_operations_pushes_and_a_call_flow() -> None:
    modes = {m.name: m for m in REF.modes}
    assert list(modes) == [t["name"] for t in S.document["tags"]]
    assert {op.operation_id for m in REF.modes for op in m.operations} == set(S.operations)
    assert {w.name for m in REF.modes for w in m.webhooks} == set(S.webhooks)
    assert all(m.flow is not None for name, m in modes.items() if name != "Common")


@pytest.mark.parametrize(
    ("text", "target"),
    [(HTML, r'href="#([^"]+)"'), (MARKDOWN, r"\]\(#([^)]+)\)")],
    ids=["html", "markdown"],
)
def test_internal_links_resolve_to_unique_ids(text: str, target: str) -> None:
    ids = re.findall(r' id="([^"]+)"', text)
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates
    missing = set(re.findall(target, text)) - set(ids)
    assert not missing


class _Urls(HTMLParser):
    """Every attribute holding an http(s) URL, and the text of <style> and <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.inline: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in = tag if tag in ("style", "script") else None
        self.urls += [(tag, k, v or "") for k, v in attrs if re.search(r"https?:", v or "")]
        assert tag not in ("link", "img", "iframe", "object", "embed"), f"<{tag}> loads a resource"

    def handle_data(self, data: str) -> None:
        if self._in:
            self.inline.append(data)


def test_html_loads_nothing_from_the_network() -> None:
    parser = _Urls()
    parser.feed(HTML)
    assert parser.urls, "the vendor links are there"
    assert {(tag, attr) for tag, attr, _ in parser.urls} == {("a", "href")}
    assert all("http" not in text and "@import" not in text for text in parser.inline)
    assert "default-src 'none'" in HTML, "the CSP blocks any outside resource"
    assert not re.search(r"\ssrc=", HTML)


def test_rendering_is_deterministic(tmp_path: Path) -> None:
    assert docsgen.render_html(docsgen.reference()) == HTML
    assert docsgen.render_markdown(docsgen.reference()) == MARKDOWN
    first = {p.name: p.read_bytes() for p in docsgen.write_site(tmp_path / "a", "markdown")}
    second = {p.name: p.read_bytes() for p in docsgen.write_site(tmp_path / "b", "markdown")}
    assert first == second


def test_spec_text_is_escaped() -> None:
    assert prose.to_html('<script>x</script> `<b>` **"bold"**') == (
        "<p>&lt;script&gt;x&lt;/script&gt; <code>&lt;b&gt;</code> <strong>&quot;bold&quot;</strong></p>"
    )
    assert prose.markdown("send <app_key> as `<app_key>`") == "send &lt;app_key&gt; as `<app_key>`"
    assert HTML.count("<script") == 1


def test_without_fixtures_the_spec_gives_the_same_operation_examples() -> None:
    fallback = docsgen.build_reference(S, None)
    assert fallback.examples_source == "the spec's media-type examples"
    for ours, theirs in zip(REF.operations, fallback.operations, strict=True):
        assert (ours.requests, ours.responses, ours.errors) == (
            theirs.requests,
            theirs.responses,
            theirs.errors,
        )
    assert all(m.flow is not None for m in fallback.modes if m.name != "Common")


def test_call_flow_diagram_is_well_formed_svg_naming_every_event() -> None:
    flow = next(m.flow for m in REF.modes if m.name == "AXB")
    assert flow is not None and flow.source == "fixtures/webhooks/callEventAxb/answered.json"
    svg = ElementTree.fromstring(sequence.render(flow, Words(), standalone=True))
    texts = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    for step in flow.steps:
        assert f"{step.webhook}: {step.event_type}" in texts
    assert f"POST {flow.cdr_webhook}" in texts
    assert "xmlns" not in sequence.render(flow, Words()), "inline SVG in HTML needs no namespace"


@pytest.mark.parametrize("scheme", REF.auth, ids=lambda a: a.name)
def test_auth_recipe_runs_and_gives_the_worked_example_and_the_mocks_digest(scheme: Any) -> None:
    namespace: dict[str, Any] = {}
    exec(scheme.recipe, namespace)  # the recipe asserts its own result
    worked = scheme.worked_examples[0]
    digest = auth.aksk_digest if scheme.name == "AKSK" else auth.wsse_digest
    assert namespace["password_digest"] == digest(worked.app_secret, worked.nonce, worked.created)
    assert namespace["headers"][scheme.token_header].startswith('UsernameToken Username="your-app-key"')


# The command line


@pytest.mark.parametrize(("fmt", "index"), [("html", "index.html"), ("markdown", "index.md")])
def test_docs_command_writes_the_site(tmp_path: Path, fmt: str, index: str) -> None:
    assert main(["docs", "--format", fmt, "--out", str(tmp_path)]) == 0
    assert (tmp_path / index).read_text(encoding="utf-8") == (HTML if fmt == "html" else MARKDOWN)
    if fmt == "markdown":
        assert (tmp_path / "call-flow-axb.svg").is_file()


def test_docs_command_runs_as_a_program_with_html_by_default(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pns_mock.mockserver", "docs", "--out", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    assert "index.html" in result.stdout


# Every request example shown is accepted by the mock

EXAMPLES = [(op, ex) for op in REF.operations for ex in op.requests]
# The shared operations run as the AXB demo application.
MODE_OF = {"common": "AXB"}
# The state an example refers to, made by earlier examples of its mode (operationId, example name)
# with some fields changed; the ids the examples use are handed out by the mock in order.
PREREQUISITES: dict[tuple[str, str], list[tuple[str, str, dict[str, Any]]]] = {
    ("queryAxbBinding", "request"): [("createAxbBinding", "withRelationNum", {})],
    ("modifyAxbBinding", "extendLifetime"): [("createAxbBinding", "withRelationNum", {})],
    ("modifyAxbBinding", "replaceB"): [("createAxbBinding", "withRelationNum", {})],
    ("deleteAxbBinding", "bySubscriptionId"): [("createAxbBinding", "withRelationNum", {})],
    ("queryAxBinding", "request"): [("createAxBinding", "withPrivateNum", {})],
    ("modifyAxBinding", "bySubscriptionId"): [("createAxBinding", "withPrivateNum", {})],
    ("modifyAxBinding", "byPrivateNum"): [("createAxBinding", "withPrivateNum", {})],
    ("setAxTemporaryCallee", "byPrivateNum"): [("createAxBinding", "withPrivateNum", {})],
    ("setAxTemporaryCallee", "bySubscriptionId"): [("createAxBinding", "withPrivateNum", {})],
    ("deleteAxBinding", "byPrivateNum"): [("createAxBinding", "withPrivateNum", {})],
    ("queryAxeBinding", "request"): [("createAxeBinding", "byAreaWithExtension", {})],
    ("queryAxeBindingV2", "request"): [("createAxeBinding", "givenX", {})],
    ("modifyAxeBinding", "extendLifetime"): [("createAxeBinding", "givenX", {})],
    ("modifyAxeBinding", "byNumberAndExtension"): [("createAxeBinding", "byAreaWithExtension", {})],
    ("deleteAxeBinding", "bySubscriptionId"): [("createAxeBinding", "givenX", {})],
    ("deleteAxeBinding", "byNumberAndExtension"): [("createAxeBinding", "byAreaWithExtension", {})],
    ("createAxybBinding", "ybStep"): [("createAxybBinding", "axStep", {})],
    ("queryAxybBinding", "request"): [("createAxybBinding", "axStep", {})],
    ("deleteAxybBinding", "wholeBinding"): [("createAxybBinding", "axStep", {})],
    # The Y it removes is the Y the yb step got: one of the application's numbers in Beijing.
    ("deleteAxybBinding", "oneYb"): [
        ("createAxybBinding", "axStep", {}),
        ("createAxybBinding", "ybStep", {"areaCode": "010"}),
    ],
}


def _record_the_recording(platform: Platform, app_key: str, example: RequestExample) -> None:
    platform.recordings.add(app_key, example.query["recordDomain"], example.query["fileName"], 60.0)


def _start_the_call(platform: Platform, app_key: str, example: RequestExample) -> None:
    platform.calls.started(ActiveCall(example.body["sessionid"], app_key, stop=lambda: None))


# State that no operation creates: a recording a finished call left, a call in progress.
PLATFORM_STATE: dict[str, Callable[[Platform, str, RequestExample], None]] = {
    "getRecordingDownloadUrl": _record_the_recording,
    "stopCall": _start_the_call,
}


class ExampleIds(IdFactory):
    """Hands out the subscription ids the examples show, in order, then random ones."""

    def __init__(self, ids: list[str]) -> None:
        super().__init__(seed=0)
        self._ids = ids

    def subscription_id(self) -> str:
        return self._ids.pop(0) if self._ids else super().subscription_id()


def _example(operation_id: str, name: str, changes: dict[str, Any]) -> RequestExample:
    op = next(o for o in REF.operations if o.operation_id == operation_id)
    example = next(e for e in op.requests if e.name == name)
    return (
        example if not changes else RequestExample(**{**vars(example), "body": {**example.body, **changes}})
    )


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def _accepted(response: HttpResponse) -> bool:
    if response.status == 301:
        return True
    return response.status == 200 and response.json()["resultcode"] == "0"


@pytest.mark.parametrize(
    ("op", "example"), EXAMPLES, ids=[f"{op.operation_id}/{ex.name}" for op, ex in EXAMPLES]
)
def test_every_request_example_in_the_docs_is_accepted_by_the_mock(
    op: OperationDoc, example: RequestExample
) -> None:
    config = default_config()
    seed_areas = {n.number: n.area_code for a in config.apps for n in a.numbers}
    app = next(a for a in config.apps if a.mode == MODE_OF.get(op.mode, op.mode))
    chain = [_example(*step) for step in PREREQUISITES.get((op.operation_id, example.name), [])] + [example]
    engine = make_engine(Config(settings=config.settings, apps=[app]))
    platform = engine.platform
    # X numbers of other demo applications that the examples use join this one, with their area.
    borrowed = dict.fromkeys(
        s for step in chain for s in _strings([step.query, step.body]) if s in seed_areas and not app.owns(s)
    )
    platform.add_numbers(app.app_key, [PrivateNumber(n, seed_areas[n]) for n in borrowed])
    shown_ids = [s for step in chain for s in _strings(step.body) if s == _subscription_id()]
    if platform.backend(app.app_key) is not None:
        platform.backend(app.app_key).ids = ExampleIds(list(dict.fromkeys(shown_ids)))
    if op.operation_id in PLATFORM_STATE:
        PLATFORM_STATE[op.operation_id](platform, app.app_key, example)
    client = Client(engine, app.app_key, app.app_secret)
    for step in chain:
        body = snippets.to_json(step.body).encode() if step.body is not NO_BODY else b""
        response = client.call(step.method, step.path, raw_query=step.query_string, body=body)
        assert _accepted(response), (
            f"{step.method} {step.target} ({step.name}) answered {response.status} {response.body!r}: "
            f"{response.header(PROBLEM_HEADER)}. If the example needs state, add its set-up to PREREQUISITES "
            "or PLATFORM_STATE; if it cannot work, fix the example in the spec."
        )


def _subscription_id() -> str:
    """The binding id the examples share: the one the AXB bind example answers with."""
    create = next(op for op in REF.operations if op.operation_id == "createAxbBinding")
    return str(create.responses[0].body["subscriptionId"])


# Rules and their vendor sources


@pytest.mark.parametrize("text", [HTML, MARKDOWN], ids=["html", "markdown"])
def test_every_rule_appears_with_its_vendor_page_and_section(text: str) -> None:
    for rule in S.rules.values():
        assert f"rule-{rule.id}" in text, rule.id
        assert rule.source.url in text, rule.id
        assert rule.source.section.split(" (")[0] in text, rule.id


def test_an_operation_shows_its_rules_next_to_their_sources() -> None:
    start = HTML.index('id="op-createAxeBinding"')
    entry = HTML[start : HTML.index("</section>", start)]
    rule = S.rules["axe.one-extension-per-a"]
    assert "Rules and their vendor sources" in entry
    item = entry[entry.index('href="#rule-axe.one-extension-per-a"') :]
    item = item[: item.index("</li>")]
    assert f'href="{rule.source.url}"' in item and "privatenumber_02_0021" in item
    md = MARKDOWN[MARKDOWN.index("### createAxeBinding") :]
    md = md[: md.index("\n### ", 10)]
    assert "[`axe.lifetime-order`](#rule-axe.lifetime-order)" in md
    assert S.rules["axe.lifetime-order"].source.url in md


@pytest.mark.parametrize("text", [HTML, MARKDOWN], ids=["html", "markdown"])
def test_the_catalogue_shows_each_codes_handling_class_and_explains_every_class(text: str) -> None:
    for name, what in spec.HANDLING_CLASSES.items():
        assert what.replace("'", "&#x27;") in text or what in text, name
    for rc in S.result_codes.values():
        row = text[text.index(f'id="rc-{rc.code}"') :][:6000]
        row = row[: row.find("</tr>")] if "</tr>" in row else row.split("\n", 1)[0]
        assert rc.handling_class in row, rc.code
    assert ">Retry<" not in text and "| Retry |" not in text


@pytest.mark.parametrize("text", [HTML, MARKDOWN], ids=["html", "markdown"])
def test_each_operations_own_codes_show_their_handling_class(text: str) -> None:
    op = S.operations["createAxbBinding"]
    section = re.split(r'id="op-', text.split('id="op-createAxbBinding"', 1)[1], maxsplit=1)[0]
    rows = section.split("</tr>") if "<tr" in section else section.split("\n")
    for code in op.specific_codes:
        # the code's row in the operation's code table (its rules list may link the code too)
        cls = S.result_codes[code].handling_class
        rows_of_code = [r for r in rows if f"#rc-{code}" in r]
        assert rows_of_code, code
        assert any(f"{cls}</strong>" in r or f"**{cls}**" in r for r in rows_of_code), code


@pytest.mark.parametrize("code", [c for c, rc in S.result_codes.items() if rc.reason or rc.placeholder])
def test_codes_with_a_reason_or_a_placeholder_show_the_text_as_sent(code: str) -> None:
    sent = S.result_codes[code].example_body()["resultdesc"]
    assert sent != S.result_codes[code].text
    assert f"as sent, e.g.: {sent}" in MARKDOWN
    assert f"as sent, e.g.: {sent}" in HTML
