"""An administrator keeps the organisation in step with HR's export in a real browser (Debian's chromium driven
by Playwright): uploads the export, reads the changes, applies them. Screenshots go to test-artifacts/directory/."""
from __future__ import annotations

import pytest
import yaml

from tests.conftest import DEMO_ORG
from tests.web import browser as browser_support
from tests.web.conftest import make_app, start_violence

ARTIFACTS = browser_support.ARTIFACTS / "directory"
sync_api = browser_support.require_chromium()


@pytest.fixture
def server(db_path, tmp_path):
    app = make_app(db_path, WTF_CSRF_ENABLED=True, VAERN_STAGING_DIR=str(tmp_path / "staged"))
    with browser_support.served(app) as base:
        yield app, base


def _export(tmp_path):
    """The demo organisation as HR's CSV, the next day: the department's AMR has left, a new one has started."""
    org = yaml.safe_load(DEMO_ORG.read_text(encoding="utf-8"))
    units = {u["id"]: u for u in org["units"]}
    rows = ["employee_id;name;email;unit_id;unit_name;parent_unit_id;unit_kind;roles"]
    for person in org["people"]:
        if person["id"] == "amr-akut":
            continue
        unit = units[person["unit"]]
        roles = " ".join(r["role"] if r["unit"] == person["unit"] else f"{r['role']}@{r['unit']}"
                         for r in org["roles"] if r["person"] == person["id"])
        rows.append(f"{person['id']};{person['name']};{person['email']};{unit['id']};{unit['name']};"
                    f"{unit.get('parent') or ''};{unit['kind']};{roles}")
    rows.append("amr-ny;Asta Ny;asta@demo.invalid;afd-akut;Akutafdelingen;hospital;department;amr")
    path = tmp_path / "hr-eksport.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_an_administrator_uploads_reviews_and_applies_the_hr_export(server, tmp_path):
    app, base = server
    vaern = app.extensions["vaern"]
    start_violence(vaern)
    path = _export(tmp_path)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    axe = browser_support.axe_script()
    with browser_support.chromium(sync_api) as browser:
        context, page = browser_support.logged_in(browser, base, "koncern-hr", 1200)
        page.goto(f"{base}/admin/directory/")
        page.wait_for_selector("h1")
        assert page.inner_text("h1") == "Organisation"
        assert page.get_attribute("header a[aria-current=page]", "href") == "/admin/directory/"
        browser_support.assert_accessible(page, axe, "directory upload")
        page.set_input_files("#directory", str(path))
        page.get_by_role("button", name="Vis ændringerne").click()
        page.wait_for_selector("#apply")
        page.screenshot(path=str(ARTIFACTS / "01-changes.png"), full_page=True)
        browser_support.assert_accessible(page, axe, "directory changes")
        shown = page.inner_text("main")
        assert "Fratrådte personer" in shown and "Allan Arbejdsmiljørepræsentant" in shown and "Asta Ny" in shown
        assert vaern.person("amr-akut").active  # nothing changed before the button
        page.click("#apply")
        page.wait_for_selector(".flash-success")
        page.screenshot(path=str(ARTIFACTS / "02-applied.png"), full_page=True)
        assert "i takt med filen" in page.inner_text("main")
        context.close()
    assert vaern.person("amr-akut").active is False and vaern.resolve("amr", "afd-akut") == ["amr-ny"]
