"""A task's page: instructions and form, server-side validation, double submit, claim and release."""
from __future__ import annotations

from datetime import datetime, timezone

from tests.web.conftest import csrf_token, login, start_harassment, start_violence, task_of

FIRST_TALK = {"contact_initiated_by": "leader", "first_talk_date": "2026-01-06", "someone_to_talk_to": "Sin mand"}


def test_the_task_page_shows_instructions_without_tags_and_the_form(client, vaern):
    # Requirement tags are for process owners (tests/web/test_wording.py); a leader reads the instructions alone.
    case = start_violence(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    login(client, "leder-akut")
    response = client.get(f"/tasks/{item.task_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Første samtale med den udsatte" in html
    assert "Det skal du gøre" in html and "[V-H" not in html and "V-H1" not in html and "Vis krav" not in html
    assert '<select id="contact_initiated_by"' in html and 'type="date" id="first_talk_date"' in html
    assert 'type="checkbox" id="defusing_started"' in html and 'id="someone_to_talk_to"' in html


def test_the_task_page_names_the_case_kind_and_its_marks(client, vaern):
    case = start_violence(vaern, serious=True)
    item = task_of(vaern, "leder-akut", case.id)
    login(client, "leder-akut")
    html = client.get(f"/tasks/{item.task_id}").get_data(as_text=True)
    assert "Vold fra borgere, patienter eller pårørende" in html and '<span class="mark serious">Alvorlig</span>' in html
    plain = start_violence(vaern)
    html = client.get(f"/tasks/{task_of(vaern, 'leder-akut', plain.id).task_id}").get_data(as_text=True)
    assert "Vold fra borgere" in html and '<span class="mark serious">' not in html


def test_the_leader_names_several_witnesses_by_name_and_each_gets_a_task_of_their_own(client, vaern):
    case = start_violence(vaern, witnesses_present=True)
    now = datetime.now(timezone.utc)
    vaern.complete_task(task_of(vaern, "leder-akut", case.id).task_id, FIRST_TALK, "leder-akut", now)
    plan = task_of(vaern, "leder-akut", case.id, "plan_follow_up")
    vaern.complete_task(plan.task_id, {"vtc_registrar": "leader"}, "leder-akut", now)
    witnesses = task_of(vaern, "leder-akut", case.id, "talk_witnesses")
    login(client, "leder-akut")
    html = client.get(f"/tasks/{witnesses.task_id}").get_data(as_text=True)
    assert '<input type="text" id="colleague_ids" name="colleague_ids"' in html and 'id="colleague_ids-hint"' in html
    assert "Karl Kollega" not in html, "the form never lists the organisation"
    unknown = client.post(f"/tasks/{witnesses.task_id}", data={"colleague_ids": "Karl Kollega, Karla Kolleger"})
    page = unknown.get_data(as_text=True)
    assert unknown.status_code == 400 and "»Karla Kolleger«: Vi kender ingen med det navn eller id." in page
    assert 'value="Karl Kollega, Karla Kolleger"' in page, "what was typed is kept"
    assert not [i for i in vaern.inbox("kollega-akut", now) if i.case_id == case.id]
    response = client.post(f"/tasks/{witnesses.task_id}",
                           data={"colleague_ids": "Karl Kollega (kollega-akut); Allan"})
    assert response.status_code == 302
    assert task_of(vaern, "kollega-akut", case.id, "colleague_account")
    assert task_of(vaern, "amr-akut", case.id, "colleague_account"), "a unique first name names the person"
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Karl Kollega, Allan Arbejdsmiljørepræsentant" in page, "the witnesses read as names"


def test_invalid_values_come_back_with_a_message_per_field_and_are_kept(client, vaern):
    case = start_violence(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    login(client, "leder-akut")
    response = client.post(f"/tasks/{item.task_id}", data={"contact_initiated_by": "leader",
                                                           "first_talk_date": "i morgen",
                                                           "employee_reactions": "Rystet", "defusing_started": "on"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="first_talk_date-error">skal være en dato' in html and 'id="someone_to_talk_to-error">skal udfyldes' in html
    assert ('value="Rystet"' in html or '>Rystet</textarea>' in html) and 'value="i morgen"' in html and "checked" in html
    assert '<option value="leader" selected>' in html
    client.post("/language", data={"lang": "en"})
    html = client.post(f"/tasks/{item.task_id}", data={}).get_data(as_text=True)
    assert 'id="someone_to_talk_to-error">required<' in html


def test_completing_moves_the_case_and_a_double_submit_is_a_clear_409(client, vaern):
    case = start_violence(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    login(client, "leder-akut")
    first = client.post(f"/tasks/{item.task_id}", data=FIRST_TALK)
    assert first.status_code == 302 and first.location == "/"
    assert "Opgaven er udført" in client.get("/").get_data(as_text=True)
    second = client.post(f"/tasks/{item.task_id}", data=FIRST_TALK)
    assert second.status_code == 409 and "Opgaven er allerede udført" in second.get_data(as_text=True)
    assert [t.state for t in vaern.tasks_of_case(case.id) if t.id == item.task_id] == ["completed"]
    assert sum(e.action == "task_completed" for e in vaern.events(case.id)) == 1
    assert client.get(f"/tasks/{item.task_id}").status_code == 409


def test_a_stranger_gets_403_and_an_unknown_task_the_same(client, vaern):
    case = start_violence(vaern, description="Meget privat")
    item = task_of(vaern, "leder-akut", case.id)
    login(client, "tr-akut")
    for response in (client.get(f"/tasks/{item.task_id}"), client.post(f"/tasks/{item.task_id}", data=FIRST_TALK),
                     client.post(f"/tasks/{item.task_id}/claim")):
        assert response.status_code == 403 and "Første samtale" not in response.get_data(as_text=True)
    refused = client.get(f"/tasks/{item.task_id}").get_data(as_text=True).replace(item.task_id, "ID")
    for task_id in ("no-such-task", "00000000-0000-4000-8000-000000000000"):
        unknown = client.get(f"/tasks/{task_id}")
        assert (unknown.status_code, unknown.get_data(as_text=True).replace(task_id, "ID")) == (403, refused)
    assert vaern.task(item.task_id).state == "open"


def test_the_accused_opens_their_hearing_but_nothing_else(client, vaern):
    case = start_harassment(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    login(client, "kollega-akut")
    assert client.get(f"/tasks/{item.task_id}").status_code == 403


def test_claim_and_release_where_a_role_has_several_holders(client, vaern, tmp_path):
    org = tmp_path / "org.yaml"
    org.write_text("roles:\n - {unit: afd-akut, role: tr, person: tr-akut}\n"
                   " - {unit: afd-akut, role: tr, person: amr-akut}\n"
                   " - {unit: afd-akut, role: leader, person: leder-akut}\n"
                   " - {unit: afd-akut, role: leader, person: leder-psyk}\n", encoding="utf-8")
    vaern.import_org(org, "admin", datetime.now(timezone.utc))
    case = start_violence(vaern)
    item = task_of(vaern, "leder-psyk", case.id)
    login(client, "leder-psyk")
    html = client.get(f"/tasks/{item.task_id}").get_data(as_text=True)
    assert "2 personer kan løse opgaven" in html and "Tag opgaven" in html
    assert client.post(f"/tasks/{item.task_id}/claim").status_code == 302
    assert "Frigiv opgaven" in client.get(f"/tasks/{item.task_id}").get_data(as_text=True)
    login(client, "leder-akut")
    assert "Ingen opgaver lige nu" in client.get("/").get_data(as_text=True)
    assert client.post(f"/tasks/{item.task_id}", data=FIRST_TALK).status_code == 403
    assert client.post(f"/tasks/{item.task_id}/release").status_code == 403
    login(client, "leder-psyk")
    assert client.post(f"/tasks/{item.task_id}/release").status_code == 302
    assert vaern.task(item.task_id).assignee_id is None


def test_task_posts_need_the_csrf_token(csrf_app):
    vaern = csrf_app.extensions["vaern"]
    case = start_violence(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    client = csrf_app.test_client()
    client.post("/login", data={"login": "leder-akut", "password": "vaern-demo",
                                "csrf_token": csrf_token(client, "/login")})
    assert client.post(f"/tasks/{item.task_id}", data=FIRST_TALK).status_code == 400
    assert client.post(f"/tasks/{item.task_id}/claim").status_code == 400
    token = csrf_token(client, f"/tasks/{item.task_id}")
    assert client.post(f"/tasks/{item.task_id}", data={**FIRST_TALK, "csrf_token": token}).status_code == 302
