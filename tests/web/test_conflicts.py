"""Two people on one case through the web: different tasks both go through; a real clash keeps what was typed."""
from __future__ import annotations

import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.scenario import filled
from tests.test_concurrency import _twenty_committees
from tests.web.conftest import as_person, login, make_app, start_violence, task_of

FIRST_TALK = {"contact_initiated_by": "leader", "first_talk_date": "2026-01-06",
              "someone_to_talk_to": "Mit eget svar 4711"}


def test_a_task_done_elsewhere_while_typing_shows_the_form_again_with_what_was_typed(client, vaern):
    case = start_violence(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    login(client, "leder-akut")
    assert client.get(f"/tasks/{item.task_id}").status_code == 200
    # Meanwhile the task is done in another browser tab.
    vaern.complete_task(item.task_id, {**FIRST_TALK, "someone_to_talk_to": "fra den anden fane"}, "leder-akut",
                        datetime.now(timezone.utc))
    response = client.post(f"/tasks/{item.task_id}", data=FIRST_TALK)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Opgaven er allerede udført: du har udført den før" in html
    assert 'value="Mit eget svar 4711"' in html, "what the person typed comes back"
    assert "Udfør opgaven" not in html, "a done task offers no submit button"
    assert vaern.case(case.id).data["someone_to_talk_to"] == "fra den anden fane"


@pytest.mark.slow
def test_twenty_chairs_submitting_their_tasks_of_one_case_through_two_web_workers_all_succeed(db_path, tmp_path):
    # Two apps on one database stand for two gunicorn workers; each chair submits their own LMU task.
    apps = [make_app(db_path), make_app(db_path)]
    vaern = apps[0].extensions["vaern"]
    now = datetime.now(timezone.utc)
    vaern.import_org(Path(_twenty_committees(tmp_path)), "admin", now)
    case = vaern.start_case("annual_med", "region", {"year": 2026}, "rmu-1", now)
    tasks = [t for t in vaern.tasks_of_case(case.id) if t.state == "open"]
    forms = {t.assignee_id: (t.id, _as_form(filled(vaern, t.id))) for t in tasks}
    clients = {}
    for number, person in enumerate(sorted(forms)):
        clients[person] = apps[number % 2].test_client()
        as_person(clients[person], vaern, person)
    ready = threading.Barrier(len(forms), timeout=60)
    answers = {}

    def submit(person):
        task_id, form = forms[person]
        ready.wait()
        answers[person] = clients[person].post(f"/tasks/{task_id}", data=form).status_code

    threads = [threading.Thread(target=submit, args=(p,)) for p in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert answers == {person: 302 for person in forms}
    states = {t.id: t.state for t in vaern.tasks_of_case(case.id)}
    assert all(states[task_id] == "completed" for task_id, _ in forms.values())
    for app in apps:
        app.extensions["vaern"].db.dispose()


def _as_form(values: dict) -> dict[str, str]:
    """Typed answers as a browser posts them: booleans as a ticked box or nothing."""
    return {k: ("on" if v is True else str(v)) for k, v in values.items() if v is not False and v is not None}


def test_a_date_the_diagram_cannot_count_from_shows_the_form_again_and_saves_nothing(client, vaern):
    now = datetime.now(timezone.utc)
    case = start_violence(vaern, injured=True, severity=4)
    vaern.complete_task(task_of(vaern, "leder-akut", case.id, "first_talk").task_id,
                        filled(vaern, task_of(vaern, "leder-akut", case.id, "first_talk").task_id), "leder-akut", now)
    plan = task_of(vaern, "leder-akut", case.id, "plan_follow_up")
    vaern.complete_task(plan.task_id, filled(vaern, plan.task_id, vtc_registrar="leader"), "leder-akut", now)
    absence = task_of(vaern, "leder-akut", case.id, "record_absence")
    login(client, "leder-akut")
    response = client.post(f"/tasks/{absence.task_id}", data={"first_absence_day": "9999-12-31",
                                                              "absent_beyond_injury_day": "on"})
    html = response.get_data(as_text=True)
    # Was a 500: now the form comes back with what was typed and says why (the field's own check, or the
    # case not being able to go on with it), and nothing is saved.
    assert response.status_code in (400, 422) and 'value="9999-12-31"' in html and "Udfør opgaven" in html
    assert vaern.task(absence.task_id).state == "open"


def test_answers_the_diagram_cannot_go_on_with_show_the_form_again_and_save_nothing(client, vaern):
    from tests.conftest import simple_xml
    from tests.test_hostile_diagrams import with_condition

    # A condition that would build far too much from a number typed into the form: the bounded evaluator
    # refuses it, and the person gets their form back instead of an error page.
    xml = with_condition(simple_xml(), "len(str([[1]*witnesses]*witnesses)) &gt; 0")
    vaern.deploy(xml.encode(), "simple.bpmn", "procesejer", datetime.now(timezone.utc))
    case = vaern.start_case("simple", "afd-akut", {"employee_id": "ansat-akut"}, "ansat-akut",
                            datetime.now(timezone.utc))
    talk = task_of(vaern, "leder-akut", case.id)
    login(client, "leder-akut")
    response = client.post(f"/tasks/{talk.task_id}", data={"summary": "Mit referat 31", "witnesses": "99999"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Sagen kunne ikke gå videre med disse svar" in html
    assert "Mit referat 31" in html and "Udfør opgaven" in html
    assert vaern.task(talk.task_id).state == "open"
