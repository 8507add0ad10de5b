"""Shared fixtures of the browser tests: headless Chromium through Playwright, against the server.

Every request to a host other than the server fails the test, and so does any script error.
The fixtures are imported by tests/conftest.py, so every test module can ask for ``page``."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1300, "height": 850}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's database calls in the same
    # thread (test transactions) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    """A page that may only talk to the server; outside requests are refused and recorded."""
    origin = f"http://127.0.0.1:{server.port}"
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.outside_requests, page.errors = [], []

    def guard(route):
        if route.request.url.startswith(origin) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            page.outside_requests.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.origin = origin
    yield page
    context.close()
    assert page.outside_requests == [], f"requests outside the server: {page.outside_requests}"
    assert page.errors == [], f"script errors: {page.errors}"


def map_has_drawn(page, selector: str = "#map", timeout_ms: int = 10_000) -> bool:
    """Some pixel of the map's canvases is painted, within ``timeout_ms`` (tiles arrive and are drawn
    on later animation frames, so a map that is idle may not have painted yet)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            """(selector) => Array.from(document.querySelectorAll(selector + ' canvas')).some(canvas => {
                if (!canvas.width) return false;
                const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                for (let i = 0; i < data.length; i += 4 * 97) { if (data[i + 3] > 0) return true; }
                return false;
            })""",
            arg=selector,
            timeout=timeout_ms,
        )
    except PlaywrightTimeout:
        return False
    return True
