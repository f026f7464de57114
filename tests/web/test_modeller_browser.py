"""A process owner edits the violence diagram in a real browser (Debian's chromium driven by Playwright): renames
a task, adds a form field to it and picks a reminder's duration from the diagram's settings in the properties panel,
saves a draft, breaks a lane and sees the problem on it (with what to write instead), fixes the lane with the role
chooser and sees the problem go, reloads and finds the draft, reads its changes and which running cases could move,
runs a dry run, and deploys it; a new case then asks the new field. No CSP violation and no console error.
Screenshots go to test-artifacts/modeller/."""
from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tests.node_packages import node_with
from tests.test_moddle_roundtrip import MODDLE_DIR, roundtrip
from tests.web import browser as browser_support
from tests.web.conftest import make_app, start_violence, task_of

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


def _open_group(page, group_id: str) -> None:
    header = page.locator(f'[data-group-id="{group_id}"] .bio-properties-panel-group-header')
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

    # A new form field on the task, added and filled in the panel's "Formularfelter" group.
    fields = page.locator('[data-group-id="group-CamundaPlatform__FormData"]')
    fields.locator(".bio-properties-panel-group-header .bio-properties-panel-add-entry").click()
    new = "#bio-properties-panel-first_talk-formField-5-formField"
    page.wait_for_selector(new + "ID")
    page.fill(new + "ID", "wants_follow_up")
    page.fill(new + "Label", "Ønsker den udsatte en opfølgende samtale?")
    page.select_option(new + "Type", "boolean")
    page.wait_for_function("() => window.vaernModeler.get('elementRegistry').get('first_talk').businessObject"
                           ".extensionElements.values.find(v => v.$type === 'camunda:FormData').fields"
                           ".some(f => f.id === 'wants_follow_up' && f.type === 'boolean' && f.label)")
    _shot(page, 2, "form-field-added")
    _save(page, 1)
    assert page.locator(".vaern-problem").count() == 0
    assert page.locator("#preview").is_visible() and "kladde" in page.inner_text("#draft-kind").lower()
    _shot(page, 3, "saved")

    # A reminder's duration is chosen from the diagram's settings, with their values.
    _select(page, "timer_first_talk_reminder")
    timer = page.locator('[data-group-id="group-timer"] .bio-properties-panel-group-header')
    timer.wait_for()
    if "open" not in (timer.get_attribute("class") or ""):
        timer.click()
    setting = page.locator("#bio-properties-panel-vaernTimerSetting")
    setting.wait_for()
    assert "first_action_reminder: 1 arbejdsdag" in setting.inner_text()
    setting.select_option("task_reminder")
    assert page.evaluate("() => window.vaernModeler.get('elementRegistry').get('timer_first_talk_reminder')"
                         ".businessObject.eventDefinitions[0].timeDuration.body") == "task_reminder"
    _shot(page, 4, "reminder-from-a-setting")

    # A deadline typed in vaern's own words: a plain "5 dage" is refused in the field, "4 arbejdsdage" is kept.
    _select(page, "timer_first_talk_deadline")
    typed = page.locator("#bio-properties-panel-vaernDuration")
    typed.wait_for()
    typed.click()
    typed.fill("5 dage")
    page.wait_for_selector('[data-entry-id="vaernDuration"].has-error')
    assert "5 arbejdsdage eller P14D" in page.inner_text('[data-entry-id="vaernDuration"] .bio-properties-panel-error')
    typed.fill("4 arbejdsdage")
    page.wait_for_function("() => window.vaernModeler.get('elementRegistry').get('timer_first_talk_deadline')"
                           ".businessObject.eventDefinitions[0].timeDuration.body === '4 arbejdsdage'")

    # A notice's roles are ticked, not typed: the reminder to the leader can go to the AMR too (and back).
    _select(page, "notify_first_talk_reminder")
    _open_group(page, "group-vaern")
    assert page.input_value("#bio-properties-panel-vaernNotice") == "reminder"
    assert page.is_checked("#bio-properties-panel-vaernNotify-leader")
    notify = ("() => window.vaernModeler.get('elementRegistry').get('notify_first_talk_reminder').businessObject"
              ".extensionElements.values.find(v => v.$type === 'camunda:Properties').values"
              ".find(p => p.name === 'notify').value")
    page.check("#bio-properties-panel-vaernNotify-amr")
    page.wait_for_function(notify + " === 'leader,amr'")
    _shot(page, 5, "notice-roles")
    page.uncheck("#bio-properties-panel-vaernNotify-amr")
    page.wait_for_function(notify + " === 'leader'")

    # bpmnlint runs in the page as the diagram changes: a task dropped in with no flows is reported on it at once,
    # before any save, and the report goes when the task does.
    page.wait_for_selector("#modeller[data-lint-rounds]")
    assert page.locator('#problems li[data-source="bpmnlint"]').count() == 0
    page.evaluate("() => { const m = window.vaernModeler, r = m.get('elementRegistry');"
                  " const pool = r.filter(e => e.type === 'bpmn:Participant')[0];"
                  " window.__loose = m.get('modeling').createShape({ type: 'bpmn:Task' }, { x: pool.x + 300,"
                  " y: pool.y + 60 }, pool); }")
    loose = page.evaluate("() => window.__loose.id")
    page.wait_for_selector(f'#problems li[data-source="bpmnlint"][data-element="{loose}"]')
    reports = page.inner_text("#problems")
    assert "hænger ikke sammen med resten" in reports and "Elementet mangler et navn" in reports, reports
    assert page.locator(f'.djs-element.vaern-problem[data-element-id="{loose}"]').count() == 1
    _shot(page, 6, "bpmnlint-in-the-page")
    page.evaluate("() => window.vaernModeler.get('modeling').removeElements([window.__loose])")
    page.wait_for_function("() => !document.querySelector('#problems li[data-source=\"bpmnlint\"]')")

    # The task's requirement IDs and hearing material have fields of their own.
    _select(page, "first_talk")
    _open_group(page, "group-vaern")
    assert page.input_value("#bio-properties-panel-vaernRequirements").startswith("V-H1, V-H2")
    material = page.locator("#bio-properties-panel-vaernMaterial")
    material.click()
    material.fill("description")
    page.wait_for_function("() => (window.vaernModeler.get('elementRegistry').get('first_talk').businessObject"
                           ".extensionElements.values.find(v => v.$type === 'camunda:Properties') || {values: []})"
                           ".values.some(p => p.name === 'hearing_material' && p.value === 'description')")
    _select(page, "first_talk")

    # The Camunda 7 form fields of the task, in Danish.
    forms = page.locator('[data-group-id="group-CamundaPlatform__FormData"] .bio-properties-panel-group-header')
    if "open" not in (forms.get_attribute("class") or ""):  # adding the field above left it open
        forms.click()
    page.wait_for_selector('[data-group-id="group-CamundaPlatform__FormData"] .bio-properties-panel-list')
    _shot(page, 7, "form-fields")

    # A lane named by the role's Danish label, as Camunda Modeler's users would: the problem shows on the lane
    # and in the list, with the lane's name, its id and line, and what to write instead.
    page.evaluate("() => { const m = window.vaernModeler; m.get('modeling').updateProperties("
                  "m.get('elementRegistry').get('lane_leader'), { name: 'Leder' }); }")
    _save(page, 2)
    page.wait_for_selector(LANE_MARKED)
    item = page.locator('#problems li[data-element="lane_leader"]')
    text = item.first.inner_text()
    assert item.count() >= 1 and "ikke en kendt rolle" in text, text
    assert "»Leder« (lane_leader), linje " in text and "Forslag: skriv `leader`" in text, text
    item.first.locator("button").click()
    _shot(page, 8, "problem-on-the-lane")

    # The role chooser puts it right.
    _select(page, "lane_leader")
    chooser = page.locator("#bio-properties-panel-vaernRole")
    _open_general(page)
    chooser.wait_for()
    assert "Ukendt rolle: Leder" in chooser.inner_text() and "Leder (leader)" in chooser.inner_text()
    chooser.select_option("leader")
    _shot(page, 9, "role-chosen")
    _save(page, 3)
    assert page.locator(LANE_MARKED).count() == 0 and page.locator("#problems li").count() == 0

    page.reload()
    page.wait_for_selector('#modeller[data-ready="true"]')
    assert page.evaluate("() => window.vaernModeler.get('elementRegistry').get('first_talk').businessObject.name") \
        == "Første samtale med den ramte"
    assert "kladde" in page.inner_text("#draft-kind").lower()
    assert app.extensions["vaern"].modelling.edition("violence", "koncern-hr").is_draft
    _shot(page, 10, "reloaded-draft")
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
    _shot(page, 11, "conflict")
    page.errors.clear()  # the refused save's 409 is the answer this step expects

    # The other window's draft is what the server holds now; this window opens it and saves its own again.
    page.goto(f"{base}/admin/diagrams/violence/edit")
    page.wait_for_selector('#modeller[data-ready="true"]')

    # From the draft: what it changes, which running cases could move, a dry run, and deploying it once the
    # process owner has ticked that they read it.
    vaern = app.extensions["vaern"]
    running = start_violence(vaern)
    page.click("#preview")
    page.wait_for_selector("table.changes")
    assert page.locator('tr[data-element="first_talk"]').count() == 1
    assert page.locator('tr[data-element="timer_first_talk_reminder"]').count() == 1
    assert page.locator('tr[data-element="timer_first_talk_deadline"]').count() == 1
    assert page.locator('tr[data-element="first_talk.wants_follow_up"]').count() >= 1
    page.wait_for_selector('#diagram[data-ready="true"]')
    assert page.locator('.djs-element.vaern-changed[data-element-id="first_talk"]').count() == 1
    assert page.locator('.djs-element.vaern-changed[data-element-id="timer_first_talk_reminder"]').count() == 1
    assert f"Sag {running.id}" in page.inner_text("#case-moves")
    _shot(page, 12, "changes-of-the-draft")
    assert page.get_attribute("#dry-run form", "data-pending-text") == "Prøvekørslen kører …"
    page.click("#run-dry-run")
    page.wait_for_selector("#dry-run-summary", timeout=180_000)
    report = page.inner_text("#dry-run")
    assert "Alle handler" in report and "Parterne tier" in report and "Ingen handler" in report, report
    assert page.locator(".dry-run-behaviour").count() >= 3 and " dage" in report
    page.wait_for_selector('#diagram[data-ready="true"]')
    _shot(page, 13, "dry-run")
    browser_support.assert_accessible(page, browser_support.axe_script(), "the preview with the dry run")
    page.check("#confirm")
    page.get_by_role("button", name="Idriftsæt som version 2").click()
    page.wait_for_url(f"{base}/admin/diagrams/violence/2")
    assert [d.version for d in vaern.definition_versions("violence")] == [2, 1]
    assert page.evaluate("window.__csp") == [] and page.errors == []
    _shot(page, 14, "deployed")

    # A new case runs the new version: the leader's first talk asks the field added in the panel.
    case = start_violence(vaern)
    task = task_of(vaern, "leder-akut", case.id, "first_talk")
    leader = page.context.browser.new_context(viewport={"width": 1400, "height": 1000}, locale="da-DK").new_page()
    leader.goto(f"{base}/login")
    leader.fill("#login", "leder-akut")
    leader.fill("#password", "vaern-demo")
    leader.click("button[type=submit]")
    leader.wait_for_url(f"{base}/")
    leader.goto(f"{base}/tasks/{task.task_id}")
    assert "Ønsker den udsatte en opfølgende samtale?" in leader.content()
    assert leader.locator('[name="wants_follow_up"]').count() >= 1
    leader.screenshot(path=str(ARTIFACTS / "15-new-case-asks-the-new-field.png"), full_page=True)

    # What the browser saved opens in bpmn.io / Camunda Modeler without a warning and exports unchanged.
    saved = ARTIFACTS / "violence-version-2-saved-in-the-browser.bpmn"
    saved.write_text(vaern.definition_xml("violence", 2)[1], encoding="utf-8")
    node = node_with(MODDLE_DIR, "bpmn-moddle", "the bpmn.io round trip check")
    checked = roundtrip(node, saved)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("kind", ["violence", "harassment", "annual_med"])
def test_a_diagram_opened_and_saved_in_the_browser_holds_the_same_model(server, page, kind):
    """Made by hand or in Camunda Modeler, each diagram opens in the browser without a warning, and what the
    browser's modeller writes back holds exactly its model (so it opens unchanged in bpmn.io and Camunda Modeler)."""
    app, base = server
    page.goto(f"{base}/login")
    page.fill("#login", "koncern-hr")
    page.fill("#password", "vaern-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/admin/diagrams/{kind}/edit")
    page.wait_for_selector('#modeller[data-ready="true"]')
    assert page.get_attribute("#modeller", "data-import-warnings") == "0"
    saved = ARTIFACTS / f"{kind}-opened-and-saved-in-the-browser.bpmn"
    saved.write_text(page.evaluate("() => window.vaernModeler.saveXML({ format: true }).then(r => r.xml)"),
                     encoding="utf-8")
    node = node_with(MODDLE_DIR, "bpmn-moddle", "the bpmn.io round trip check")
    same = roundtrip(node, ROOT / "workflows" / f"{kind}.bpmn", saved)
    assert same.returncode == 0, same.stdout + same.stderr
    assert page.errors == [] and page.evaluate("window.__csp") == []
