"""Whole cases through a real browser (Debian's chromium driven by Playwright), from the report to closed.

Every page passed is saved as a screenshot under test-artifacts/browser/. Timers are not the UI's: where a
diagram waits weeks (the violence case's well-being follow-up), the test does what the scheduler would do then.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.web import browser as browser_support
from tests.web.conftest import make_app

ARTIFACTS = browser_support.ARTIFACTS / "browser"
sync_api = browser_support.require_chromium()


@pytest.fixture
def server(db_path):
    """The app served from a thread on a free port of 127.0.0.1."""
    app = make_app(db_path, WTF_CSRF_ENABLED=True)
    with browser_support.served(app) as base:
        yield app, base


@pytest.fixture
def browser():
    with browser_support.chromium(sync_api) as launched:
        yield launched


class Walker:
    """One browser page that logs in as different people and photographs every page it passes."""

    def __init__(self, browser, base: str, name: str):
        self.context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="da-DK")
        self.page = self.context.new_page()
        self.base = base
        self.folder = ARTIFACTS / name
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.shots = 0
        self.who = None
        # The Content-Security-Policy must let the bpmn-js viewer work: any violation on a page is a failure.
        self.context.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation', "
                                     "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")

    def shot(self, label: str) -> None:
        self.shots += 1
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        self.page.screenshot(path=str(self.folder / f"{self.shots:02d}-{self.who or 'anon'}-{slug}.png"),
                             full_page=True)

    def login(self, person: str) -> None:
        self.context.clear_cookies()
        self.who = person
        self.page.goto(f"{self.base}/login")
        self.shot("login")
        self.page.fill("#login", person)
        self.page.fill("#password", "vaern-demo")
        self.page.click("button[type=submit]")
        self.page.wait_for_url(f"{self.base}/")
        self.shot("inbox")

    def open_task(self, title: str) -> None:
        """Open the task in my inbox whose title is `title` (or starts with it and goes on in words)."""
        self.page.goto(f"{self.base}/")
        pattern = re.compile("^" + re.escape(title) + r"(\s[^(]*)?$")
        self.page.get_by_role("link", name=pattern).first.click()
        self.page.wait_for_selector("h1")
        assert self.page.inner_text("h1").startswith(title)

    def complete(self, title: str, **choices) -> None:
        """Open a task, fill every required field plausibly, set the given fields, and complete it."""
        self.open_task(title)
        page = self.page
        for element in page.query_selector_all("form [required]"):
            tag = element.evaluate("e => e.tagName.toLowerCase()")
            kind = element.get_attribute("type") or ""
            if tag == "select":
                element.select_option(index=1)
            elif kind == "date":
                element.fill(datetime.now().date().isoformat())
            elif kind == "number":
                element.fill("1")
            else:
                element.fill("Udfyldt i browsertesten")
        for field, value in choices.items():
            target = page.locator(f"#{field}")
            if value is True or value is False:
                target.set_checked(value)
            elif target.evaluate("e => e.tagName.toLowerCase()") == "select":
                target.select_option(value)
            else:
                target.fill(value)
        self.shot(f"task {title}")
        page.get_by_role("button", name="Udfør opgaven").click()
        page.wait_for_load_state()
        flash = page.locator(".flash-success")
        assert flash.count() == 1, page.content()[:3000]
        self.shot(f"done {title}")

    def case_page(self, case_id: int, current: str | None = None) -> None:
        """Open the case page and check the diagram is drawn with the current element marked."""
        self.page.goto(f"{self.base}/cases/{case_id}")
        self.page.wait_for_selector("#diagram[data-ready]")
        assert self.page.get_attribute("#diagram", "data-ready") == "true"
        assert self.page.locator("#diagram svg").count() >= 1
        if current:
            marked = self.page.locator(f'.djs-element.vaern-current[data-element-id="{current}"]')
            assert marked.count() == 1
        assert self.page.evaluate("window.__csp") == []
        headers = self.page.request.get(f"{self.base}/cases/{case_id}").headers
        assert "default-src 'self'" in headers["content-security-policy"]
        self.shot(f"case {case_id}")

    def status_page(self, case_id: int) -> None:
        """Open a case page the person may only see the status of: no diagram, no steps."""
        self.page.goto(f"{self.base}/cases/{case_id}")
        assert self.page.get_attribute("article.case", "data-level") == "status"
        assert self.page.locator("#diagram").count() == 0
        self.shot(f"case {case_id} status")


def _send_report(walker: Walker) -> int:
    """Send the filled report form; the id of the case it started, from the thank-you message."""
    walker.shot("report filled")
    walker.page.get_by_role("button", name="Send anmeldelsen").click()
    text = walker.page.inner_text(".flash-success")
    case_id = int(re.search(r"sag (\d+)", text).group(1))
    walker.shot("my reports")
    return case_id


def test_a_violence_case_from_the_report_to_closed(server, browser):
    app, base = server
    vaern = app.extensions["vaern"]
    w = Walker(browser, base, "violence")

    w.login("ansat-akut")
    w.page.get_by_role("link", name="Anmeld en hændelse").first.click()
    w.page.check("input[name=actor][value=patient]")
    w.page.check("input[name=reporting_as][value=self]")
    w.shot("report first question")
    w.page.get_by_role("button", name="Næste").click()
    w.page.get_by_role("button", name="Send anmeldelsen").click()
    assert w.page.locator(".field-error").count() >= 3  # server-side messages per field
    w.shot("report with errors")
    when = (datetime.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    w.page.fill("#incident_at", when)
    w.page.fill("#location", "Skadestuen, bås 4")
    w.page.check("input[name=violence_type][value=physical]")
    w.page.select_option("#severity", "3")
    w.page.check("input[name=witnesses_present]")
    w.page.fill("#witnesses", "Karl Kollega")
    w.page.fill("#description", "En patient slog ud efter mig under en undersøgelse.")
    case_id = _send_report(w)
    w.case_page(case_id, current="first_talk")

    w.login("leder-akut")
    w.complete("Første samtale med den udsatte", contact_initiated_by="leader")
    w.complete("Aftal debriefing, psykolog, politianmeldelse og VTC-registrering", vtc_registrar="leader",
               debriefing_needed=False, psychologist_needed=False, police_report=False, exposure_over_5_days=False)
    w.complete("Registrér hændelsen i VTC")
    w.complete("Tal med vidnende kolleger", colleague_ids="kollega-akut")

    w.login("ansat-akut")
    w.complete("Tag imod hjælp og tal hændelsen igennem", accepts_talk=True)

    w.login("kollega-akut")
    w.complete("Del din oplevelse som vidne")
    w.status_page(case_id)  # a witnessing colleague sees the status only

    w.login("leder-akut")
    w.complete("Sikr tryghed på arbejdspladsen", all_involved_cared_for=True)
    w.complete("Analysér hændelsen og følg op på VTC", vtc_followed_up=True)
    w.complete("Justér arbejdspladsen og sikkerhedsintroduktionen", risk_assessment_updated=True,
               safety_introduction_checked=True)
    # Some weeks later the scheduler fires the well-being timer; that is the engine's work, not the browser's.
    assert vaern.fire_due_timers(datetime.now(timezone.utc) + timedelta(days=60)) >= 1
    w.complete("Opfølgning på trivsel")
    w.complete("Beslut om læringen skal ind i forebyggelsen", learning_into_prevention=True)

    w.login("amr-akut")
    w.complete("Tag læringen med i arbejdsmiljøarbejdet")
    assert "afsluttet" in w.page.inner_text(".flash-success")
    w.case_page(case_id)
    assert "Afsluttet" in w.page.inner_text(".meta")
    assert vaern.case(case_id).status == "closed"

    w.login("ansat-akut")
    w.page.goto(f"{base}/reports")
    assert "Afsluttet" in w.page.inner_text("main")
    w.shot("my reports closed")


def test_a_harassment_case_with_an_escalation_request_from_the_report_to_closed(server, browser):
    app, base = server
    vaern = app.extensions["vaern"]
    w = Walker(browser, base, "harassment")

    w.login("ansat-akut")
    w.page.goto(f"{base}/report")
    w.page.check("input[name=actor][value=colleague]")
    w.page.check("input[name=reporting_as][value=self]")
    w.page.get_by_role("button", name="Næste").click()
    w.page.select_option("#kind", "bullying")
    # The person field asks the server as one types, and offers what it finds in the field's list.
    w.page.locator("#accused_id").press_sequentially("karl kol")
    w.page.wait_for_selector('#accused_id-people option[value="Karl Kollega (kollega-akut)"]', state="attached")
    w.page.fill("#accused_id", "Karl Kollega (kollega-akut)")
    w.page.fill("#description", "Jeg bliver gentagne gange holdt uden for fællesskabet og talt nedsættende om.")
    case_id = _send_report(w)
    w.page.get_by_role("button", name="Bed næste ledelsesniveau om hjælp").click()
    assert "Næste ledelsesniveau har fået en opgave" in w.page.inner_text(".flash-success")
    w.shot("escalation requested")
    w.case_page(case_id, current="Task_Conversation")

    w.login("kollega-akut")  # the accused: no tasks yet, and no access to the case page
    assert "Ingen opgaver lige nu" in w.page.inner_text("main")
    w.page.goto(f"{base}/cases/{case_id}")
    assert "Ingen adgang" in w.page.inner_text("main") and "fællesskabet" not in w.page.content()
    w.shot("accused forbidden")

    w.login("hosp-leder")
    w.complete("Behandl den ramtes henvendelse")

    w.login("leder-akut")
    w.complete("Samtale med den ramte", wants_confidentiality=True)
    w.complete("Vurdér om sagen", continue_despite_confidentiality=False)
    w.complete("Afslut sagen efter den ramtes ønske")
    assert "afsluttet" in w.page.inner_text(".flash-success")
    w.case_page(case_id)
    assert vaern.case(case_id).status == "closed"
    w.page.set_viewport_size({"width": 390, "height": 844})
    w.shot("case on a phone")
