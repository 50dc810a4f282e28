"""The zh-CN site in headless Chromium: it loads cleanly and its Chinese text renders with CJK glyphs.

How the glyphs are checked (two independent ways):
* DevTools `CSS.getPlatformFontsForNode` names the system fonts that drew a heading's text; a CJK
  face (Noto Sans CJK, installed by scripts/setup.sh as Debian's fonts-noto-cjk) must have drawn it.
* A canvas measures, in the page's own font, a string of Chinese characters and a string of the
  same length of a code point no font has (U+10FFFE): missing glyphs all draw as the same "tofu"
  box, so the two widths are equal exactly when the Chinese glyphs are missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pns_mock import spec
from pns_mock.docsgen import write_site
from tests.docsgen.test_site_in_browser import Page, browse

ZH = spec.load("zh-CN")
CJK_SAMPLE = "绑定解绑话单呼叫事件录音下载隐私号主叫被叫分机号鉴权推送"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    write_site(out, "html")
    write_site(out, "html", lang="zh-CN")
    return out / "zh-CN" / "index.html"


@pytest.fixture(scope="module")
def page(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    yield from browse(site, tmp_path_factory)


def test_the_chinese_page_loads_without_console_errors(page: Page) -> None:
    assert page.js("document.documentElement.lang") == "zh-CN"
    assert page.js("document.title").endswith("参考")
    assert page.errors() == []


def test_chinese_headings_are_drawn_by_a_cjk_font(page: Page) -> None:
    page.send("DOM.enable")
    page.send("CSS.enable")
    root = page.send("DOM.getDocument")["root"]["nodeId"]
    node = page.send("DOM.querySelector", nodeId=root, selector="#result-codes h2")["nodeId"]
    assert page.js("document.querySelector('#result-codes h2').textContent") == "返回码"
    fonts = page.send("CSS.getPlatformFontsForNode", nodeId=node)["fonts"]
    cjk = [f for f in fonts if "CJK" in f["familyName"] or "Han" in f["familyName"]]
    assert cjk, f"no CJK font drew the heading (scripts/setup.sh installs fonts-noto-cjk): {fonts}"
    assert sum(f["glyphCount"] for f in cjk) == len("返回码")


def test_chinese_text_is_wider_than_tofu_in_the_pages_own_font(page: Page) -> None:
    widths = page.js(
        "(() => { const c = document.createElement('canvas').getContext('2d');"
        " c.font = getComputedStyle(document.body).font;"
        f" const cjk = '{CJK_SAMPLE}';"
        " const tofu = String.fromCodePoint(0x10FFFE).repeat([...cjk].length);"
        " return [c.measureText(cjk).width, c.measureText(tofu).width, c.measureText('A').width]; })()"
    )
    cjk, tofu, latin = widths
    assert cjk != tofu, f"Chinese characters draw as missing-glyph boxes: {widths}"
    assert cjk / len(CJK_SAMPLE) > latin, "a CJK glyph is wider than a Latin letter"


def test_every_link_and_operation_is_on_the_chinese_page(page: Page) -> None:
    ids = set(page.js("[...document.querySelectorAll('[id]')].map(e => e.id)"))
    assert {f"op-{o}" for o in ZH.operations} <= ids
    assert {f"push-{w}" for w in ZH.webhooks} <= ids
    missing = page.js(
        "[...document.querySelectorAll('a[href^=\"#\"]')].map(a => a.getAttribute('href'))"
        ".filter(h => !document.getElementById(decodeURIComponent(h.slice(1))))"
    )
    assert missing == []
    summary = page.js("document.querySelector('#op-createAxbBinding .summary').textContent")
    assert summary == ZH.operations["createAxbBinding"].raw["summary"]


def test_the_search_box_finds_chinese_words(page: Page) -> None:
    search = (
        "(q => { const box = document.getElementById('search'); box.value = q;"
        " box.dispatchEvent(new Event('input'));"
        " const shown = id => !document.getElementById(id).closest('[hidden]');"
        " return {stop: shown('op-stopCall'), bind: shown('op-createAxbBinding'),"
        " status: document.getElementById('search-status').value}; })"
    )
    found = page.js(f"{search}('终止呼叫接口')")
    assert found["stop"] and not found["bind"], found
    assert found["status"]
    cleared = page.js(f"{search}('')")
    assert cleared["stop"] and cleared["bind"] and cleared["status"] == ""
    assert page.errors() == []


def test_screenshots_of_the_chinese_page(page: Page, tmp_path_factory: pytest.TempPathFactory) -> None:
    shots = tmp_path_factory.mktemp("screenshots-zh")
    page.js("window.scrollTo(0, 0)")
    desktop = page.screenshot(shots / "zh-desktop.png", 1280, 900, mobile=False)
    page.js("document.getElementById('result-codes').scrollIntoView()")
    codes = page.screenshot(shots / "zh-result-codes.png", 1280, 900, mobile=False)
    page.js("window.scrollTo(0, 0)")
    phone = page.screenshot(shots / "zh-phone.png", 390, 844, mobile=True)
    width = page.js("[document.documentElement.scrollWidth, window.innerWidth]")
    for path in (desktop, codes, phone):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        print(f"screenshot: {path}")
    assert width[0] <= width[1], f"the phone layout scrolls sideways: {width}"
    assert page.errors() == []


def test_the_language_switch_opens_the_english_page_and_back(page: Page) -> None:
    """Last in the module: it navigates the page away."""
    for lang, other in (("en", "zh-CN"), ("zh-CN", "en")):
        page.events.clear()
        page.js(f"document.querySelector('nav.lang a[hreflang=\"{lang}\"]').click()")
        page.wait_for("Page.loadEventFired")
        assert page.js("document.documentElement.lang") == lang
        assert page.js(f"!!document.querySelector('nav.lang a[hreflang=\"{other}\"]')")
    assert page.errors() == []
