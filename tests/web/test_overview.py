"""'Sager': the cases a person handles or follows, filtered, sorted by the next deadline, paged, every listed row
logged, and nobody shown a case they could not open (the accused never sees theirs)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from engine import OverviewFilters
from tests.web.conftest import login, start_harassment, start_violence, task_of


def _listed(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/cases/(\d+)"', html)]


def _overview_reads(vaern, person):
    return [e.case_id for e in vaern.access_log() if e.person_id == person and e.purpose == "overview"]


@pytest.mark.slow
def test_the_leader_lists_their_cases_and_each_listed_row_is_logged_once_per_view(client, vaern):
    cases = [start_violence(vaern), start_harassment(vaern), start_violence(vaern, serious=True)]
    login(client, "leder-akut")
    html = client.get("/cases/").get_data(as_text=True)
    assert sorted(_listed(html)) == sorted(c.id for c in cases) and "3 sager" in html
    assert sorted(_overview_reads(vaern, "leder-akut")) == sorted(c.id for c in cases)
    client.get("/cases/")
    assert len(_overview_reads(vaern, "leder-akut")) == 6


def test_filters_narrow_the_list(client, vaern):
    plain, serious = start_violence(vaern), start_violence(vaern, serious=True)
    harassment = start_harassment(vaern)
    login(client, "leder-akut")
    assert _listed(client.get("/cases/?serious=yes").get_data(as_text=True)) == [serious.id]
    assert sorted(_listed(client.get("/cases/?kind=violence").get_data(as_text=True))) == sorted([plain.id, serious.id])
    assert _listed(client.get("/cases/?kind=harassment").get_data(as_text=True)) == [harassment.id]
    assert _listed(client.get("/cases/?status=closed").get_data(as_text=True)) == []
    assert sorted(_listed(client.get("/cases/?unit=afd-akut&status=any").get_data(as_text=True))) == sorted(
        [plain.id, serious.id, harassment.id])
    assert _listed(client.get("/cases/?unit=afd-psyk").get_data(as_text=True)) == []


def test_overdue_and_the_sort_by_next_deadline(vaern):
    first, second = start_violence(vaern, serious=True), start_violence(vaern, serious=True)
    due = {c.id: task_of(vaern, "leder-akut", c.id).due_at for c in (first, second)}
    assert all(due.values()), "a serious case's first talk has a deadline"
    now = datetime.now(timezone.utc)
    page = vaern.case_overview("leder-akut", now, OverviewFilters(sort="due"))
    dated = [r.case_id for r in page.rows if r.next_due]
    assert dated == sorted(dated, key=lambda i: (due[i], -i))
    later = max(due.values()) + timedelta(minutes=1)
    overdue = vaern.case_overview("leder-akut", later, OverviewFilters(overdue=True))
    assert {r.case_id for r in overdue.rows} >= {first.id, second.id} and all(r.overdue for r in overdue.rows)
    assert not vaern.case_overview("leder-akut", now, OverviewFilters(overdue=True)).rows


def test_pages_of_twenty(client, vaern):
    ids = [start_violence(vaern).id for _ in range(23)]
    login(client, "leder-akut")
    first = client.get("/cases/?sort=newest").get_data(as_text=True)
    second = client.get("/cases/?sort=newest&page=2").get_data(as_text=True)
    assert _listed(first) == sorted(ids, reverse=True)[:20] and _listed(second) == sorted(ids, reverse=True)[20:]
    assert "Side 1 af 2" in first and 'rel="next"' in first and 'rel="prev"' in second
    assert _listed(client.get("/cases/?sort=newest&page=99").get_data(as_text=True)) == _listed(second)


def test_the_accused_never_finds_the_case_in_a_list_and_the_affected_uses_my_reports(client, vaern):
    case = start_harassment(vaern)
    for person in ("kollega-akut", "ansat-akut"):
        login(client, person)
        html = client.get("/cases/?status=any").get_data(as_text=True)
        assert case.id not in _listed(html), person
        assert not vaern.case_overview(person, datetime.now(timezone.utc), OverviewFilters(status=None)).rows
    assert _overview_reads(vaern, "kollega-akut") == []


def test_hr_does_not_list_a_confidential_case_and_a_leader_s_grant_adds_it(client, vaern):
    case = start_harassment(vaern, confidential=True)
    assert vaern.case(case.id).confidential
    now = datetime.now(timezone.utc)
    assert case.id not in [r.case_id for r in vaern.case_overview("hr-hosp", now).rows]
    # A confidential case: the leader lets in only whom the affected agreed to (K-H7).
    vaern.consent_to_access(case.id, "hr-hosp", "ansat-akut", now)
    vaern.grant_access(case.id, "hr-hosp", "leder-akut", now)
    assert case.id in [r.case_id for r in vaern.case_overview("hr-hosp", now).rows]
    vaern.withdraw_consent(case.id, "hr-hosp", "ansat-akut", now)
    assert case.id not in [r.case_id for r in vaern.case_overview("hr-hosp", now).rows]


def test_the_menu_offers_cases_to_role_holders_only(client):
    login(client, "leder-akut")
    assert 'href="/cases/"' in client.get("/").get_data(as_text=True)
    login(client, "ansat-akut")
    assert 'href="/cases/"' not in client.get("/").get_data(as_text=True)
