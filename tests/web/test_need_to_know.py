"""What the attack on the running service found, through the pages it used: the accused and administrators
learn nothing of a case, and nobody can be let into a case the policy keeps them out of."""
from __future__ import annotations

from datetime import datetime, timezone

from tests.scenario import filled
from tests.web.conftest import login, start_harassment, task_of
from tests.web.test_access_routes import _complete_until, _open_task

SECRET = "Hun blev holdt udenfor 93b1"
HEARING_ANSWERS = {"Task_Assess": {"cause": "individual", "acts_acknowledged_and_stopped": False}}


def _seen_by_leader_and_reporter(client, vaern):
    case = start_harassment(vaern, reporter="ansat-akut", description=SECRET)
    login(client, "ansat-akut")
    assert client.get("/reports").status_code == 200  # "Mine anmeldelser" reads the case for its status
    login(client, "leder-akut")
    assert client.get(f"/cases/{case.id}").status_code == 200
    return case


def test_the_accused_learns_nothing_of_the_case_from_who_has_seen_my_cases(client, vaern):
    case = _seen_by_leader_and_reporter(client, vaern)
    login(client, "kollega-akut")  # the accused
    html = client.get("/access-log").get_data(as_text=True)
    assert f"Sag {case.id}" not in html and "Anna Ansat" not in html and "Lene Leder" not in html
    assert "Nobody" not in html and "Ingen har læst" in html
    # The affected employee, whose case it is, does see who read it.
    login(client, "ansat-akut")
    html = client.get("/access-log").get_data(as_text=True)
    assert f"Sag {case.id}" in html and "Lene Leder" in html


def test_a_leader_cannot_give_the_accused_access(client, vaern):
    case = start_harassment(vaern, description=SECRET)
    task_of(vaern, "leder-akut", case.id)
    login(client, "leder-akut")
    response = client.post(f"/cases/{case.id}/grant", data={"person_id": "kollega-akut"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Karl Kollega er den person, der opleves som krænkende, i denne sag og kan ikke få adgang til den" in html
    assert not vaern.access_grants(case.id, "leder-akut")
    login(client, "kollega-akut")
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 403 and SECRET not in page.get_data(as_text=True)


def _confidential(vaern):
    case = start_harassment(vaern, serious=True, description=SECRET)
    talk = task_of(vaern, "leder-akut", case.id, "Task_ConversationSerious")
    vaern.complete_task(talk.task_id, filled(vaern, talk.task_id, wants_confidentiality=True), "leder-akut",
                        datetime.now(timezone.utc))
    assert vaern.case(case.id).confidential
    return case


def test_in_a_confidential_case_the_leader_lets_in_only_whom_the_affected_agreed_to(client, vaern):
    case = _confidential(vaern)
    login(client, "leder-akut")
    refused = client.post(f"/cases/{case.id}/grant", data={"person_id": "hr-hosp"})
    assert refused.status_code == 400
    assert "Sagen er fortrolig: Hanne HR kan kun få adgang, hvis den medarbejder, sagen handler om, siger ja" in \
        refused.get_data(as_text=True)
    login(client, "hr-hosp")
    assert client.get(f"/cases/{case.id}").status_code == 403

    login(client, "ansat-akut")  # the affected agrees, on their own case page
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Hvem må lukkes ind i din sag" in page
    assert client.post(f"/cases/{case.id}/consents", data={"person_id": "kollega-akut"}).status_code == 400
    response = client.post(f"/cases/{case.id}/consents", data={"person_id": "Hanne HR"})
    assert response.status_code == 302
    assert "Lederen må nu give Hanne HR adgang til din sag." in client.get(response.location).get_data(as_text=True)

    login(client, "leder-akut")
    assert "De har sagt ja til: Hanne HR." in client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert client.post(f"/cases/{case.id}/grant", data={"person_id": "hr-hosp"}).status_code == 302
    login(client, "hr-hosp")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'data-level="full"' in html and SECRET in html

    login(client, "ansat-akut")  # and takes it back: the access ends with it
    assert client.post(f"/cases/{case.id}/consents/hr-hosp/withdraw").status_code == 302
    login(client, "hr-hosp")
    assert client.get(f"/cases/{case.id}").status_code == 403
    login(client, "tr-akut")  # nobody but the affected gives consent
    assert client.post(f"/cases/{case.id}/consents", data={"person_id": "tr-akut"}).status_code == 403


def test_the_outbox_page_shows_delivery_but_never_who_has_which_part(client, vaern):
    case = start_harassment(vaern, description=SECRET)
    now = datetime.now(timezone.utc)
    _complete_until(vaern, case.id, now, {"leder-akut", "hr-hosp"}, HEARING_ANSWERS,
                    lambda: _open_task(vaern, case.id, "kollega-akut", "Task_HearingAccused") is not None)
    hearing = _open_task(vaern, case.id, "kollega-akut", "Task_HearingAccused")
    assert hearing.title == "Partshøring"
    login(client, "koncern-hr")
    html = client.get("/oversight/outbox").get_data(as_text=True)
    assert "kollega-akut@demo.invalid" in html, "delivery to each recipient is shown"
    for detail in ("Partshøring", hearing.id, "/tasks/", "Du har fået en opgave", SECRET):
        assert detail not in html, detail
