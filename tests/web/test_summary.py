"""The case at a glance on the case page and on every task page, at the level the reader may see."""
from __future__ import annotations

from datetime import datetime, timezone

from tests.web.conftest import login, start_harassment, start_violence, task_of
from tests.web.test_wording import _visible
from web.summary import sees_escalation


def _glance(html: str) -> str:
    start = html.index('class="card summary"')
    return _visible(html[start:html.index("</section>", start)])


def test_the_leader_reads_what_happened_to_whom_where_the_step_and_the_deadline(client, vaern):
    case = start_violence(vaern, serious=True, severity=4)
    item = task_of(vaern, "leder-akut", case.id)
    login(client, "leder-akut")
    for path in (f"/cases/{case.id}", f"/tasks/{item.task_id}"):
        glance = _glance(client.get(path).get_data(as_text=True))
        assert "Du har sagen som leder af den enhed, hvor det skete." in glance
        assert "Fysisk vold" in glance or "Slag på armen" in glance
        assert "Anna Ansat" in glance and "Akutafdelingen, Stue 3" in glance and "05.01.2026 kl. 10.00" in glance
        assert "Alvorlig" in glance and "alvorlighed 4 af 5" in glance
        assert item.title in glance and "Lene Leder (Leder)" in glance and "Næste frist" in glance


def test_the_leader_s_leader_is_told_why_when_the_department_s_leader_is_the_accused(client, vaern):
    case = start_harassment(vaern, accused_id="leder-akut")
    item = task_of(vaern, "hosp-leder", case.id)
    login(client, "hosp-leder")
    glance = _glance(client.get(f"/tasks/{item.task_id}").get_data(as_text=True))
    assert "Du har sagen, fordi lederen af Akutafdelingen er part i den." in glance


def test_the_affected_sees_the_step_by_role_and_no_contents_and_no_escalation_badge(client, vaern):
    case = start_violence(vaern, description="Hemmelig beskrivelse")
    vaern.mark_serious(case.id, 4, "leder-akut", datetime.now(timezone.utc))
    login(client, "ansat-akut")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    glance = _glance(html)
    assert "Sagen handler om noget, der er sket for dig." in glance and "Akutafdelingen" in glance
    assert "Hemmelig beskrivelse" not in html and "Lene Leder" not in glance and "(Leder)" not in glance
    assert "Leder" in glance and "Næste frist" in glance


def test_only_those_acting_on_the_case_are_shown_that_it_was_escalated():
    assert not sees_escalation("timeline", {"party:employee"}) and not sees_escalation("status", {"party:colleague"})
    assert sees_escalation("timeline", {"task:tr"}) and sees_escalation("full", {"task:leader"})

