"""'Tal og tendenser' in a real browser: the charts draw under the strict CSP; screenshots for the reader."""
from __future__ import annotations

import pytest

from tests.web import browser as browser_support
from tests.web.conftest import make_app, start_harassment, start_violence
from tests.web.test_browser import Walker

sync_api = browser_support.require_chromium()


@pytest.fixture
def server(db_path):
    app = make_app(db_path, WTF_CSRF_ENABLED=True)
    vaern = app.extensions["vaern"]
    for _ in range(9):
        start_violence(vaern, acted_by="patient")
    for _ in range(6):
        start_violence(vaern, acted_by="relative", violence_type="psychological", severity=4)
    for _ in range(2):
        start_harassment(vaern, acted_by="colleague")
    with browser_support.served(app) as base:
        yield base


def test_figures_open_with_charts_and_no_csp_violation(server):
    with browser_support.chromium(sync_api) as browser:
        walker = Walker(browser, server, "figures")
        walker.login("hr-hosp")
        walker.page.get_by_role("link", name="Tal og tendenser").click()
        walker.page.wait_for_selector("h1")
        assert walker.page.inner_text("h1") == "Tal og tendenser"
        assert walker.page.locator("svg.chart").count() == 4  # the trend and three breakdowns
        # The bars are drawn: a physical-violence segment has a height, from classes in style.css.
        box = walker.page.locator("svg.chart rect.s0").first.bounding_box()
        assert box and box["height"] > 10
        assert walker.page.evaluate("window.__csp") == []
        walker.shot("figures")
        walker.page.emulate_media(media="print")
        assert walker.page.locator("form.figures-choice").is_hidden()  # the meeting's print-out has no controls
        walker.shot("figures print")


@pytest.fixture
def annual_server(db_path):
    """Cases in the emergency ward this year, and next year's MED round that reviews them."""
    from datetime import datetime, timezone
    app = make_app(db_path, WTF_CSRF_ENABLED=True)
    vaern = app.extensions["vaern"]
    for _ in range(7):
        start_violence(vaern)
    for _ in range(6):
        start_violence(vaern, violence_type="psychological")
    now = datetime.now(timezone.utc)
    vaern.start_case("annual_med", "region", {"year": now.year + 1}, "rmu-region", now)
    with browser_support.served(app) as base:
        yield base


def test_the_committees_task_draws_its_frozen_figures_under_the_csp(annual_server):
    with browser_support.chromium(sync_api) as browser:
        walker = Walker(browser, annual_server, "figures")
        walker.login("lmu-akut")
        walker.open_task("Årlig drøftelse i LMU og tilbagemelding til HMU")
        charts = walker.page.locator(".committee-figures svg.chart")
        assert charts.count() >= 1, "the task shows its unit's figures as charts"
        box = walker.page.locator(".committee-figures svg.chart rect").first.bounding_box()
        assert box and box["height"] > 0
        assert walker.page.evaluate("window.__csp") == []
        walker.shot("lmu task with figures")
