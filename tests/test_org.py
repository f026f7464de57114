"""The organisation: import checks and role resolution up the unit tree."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine import OrganisationError
from engine.models import RoleHolder, Unit
from tests.conftest import T0


def _count(vaern, model):
    with vaern.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model))


def test_unit_roles_walk_up_the_tree(vaern):
    assert vaern.resolve("leader", "afd-akut") == ["leder-akut"]
    assert vaern.resolve("hr", "afd-akut") == ["hr-hosp"]  # the department has no HR of its own
    assert vaern.resolve("koncern_hr", "afd-psyk") == ["koncern-hr"]
    assert vaern.resolve("leaders_leader", "afd-akut") == ["hosp-leder"]


def test_person_roles_come_from_the_case(vaern):
    parties = {"employee_id": "ansat-akut", "accused_id": "kollega-akut"}
    assert vaern.resolve("employee", "afd-akut", parties) == ["ansat-akut"]
    assert vaern.resolve("accused", "afd-akut", parties) == ["kollega-akut"]
    assert vaern.resolve("colleague", "afd-akut", parties) == []


def test_an_accused_leader_is_replaced_by_the_leaders_leader(vaern):
    parties = {"employee_id": "ansat-akut", "accused_id": "leder-akut"}
    assert vaern.resolve("leader", "afd-akut", parties) == ["hosp-leder"]
    assert vaern.resolve("leaders_leader", "afd-akut", parties) == ["direktoer"]
    assert vaern.resolve("accused", "afd-akut", parties) == ["leder-akut"]


@pytest.mark.parametrize("content, fragment", [
    ("units:\n - {id: a, name: A, parent: b}\n - {id: b, name: B, parent: a}\n", "cycle"),
    ("units:\n - {id: x, name: X}\n - {id: x, name: X2}\n", "appears twice"),
    ("units:\n - {id: x, name: X, parent: nowhere}\n", "unknown parent 'nowhere'"),
    ("people:\n - {id: p, name: P}\n - {id: p, name: Q}\n", "person id 'p' appears twice"),
    ("roles:\n - {unit: afd-akut, role: leader, person: ghost}\n", "unknown person 'ghost'"),
    ("roles:\n - {unit: afd-akut, role: boss, person: ansat-akut}\n", "'boss' cannot be held"),
    ("units: [1, 2]\n", "list of mappings"),
    ("units: [\n", "not valid YAML"),
])
def test_a_bad_organisation_file_is_refused_and_changes_nothing(vaern, tmp_path, content, fragment):
    path = tmp_path / "org.yaml"
    path.write_text(content, encoding="utf-8")
    before = (_count(vaern, Unit), _count(vaern, RoleHolder))
    with pytest.raises(OrganisationError) as caught:
        vaern.import_org(path, "admin", T0)
    assert any(fragment in p for p in caught.value.problems), caught.value.problems
    assert (_count(vaern, Unit), _count(vaern, RoleHolder)) == before


def test_csv_import(vaern, tmp_path):
    path = tmp_path / "org.csv"
    path.write_text(
        "unit_id,unit_name,unit_kind,parent_id,person_id,person_name,person_email,role\n"
        "afd-ny,Ny afdeling,department,hospital,leder-ny,Nina Ny,nina@demo.invalid,leader\n"
        "afd-ny,Ny afdeling,department,hospital,tr-ny,Theo TR,,tr\n", encoding="utf-8")
    counts = vaern.import_org(path, "admin", T0)
    assert counts == {"units": 1, "people": 2, "roles": 2}
    assert vaern.resolve("leader", "afd-ny") == ["leder-ny"]
    assert vaern.resolve("amr", "afd-ny") == []  # nobody above holds AMR either
    assert vaern.resolve("hr", "afd-ny") == ["hr-hosp"]


def test_csv_with_a_conflicting_unit_row_is_refused(vaern, tmp_path):
    path = tmp_path / "org.csv"
    path.write_text(
        "unit_id,unit_name,unit_kind,parent_id,person_id,person_name,person_email,role\n"
        "afd-ny,Ny afdeling,department,hospital,,,,\n"
        "afd-ny,Andet navn,department,region,,,,\n", encoding="utf-8")
    with pytest.raises(OrganisationError, match="appears twice"):
        vaern.import_org(path, "admin", T0)


def test_an_import_in_another_process_reaches_the_next_command(vaern, database_url, tmp_path):
    # Each process resolves roles on its own snapshot of the organisation; a second engine on the same
    # database stands in for another web worker.
    from engine import Settings, open_vaern

    other = open_vaern(Settings(database_url=database_url), migrate=False)
    try:
        assert other.resolve("leader", "afd-akut") == ["leder-akut"]
        path = tmp_path / "new-leader.yaml"
        path.write_text("roles:\n - {unit: afd-akut, role: leader, person: kollega-akut}\n", encoding="utf-8")
        vaern.import_org(path, "admin", T0)
        assert other.resolve("leader", "afd-akut") == ["kollega-akut"]
        case = other.start_case("simple", "afd-akut", {"employee_id": "ansat-akut"}, "ansat-akut", T0)
        leader_tasks = [t for t in other.tasks_of_case(case.id) if t.role == "leader"]
        assert leader_tasks and all(t.candidates == ("kollega-akut",) for t in leader_tasks)
    finally:
        other.db.dispose()


def test_a_refused_import_leaves_every_snapshot_as_it_was(vaern, tmp_path):
    assert vaern.resolve("leader", "afd-akut") == ["leder-akut"]
    path = tmp_path / "bad.yaml"
    path.write_text("roles:\n - {unit: afd-akut, role: leader, person: kollega-akut}\n"
                    " - {unit: afd-akut, role: leader, person: ghost}\n", encoding="utf-8")
    with pytest.raises(OrganisationError):
        vaern.import_org(path, "admin", T0)
    assert vaern.resolve("leader", "afd-akut") == ["leder-akut"]
