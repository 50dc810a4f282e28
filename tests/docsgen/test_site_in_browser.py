"""The generated site in a real browser: headless Chromium over the DevTools protocol.

One browser for the module: the page loads once with console and exception capture switched on,
then each test asks it something. Needs Debian's `chromium` (scripts/setup.sh installs it).
"""

from __future__ import annotations

import base64
import json
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from pns_mock import spec
from pns_mock.docsgen import write_site

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
)
S = spec.load()
MISSING = f"{CHROMIUM} is missing: run scripts/setup.sh (it installs Debian's chromium package)"


class Page:
    """The smallest DevTools client that does the job: commands in order, events kept."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.events: list[dict[str, Any]] = []
        self._next = 0

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._next += 1
        self.socket.send(json.dumps({"id": self._next, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=20))
            if message.get("id") == self._next:
                assert "error" not in message, f"{method}: {message['error']}"
                result: dict[str, Any] = message["result"]
                return result
            self.events.append(message)

    def wait_for(self, event: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == event for e in self.events):
            assert time.monotonic() < deadline, f"no {event} within {timeout}s"
            self.events.append(json.loads(self.socket.recv(timeout=timeout)))

    def js(self, expression: str) -> Any:
        reply = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in reply, reply["exceptionDetails"]
        return reply["result"].get("value")

    def screenshot(self, path: Path, width: int, height: int, *, mobile: bool) -> Path:
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=mobile,
        )
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def errors(self) -> list[str]:
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails'].get('text')}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(f"console.{params['type']}: {[a.get('value') for a in params.get('args', [])]}")
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(f"log: {params['entry'].get('text')} {params['entry'].get('url', '')}")
        return found


def _devtools_port(profile: Path, browser: subprocess.Popen[bytes]) -> int:
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 20
    while not marker.is_file() or not marker.read_text().strip():
        assert browser.poll() is None, f"chromium exited with status {browser.returncode}"
        assert time.monotonic() < deadline, "chromium did not open its DevTools port"
        time.sleep(0.05)
    return int(marker.read_text().split()[0])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    write_site(out, "html")
    return out / "index.html"


@pytest.fixture(scope="module")
def page(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    yield from browse(site, tmp_path_factory)


def browse(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    """A headless Chromium showing `site`, for a module-scoped fixture; closed afterwards."""
    if not CHROMIUM.exists():
        pytest.fail(MISSING)
    profile = tmp_path_factory.mktemp("chromium-profile")
    log = (profile.parent / "chromium.log").open("wb")
    browser = subprocess.Popen(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", "about:blank"], stdout=log, stderr=log
    )
    try:
        port = _devtools_port(profile, browser)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as reply:
            target = next(t for t in json.loads(reply.read()) if t["type"] == "page")
        with connect(target["webSocketDebuggerUrl"], max_size=None, open_timeout=10) as socket:
            client = Page(socket)
            for domain in ("Page", "Runtime", "Log"):
                client.send(f"{domain}.enable")
            client.send(
                "Emulation.setDeviceMetricsOverride",
                width=1280,
                height=900,
                deviceScaleFactor=1,
                mobile=False,
            )
            client.send("Page.navigate", url=site.as_uri())
            client.wait_for("Page.loadEventFired")
            yield client
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()
            browser.wait()
        log.close()


def test_chromium_is_installed() -> None:
    assert CHROMIUM.exists(), MISSING


def test_page_loads_without_console_errors(page: Page) -> None:
    assert page.js("document.title").endswith("reference")
    assert page.errors() == []


def test_every_navigation_link_leads_to_an_element_on_the_page(page: Page) -> None:
    hrefs = page.js("[...document.querySelectorAll('nav.toc a')].map(a => a.getAttribute('href'))")
    missing = page.js(
        "[...document.querySelectorAll('a[href^=\"#\"]')].map(a => a.getAttribute('href'))"
        ".filter(h => !document.getElementById(decodeURIComponent(h.slice(1))))"
    )
    assert len(hrefs) > len(S.operations) + len(S.webhooks)
    assert missing == []
    top = page.js(
        "document.querySelector('nav.toc a[href=\"#op-stopCall\"]').click();"
        "[location.hash, document.getElementById('op-stopCall').getBoundingClientRect().top]"
    )
    assert top[0] == "#op-stopCall"
    assert 0 <= top[1] < 120, "a navigation click scrolls the operation to the top, below the sticky bar"


def test_every_operation_push_type_and_result_code_is_on_the_page(page: Page) -> None:
    ids = set(page.js("[...document.querySelectorAll('[id]')].map(e => e.id)"))
    assert {f"op-{o}" for o in S.operations} <= ids
    assert {f"push-{w}" for w in S.webhooks} <= ids
    assert {f"rc-{c}" for c in S.result_codes} <= ids
    assert page.js("document.querySelectorAll('.diagram svg').length") >= 1


def test_search_box_filters_entries_and_navigation(page: Page) -> None:
    search = (
        "(q => { const box = document.getElementById('search'); box.value = q;"
        " box.dispatchEvent(new Event('input'));"
        " const shown = id => !document.getElementById(id).closest('[hidden]');"
        " return {status: document.getElementById('search-status').value,"
        " bind: shown('op-createAxbBinding'), code: shown('rc-1012010'), stop: shown('op-stopCall'),"
        " navStop: !document.querySelector('nav a[href=\"#op-stopCall\"]').closest('[hidden]')}; })"
    )
    found = page.js(f"{search}('1012010')")
    assert found["bind"] and found["code"], found
    assert not found["stop"] and not found["navStop"], found
    assert found["status"].endswith("matches")
    cleared = page.js(f"{search}('')")
    assert cleared["stop"] and cleared["navStop"] and cleared["status"] == ""
    assert page.errors() == []


def test_screenshots_on_desktop_and_phone(page: Page, tmp_path_factory: pytest.TempPathFactory) -> None:
    shots = tmp_path_factory.mktemp("screenshots")
    page.js("window.scrollTo(0, 0)")
    desktop = page.screenshot(shots / "desktop.png", 1280, 900, mobile=False)
    page.js("document.getElementById('op-createAxbBinding').scrollIntoView()")
    operation = page.screenshot(shots / "desktop-operation.png", 1280, 900, mobile=False)
    page.js("window.scrollTo(0, 0)")
    phone = page.screenshot(shots / "phone.png", 390, 844, mobile=True)
    width = page.js("[document.documentElement.scrollWidth, window.innerWidth]")
    page.js("document.getElementById('op-createAxbBinding').scrollIntoView()")
    phone_operation = page.screenshot(shots / "phone-operation.png", 390, 844, mobile=True)
    for path in (desktop, operation, phone, phone_operation):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        print(f"screenshot: {path}")
    assert width[0] <= width[1], f"the phone layout scrolls sideways: {width}"
    assert page.errors() == []
