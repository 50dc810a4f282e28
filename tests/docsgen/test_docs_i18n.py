"""The reference in Chinese: every page word and spec text in zh-CN, a language switch, both formats."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pns_mock import docsgen, spec
from pns_mock.docsgen import build
from pns_mock.docsgen.ui import Words
from pns_mock.mockserver.cli import main

ROOT = Path(__file__).resolve().parents[2]
EN, ZH = spec.load(), spec.load("zh-CN")
REF_ZH = docsgen.reference(lang="zh-CN")
HTML_ZH = docsgen.render_html(REF_ZH)
MARKDOWN_ZH = docsgen.render_markdown(REF_ZH)
HTML_EN = docsgen.render_html(docsgen.reference())
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _page_words() -> list[str]:
    """Every phrase the renderers pass to `w(...)`, plus the ones they pass as data."""
    phrases: list[str] = []
    for source in sorted((ROOT / "docsgen").glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
                continue
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if name == "w" and isinstance(node.args[0].value, str):
                phrases.append(node.args[0].value)
    phrases += [title for _, title in build._CAUSE_TABLES]
    phrases += list(spec.HANDLING_CLASSES.values())  # the handling-class legend: w(what)
    phrases += ["fixtures/", "the spec's media-type examples"]
    return list(dict.fromkeys(phrases))


def test_every_page_word_has_a_chinese_form_with_the_same_placeholders() -> None:
    words = Words("zh-CN")
    phrases = _page_words()
    assert len(phrases) > 100
    assert not words.missing(phrases), "add these to docsgen/assets/ui.zh-CN.yaml: " + repr(
        words.missing(phrases)
    )
    for phrase in phrases:
        chinese = words(phrase)
        assert chinese != phrase or phrase == "HTTP", phrase
        assert set(re.findall(r"\{\w+\}", chinese)) == set(re.findall(r"\{\w+\}", phrase)), phrase


def test_english_stays_the_default_and_reads_no_translation() -> None:
    assert docsgen.reference().lang == "en"
    assert '<html lang="en">' in HTML_EN and not _CJK.search(Words()("Result codes"))


def test_the_chinese_page_declares_its_language_and_shows_the_chinese_texts() -> None:
    assert '<html lang="zh-CN">' in HTML_ZH
    assert ">返回码</h2>" in HTML_ZH and ">鉴权</h2>" in HTML_ZH
    for op in ZH.operations.values():
        assert _escaped(op.raw["summary"].split("`")[0]) in HTML_ZH, op.operation_id
        assert _escaped(EN.operations[op.operation_id].raw["summary"]) not in HTML_ZH
    for hook in ZH.webhooks.values():
        assert _escaped(hook.raw["summary"]) in HTML_ZH, hook.name
    for rc in ZH.result_codes.values():
        assert _escaped(rc.meaning.split("`")[0].strip()) in HTML_ZH, rc.code
        assert _escaped(rc.handling.split("`")[0].strip()) in HTML_ZH, rc.code
    note = ZH.conflicts()[0]
    assert _escaped(note.accepted.split("`")[0].strip()) in HTML_ZH
    assert "最多重推 6 次" in HTML_ZH, "the retry schedule"
    assert "拨打" in HTML_ZH and "振铃" in HTML_ZH, "the call-flow diagram"


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


@pytest.mark.parametrize(
    ("text", "target"),
    [(HTML_ZH, r'href="#([^"]+)"'), (MARKDOWN_ZH, r"\]\(#([^)]+)\)")],
    ids=["html", "markdown"],
)
def test_internal_links_of_the_chinese_reference_resolve(text: str, target: str) -> None:
    ids = re.findall(r' id="([^"]+)"', text)
    assert len(ids) == len(set(ids))
    assert not set(re.findall(target, text)) - set(ids)


def test_the_language_switch_links_the_two_sites_both_ways(tmp_path: Path) -> None:
    for lang in ("en", "zh-CN"):
        for fmt in docsgen.FORMATS:
            docsgen.write_site(tmp_path / fmt, fmt, lang=lang)
    english, chinese = tmp_path / "html" / "index.html", tmp_path / "html" / "zh-CN" / "index.html"
    assert 'href="zh-CN/index.html" hreflang="zh-CN"' in english.read_text(encoding="utf-8")
    assert 'href="../index.html" hreflang="en"' in chinese.read_text(encoding="utf-8")
    assert (english.parent / "zh-CN" / "index.html").resolve() == chinese.resolve()
    md_en = (tmp_path / "markdown" / "index.md").read_text(encoding="utf-8")
    md_zh = (tmp_path / "markdown" / "zh-CN" / "index.md").read_text(encoding="utf-8")
    assert "[简体中文](zh-CN/index.md)" in md_en and "[English](../index.md)" in md_zh


def test_the_chinese_markdown_has_chinese_headings_tables_and_diagrams(tmp_path: Path) -> None:
    written = docsgen.write_site(tmp_path, "markdown", lang="zh-CN")
    assert {p.parent for p in written} == {tmp_path / "zh-CN"}
    assert (
        "## 返回码" in MARKDOWN_ZH
        and "| 返回码 | HTTP | resultdesc | 含义 | 处理建议 | 处理类别 |" in MARKDOWN_ZH
        and "## 规则及其来源" in MARKDOWN_ZH
    )
    assert "#### 参数" in MARKDOWN_ZH and "| 字段 | 类型 | 必选 | 说明 |" in MARKDOWN_ZH
    svg = (tmp_path / "zh-CN" / "call-flow-axb.svg").read_text(encoding="utf-8")
    assert "主叫" in svg and "您的服务器" in svg


def test_docs_command_takes_the_language(tmp_path: Path) -> None:
    assert main(["docs", "--lang", "zh-CN", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "zh-CN" / "index.html").read_text(encoding="utf-8") == HTML_ZH
    assert main(["docs", "--lang", "en", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "index.html").read_text(encoding="utf-8") == HTML_EN
    with pytest.raises(SystemExit):
        main(["docs", "--lang", "fr", "--out", str(tmp_path)])


def test_a_line_break_inside_chinese_prose_adds_no_space_but_one_inside_english_does() -> None:
    from pns_mock.docsgen import prose

    assert (
        prose.to_html("绑定成功后\n返回 `subscriptionId`。")
        == "<p>绑定成功后返回 <code>subscriptionId</code>。</p>"
    )
    assert prose.to_html("Binding\ncreated.") == "<p>Binding created.</p>"
    assert (
        prose.markdown_cell("AXB 模式的\n绑定。\nthen  English\nwords")
        == "AXB 模式的绑定。then English words"
    )
