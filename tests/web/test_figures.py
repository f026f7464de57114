"""'Tal og tendenser' in the web: who sees which units, the charts beside their tables, the CSV, the CSP."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

from tests.web.conftest import login, start_harassment, start_violence


def _cases(vaern):
    for _ in range(7):
        start_violence(vaern, acted_by="patient")
    for _ in range(6):
        start_violence(vaern, acted_by="citizen", violence_type="psychological")
    for _ in range(2):
        start_harassment(vaern, acted_by="colleague")


def test_hr_sees_the_hospitals_figures_as_charts_beside_tables(client, vaern):
    _cases(vaern)
    login(client, "hr-hosp")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/figures/"' in home and "Tal og tendenser" in home
    response = client.get("/figures/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Tal og tendenser</h1>" in html and "Regionshospitalet Demo og enhederne under den" in html
    assert html.count('<svg class="chart"') >= 4 and "Sager efter type" in html
    quarter = (datetime.now(timezone.utc).month - 1) // 3 + 1
    # 7 physical violence cases are shown; the 2 bullying cases are "<5", and the 6 psychological ones are
    # hidden beside them (15 - 7 would otherwise give 2 away).
    kind = html[html.index("Sager efter type"):html.index("Sager efter alvorlighed")]
    assert "Fysisk vold</th>" in kind and "<td>7</td>" in kind and "<td>15</td>" in kind
    psychological = kind[kind.index("Psykisk vold"):kind.index("Krænkende handling")]
    bullying = kind[kind.index("Mobning"):kind.index("Seksuel chikane")]
    assert "<td>6</td>" not in psychological and "<td>·</td>" in psychological
    assert "<td>&lt;5</td>" in bullying and "<td>2</td>" not in bullying
    assert 'style="' not in html and "<script>" not in html  # nothing the strict CSP would refuse
    assert f"K{quarter}" in html
    # The units below: the two departments and the hospital itself.
    assert "Akutafdelingen" in html and "Psykiatrisk afsnit" in html


def test_the_csv_carries_the_same_suppressed_figures(client, vaern):
    _cases(vaern)
    login(client, "hr-hosp")
    response = client.get("/figures/figures.csv?unit=hospital")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    year = {(r["figure"], r["category"]): r["count"] for r in rows if r["period"] == "year"}
    assert year[("kind", "violence_physical")] == "7" and year[("kind", "violence_psychological")] == "·"
    assert year[("kind", "bullying")] == "<5"
    assert year[("acted_by", "patient")] == "7" and year[("acted_by", "colleague")] == "<5"
    assert not any(r["count"] in {"1", "2", "3", "4"} for r in rows), "a count under 5 was published"


def test_each_person_sees_only_the_units_they_sit_for(client, vaern):
    _cases(vaern)
    login(client, "leder-psyk")  # leads the neighbouring department
    assert client.get("/figures/?unit=afd-akut").status_code == 404
    assert client.get("/figures/figures.csv?unit=hospital").status_code == 404
    html = client.get("/figures/").get_data(as_text=True)
    assert "Psykiatrisk afsnit" in html and "Akutafdelingen" not in html
    login(client, "ansat-akut")  # an employee sits for no unit's figures
    assert 'href="/figures/"' not in client.get("/").get_data(as_text=True)
    html = client.get("/figures/").get_data(as_text=True)
    assert "Du sidder ikke for nogen enheds tal" in html and "<svg" not in html
    assert client.get("/figures/figures.csv").status_code == 403


def test_the_report_form_records_who_acted(client, vaern):
    login(client, "ansat-akut")
    response = client.post("/report/details?actor=patient&reporting_as=self", data={
        "unit_id": "afd-akut", "incident_at": "2026-01-05T10:00", "location": "Stue 3",
        "violence_type": "physical", "severity": "2"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    [case] = vaern.cases()
    assert vaern.case(case.id).data["acted_by"] == "patient"
