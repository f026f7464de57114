"""What pages read: people, accounts, a person's involvement in a case, the case's diagram state."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine import InvalidInput, UnknownPerson
from tests.conftest import T0
from tests.test_cases import PARTIES, TALK


def test_people_carry_their_roles(vaern):
    leader = vaern.person("leder-akut")
    assert leader.name == "Lene Leder" and ("afd-akut", "leader") in leader.roles and not leader.has_account
    assert len(vaern.people()) == 15 and {u.id for u in vaern.units()} >= {"region", "afd-akut"}
    with pytest.raises(UnknownPerson):
        vaern.person("ghost")


def test_accounts_authenticate_by_id_or_email(vaern):
    vaern.set_password("leder-akut", "hemmeligt-1", T0, admin=True)
    assert vaern.authenticate("leder-akut", "hemmeligt-1").is_admin
    assert vaern.authenticate("leder-akut@demo.invalid", "hemmeligt-1").id == "leder-akut"
    assert vaern.authenticate("leder-akut", "forkert-kode") is None
    assert vaern.authenticate("ansat-akut", "hemmeligt-1") is None  # no account
    with pytest.raises(InvalidInput):
        vaern.set_password("leder-akut", "kort", T0)
    with pytest.raises(UnknownPerson):
        vaern.set_password("ghost", "langt-nok-1", T0)


def test_involvement_names_how_a_person_touches_a_case(vaern):
    case = vaern.start_case("simple", "afd-akut", {**PARTIES, "reporter_id": "kollega-akut"}, "kollega-akut", T0)
    assert vaern.involvement("leder-akut", case.id) == {"task:leader"}
    assert vaern.involvement("kollega-akut", case.id) == {"reporter", "party:accused", "party:reporter"}
    assert vaern.involvement("ansat-akut", case.id) == {"party:employee"}
    assert vaern.involvement("hr-hosp", case.id) == set()
    assert [c.id for c in vaern.reported_by("kollega-akut")] == [case.id]


def test_the_case_diagram_marks_done_current_and_overdue_elements(vaern):
    case = vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", T0)
    diagram = vaern.case_diagram(case.id, T0 + timedelta(days=3))
    assert "Task_talk" in diagram.current and "StartEvent_1" in diagram.completed
    assert diagram.overdue == {"Task_talk"} and diagram.version == 1 and "<bpmn:definitions" in diagram.xml
    [item] = vaern.inbox("leder-akut", T0)
    vaern.complete_task(item.task_id, TALK, "leder-akut", T0)
    diagram = vaern.case_diagram(case.id, T0)
    assert "Task_talk" in diagram.completed and "Task_hear" in diagram.current and not diagram.overdue


def test_person_names_reads_only_the_asked_for_people(vaern):
    assert vaern.person_names(["leder-akut", "ghost", "ansat-akut"]) == {"leder-akut": "Lene Leder", "ansat-akut": "Anna Ansat"}
    assert vaern.person_names([]) == {}
