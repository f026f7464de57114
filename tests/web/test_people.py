"""Person fields: suggestions from /people/search, and what people type read back as one person."""
from __future__ import annotations

from datetime import datetime, timezone

from tests.conftest import DEMO_ORG
from tests.web.conftest import login, start_violence
from tests.web.test_report import HARASSMENT, VIOLENCE


def _search(client, text: str) -> list[dict]:
    response = client.get("/people/search", query_string={"q": text})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    return response.get_json()["people"]


def test_search_needs_a_login(client):
    response = client.get("/people/search?q=anna")
    assert response.status_code == 302 and "/login" in response.location


def test_search_finds_by_any_part_of_the_name_or_id_whatever_the_case(client):
    login(client, "ansat-akut")
    assert _search(client, "karl") == [{"id": "kollega-akut", "name": "Karl Kollega", "unit": "Akutafdelingen",
                                        "label": "Karl Kollega (kollega-akut)"}]
    assert [p["id"] for p in _search(client, "DIREKTØR")] == ["direktoer", "hosp-leder"], "names starting with it first"
    assert [p["id"] for p in _search(client, "leder akut")] == ["leder-akut"], "every word must match"
    assert _search(client, "") == [] and _search(client, "zzz") == []


def test_a_witness_can_name_the_affected_employee_as_typed(client, vaern):
    login(client, "kollega-akut")
    form = {**VIOLENCE, "reporting_as": "witness", "witnesses_present": "on"}
    response = client.post("/report/details", data={**form, "employee_id": "anna ansat"})
    assert response.status_code == 302
    [case] = vaern.reported_by("kollega-akut")
    assert case.parties["employee_id"] == "ansat-akut"


def test_a_name_several_people_have_comes_back_with_the_choices(client, vaern, tmp_path):
    org = tmp_path / "org.yaml"
    org.write_text(DEMO_ORG.read_text(encoding="utf-8").replace(
        "people:\n", "people:\n  - {id: kollega-psyk, name: Karl Kollega, unit: afd-psyk}\n"), encoding="utf-8")
    vaern.import_org(org, "admin", datetime.now(timezone.utc))
    login(client, "ansat-akut")
    assert [p["id"] for p in _search(client, "karl kollega")] == ["kollega-akut", "kollega-psyk"], "an import is seen"
    response = client.post("/report/details", data={**HARASSMENT, "accused_id": "Karl Kollega"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Flere personer hedder sådan" in html
    assert "Karl Kollega (kollega-akut), Akutafdelingen; Karl Kollega (kollega-psyk), Psykiatrisk afsnit" in html
    assert 'value="Karl Kollega"' in html and vaern.reported_by("ansat-akut") == []
    response = client.post("/report/details", data={**HARASSMENT, "accused_id": "Karl Kollega (kollega-psyk)"})
    assert response.status_code == 302
    [case] = vaern.reported_by("ansat-akut")
    assert case.parties["accused_id"] == "kollega-psyk"


def test_a_misspelt_name_gets_suggestions_and_nothing_is_started(client, vaern):
    login(client, "ansat-akut")
    response = client.post("/report/details", data={**HARASSMENT, "accused_id": "Kollega"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Mente du: Karl Kollega (kollega-akut)?" in html
    assert vaern.reported_by("ansat-akut") == []


def test_a_unique_first_name_names_the_person_in_a_form(client, vaern):
    case = start_violence(vaern)
    login(client, "leder-akut")
    response = client.post(f"/cases/{case.id}/grant", data={"person_id": "Tina"})
    assert response.status_code == 302
    assert [g.person_id for g in vaern.access_grants(case.id, "leder-akut")] == ["tr-akut"]
