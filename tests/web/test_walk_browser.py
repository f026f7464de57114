"""A violence and a harassment case walked through as the leader, the affected, the accused, HR and the leader's
leader would meet them, at 1280 px and 375 px (issue 16's "Done when").

At each step of the walk every reader opens what they can: the inbox, "Sager", the report form, the case page at
their level and each of their open task pages. On every page: no internal name (snake_case) and no requirement
tag in the visible text, no sideways scrolling and no serious or critical axe-core violation; task and case pages
open with "Sagen kort" (not for the accused, who sees only the hearing); every open task shows its date.
The engine moves the cases between the steps, as the people before would have. Screenshots:
test-artifacts/walk/.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from tests.scenario import filled
from tests.web import browser as browser_support
from tests.web.conftest import TO_THE_HEARINGS, drive_case, has_task, make_app, start_harassment, start_violence
from web.wording import IDENTIFIER

ARTIFACTS = browser_support.ARTIFACTS / "walk"
sync_api = browser_support.require_chromium()
TAG = re.compile(r"\b(?:V|K|GEN|LAW|MED|ORG)-[A-Z]{0,3}\d+[a-z]?\b")
DATE = re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b")
WIDTHS = (1280, 375)
ENGLISH = re.compile(r"\b(?:Due|Case|Task|Open|Closed|None|True|False|leader|employee|accused)\b")


@pytest.fixture(scope="module")
def axe_source() -> str:
    return browser_support.axe_script()


@pytest.fixture
def served(db_path):
    app = make_app(db_path)
    with browser_support.served(app) as base:
        yield app, base


class Walk:
    """Readers opening their pages in one browser; each page photographed and checked."""

    def __init__(self, browser, base: str, vaern, axe: str):
        self.browser, self.base, self.vaern, self.axe = browser, base, vaern, axe
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.pages = 0

    def check(self, page, label: str) -> str:
        """The page's checks that hold for everyone; returns the visible text of its main part."""
        self.pages += 1
        page.screenshot(path=str(ARTIFACTS / f"{re.sub(r'[^a-z0-9]+', '-', label.lower())}.png"), full_page=True)
        text = page.inner_text("main")
        for pattern in (IDENTIFIER, TAG, ENGLISH):
            found = pattern.search(text)
            assert not found, (label, found and found.group(0), text[max(0, found.start() - 80):found.end() + 80])
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{label}: scrolls sideways"
        browser_support.assert_accessible(page, self.axe, label)
        return text

    def reader(self, stage: str, person: str, case, may_see_case: bool = True) -> None:
        """Everything `person` can open at this stage of the walk, at both widths."""
        now = datetime.now(timezone.utc)
        items = [i for i in self.vaern.inbox(person, now) if i.case_id == case.id]
        for width in WIDTHS:
            label = f"{case.kind}-{stage}-{person}-{width}"
            context, page = browser_support.logged_in(self.browser, self.base, person, width)
            text = self.check(page, f"{label}-inbox")
            for row in page.locator(".task-row").all():
                assert DATE.search(row.inner_text()), (label, "an inbox task without a date", row.inner_text())
            if any(i.role == "accused" for i in items):
                assert page.locator(".task-row .mark.escalated, .task-row .mark.serious").count() == 0, label
            for item in items:
                assert item.title in text
                page.goto(f"{self.base}/tasks/{item.task_id}")
                text = self.check(page, f"{label}-task-{item.task_id[:8]}")
                assert DATE.search(page.inner_text("main .meta")), (label, "a task page without its date")
                if item.role == "accused":
                    assert "Sagen kort" not in text and page.locator(f'a[href="/cases/{case.id}"]').count() == 0
                    assert page.locator("main .mark").count() == 0, (label, "the accused told of escalation")
                else:
                    assert "Sagen kort" in text and DATE.search(page.inner_text(".summary"))
            response = page.goto(f"{self.base}/cases/{case.id}")
            if may_see_case:
                assert response.status == 200, (label, response.status)
                page.wait_for_load_state("networkidle")
                text = self.check(page, f"{label}-case")
                assert "Sagen kort" in text
                for row in page.locator("table.list tbody tr").all():
                    cells = row.locator("td").all_inner_texts()
                    if len(cells) == 4 and cells[2].strip() == "Åben":
                        assert DATE.search(cells[3]), (label, "an open task without a date", cells)
            else:
                assert response.status == 403, (label, response.status)
                assert "Bliver holdt udenfor" not in page.content() and "Slag på armen" not in page.content()
                self.check(page, f"{label}-case-refused")
            page.goto(f"{self.base}/cases/")
            text = self.check(page, f"{label}-overview")
            listed = page.locator(f'table.overview a[href="/cases/{case.id}"]').count()
            if not may_see_case:
                assert listed == 0, (label, "a case the reader may not see is listed")
            page.goto(f"{self.base}/report")
            self.check(page, f"{label}-report")
            if not may_see_case:  # nor in "Mine anmeldelser" or "Hvem har set mine sager"
                for path in ("/reports", "/access-log"):
                    page.goto(f"{self.base}{path}")
                    assert f"Sag {case.id}" not in self.check(page, f"{label}-{path.strip('/')}"), (label, path)
            context.close()


def test_a_violence_case_walked_by_each_reader(served, axe_source):
    app, base = served
    vaern = app.extensions["vaern"]
    case = start_violence(vaern, serious=True, injured=True, acted_by="patient")
    with browser_support.chromium(sync_api) as browser:
        walk = Walk(browser, base, vaern, axe_source)
        walk.reader("1-reported", "leder-akut", case)
        walk.reader("1-reported", "ansat-akut", case)
        walk.reader("1-reported", "hr-hosp", case, may_see_case=False)  # no task in a violence case: no access
        # The affected asks the next management level for help: the leader's leader gets a task.
        vaern.send_message(case.id, "escalation_requested", {"by": "ansat-akut"}, "ansat-akut",
                           datetime.now(timezone.utc))
        drive_case(vaern, case, {"first_talk_serious": {"contact_initiated_by": "leader"}},
                   lambda: has_task(vaern, "ansat-akut", case))
        walk.reader("2-helped", "hosp-leder", case)
        walk.reader("2-helped", "ansat-akut", case)
        walk.reader("2-helped", "leder-akut", case)
    assert walk.pages >= 40


def test_a_harassment_case_walked_by_each_reader(served, axe_source):
    app, base = served
    vaern = app.extensions["vaern"]
    case = start_harassment(vaern, acted_by="colleague")
    answers = TO_THE_HEARINGS
    with browser_support.chromium(sync_api) as browser:
        walk = Walk(browser, base, vaern, axe_source)
        walk.reader("1-reported", "kollega-akut", case, may_see_case=False)  # the accused learns nothing yet
        drive_case(vaern, case, answers, lambda: has_task(vaern, "hr-hosp", case))
        walk.reader("2-sparring", "hr-hosp", case)
        walk.reader("2-sparring", "leder-akut", case)
        sparring = next(t for t in vaern.tasks_of_case(case.id) if t.state == "open" and t.role == "hr")
        vaern.complete_task(sparring.id, filled(vaern, sparring.id), "hr-hosp", datetime.now(timezone.utc))
        drive_case(vaern, case, answers, lambda: has_task(vaern, "kollega-akut", case))
        vaern.send_message(case.id, "escalation_requested", {"by": "ansat-akut"}, "ansat-akut",
                           datetime.now(timezone.utc))
        walk.reader("3-hearing", "kollega-akut", case, may_see_case=False)  # the hearing task, never the case
        walk.reader("3-hearing", "ansat-akut", case)
        walk.reader("3-hearing", "hosp-leder", case)
        walk.reader("3-hearing", "hr-hosp", case)
        walk.reader("3-hearing", "leder-akut", case)
    assert walk.pages >= 60
