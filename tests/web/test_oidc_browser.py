"""Logging in and out by single sign-on in a real browser (Debian's chromium driven by Playwright), through a
real OpenID Connect provider on loopback. Screenshots go to test-artifacts/sso/."""
from __future__ import annotations

import pytest

from engine import Settings
from tests.oidc_provider import running_provider
from tests.web import browser as browser_support
from tests.web.conftest import make_app

ARTIFACTS = browser_support.ARTIFACTS / "sso"
sync_api = browser_support.require_chromium()


@pytest.fixture
def provider():
    with running_provider() as running:
        yield running


@pytest.fixture
def server(db_path, provider):
    settings = Settings(database_url=f"sqlite:///{db_path}", oidc_issuer=provider.issuer, oidc_client_id="vaern",
                        oidc_client_secret="vaern-secret", oidc_admin_value="vaern-admins")
    app = make_app(db_path, WTF_CSRF_ENABLED=True, VAERN_SETTINGS=settings)
    with browser_support.served(app) as base:
        yield app, base


def test_a_person_logs_in_and_out_through_the_regions_provider(server, provider):
    app, base = server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    provider.put_person("5f1c-entra-object-id", employee_id="leder-akut", groups=["alle"])
    violations = []
    with browser_support.chromium(sync_api) as browser:
        context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="da-DK")
        page = context.new_page()
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(f"{base}/login")
        page.screenshot(path=str(ARTIFACTS / "01-login.png"), full_page=True)
        browser_support.assert_accessible(page, browser_support.axe_script(), "log-in page with single sign-on")
        page.get_by_role("link", name="Log ind med Region Midtjylland").click()
        page.wait_for_url(f"{provider.issuer}/oauth2/authorize?*")
        page.fill("input[name=sub]", "5f1c-entra-object-id")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.screenshot(path=str(ARTIFACTS / "02-inbox.png"), full_page=True)
        assert "Lene Leder" in page.inner_text("header")
        page.get_by_role("button", name="Log ud").click()
        # The provider's own log-out, then back to vaern's log-in page.
        page.wait_for_url(f"{provider.issuer}/oauth2/end_session?*")
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: url.startswith(f"{base}/login"))
        page.screenshot(path=str(ARTIFACTS / "03-logged-out.png"), full_page=True)
        assert "Du er logget ud" in page.inner_text("main")
        page.goto(f"{base}/")
        assert page.url.startswith(f"{base}/login")  # logged out of vaern: the inbox sends to the log-in page
    assert violations == []
