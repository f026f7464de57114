"""What the browser tests share: Debian's chromium through Playwright, and the app served on loopback."""
from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Headless, as root, and with nothing reaching out of this closed network.
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]


def require_chromium():
    """Playwright's sync API; skips the module (outside CI only) when chromium or playwright is missing."""
    if not CHROMIUM.exists() and not os.environ.get("CI"):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); CI installs it and runs these tests",
                    allow_module_level=True)
    if os.environ.get("CI"):
        return __import__("playwright.sync_api", fromlist=["sync_playwright"])
    return pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")


# The machines are shared: a full-page screenshot of a long page with a diagram on it can take more than
# Playwright's 30 s while the rest of the suite runs beside it. A step waits this long before it fails.
STEP_TIMEOUT_MS = 90_000


class _PatientBrowser:
    """The browser, with every page and context it opens waiting `STEP_TIMEOUT_MS` for a step."""

    def __init__(self, browser):
        self._browser = browser

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.set_default_timeout(STEP_TIMEOUT_MS)
        return context

    def new_page(self, **options):
        page = self._browser.new_page(**options)
        page.set_default_timeout(STEP_TIMEOUT_MS)
        return page


@contextlib.contextmanager
def chromium(sync_api) -> Iterator[object]:
    """A headless chromium browser, closed afterwards."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield _PatientBrowser(browser)
        browser.close()


@contextlib.contextmanager
def served(app) -> Iterator[str]:
    """The app served from a thread on a free port of 127.0.0.1; yields its base URL."""
    from werkzeug.serving import make_server

    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(5)
        app.extensions["vaern"].db.dispose()


A11Y = Path(__file__).resolve().parents[1] / "a11y"


def axe_script() -> str:
    """axe-core's script, from tests/a11y's lock file (installed on first use)."""
    from tests.node_packages import node_with

    node_with(A11Y, "axe-core", "the accessibility check")
    return (A11Y / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def assert_accessible(page, source: str, label: str) -> None:
    """axe-core on the page as it stands: no serious or critical violation."""
    # Evaluated through the browser's debugging channel, which the page's Content-Security-Policy does not govern.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert not bad, (label, bad)


def logged_in(browser, base: str, person: str, width: int, password: str = "vaern-demo"):
    """A new browser context of the given width, logged in as `person`; returns (context, page)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="da-DK")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#login", person)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return context, page
