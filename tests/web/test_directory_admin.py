"""The directory sync from the admin pages: upload, the changes shown (nothing changed yet), apply; a malformed
file shown with line and column; the safety stop asks; administrators only; CSRF on every post."""
from __future__ import annotations

import io
import re

import pytest
import yaml

from tests.conftest import DEMO_ORG
from tests.web.conftest import as_person, csrf_token, make_app


@pytest.fixture
def admin_app(db_path, tmp_path):
    app = make_app(db_path, WTF_CSRF_ENABLED=True, VAERN_STAGING_DIR=str(tmp_path / "staged"))
    yield app
    app.extensions["vaern"].db.dispose()


def _directory(without=(), extra=()):
    org = yaml.safe_load(DEMO_ORG.read_text(encoding="utf-8"))
    people = [{**p, "roles": [r["role"] if r["unit"] == p["unit"] else f"{r['role']}@{r['unit']}"
                              for r in org["roles"] if r["person"] == p["id"]]}
              for p in org["people"] if p["id"] not in without]
    return yaml.safe_dump({"units": org["units"], "people": people + list(extra)}, allow_unicode=True).encode()


def _upload(client, data: bytes, name: str = "org.yaml"):
    token = csrf_token(client, "/admin/directory/")
    return client.post("/admin/directory/preview", data={"csrf_token": token, "directory": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _apply_form(html: str) -> dict:
    fields = dict(re.findall(r'<input type="hidden" name="(staged|revision|csrf_token)" value="([^"]*)"', html))
    return fields


def test_an_administrator_sees_the_changes_then_applies_them(admin_app):
    client = admin_app.test_client()
    vaern = admin_app.extensions["vaern"]
    as_person(client, vaern, "koncern-hr")
    data = _directory(without={"amr-akut"}, extra=[{"id": "nina-ny", "name": "Nina Ny", "unit": "afd-akut",
                                                     "roles": ["amr"]}])
    shown = _upload(client, data)
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "Allan Arbejdsmiljørepræsentant" in html and "Nina Ny" in html
    assert vaern.person("amr-akut").active  # nothing changed yet
    applied = client.post("/admin/directory/apply", data=_apply_form(html))
    assert applied.status_code == 302
    assert vaern.person("amr-akut").active is False and vaern.resolve("amr", "afd-akut") == ["nina-ny"]
    assert "i takt med filen" in client.get("/admin/directory/").get_data(as_text=True)


def test_a_malformed_file_is_shown_with_line_and_column_in_danish(admin_app):
    client = admin_app.test_client()
    as_person(client, admin_app.extensions["vaern"], "koncern-hr")
    csv = ("employee_id;name;email;unit_id;unit_name;parent_unit_id;unit_kind;roles\n"
           ";;;region;Region;;region;\n"
           "p1;Pia;pia at demo;region;Region;;region;\n")
    refused = _upload(client, csv.encode(), "hr.csv")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert re.search(r"<td>3</td><td>3</td><td>E-mailadressen &#39;pia at demo&#39; er ikke", html), html


def test_the_safety_stop_asks_before_removing_much(admin_app):
    client = admin_app.test_client()
    vaern = admin_app.extensions["vaern"]
    as_person(client, vaern, "koncern-hr")
    everyone = yaml.safe_load(DEMO_ORG.read_text(encoding="utf-8"))["people"]
    shown = _upload(client, _directory(without={p["id"] for p in everyone[4:]}))
    html = shown.get_data(as_text=True)
    assert 'name="allow_removals"' in html
    form = _apply_form(html)
    stopped = client.post("/admin/directory/apply", data=form)
    assert stopped.status_code == 409 and vaern.person("amr-akut").active
    allowed = client.post("/admin/directory/apply", data={**form, "allow_removals": "yes"})
    assert allowed.status_code == 302 and vaern.person("amr-akut").active is False


def test_only_administrators_and_only_with_csrf(admin_app):
    client = admin_app.test_client()
    vaern = admin_app.extensions["vaern"]
    as_person(client, vaern, "leder-akut")
    assert client.get("/admin/directory/").status_code == 403
    as_person(client, vaern, "koncern-hr")
    no_token = client.post("/admin/directory/preview", data={"directory": (io.BytesIO(_directory()), "org.yaml")},
                           content_type="multipart/form-data")
    assert no_token.status_code == 400
    html = _upload(client, _directory(without={"amr-akut"})).get_data(as_text=True)
    form = _apply_form(html)
    del form["csrf_token"]
    assert client.post("/admin/directory/apply", data=form).status_code == 400
    assert vaern.person("amr-akut").active
