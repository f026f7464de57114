"""Reporting: the first question routes the case (LAW-4), the form is checked field by field, K-S8 escalation."""
from __future__ import annotations

from datetime import datetime, timezone

from tests.web.conftest import csrf_token, login, start_harassment, start_violence, task_of

VIOLENCE = {"actor": "patient", "reporting_as": "self", "unit_id": "afd-akut", "incident_at": "2026-01-05T10:00",
            "location": "Stue 3", "violence_type": "physical", "severity": "3", "description": "Slag på armen"}
HARASSMENT = {"actor": "colleague", "reporting_as": "self", "unit_id": "afd-akut", "kind": "bullying",
              "accused_id": "kollega-akut", "description": "Bliver holdt udenfor"}


def test_the_first_question_must_be_answered(client):
    login(client, "ansat-akut")
    assert "Hvem handlede?" in client.get("/report").get_data(as_text=True)
    response = client.get("/report/details?actor=alien")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Vælg, hvem der handlede." in html and "Vælg, om det skete" in html


def test_who_acted_decides_the_route(client):
    login(client, "ansat-akut")
    for actor in ("citizen", "patient", "relative"):
        assert "Anmeld vold" in client.get(f"/report/details?actor={actor}&reporting_as=self").get_data(as_text=True)
    for actor in ("colleague", "manager"):
        html = client.get(f"/report/details?actor={actor}&reporting_as=self").get_data(as_text=True)
        assert "Anmeld en krænkende handling" in html


def test_a_violence_report_starts_a_case_in_the_reporter_s_unit(client, vaern):
    login(client, "ansat-akut")
    response = client.post("/report/details", data={**VIOLENCE, "serious": "on", "injured": "on"})
    assert response.status_code == 302 and response.location == "/reports"
    [case] = vaern.reported_by("ansat-akut")
    assert (case.kind, case.unit_id, case.serious) == ("violence", "afd-akut", True)
    data = vaern.case(case.id).data
    assert data["employee_id"] == "ansat-akut" and data["reporter_id"] == "ansat-akut"
    assert data["severity"] == 3 and data["injured"] is True and data["witnesses_present"] is False
    assert data["incident_at"] == "2026-01-05T10:00:00+01:00" and data["violence_type"] == "physical"
    settings = vaern.case_settings(case.id)  # settings come from the diagram, not the form
    assert data["first_action_reminder"] == settings["first_action_reminder"] and settings
    assert "Sag %d" % case.id in client.get("/reports").get_data(as_text=True)
    assert task_of(vaern, "leder-akut", case.id, "first_talk_serious")


def test_a_witness_chooses_the_affected_employee(client, vaern):
    login(client, "kollega-akut")
    form = {**VIOLENCE, "reporting_as": "witness", "witnesses_present": "on", "witnesses": "Karl"}
    response = client.post("/report/details", data=form)
    assert response.status_code == 400 and "Vælg den medarbejder, det skete for." in response.get_data(as_text=True)
    response = client.post("/report/details", data={**form, "employee_id": "kollega-akut"})
    assert response.status_code == 400
    response = client.post("/report/details", data={**form, "employee_id": "ansat-akut", "unit_id": "afd-psyk"})
    assert response.status_code == 302
    [case] = vaern.reported_by("kollega-akut")
    assert case.parties == {"employee_id": "ansat-akut", "reporter_id": "kollega-akut"} and case.unit_id == "afd-psyk"


def test_a_harassment_report_names_source_kind_and_the_accused(client, vaern):
    login(client, "ansat-akut")
    assert client.post("/report/details", data=HARASSMENT).status_code == 302
    [case] = vaern.reported_by("ansat-akut")
    data = vaern.case(case.id).data
    assert case.kind == "harassment" and data["report_source"] == "affected" and data["kind"] == "bullying"
    assert case.parties["accused_id"] == "kollega-akut" and data["description"] == "Bliver holdt udenfor"


def test_bad_fields_get_their_own_message_and_entered_values_stay(client, vaern):
    login(client, "ansat-akut")
    form = {**VIOLENCE, "incident_at": "i går", "location": "", "severity": "9", "unit_id": "nowhere",
            "witnesses": "Karl og Tina"}
    response = client.post("/report/details", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ("Angiv dato og klokkeslæt", "Angiv, hvor det skete.", "Vælg en alvorlighed fra 1 til 5.",
                    "Vælg den enhed, hvor det skete."):
        assert message in html
    assert 'value="Karl og Tina"' in html and "Slag på armen" in html and 'aria-invalid="true"' in html
    future = client.post("/report/details", data={**VIOLENCE, "incident_at": "2999-01-01T10:00"})
    assert future.status_code == 400 and "fremtiden" in future.get_data(as_text=True)
    response = client.post("/report/details", data={**HARASSMENT, "kind": "", "description": "",
                                                    "accused_id": "ansat-akut"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Vælg, hvilken slags handling det var." in html
    assert "Beskriv, hvad der skete" in html and "kan ikke være den, det skete for" in html
    assert vaern.reported_by("ansat-akut") == []


def test_reporting_needs_the_csrf_token(csrf_app):
    client = csrf_app.test_client()
    token = csrf_token(client, "/login")
    client.post("/login", data={"login": "ansat-akut", "password": "vaern-demo", "csrf_token": token})
    assert client.post("/report/details", data=VIOLENCE).status_code == 400
    token = csrf_token(client, "/report/details?actor=patient&reporting_as=self")
    assert client.post("/report/details", data={**VIOLENCE, "csrf_token": token}).status_code == 302


def test_my_reports_show_status_not_the_contents_of_tasks(client, vaern):
    case = start_violence(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    vaern.complete_task(item.task_id, {"contact_initiated_by": "leader", "first_talk_date": "2026-01-06",
                                       "someone_to_talk_to": "Hemmelig note"}, "leder-akut",
                        datetime.now(timezone.utc))
    login(client, "ansat-akut")
    html = client.get("/reports").get_data(as_text=True)
    assert f"Sag {case.id}" in html and "Åben" in html and "Hemmelig note" not in html
    login(client, "tr-akut")
    assert "Du har ikke anmeldt noget" in client.get("/reports").get_data(as_text=True)


def test_the_reporter_asks_the_next_management_level_for_help(client, vaern):
    case = start_harassment(vaern)
    login(client, "ansat-akut")
    response = client.post(f"/reports/{case.id}/escalate")
    assert response.status_code == 302
    assert "Næste ledelsesniveau har fået en opgave" in client.get("/reports").get_data(as_text=True)
    assert task_of(vaern, "hosp-leder", case.id, "Task_EscalationRequest")
    assert vaern.case(case.id).escalated


def test_a_case_that_does_not_wait_for_escalation_says_whom_to_contact(client, vaern):
    case = start_violence(vaern)
    login(client, "ansat-akut")
    client.post(f"/reports/{case.id}/escalate")  # the leader's leader now has the request as a task
    client.post(f"/reports/{case.id}/escalate")  # while it is open, the case waits for no other
    html = client.get("/reports").get_data(as_text=True)
    assert "kan ikke eskaleres herfra" in html and "Kontakt din leders leder" in html
    assert [t.spec_id for t in vaern.tasks_of_case(case.id)].count("escalation_request") == 1


def test_only_the_reporter_may_escalate_and_unknown_cases_answer_the_same(client, vaern):
    case = start_harassment(vaern)
    login(client, "tr-akut")
    response = client.post(f"/reports/{case.id}/escalate")
    assert response.status_code == 403 and "Bliver holdt udenfor" not in response.get_data(as_text=True)
    unknown = client.post("/reports/9999/escalate")
    assert unknown.status_code == 403
    assert unknown.get_data(as_text=True).replace("/reports/9999", "/reports/N") == \
        response.get_data(as_text=True).replace(f"/reports/{case.id}", "/reports/N")


def test_who_acted_is_kept_and_the_leader_reads_it(client, vaern):
    login(client, "ansat-akut")
    assert client.post("/report/details", data=VIOLENCE).status_code == 302
    [case] = vaern.reported_by("ansat-akut")
    assert vaern.case(case.id).data["acted_by"] == "patient"
    login(client, "leder-akut")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    glance = html[html.index('class="card summary"'):html.index("</section>", html.index('class="card summary"'))]
    assert "Hvem handlede" in glance and "En patient" in glance
    assert "Hvem handlede?</dt>" in html and ">patient<" not in html
