"""The case page: who may see it, what it shows, and the diagram state the viewer draws."""
from __future__ import annotations

from datetime import datetime, timezone

from tests.web.conftest import login, start_harassment, start_violence, task_of


def _main(html: str) -> str:
    return html.split('<main id="main">', 1)[1]


def test_the_affected_reporter_sees_status_steps_by_role_and_the_diagram_but_no_data(client, vaern):
    case = start_violence(vaern, description="Slag på armen")
    login(client, "ansat-akut")
    response = client.get(f"/cases/{case.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f"Sag {case.id}" in html and "Åben" in html
    assert 'data-level="timeline"' in html
    assert "Sagen blev anmeldt" in html and "Ny opgave: Første samtale" in html
    assert '<span class="actor">Du</span>' in html, "what the reader did is theirs, not a role's"
    main = _main(html)
    assert "Anna Ansat" not in main and "Lene Leder" not in main, "steps name roles, not people"
    assert "Slag på armen" not in html and "Stue 3" not in html and "Sagens oplysninger" not in html
    for setting in vaern.case_settings(case.id):
        assert f"<dt>{setting}</dt>" not in html
    assert 'id="diagram"' in html and "/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" in html
    assert "Giv adgang" not in html


def test_people_with_a_task_in_the_case_see_it_and_labels_come_from_the_forms(client, vaern):
    case = start_violence(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    vaern.complete_task(item.task_id, {"contact_initiated_by": "leader", "first_talk_date": "2026-01-06",
                                       "someone_to_talk_to": "Sin mand"}, "leder-akut", datetime.now(timezone.utc))
    login(client, "leder-akut")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Hvem har den udsatte at tale med?" in html and "Sin mand" in html and "Lene Leder" in html


def test_a_stranger_gets_a_403_that_shows_nothing_and_an_unknown_case_the_very_same_page(client, vaern):
    case = start_violence(vaern, description="Meget privat")
    login(client, "hr-hosp")
    for path in ("", "/diagram.json"):
        response = client.get(f"/cases/{case.id}{path}")
        html = response.get_data(as_text=True)
        assert response.status_code == 403 and "Ingen adgang" in html
        assert "Meget privat" not in html and "violence" not in html and "Vold" not in html
        unknown = client.get(f"/cases/9999{path}")
        # Nothing tells a case one may not see from a number no case has: same status, same page (but for the
        # address itself, which the page repeats in its language switch).
        assert unknown.status_code == 403
        assert unknown.get_data(as_text=True).replace("/cases/9999", "/cases/N") == html.replace(f"/cases/{case.id}", "/cases/N")
    assert [(e.case_id, e.allowed) for e in vaern.access_log()[-2:]] == [(case.id, False), (9999, False)]


def test_the_accused_does_not_see_the_case_page(client, vaern):
    case = start_harassment(vaern)
    login(client, "kollega-akut")
    response = client.get(f"/cases/{case.id}")
    assert response.status_code == 403 and "Bliver holdt udenfor" not in response.get_data(as_text=True)


def test_an_admin_not_involved_sees_nothing_of_the_case(client, vaern):
    case = start_violence(vaern, description="Meget privat")
    login(client, "koncern-hr")
    for path in (f"/cases/{case.id}", f"/cases/{case.id}/diagram.json"):
        response = client.get(path)
        assert response.status_code == 403 and "Meget privat" not in response.get_data(as_text=True)


def test_a_witness_who_reported_sees_only_the_status(client, vaern):
    case = start_violence(vaern, reporter="kollega-akut", description="Meget privat")
    login(client, "kollega-akut")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'data-level="status"' in html and "Åben" in html
    assert "Meget privat" not in html and "Første samtale" not in html and 'id="diagram"' not in html
    assert client.get(f"/cases/{case.id}/diagram.json").status_code == 403


def test_the_diagram_state_names_done_current_and_overdue_elements(client, vaern):
    case = start_violence(vaern)
    login(client, "ansat-akut")
    state = client.get(f"/cases/{case.id}/diagram.json").get_json()
    assert "<bpmn:definitions" in state["xml"] and "first_talk" in state["current"]
    assert "start_report" in state["completed"] and state["overdue"] == []


def test_the_viewer_s_files_are_served_and_nothing_else_from_node_modules(client):
    response = client.get("/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js")
    assert response.status_code == 200 and b"BpmnJS" in response.data[:100000]
    assert client.get("/vendor/bpmn-js/assets/bpmn-js.css").status_code == 200
    assert client.get("/vendor/bpmn-js/../package.json").status_code == 404
    assert client.get("/vendor/bpmn-js/bpmn-modeler.production.min.js").status_code == 404
