"""Every route a person can reach from the web: the affected follows, escalates and withdraws; the
case's leader marks a case serious; signals heard second-hand or seen in a survey become cases."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.web.conftest import login, start_harassment, start_violence, task_of


def _messages(vaern, case_id):
    return [e.details.get("message") for e in vaern.events(case_id) if e.action == "message_delivered"]


def test_the_affected_sees_a_witness_reported_case_and_asks_the_next_level_for_help(client, vaern):
    case = start_harassment(vaern, reporter="kollega-akut", report_source="witness", accused_id="leder-psyk")
    login(client, "ansat-akut")
    html = client.get("/reports").get_data(as_text=True)
    assert f"Sag {case.id}" in html and "Anmeldt af en anden på dine vegne" in html
    assert f'action="/reports/{case.id}/escalate"' in html
    response = client.post(f"/reports/{case.id}/escalate")
    assert response.status_code == 302
    assert "Næste ledelsesniveau har fået en opgave" in client.get("/reports").get_data(as_text=True)
    assert task_of(vaern, "hosp-leder", case.id, "Task_EscalationRequest")
    assert _messages(vaern, case.id) == ["escalation_requested"]
    # On the affected's own page (roles, not names) the step is named, and the one who took it is "Du".
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Næste ledelsesniveau blev bedt om hjælp" in page and "Besked modtaget" not in page
    assert '<span class="actor">Du</span>' in page and "Deltager" not in page


@pytest.mark.slow
def test_the_accused_never_sees_the_case_on_my_reports_and_cannot_send_anything(client, vaern):
    case = start_harassment(vaern)
    login(client, "kollega-akut")
    assert f"Sag {case.id}" not in client.get("/reports").get_data(as_text=True)
    assert client.post(f"/reports/{case.id}/escalate").status_code == 403
    assert client.post(f"/reports/{case.id}/withdraw").status_code == 403
    assert _messages(vaern, case.id) == []


def test_the_affected_withdraws_the_complaint_and_the_leader_gets_a_task(client, vaern):
    case = start_harassment(vaern)
    login(client, "ansat-akut")
    html = client.get("/reports").get_data(as_text=True)
    assert "Træk min klage tilbage" in html
    before = {i.task_id for i in vaern.inbox("leder-akut", datetime.now(timezone.utc)) if i.case_id == case.id}
    response = client.post(f"/reports/{case.id}/withdraw", data={"reason": "Vi har talt sammen"})
    assert response.status_code == 302
    assert "er trukket tilbage" in client.get("/reports").get_data(as_text=True)
    assert _messages(vaern, case.id) == ["complaint_withdrawn"]
    after = {i.task_id for i in vaern.inbox("leder-akut", datetime.now(timezone.utc)) if i.case_id == case.id}
    assert after - before, "the leader is given a task to follow up on the withdrawal"


def test_a_colleague_who_only_witnessed_cannot_withdraw_the_affected_s_complaint(client, vaern):
    case = start_harassment(vaern, reporter="kollega-akut", report_source="witness", accused_id="leder-psyk")
    login(client, "kollega-akut")
    assert "Træk min klage tilbage" not in client.get("/reports").get_data(as_text=True)
    assert client.post(f"/reports/{case.id}/withdraw").status_code == 403


def test_the_leader_marks_a_case_serious_from_a_task_and_others_may_not(client, vaern):
    case = start_violence(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    login(client, "leder-akut")
    page = client.get(f"/tasks/{item.task_id}").get_data(as_text=True)
    assert "Markér sagen som alvorlig" in page
    refused = client.post(f"/cases/{case.id}/serious", data={"severity": "9", "back": f"/tasks/{item.task_id}"})
    assert refused.status_code == 302 and not vaern.case(case.id).serious
    done = client.post(f"/cases/{case.id}/serious", data={"severity": "4", "back": f"/tasks/{item.task_id}"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/tasks/{item.task_id}")
    assert vaern.case(case.id).serious and vaern.case(case.id).data["severity"] == 4
    assert "Sagen er markeret som alvorlig" in client.get(f"/tasks/{item.task_id}").get_data(as_text=True)
    away = client.post(f"/cases/{case.id}/serious", data={"severity": "4", "back": "https://example.invalid/"})
    assert away.headers["Location"].endswith(f"/cases/{case.id}"), "back never leaves the app"
    login(client, "ansat-akut")
    assert client.post(f"/cases/{case.id}/serious", data={"severity": "5"}).status_code == 403


def test_a_second_hand_signal_starts_a_case_without_an_affected_person(client, vaern):
    login(client, "kollega-akut")
    response = client.post("/report/details", data={
        "actor": "colleague", "reporting_as": "second_hand", "unit_id": "afd-akut", "kind": "bullying",
        "description": "Flere har fortalt mig, at en kollega bliver holdt udenfor"})
    assert response.status_code == 302
    [case] = [c for c in vaern.cases() if c.created_by == "kollega-akut"]
    data = vaern.case(case.id).data
    assert data["report_source"] == "second_hand" and "employee_id" not in data
    assert task_of(vaern, "leder-akut", case.id, "Task_Messengers")


def test_a_survey_signal_names_nobody_and_violence_cannot_come_second_hand(client, vaern):
    login(client, "leder-akut")
    form = client.get("/report/details?actor=manager&reporting_as=survey").get_data(as_text=True)
    assert 'name="accused_id"' not in form and 'name="employee_id"' not in form
    response = client.post("/report/details", data={
        "actor": "manager", "reporting_as": "survey", "unit_id": "afd-akut", "kind": "offensive",
        "description": "Trivselsmålingen viser utryghed", "accused_id": "kollega-akut"})
    assert response.status_code == 302
    [case] = [c for c in vaern.cases() if c.created_by == "leder-akut"]
    data = vaern.case(case.id).data
    assert data["report_source"] == "anonymous_survey" and "accused_id" not in data
    assert task_of(vaern, "leder-akut", case.id, "Task_InformStaff")
    refused = client.post("/report/details", data={"actor": "patient", "reporting_as": "second_hand"})
    assert refused.status_code == 400 and "Signaler, man har hørt fra andre" in refused.get_data(as_text=True)


def test_the_leaders_leader_opens_the_escalation_task_and_the_whole_case(client, vaern):
    from datetime import timedelta

    case = start_harassment(vaern, serious=True, description="Gentagne seksuelle bemærkninger")
    login(client, "hosp-leder")
    assert client.get(f"/cases/{case.id}").status_code == 403, "before the escalation the case is not theirs"
    vaern.fire_due_timers(datetime.now(timezone.utc) + timedelta(days=8))
    assert vaern.case(case.id).escalated
    escalations = [i for i in vaern.inbox("hosp-leder", datetime.now(timezone.utc)) if i.case_id == case.id]
    assert escalations, "an escalation hands the leader's leader a task"
    assert client.get(f"/tasks/{escalations[0].task_id}").status_code == 200
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200 and "Gentagne seksuelle bemærkninger" in page.get_data(as_text=True)
