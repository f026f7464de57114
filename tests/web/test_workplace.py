"""Issue 16 in the test client: "Mine opgaver" filtered, sorted and paged; the accused's hearing tells nothing of
the case's course; system actors and plurals in Danish; several witnesses in the report."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.scenario import WORKFLOWS, filled
from tests.web.conftest import (TO_THE_HEARINGS, as_person, drive_case, has_task, make_app, start_harassment,
                                start_violence)

NOW = datetime.now(timezone.utc)


def _titles(html: str) -> list[str]:
    return re.findall(r'class="task-title" href="/tasks/[^"]+">([^<]+)</a>', html)


def _case_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"<span>Sag (\d+)</span>", html)]


@pytest.mark.slow
def test_my_tasks_are_paged_twenty_at_a_time(client, vaern):
    cases = [start_harassment(vaern) for _ in range(22)]
    as_person(client, vaern, "leder-akut")
    first = client.get("/").get_data(as_text=True)
    assert "<h1>Mine opgaver</h1>" in first and "22 åbne opgaver" in first
    assert len(_titles(first)) == 20 and "Side 1 af 2" in first and 'href="/?page=2"' in first
    second = client.get("/?page=2").get_data(as_text=True)
    assert len(_titles(second)) == 2 and 'rel="prev"' in second and 'rel="next"' not in second
    assert set(_case_ids(first)) | set(_case_ids(second)) == {c.id for c in cases}
    assert len(_titles(client.get("/?page=99").get_data(as_text=True))) == 2  # past the end: the last page
    assert client.get("/?page=x&sort=nonsense&due=nonsense").status_code == 200


def test_my_tasks_filter_by_deadline_and_sort_by_it(db_path):
    later = datetime.now(timezone.utc) + timedelta(days=8)
    app = make_app(db_path, CLOCK=lambda: later)
    vaern = app.extensions["vaern"]
    early = start_violence(vaern, serious=True)  # its first talk is due in days, and is overdue by `later`
    vaern.fire_due_timers(later)
    fresh = vaern.start_case("harassment", "afd-akut", {  # reported weeks ahead: nothing of it is due this week
        "report_source": "affected", "kind": "bullying", "serious": False, "employee_id": "ansat-akut",
        "accused_id": "kollega-akut", "reporter_id": "ansat-akut", "description": "Bliver holdt udenfor"},
        "ansat-akut", later + timedelta(days=30))
    client = app.test_client()
    as_person(client, vaern, "leder-akut")
    everything = client.get("/").get_data(as_text=True)
    assert set(_case_ids(everything)) == {early.id, fresh.id}
    overdue = client.get("/?due=overdue").get_data(as_text=True)
    assert _case_ids(overdue) == [early.id] and "1 opgave passer" in overdue
    assert 'value="overdue" selected' in overdue
    soon = client.get("/?due=soon").get_data(as_text=True)
    assert _case_ids(soon) == [early.id]
    by_due = client.get("/?sort=due").get_data(as_text=True)
    assert _case_ids(by_due) == [early.id, fresh.id]
    newest = client.get("/?sort=newest").get_data(as_text=True)
    assert _case_ids(newest) == [fresh.id, early.id]
    app.extensions["vaern"].db.dispose()


def test_one_task_needs_no_filters_and_a_filter_that_hides_all_says_so(client, vaern):
    start_harassment(vaern)
    as_person(client, vaern, "leder-akut")
    html = client.get("/").get_data(as_text=True)
    assert 'id="due"' not in html and "1 åben opgave" in html
    start_harassment(vaern)
    html = client.get("/?due=overdue").get_data(as_text=True)
    assert "Ingen opgave passer." in html and "0 opgaver passer" in html


@pytest.mark.slow
def test_the_accused_s_hearing_does_not_tell_of_an_escalation(client, vaern):
    case = start_harassment(vaern)
    drive_case(vaern, case, TO_THE_HEARINGS, lambda: has_task(vaern, "hr-hosp", case))
    sparring = next(t for t in vaern.tasks_of_case(case.id) if t.state == "open" and t.role == "hr")
    vaern.complete_task(sparring.id, filled(vaern, sparring.id), "hr-hosp", NOW)
    drive_case(vaern, case, TO_THE_HEARINGS, lambda: has_task(vaern, "kollega-akut", case))
    vaern.send_message(case.id, "escalation_requested", {"by": "ansat-akut"}, "ansat-akut", NOW)
    assert vaern.case(case.id).escalated
    as_person(client, vaern, "kollega-akut")
    inbox = client.get("/").get_data(as_text=True)
    assert "Partshøring" in inbox
    assert "eskaler" not in inbox.lower() and "ledelsesniveau" not in inbox and "mark escalated" not in inbox
    hearing = next(t for t in vaern.tasks_of_case(case.id) if t.state == "open" and t.role == "accused")
    page = client.get(f"/tasks/{hearing.id}").get_data(as_text=True)
    assert "mark escalated" not in page and "Hos næste ledelsesniveau" not in page
    as_person(client, vaern, "ansat-akut")  # the affected is told where the case is, in words
    inbox = client.get("/").get_data(as_text=True)
    assert "Hos næste ledelsesniveau" in inbox and ">Eskaleret<" not in inbox


def test_system_actors_read_in_danish_in_the_access_log_and_on_the_diagrams_page(client, vaern):
    case = start_violence(vaern)
    vaern.log_maintenance_read(case.id, "cli:root", "cli", NOW)
    vaern.deploy((WORKFLOWS / "violence.bpmn").read_bytes().replace(b"</bpmn:definitions>",
                                                                   b"<!-- v2 --></bpmn:definitions>"),
                 "violence.bpmn", "cli", NOW)
    as_person(client, vaern, "koncern-hr")
    log = client.get("/oversight/access-log").get_data(as_text=True)
    rows = log[log.index("<tbody>"):]
    assert "Vedligeholdelse (kommandolinjen) <code>cli:root</code>" in rows  # the account it ran under, for admins
    assert "Sagen læst på kommandolinjen" in rows and "Alt (vedligeholdelse)" in rows
    assert ">cli<" not in log and ">maintenance<" not in log
    diagrams = client.get("/admin/diagrams").get_data(as_text=True)
    assert "Vedligeholdelse (kommandolinjen)" in diagrams and "<td>cli</td>" not in diagrams


def test_a_list_read_names_its_cases_with_the_right_plural(client, vaern):
    one = start_harassment(vaern)
    as_person(client, vaern, "ansat-akut")
    client.get("/reports")
    two = start_harassment(vaern)
    client.get("/reports")
    as_person(client, vaern, "koncern-hr")
    log = client.get("/oversight/access-log").get_data(as_text=True)
    assert f"<td>Sag {one.id}</td>" in log and f"<td>Sager {two.id}, {one.id}</td>" in log  # newest first


def test_the_report_asks_for_every_witness(client, vaern):
    as_person(client, vaern, "ansat-akut")
    html = client.get("/report/details?actor=patient&reporting_as=self").get_data(as_text=True)
    assert "Skriv alle, der så det, adskilt med komma" in html
    assert 'aria-describedby="witnesses-hint"' in html


def test_a_witness_list_is_kept_as_written(client, vaern):
    case = start_violence(vaern, witnesses_present=True, witnesses="Karl Kollega, Tina Tillidsrepræsentant")
    as_person(client, vaern, "leder-akut")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Karl Kollega, Tina Tillidsrepræsentant" in html


@pytest.mark.slow
def test_the_record_reads_first_person_labels_under_the_answerer_s_name(client, vaern):
    from web.wording import record_label

    assert record_label("Jeg ønsker fortrolig sparring") == "Ønsker fortrolig sparring"
    assert record_label("Jegvil") == "Jegvil" and record_label("Hvad skete der?") == "Hvad skete der?"
    case = start_harassment(vaern)
    drive_case(vaern, case, TO_THE_HEARINGS, lambda: has_task(vaern, "hr-hosp", case))
    as_person(client, vaern, "leder-akut")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Ønsker fortrolig sparring med den lokale HR-afdeling" in html
    assert "Jeg ønsker fortrolig sparring" not in html
