"""The process owners' pages: upload, every problem shown and nothing changed, the diff, deploy, versions,
download, the read-only viewer, and moving running cases to the newest version."""
from __future__ import annotations

import io
import re

import pytest

from tests.conftest import ROOT, simple_xml
from tests.web.conftest import login, make_app, start_violence

VIOLENCE = (ROOT / "workflows" / "violence.bpmn").read_text(encoding="utf-8")
FIRST_TALK_FORM = '<bpmn:userTask id="first_talk" name="Første samtale med den udsatte">'
NEW_FIELD = ('<camunda:formField id="union_rep_informed" label="Er TR orienteret?" type="boolean" />')


@pytest.fixture
def staging(tmp_path):
    return tmp_path / "staged"


@pytest.fixture
def app(db_path, staging):
    """The app with uploads staged in the test's own folder."""
    app = make_app(db_path, VAERN_STAGING_DIR=str(staging))
    yield app
    app.extensions["vaern"].db.dispose()


@pytest.fixture
def csrf_app(db_path, staging):
    app = make_app(db_path, WTF_CSRF_ENABLED=True, VAERN_STAGING_DIR=str(staging))
    yield app
    app.extensions["vaern"].db.dispose()


def changed_violence() -> str:
    """violence.bpmn with a new form field on the first talk and a shorter serious-case escalation."""
    start = VIOLENCE.index(FIRST_TALK_FORM)
    form = VIOLENCE.index("<camunda:formData>", start) + len("<camunda:formData>")
    xml = VIOLENCE[:form] + NEW_FIELD + VIOLENCE[form:]
    old = '<camunda:property name="setting.serious_escalation_after" value="5 arbejdsdage" />'
    assert old in xml, "violence.bpmn drifted: the serious escalation setting moved"
    return xml.replace(old, '<camunda:property name="setting.serious_escalation_after" value="3 arbejdsdage" />')


def upload(client, xml: str | bytes, name: str = "violence.bpmn"):
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    return client.post("/admin/diagrams/upload", data={"diagram": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _versions(vaern, kind="violence"):
    return [d.version for d in vaern.definition_versions(kind)]


def _broken(old: str, new: str) -> str:
    xml = simple_xml()
    assert old in xml, f"test fixture drifted: {old!r} not in simple.bpmn"
    return xml.replace(old, new, 1)


def _script_task() -> str:
    xml = _broken('<bpmn:userTask id="Task_hr" name="Sparring med HR">',
                  '<bpmn:scriptTask id="Task_hr" name="Sparring med HR"><bpmn:script>import os</bpmn:script>')
    return xml.replace('</bpmn:userTask>\n    <bpmn:endEvent id="End_1"', '</bpmn:scriptTask>\n    <bpmn:endEvent id="End_1"')


def _no_di() -> str:
    xml = simple_xml()
    return xml[: xml.index("<bpmndi:BPMNDiagram")] + "</bpmn:definitions>\n"


# The fragments are the Danish sentences the page shows (web/problem_texts.py); the command line stays English.
BROKEN = {
    "missing flow target": (_broken('targetRef="Task_hr"', 'targetRef="Task_nowhere"'), [("Flow_4", "»Task_nowhere« findes ikke")]),
    "unknown lane role": (_broken('name="hr"', 'name="janitor"'), [("Lane_hr", "»janitor« er ikke en kendt rolle")]),
    "invalid timer": (_broken(">reminder_after<", ">P2X<"), [("Timer_remind", "ikke gyldig")]),
    "script task": (_script_task(), [("Task_hr", "Script")]),
    "unparsable condition": (_broken("serious == True", "serious =="), [("Flow_serious", "kan ikke læses")]),
    "invalid XML": (simple_xml().replace("</bpmn:process>", "</bpmn:proces>"), [(None, "ikke gyldig XML")]),
    "no DI": (_no_di(), [("Definitions_simple", "ingen tegning (BPMN DI)")]),
    "duplicate id": (_broken('id="Flow_5"', 'id="Flow_4"'), [("Flow_4", "brugt to gange")]),
    "XXE": ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><d>&xxe;</d>',
            [(None, "DOCTYPE eller ENTITY")]),
    "billion laughs": ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
                       '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>', [(None, "DOCTYPE eller ENTITY")]),
    "user task without a lane": (_broken("<bpmn:flowNodeRef>Task_hr</bpmn:flowNodeRef>", ""), [("Task_hr", "ligger ikke i nogen bane")]),
    "several problems at once": (
        _broken('name="hr"', 'name="janitor"').replace("serious == True", "serious ==").replace(
            'targetRef="Task_hr"', 'targetRef="Nope"'),
        [("Lane_hr", "ikke en kendt rolle"), ("Flow_serious", "kan ikke læses"), ("Flow_4", "»Nope« findes ikke")]),
}


def _rows(html: str) -> list[tuple[str, str]]:
    rows = re.findall(r'<tr class="problem"><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>', html, re.S)
    # The element cell holds the id (in <code>) and, under it, the element's name.
    return [((re.search(r"<code>(.*?)</code>", element) or re.search(r"(.*)", element)).group(1), message)
            for _line, element, message in rows]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_diagram_shows_all_its_problems_and_changes_nothing(client, vaern, staging, name):
    xml, expected = BROKEN[name]
    login(client, "koncern-hr")
    before = (vaern.definitions(), len(vaern.events()))
    response = upload(client, xml, "broken.bpmn")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    rows = _rows(html)
    from html import unescape
    for element, fragment in expected:
        assert any((element is None or element == e) and fragment in unescape(m) for e, m in rows), (name, rows)
    assert "Nothing was changed" in html or "Intet blev ændret" in html
    assert (vaern.definitions(), len(vaern.events())) == before
    assert not staging.exists() or not list(staging.iterdir())


def test_people_without_the_flags_get_403_everywhere(client):
    login(client, "leder-akut")
    for path in ("/admin/diagrams", "/admin/diagrams/violence/1", "/admin/diagrams/violence/1.bpmn",
                 "/admin/diagrams/violence/cases", "/admin/diagrams/violence/1/diagram.json"):
        assert client.get(path).status_code == 403, path
    assert upload(client, VIOLENCE).status_code == 403
    assert client.post("/admin/cases/1/migrate", data={"to_version": "2"}).status_code == 403
    assert "/admin/diagrams" not in client.get("/").get_data(as_text=True)


def test_a_process_owner_who_is_not_admin_may_use_the_pages(client, vaern):
    from datetime import datetime, timezone

    vaern.set_password("hr-hosp", "vaern-demo", datetime.now(timezone.utc), process_owner=True)
    login(client, "hr-hosp")
    page = client.get("/admin/diagrams")
    assert page.status_code == 200 and "violence" in page.get_data(as_text=True)
    assert 'href="/admin/diagrams"' in client.get("/").get_data(as_text=True)


def test_upload_shows_the_diff_then_deploys_on_confirmation(client, vaern, staging):
    login(client, "koncern-hr")
    old_case = start_violence(vaern)
    response = upload(client, changed_violence())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-element="first_talk.union_rep_informed"' in html and "Er TR orienteret?" in html
    assert 'data-element="setting.serious_escalation_after"' in html and "3 arbejdsdage" in html
    assert 'data-element="timer_serious_escalation"' in html
    assert _versions(vaern) == [1]  # nothing deployed before the confirmation

    digest = re.search(r'name="content_hash" value="([0-9a-f]{64})"', html).group(1)
    deployed = client.post("/admin/diagrams/deploy", data={"content_hash": digest, "filename": "violence.bpmn",
                                                           "reviewed_against": "1"})
    assert deployed.status_code == 302 and deployed.headers["Location"].endswith("/admin/diagrams/violence/2")
    assert _versions(vaern) == [2, 1]
    new_case = start_violence(vaern)
    assert (vaern.case(old_case.id).definition_version, new_case.definition_version) == (1, 2)
    page = client.get("/admin/diagrams/violence/2").get_data(as_text=True)
    assert "union_rep_informed" in page and "/admin/diagrams/violence/2/diagram.json" in page
    assert client.post("/admin/diagrams/deploy", data={"content_hash": digest, "filename": "violence.bpmn",
                                                       "reviewed_against": "1"}).status_code == 302
    assert _versions(vaern) == [2, 1] and list(staging.iterdir()) == []  # the staged upload is gone once deployed


def test_a_deploy_reviewed_against_an_older_version_is_refused(client, vaern):
    login(client, "koncern-hr")
    html = upload(client, changed_violence()).get_data(as_text=True)
    digest = re.search(r'name="content_hash" value="([0-9a-f]{64})"', html).group(1)
    other = VIOLENCE.replace('value="P3D"', 'value="P4D"', 1)
    vaern.deploy(other.encode(), "violence.bpmn", "koncern-hr", __import__("datetime").datetime.now(
        __import__("datetime").timezone.utc))
    response = client.post("/admin/diagrams/deploy", data={"content_hash": digest, "filename": "violence.bpmn",
                                                           "reviewed_against": "1"}, follow_redirects=True)
    assert _versions(vaern) == [2, 1]
    assert "Upload the file again" in response.get_data(as_text=True) or "Upload filen igen" in response.get_data(as_text=True)


def test_an_unchanged_upload_says_it_is_deployed_already(client):
    login(client, "koncern-hr")
    html = upload(client, VIOLENCE).get_data(as_text=True)
    assert 'id="deploy"' not in html and "/admin/diagrams/violence/1" in html


def test_every_version_downloads_as_the_exact_xml_and_opens_in_the_viewer(client, vaern):
    login(client, "koncern-hr")
    response = client.get("/admin/diagrams/violence/1.bpmn")
    assert response.status_code == 200 and response.get_data(as_text=True) == VIOLENCE
    assert "attachment" in response.headers["Content-Disposition"] and "violence-v1.bpmn" in response.headers["Content-Disposition"]
    state = client.get("/admin/diagrams/violence/1/diagram.json").get_json()
    assert state["xml"] == VIOLENCE and state["version"] == 1 and state["current"] == []
    assert client.get("/admin/diagrams/violence/9.bpmn").status_code == 404
    listing = client.get("/admin/diagrams").get_data(as_text=True)
    for kind in ("violence", "harassment", "annual_med"):
        assert f"/admin/diagrams/{kind}/1.bpmn" in listing


def test_running_cases_move_where_safe_and_show_the_reason_where_not(client, vaern):
    from datetime import datetime, timezone

    login(client, "koncern-hr")
    plain = start_violence(vaern)
    serious = start_violence(vaern, serious=True)
    vaern.deploy(changed_violence().encode(), "violence.bpmn", "koncern-hr", datetime.now(timezone.utc))
    page = client.get("/admin/diagrams/violence/cases").get_data(as_text=True)
    plain_row = page[page.index(f'id="case-{plain.id}"'):page.index(f'id="case-{serious.id}"')]
    serious_row = page[page.index(f'id="case-{serious.id}"'):]
    assert 'name="to_version" value="2"' in plain_row
    assert "timer_serious_escalation" in serious_row and "allerede startet" in serious_row
    assert 'name="to_version"' not in serious_row.split("</tr>")[0]

    moved = client.post(f"/admin/cases/{plain.id}/migrate", data={"to_version": "2", "case_version": plain.version,
                                                                  "kind": "violence"})
    assert moved.status_code == 302
    assert vaern.case(plain.id).definition_version == 2
    refused = client.post(f"/admin/cases/{serious.id}/migrate", data={"to_version": "2", "kind": "violence"},
                          follow_redirects=True)
    assert "timer_serious_escalation" in refused.get_data(as_text=True)
    assert vaern.case(serious.id).definition_version == 1
    stale = client.post(f"/admin/cases/{serious.id}/migrate", data={"to_version": "2", "case_version": "0",
                                                                    "kind": "violence"}, follow_redirects=True)
    assert vaern.case(serious.id).definition_version == 1 and stale.status_code == 200


def test_the_upload_form_needs_a_file_and_csrf(csrf_app):
    client = csrf_app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"login": "koncern-hr", "password": "vaern-demo", "csrf_token": token})
    assert upload(client, VIOLENCE).status_code == 400  # no CSRF token


def test_uploads_nobody_deployed_are_removed_after_a_day(client, staging):
    import os
    import time

    login(client, "koncern-hr")
    staging.mkdir(parents=True, exist_ok=True)
    old, fresh = staging / ("a" * 64 + ".bpmn"), staging / ("b" * 64 + ".bpmn")
    old.write_text("x")
    fresh.write_text("y")
    os.utime(old, (time.time() - 2 * 24 * 3600,) * 2)
    upload(client, changed_violence())
    assert not old.exists() and fresh.exists()
