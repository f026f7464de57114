"""The API's docs page in a real browser: Swagger UI draws every operation from the description, under the CSP."""
from __future__ import annotations

from tests.web.browser import ARTIFACTS, chromium, logged_in, require_chromium, served

sync_api = require_chromium()


def test_the_docs_page_draws_the_api_without_breaking_the_csp(app):
    with served(app) as base, chromium(sync_api) as browser:
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        context.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation', "
                                "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
        page = context.new_page()
        page.goto(f"{base}/api/v1/docs")
        page.wait_for_selector(".opblock-summary-path", timeout=20_000)
        paths = page.eval_on_selector_all(".opblock-summary-path", "els => els.map(e => e.textContent)")
        assert "/api/v1/tasks/{task_id}/complete" in "".join(paths) and len(paths) >= 16
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "api-docs.png"))
        assert page.evaluate("window.__csp") == []
        context.close()


def test_the_tokens_page_as_its_person_meets_it(app):
    with served(app) as base, chromium(sync_api) as browser:
        context, page = logged_in(browser, base, "leder-akut", 1000)
        page.click("text=API-nøgler")
        page.fill("#name", "Lønsystemet")
        page.check("input[value='tasks:write']")
        page.click("text=Lav nøglen")
        token = page.text_content("code.token")
        assert token.startswith("vaern_pat_")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "api-tokens.png"), full_page=True)
        context.close()
