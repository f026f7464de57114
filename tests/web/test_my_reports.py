""""Mine anmeldelser" for someone who reports a lot: a page at a time, one access-log row per page view."""
from __future__ import annotations

import csv
import io
import re

from tests.web.conftest import login, start_harassment, start_violence

REPORTS = 45


def test_many_reports_come_a_page_at_a_time_and_each_view_is_logged_once(client, vaern):
    cases = [start_violence(vaern, reporter="ansat-akut").id for _ in range(REPORTS)]
    login(client, "ansat-akut")
    before = len(vaern.access_log())
    html = client.get("/reports").get_data(as_text=True)
    shown = [int(n) for n in re.findall(r'href="/cases/(\d+)"', html)]
    assert shown == cases[::-1][:20], "the newest twenty first"
    assert "Side 1 af 3 (45 anmeldelser)" in html and 'rel="next"' in html and 'rel="prev"' not in html
    last = client.get("/reports?page=3").get_data(as_text=True)
    assert [int(n) for n in re.findall(r'href="/cases/(\d+)"', last)] == cases[:5][::-1]
    assert 'rel="next"' not in last
    rows = vaern.access_log()[before:]
    assert [(r.purpose, r.case_id, r.case_ids) for r in rows] == [
        ("reports", None, tuple(cases[::-1][:20])), ("reports", None, tuple(cases[:5][::-1]))]
    # Past the last page is the last page, not an error.
    assert [int(n) for n in re.findall(r'href="/cases/(\d+)"', client.get("/reports?page=99").get_data(as_text=True))] \
        == cases[:5][::-1]


def test_the_administrators_export_names_the_cases_a_list_view_showed(client, vaern):
    case = start_violence(vaern, reporter="ansat-akut")
    login(client, "ansat-akut")
    client.get("/reports")
    login(client, "koncern-hr")
    rows = list(csv.reader(io.StringIO(client.get("/oversight/access-log.csv").get_data(as_text=True))))
    assert rows[0][-1] == "case_ids"
    assert ["ansat-akut", "", "reports", "list", "yes", str(case.id)] in [r[1:] for r in rows[1:]]
    html = client.get("/oversight/access-log").get_data(as_text=True)
    assert f"Sag {case.id}" in html and "En liste over sager" in html


def test_a_report_naming_oneself_as_the_one_who_acted_is_not_listed(client, vaern):
    own = start_harassment(vaern, reporter="kollega-akut", employee_id="ansat-akut", accused_id="kollega-akut")
    other = start_violence(vaern, reporter="kollega-akut")
    login(client, "kollega-akut")
    html = client.get("/reports").get_data(as_text=True)
    assert f'href="/cases/{other.id}"' in html and f'href="/cases/{own.id}"' not in html
