"""A process owner changes the guideline in a real browser (Debian's chromium driven by Playwright): uploads a
diagram with a new form field and a changed timer, reads the diff, deploys it; a new case runs the new version
while a case started before keeps the old one. Screenshots go to test-artifacts/admin/."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from tests.web import browser as browser_support
from tests.web.conftest import make_app, start_violence
from tests.web.test_admin import changed_violence

ARTIFACTS = browser_support.ARTIFACTS / "admin"
sync_api = browser_support.require_chromium()


@pytest.fixture
def server(db_path, tmp_path):
    """The app served from a thread on a free port of 127.0.0.1."""
    app = make_app(db_path, WTF_CSRF_ENABLED=True, VAERN_STAGING_DIR=str(tmp_path / "staged"))
    with browser_support.served(app) as base:
        yield app, base


@pytest.fixture
def page():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    with browser_support.chromium(sync_api) as browser:
        context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="da-DK")
        yield context.new_page()


def _shot(page, number: int, label: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{number:02d}-{label}.png"), full_page=True)


def _login(page, base: str, person: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("#login", person)
    page.fill("#password", "vaern-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_a_process_owner_uploads_reviews_and_deploys_a_changed_diagram(server, page, tmp_path):
    app, base = server
    vaern = app.extensions["vaern"]
    old_case = start_violence(vaern)
    changed = tmp_path / "violence.bpmn"
    changed.write_text(changed_violence(), encoding="utf-8")

    _login(page, base, "koncern-hr")
    page.get_by_role("link", name="Diagrammer").click()
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == "Diagrammer"
    _shot(page, 1, "diagrams")

    page.set_input_files("#diagram", str(changed))
    page.get_by_role("button", name="Tjek diagrammet").click()
    page.wait_for_selector("table.changes")
    field = page.locator('tr[data-element="first_talk.union_rep_informed"]')
    assert field.count() == 1 and "Er TR orienteret?" in field.inner_text() and "Tilføjet" in field.inner_text()
    timer = page.locator('tr[data-element="timer_serious_escalation"]')
    assert "5 arbejdsdage" in timer.inner_text() and "3 arbejdsdage" in timer.inner_text()
    assert page.locator('tr[data-element="setting.serious_escalation_after"]').count() == 1
    assert [d.version for d in vaern.definition_versions("violence")] == [1]
    _shot(page, 2, "diff")

    page.get_by_role("button", name="Idriftsæt som version 2").click()
    page.wait_for_url(f"{base}/admin/diagrams/violence/2")
    page.wait_for_selector("#diagram[data-ready]")
    assert page.get_attribute("#diagram", "data-ready") == "true" and page.locator("#diagram svg").count() >= 1
    assert "violence version 2 er idriftsat" in page.inner_text(".flash")
    _shot(page, 3, "deployed-version-2")

    new_case = start_violence(vaern, description="Spark mod benet")
    assert (vaern.case(old_case.id).definition_version, new_case.definition_version) == (1, 2)

    # The leader works both cases: the new one's form has the new field, the old one's does not.
    _login(page, base, "leder-akut")
    forms = {}
    for case in (old_case, new_case):
        [task] = [t for t in vaern.tasks_of_case(case.id) if t.state == "open"]
        page.goto(f"{base}/tasks/{task.id}")
        page.wait_for_selector("h1")
        forms[case.id] = page.locator("#union_rep_informed").count()
        _shot(page, 4 if case is old_case else 5, f"task-case-{case.id}-v{case.definition_version}")
    assert forms == {old_case.id: 0, new_case.id: 1}

    page.goto(f"{base}/tasks/{[t for t in vaern.tasks_of_case(old_case.id) if t.state == 'open'][0].id}")
    for element in page.query_selector_all("form [required]"):
        tag, kind = element.evaluate("e => e.tagName.toLowerCase()"), element.get_attribute("type") or ""
        if tag == "select":
            element.select_option(index=1)
        elif kind == "date":
            element.fill(datetime.now(timezone.utc).date().isoformat())
        elif kind == "number":
            element.fill("1")
        elif tag == "textarea" or kind in ("", "text"):
            element.fill("Udfyldt i browsertesten")
    page.select_option("#contact_initiated_by", "leader")
    page.get_by_role("button", name="Udfør opgaven").click()
    page.wait_for_load_state()
    assert page.locator(".flash-success").count() == 1, page.content()[:2000]
    _shot(page, 6, "old-case-goes-on")
    assert vaern.case(old_case.id).definition_version == 1
    assert any(t.state == "completed" for t in vaern.tasks_of_case(old_case.id))

    _login(page, base, "ansat-akut")
    for number, case, version in ((7, old_case, 1), (8, new_case, 2)):
        page.goto(f"{base}/cases/{case.id}")
        page.wait_for_selector("#diagram[data-ready]")
        assert f"Diagramversion {version}" in page.inner_text(".meta")
        _shot(page, number, f"case-{case.id}-runs-v{version}")

    _login(page, base, "koncern-hr")
    page.goto(f"{base}/admin/diagrams/violence/cases")
    row = page.locator(f"#case-{old_case.id}")
    assert "Flyt til version 2" in row.inner_text()
    _shot(page, 9, "cases-on-older-versions")
    row.get_by_role("button", name="Flyt til version 2").click()
    page.wait_for_load_state()
    assert re.search(r"Sag \d+ kører nu version 2", page.inner_text(".flash"))
    assert vaern.case(old_case.id).definition_version == 2
    _shot(page, 10, "moved")
