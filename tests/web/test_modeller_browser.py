"""A process owner edits the violence diagram in a real browser (Debian's chromium driven by Playwright): renames
a task and picks a timer's duration from the diagram's settings in the properties panel, saves a draft, breaks a lane and sees the problem on it, fixes the lane with the
role chooser and sees the problem go, reloads and finds the draft, reads its changes and deploys it. No CSP violation and no console error.
Screenshots go to test-artifacts/modeller/."""
from __future__ import annotations

import pytest

from tests.web import browser as browser_support
from tests.web.conftest import make_app

ARTIFACTS = browser_support.ARTIFACTS / "modeller"
sync_api = browser_support.require_chromium()
LANE_MARKED = '.djs-element.vaern-problem[data-element-id="lane_leader"]'


@pytest.fixture
def server(db_path):
    app = make_app(db_path, WTF_CSRF_ENABLED=True)
    with browser_support.served(app) as base:
        yield app, base


@pytest.fixture
def page():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    with browser_support.chromium(sync_api) as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="da-DK")
        context.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation', "
                                "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.lineNumber + ':' + e.columnNumber + ' ' + e.sample));")
        page = context.new_page()
        page.errors = []
        page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        yield page


def _shot(page, number: int, label: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{number:02d}-{label}.png"), full_page=True)


def _select(page, element_id: str) -> None:
    page.evaluate("id => { const m = window.vaernModeler; m.get('selection').select(m.get('elementRegistry').get(id)); }",
                  element_id)


def _open_general(page) -> None:
    """Unfold the panel's "Generelt" group (the panel remembers it open for the next element)."""
    header = page.locator('[data-group-id="group-general"] .bio-properties-panel-group-header')
    header.wait_for()
    if "open" not in (header.get_attribute("class") or ""):
        header.click()


def _save(page, saves: int) -> None:
    page.click("#save")
    page.wait_for_selector(f'#modeller[data-saves="{saves}"]')


def test_a_process_owner_edits_saves_sees_a_problem_fixes_it_and_reloads(server, page):
    app, base = server
    page.goto(f"{base}/login")
    page.fill("#login", "koncern-hr")
    page.fill("#password", "vaern-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/admin/diagrams")
    page.click("#edit-violence")
    page.wait_for_selector('#modeller[data-ready="true"]')
    assert page.locator("#canvas svg").count() >= 1
    _shot(page, 1, "opened")

    # The properties panel, in Danish, renames a task.
    _select(page, "first_talk")
    name = page.locator("#bio-properties-panel-name")
    _open_general(page)
    name.wait_for()
    name.fill("Første samtale med den ramte")
    page.wait_for_function("() => window.vaernModeler.get('elementRegistry').get('first_talk')"
                           ".businessObject.name === 'Første samtale med den ramte'")
    assert page.locator("#preview").is_hidden()
    _save(page, 1)
    assert page.locator(".vaern-problem").count() == 0
    assert page.locator("#preview").is_visible() and "kladde" in page.inner_text("#draft-kind").lower()
    _shot(page, 2, "saved")

    # A timer's duration is chosen from the diagram's settings, with their values.
    _select(page, "timer_serious_escalation")
    timer = page.locator('[data-group-id="group-timer"] .bio-properties-panel-group-header')
    timer.wait_for()
    if "open" not in (timer.get_attribute("class") or ""):
        timer.click()
    setting = page.locator("#bio-properties-panel-vaernTimerSetting")
    setting.wait_for()
    assert "serious_escalation_after: 5 arbejdsdage" in setting.inner_text()
    setting.select_option("task_due")
    assert page.evaluate("() => window.vaernModeler.get('elementRegistry').get('timer_serious_escalation')"
                         ".businessObject.eventDefinitions[0].timeDuration.body") == "task_due"
    _shot(page, 3, "timer-from-a-setting")
    _select(page, "first_talk")

    # The Camunda 7 form fields of the task, in Danish.
    page.click('[data-group-id="group-CamundaPlatform__FormData"] .bio-properties-panel-group-header')
    page.wait_for_selector('[data-group-id="group-CamundaPlatform__FormData"] .bio-properties-panel-list')
    _shot(page, 4, "form-fields")

    # A lane renamed to a role vaern does not know: the problem shows on the lane and in the list.
    page.evaluate("() => { const m = window.vaernModeler; m.get('modeling').updateProperties("
                  "m.get('elementRegistry').get('lane_leader'), { name: 'chef' }); }")
    _save(page, 2)
    page.wait_for_selector(LANE_MARKED)
    item = page.locator('#problems li[data-element="lane_leader"]')
    assert item.count() >= 1 and "ikke en kendt rolle" in item.first.inner_text()
    item.first.locator("button").click()
    _shot(page, 5, "problem-on-the-lane")

    # The role chooser puts it right.
    _select(page, "lane_leader")
    chooser = page.locator("#bio-properties-panel-vaernRole")
    _open_general(page)
    chooser.wait_for()
    assert "Ukendt rolle: chef" in chooser.inner_text() and "Leder (leader)" in chooser.inner_text()
    chooser.select_option("leader")
    _shot(page, 6, "role-chosen")
    _save(page, 3)
    assert page.locator(LANE_MARKED).count() == 0 and page.locator("#problems li").count() == 0

    page.reload()
    page.wait_for_selector('#modeller[data-ready="true"]')
    assert page.evaluate("() => window.vaernModeler.get('elementRegistry').get('first_talk').businessObject.name") \
        == "Første samtale med den ramte"
    assert "kladde" in page.inner_text("#draft-kind").lower()
    assert app.extensions["vaern"].modelling.edition("violence", "koncern-hr").is_draft
    _shot(page, 7, "reloaded-draft")
    assert page.evaluate("window.__csp") == [], page.evaluate("window.__csp")
    assert page.errors == []
    headers = page.request.get(f"{base}/admin/diagrams/violence/edit").headers
    assert "script-src 'self'" in headers["content-security-policy"]

    # A second window saves in between: this one's save is refused and shows both sides; its version can be kept.
    other = page.context.new_page()
    other.goto(f"{base}/admin/diagrams/violence/edit")
    other.wait_for_selector('#modeller[data-ready="true"]')
    other.evaluate("() => { const m = window.vaernModeler; m.get('modeling').updateProperties("
                   "m.get('elementRegistry').get('first_talk'), { name: 'Første samtale (andet vindue)' }); }")
    other.click("#save")
    other.wait_for_selector('#modeller[data-saves="1"]')
    other.close()
    page.click("#save")
    page.wait_for_selector("#conflict:not([hidden])")
    assert "gemt i et andet vindue" in page.inner_text("#conflict-server")
    assert page.inner_text("#conflict-mine") == page.get_attribute("#modeller", "data-content-hash")[:12]
    with page.expect_download() as download:
        page.click("#download-mine")
    assert download.value.suggested_filename == "violence-draft.bpmn"
    _shot(page, 8, "conflict")
    page.errors.clear()  # the refused save's 409 is the answer this step expects

    # From the draft: what it changes, and deploying it once the process owner has ticked that they read it.
    page.click("#preview")
    page.wait_for_selector("table.changes")
    assert page.locator('tr[data-element="first_talk"]').count() == 1
    assert page.locator('tr[data-element="timer_serious_escalation"]').count() == 1
    page.wait_for_selector('#diagram[data-ready="true"]')
    assert page.locator('.djs-element.vaern-changed[data-element-id="first_talk"]').count() == 1
    assert page.locator('.djs-element.vaern-changed[data-element-id="timer_serious_escalation"]').count() == 1
    _shot(page, 9, "changes-of-the-draft")
    page.check("#confirm")
    page.get_by_role("button", name="Idriftsæt som version 2").click()
    page.wait_for_url(f"{base}/admin/diagrams/violence/2")
    assert [d.version for d in app.extensions["vaern"].definition_versions("violence")] == [2, 1]
    assert page.evaluate("window.__csp") == [] and page.errors == []
