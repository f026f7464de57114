"""A person's own access log, the administrator's log and CSV export, giving and taking back access, and the outbox page."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

from tests.web.conftest import login, start_harassment, start_violence, task_of


def test_a_person_sees_who_read_their_cases_and_when(client, vaern):
    case = start_violence(vaern, description="Slag på armen")
    login(client, "leder-akut")
    assert client.get(f"/cases/{case.id}").status_code == 200
    login(client, "hr-hosp")
    assert client.get(f"/cases/{case.id}").status_code == 403  # refused reads are not the person's concern
    login(client, "ansat-akut")
    html = client.get("/access-log").get_data(as_text=True)
    assert "Hvem har set mine sager" in html and "Lene Leder" in html and f"Sag {case.id}" in html
    assert "Sagsside" in html and "Hanne HR" not in html
    assert "Slag på armen" not in html
    login(client, "tr-akut")
    assert "Lene Leder" not in client.get("/access-log").get_data(as_text=True)


def test_every_case_read_in_the_web_writes_an_access_log_row(client, vaern):
    case = start_violence(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    login(client, "leder-akut")
    # A task page reads the task and, for its summary block, the case.
    reads = [("get", f"/cases/{case.id}", ["page"]), ("get", f"/cases/{case.id}/diagram.json", ["diagram"]),
             ("get", f"/tasks/{item.task_id}", ["task", "task_summary"]), ("get", "/reports", None)]
    for method, path, purpose in reads:
        before = len(vaern.access_log())
        getattr(client, method)(path)
        rows = vaern.access_log()[before:]
        if purpose is None:
            assert rows == []  # the leader reported nothing: no case was read
            continue
        assert [(r.person_id, r.case_id, r.purpose, r.allowed) for r in rows] == [
            ("leder-akut", case.id, p, True) for p in purpose]
    login(client, "ansat-akut")
    before = len(vaern.access_log())
    client.get("/reports")  # a list of the cases one reported: one row for the page, naming the cases shown
    assert [(r.person_id, r.purpose, r.level, r.case_id, r.case_ids) for r in vaern.access_log()[before:]] == [
        ("ansat-akut", "reports", "list", None, (case.id,))]
    login(client, "amr-akut")
    before = len(vaern.access_log())
    assert client.get(f"/cases/{case.id}").status_code == 403
    assert [(r.person_id, r.allowed) for r in vaern.access_log()[before:]] == [("amr-akut", False)]


def test_an_administrator_reads_and_exports_the_log_but_not_the_cases(client, vaern):
    case = start_violence(vaern, description="Meget privat")
    login(client, "leder-akut")
    client.get(f"/cases/{case.id}")
    assert client.get("/oversight/access-log").status_code == 403
    assert client.get("/oversight/access-log.csv").status_code == 403
    login(client, "koncern-hr")
    assert client.get(f"/cases/{case.id}").status_code == 403
    html = client.get("/oversight/access-log").get_data(as_text=True)
    assert "Adgangslog" in html and "leder-akut" in html and "Afvist" in html and "Meget privat" not in html
    response = client.get("/oversight/access-log.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["at", "person_id", "case_id", "purpose", "level", "allowed", "case_ids"]
    assert ["leder-akut", str(case.id), "page", "full", "yes", ""] in [r[1:] for r in rows[1:]]
    assert ["koncern-hr", str(case.id), "page", "none", "no", ""] in [r[1:] for r in rows[1:]]
    assert len(rows) - 1 == len(vaern.access_log())


def test_the_export_never_starts_a_cell_with_a_formula():
    from web.privacy import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and _cell("leder-akut") == "leder-akut"


def test_the_leader_gives_access_and_the_person_then_sees_the_whole_case(client, vaern):
    case = start_harassment(vaern, description="Bliver holdt udenfor")
    task_of(vaern, "leder-akut", case.id)
    login(client, "tr-akut")
    assert client.post(f"/cases/{case.id}/grant", data={"person_id": "tr-akut"}).status_code == 403
    login(client, "hr-hosp")
    assert client.get(f"/cases/{case.id}").status_code == 403
    login(client, "leder-akut")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Giv adgang" in html and 'name="person_id"' in html
    bad = client.post(f"/cases/{case.id}/grant", data={"person_id": "nobody"})
    assert bad.status_code == 400 and "Vi kender ingen med det navn eller id." in bad.get_data(as_text=True)
    response = client.post(f"/cases/{case.id}/grant", data={"person_id": "hr-hosp"})
    assert response.status_code == 302
    assert "Hanne HR kan nu se hele sagen." in client.get(response.location).get_data(as_text=True)
    assert "Hanne HR fik adgang til sagen" in client.get(f"/cases/{case.id}").get_data(as_text=True)
    login(client, "hr-hosp")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'data-level="full"' in html and "Bliver holdt udenfor" in html
    assert "Giv adgang" not in html, "only the case's leader gives access"
    assert client.post(f"/cases/{case.id}/grant", data={"person_id": "tr-akut"}).status_code == 403


def test_the_leader_sees_whom_access_was_given_and_takes_it_back(client, vaern):
    case = start_harassment(vaern, description="Bliver holdt udenfor")
    task_of(vaern, "leder-akut", case.id)
    vaern.grant_access(case.id, "hr-hosp", "leder-akut", datetime.now(timezone.utc))
    login(client, "hr-hosp")
    assert "Har fået adgang" not in client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert client.post(f"/cases/{case.id}/grants/hr-hosp/withdraw").status_code == 403
    login(client, "leder-akut")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Har fået adgang" in html and "Hanne HR" in html and "af Lene Leder" in html
    assert f'action="/cases/{case.id}/grants/hr-hosp/withdraw"' in html
    response = client.post(f"/cases/{case.id}/grants/hr-hosp/withdraw")
    assert response.status_code == 302
    html = client.get(response.location).get_data(as_text=True)
    assert "Hanne HR ser ikke længere hele sagen." in html and "Hanne HR har ikke længere den givne adgang" in html
    assert "Har fået adgang" not in html
    again = client.post(f"/cases/{case.id}/grants/hr-hosp/withdraw", follow_redirects=True)
    assert "Hanne HR havde ikke fået adgang til sagen; intet er ændret." in again.get_data(as_text=True)
    login(client, "hr-hosp")
    assert client.get(f"/cases/{case.id}").status_code == 403


def test_the_outbox_page_is_for_administrators(client, vaern):
    start_violence(vaern)
    login(client, "leder-akut")
    assert client.get("/oversight/outbox").status_code == 403
    assert "Udbakke" not in client.get("/").get_data(as_text=True)
    login(client, "koncern-hr")
    assert "Udbakke" in client.get("/").get_data(as_text=True)
    html = client.get("/oversight/outbox").get_data(as_text=True)
    assert "Der er ikke sat en mailserver op" in html
    assert "leder-akut@demo.invalid" in html and "Ikke sendt" in html and "vaern: Du har fået en opgave" not in html
