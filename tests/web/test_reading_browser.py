"""Pages as their readers meet them in a real browser, at 1280 px and 375 px: the summary block, no internal names
or requirement tags for role-holders, a date on every open task, no sideways scrolling, a diagram one can move.

Screenshots are kept under test-artifacts/reading/.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from tests.web import browser as browser_support
from tests.web.conftest import make_app, start_harassment, start_violence, task_of
from web.wording import IDENTIFIER

ARTIFACTS = browser_support.ARTIFACTS / "reading"
sync_api = browser_support.require_chromium()
TAG = re.compile(r"\b(?:V|K|GEN|LAW)-[A-Z]{0,2}\d+\b")
WIDTHS = (1280, 375)


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core's script, from tests/a11y's lock file (installed once)."""
    return browser_support.axe_script()


@pytest.fixture
def served(db_path):
    app = make_app(db_path)
    with browser_support.served(app) as base:
        yield app, base


def _open_as(browser, base, person, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="da-DK")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#login", person)
    page.fill("#password", "vaern-demo")
    page.click("button[type=submit]")
    return context, page


def _check(page, label: str, axe: str | None = None) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{re.sub(r'[^a-z0-9]+', '-', label.lower())}.png"), full_page=True)
    text = page.inner_text("main")
    assert not IDENTIFIER.search(text), (label, IDENTIFIER.search(text).group(0))
    assert not TAG.search(text), (label, TAG.search(text).group(0))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{label}: scrolls sideways"
    if axe:
        browser_support.assert_accessible(page, axe, label)
    return text


def test_each_reader_s_task_and_case_pages_read_plainly_at_both_widths(served, axe_source):
    app, base = served
    vaern = app.extensions["vaern"]
    violence = start_violence(vaern, serious=True)
    harassment = start_harassment(vaern, accused_id="leder-akut")
    readers = [("leder-akut", violence), ("hosp-leder", harassment), ("ansat-akut", violence),
               ("ansat-akut", harassment)]
    with browser_support.chromium(sync_api) as browser:
        for person, case in readers:
            for width in WIDTHS:
                context, page = _open_as(browser, base, person, width)
                items = [i for i in vaern.inbox(person, datetime.now(timezone.utc)) if i.case_id == case.id]
                for item in items:
                    page.goto(f"{base}/tasks/{item.task_id}")
                    text = _check(page, f"{person}-{width}-task-{case.kind}", axe_source)
                    assert "Sagen kort" in text and "Næste frist" in text
                page.goto(f"{base}/cases/{case.id}")
                page.wait_for_load_state("networkidle")
                text = _check(page, f"{person}-{width}-case-{case.kind}", axe_source)
                assert "Sagen kort" in text
                for path in ("/", "/report", "/cases/"):
                    page.goto(f"{base}{path}")
                    _check(page, f"{person}-{width}-{path.strip('/') or 'inbox'}", axe_source)
                context.close()


def test_the_diagram_zooms_with_buttons_and_keys_and_a_phone_gets_the_steps_as_a_list(served):
    app, base = served
    vaern = app.extensions["vaern"]
    case = start_violence(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    with browser_support.chromium(sync_api) as browser:
        context, page = _open_as(browser, base, "leder-akut", 1280)
        page.goto(f"{base}/cases/{case.id}")
        page.wait_for_selector('#diagram[data-ready="true"]')
        assert page.locator(".vaern-current").count() >= 1
        scale = "document.querySelector('#diagram .viewport').transform.baseVal.consolidate().matrix.a"
        before = page.evaluate(scale)
        page.click('[data-diagram-action="zoom-in"]')
        zoomed = page.evaluate(scale)
        assert zoomed > before
        page.focus("#diagram")
        page.keyboard.press("-")
        assert page.evaluate(scale) < zoomed
        page.keyboard.press("0")
        page.click('[data-diagram-action="current"]')
        assert page.evaluate(scale) >= 1
        assert not page.locator(".steps-list").is_visible()
        context.close()
        context, page = _open_as(browser, base, "leder-akut", 375)
        page.goto(f"{base}/cases/{case.id}")
        assert page.locator(".steps-list").is_visible() and not page.locator("#diagram").is_visible()
        assert item.title in page.inner_text(".steps-list")
        _check(page, "leader-375-steps")
        context.close()
