"""Directory sync: the diff of every kind of change, the dry run, applying all or nothing, leavers' tasks handed
over, the safety stop, and malformed files refused with line and column."""
from __future__ import annotations

import copy
import json

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import func, select

from engine import ConcurrentUpdate, OrganisationError, SyncStopped
from engine.cli.main import CliContext, cli
from engine.models import Event, Notice, Person, RoleHolder, Unit
from tests.conftest import DEMO_ORG, T0

PARTIES = {"employee_id": "ansat-akut", "accused_id": "kollega-akut"}


def demo_directory() -> dict:
    """The demo organisation in the directory file's form: people carry the roles they hold."""
    org = yaml.safe_load(DEMO_ORG.read_text(encoding="utf-8"))
    people = []
    for person in org["people"]:
        roles = [r["role"] if r["unit"] == person["unit"] else f"{r['role']}@{r['unit']}"
                 for r in org["roles"] if r["person"] == person["id"]]
        people.append({**person, "roles": roles})
    return {"units": org["units"], "people": people}


def as_yaml(directory: dict) -> bytes:
    return yaml.safe_dump(directory, allow_unicode=True).encode("utf-8")


def _table(vaern, model, *where):
    with vaern.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model).where(*where))


def _state(vaern):
    with vaern.uow() as uow:
        s = uow.session
        return (sorted(tuple(r) for r in s.execute(select(Unit.id, Unit.name, Unit.parent_id))),
                sorted(tuple(r) for r in s.execute(select(Person.id, Person.name, Person.email, Person.unit_id,
                                                          Person.active))),
                sorted(tuple(r) for r in s.execute(select(RoleHolder.unit_id, RoleHolder.role, RoleHolder.person_id))),
                s.scalar(select(func.count()).select_from(Event)))


def test_the_demo_organisation_synced_onto_itself_changes_nothing(vaern):
    diff = vaern.preview_sync(as_yaml(demo_directory()), "org.yaml")
    assert diff.empty, diff
    before = _state(vaern)
    vaern.apply_sync(as_yaml(demo_directory()), "org.yaml", "admin", T0)
    assert _state(vaern) == before  # not even an event for nothing


def _changed_directory() -> dict:
    directory = demo_directory()
    units = {u["id"]: u for u in directory["units"]}
    units["afd-psyk"]["name"] = "Psykiatrien"  # renamed
    directory["units"].append({"id": "hospital-2", "name": "Regionshospitalet Nord", "kind": "hospital",
                               "parent": "region"})  # added
    units["afd-psyk"]["parent"] = "hospital-2"  # moved
    people = {p["id"]: p for p in directory["people"]}
    people["kollega-akut"]["unit"] = "afd-psyk"  # moved
    people["ansat-akut"]["email"] = "anna.ansat@demo.invalid"  # changed
    directory["people"].remove(people["amr-akut"])  # left
    directory["people"].append({"id": "nina-ny", "name": "Nina Ny", "email": "nina@demo.invalid", "unit": "afd-akut",
                                "roles": ["amr"]})  # added, and the AMR role changes hands
    people["tr-akut"]["roles"] = []  # a role holder removed
    return directory


def test_every_kind_of_change_is_shown_and_the_dry_run_changes_nothing(vaern):
    before = _state(vaern)
    diff = vaern.preview_sync(as_yaml(_changed_directory()), "org.yaml")
    assert [c.id for c in diff.units_added] == ["hospital-2"]
    assert [(c.id, c.before, c.after) for c in diff.units_renamed] == [("afd-psyk", "Psykiatrisk afsnit",
                                                                       "Psykiatrien")]
    assert [(c.id, c.before, c.after) for c in diff.units_moved] == [("afd-psyk", "hospital", "hospital-2")]
    assert [c.id for c in diff.people_added] == ["nina-ny"]
    assert [(c.id, c.before, c.after) for c in diff.people_moved] == [("kollega-akut", "afd-akut", "afd-psyk")]
    assert [c.id for c in diff.people_changed] == ["ansat-akut"]
    assert [c.id for c in diff.people_left] == ["amr-akut"]
    assert [(c.unit, c.role, c.person) for c in diff.roles_added] == [("afd-akut", "amr", "nina-ny")]
    assert [(c.unit, c.role, c.person) for c in diff.roles_removed] == [("afd-akut", "amr", "amr-akut"),
                                                                      ("afd-akut", "tr", "tr-akut")]
    assert _state(vaern) == before


def test_applying_writes_the_changes_deactivates_the_leaver_and_logs_the_sync(vaern):
    vaern.apply_sync(as_yaml(_changed_directory()), "org.yaml", "admin", T0)
    assert vaern.resolve("amr", "afd-akut") == ["nina-ny"]
    assert vaern.resolve("tr", "afd-akut") == []
    # afd-psyk now sits under hospital-2, which has no leader: the region's leader is the leader above.
    assert vaern.resolve("leaders_leader", "afd-psyk") == ["direktoer"]
    amr = vaern.person("amr-akut")
    assert amr.active is False and amr.roles == ()  # kept, never deleted
    assert vaern.person("kollega-akut").unit_id == "afd-psyk"
    assert [u.name for u in vaern.units() if u.id == "afd-psyk"] == ["Psykiatrien"]
    assert vaern.find_people("Allan") == []  # who left is not suggested for new cases
    with vaern.uow() as uow:
        actor, details = uow.session.execute(select(Event.actor, Event.details)
                                             .where(Event.action == "org_synced")).one()
    assert details["people_left"] == 1 and details["left"] == ["amr-akut"]
    assert details["units_added"] == 1 and actor == "admin"
    # Synced again, the same file changes nothing more.
    assert vaern.preview_sync(as_yaml(_changed_directory()), "org.yaml").empty


def test_a_person_back_in_the_file_is_active_again(vaern):
    directory = demo_directory()
    gone = copy.deepcopy(directory)
    gone["people"] = [p for p in gone["people"] if p["id"] != "amr-akut"]
    vaern.apply_sync(as_yaml(gone), "org.yaml", "admin", T0)
    diff = vaern.preview_sync(as_yaml(directory), "org.yaml")
    assert [c.id for c in diff.people_back] == ["amr-akut"]
    vaern.apply_sync(as_yaml(directory), "org.yaml", "admin", T0)
    assert vaern.person("amr-akut").active and vaern.resolve("amr", "afd-akut") == ["amr-akut"]


def test_a_leavers_open_task_goes_to_the_next_holder_of_the_role_with_a_notice(vaern):
    case = vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", T0)
    [task] = vaern.inbox("leder-akut", T0)
    directory = demo_directory()
    directory["people"] = [p for p in directory["people"] if p["id"] != "leder-akut"]
    directory["people"].append({"id": "leder-ny", "name": "Niels Ny Leder", "unit": "afd-akut", "roles": ["leader"]})
    vaern.apply_sync(as_yaml(directory), "org.yaml", "admin", T0)
    assert vaern.inbox("leder-akut", T0) == []
    [moved] = vaern.inbox("leder-ny", T0)
    assert moved.task_id == task.task_id
    with vaern.uow() as uow:
        notice = uow.session.execute(select(Notice.kind, Notice.task_id).where(Notice.person_id == "leder-ny")).one()
    assert tuple(notice) == ("handed_over", task.task_id)
    events = [e.action for e in vaern.events(case.id)]
    assert "task_handed_over" in events and "task_created" in events  # the case keeps its history
    # The new leader can do the task.
    vaern.claim(task.task_id, "leder-ny", T0)


def test_without_a_next_holder_the_task_goes_up_the_line(vaern):
    vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", T0)
    [task] = vaern.inbox("leder-akut", T0)
    directory = demo_directory()
    directory["people"] = [p for p in directory["people"] if p["id"] != "leder-akut"]
    vaern.apply_sync(as_yaml(directory), "org.yaml", "admin", T0)
    # No leader in the department: the hospital's leader leads it now, and takes the task.
    assert [t.task_id for t in vaern.inbox("hosp-leder", T0)] == [task.task_id]


def test_a_sync_that_would_remove_too_much_stops_and_changes_nothing(vaern):
    directory = demo_directory()
    directory["people"] = directory["people"][:5]  # 9 of 14 people gone: an export cut short
    before = _state(vaern)
    with pytest.raises(SyncStopped) as stopped:
        vaern.apply_sync(as_yaml(directory), "org.yaml", "admin", T0)
    assert len(stopped.value.diff.people_left) == 9 and stopped.value.limit == 0.1
    assert _state(vaern) == before
    vaern.apply_sync(as_yaml(directory), "org.yaml", "admin", T0, allow_removals=True)
    assert _table(vaern, Person, Person.active.is_(False)) == 9


def test_a_sync_checked_against_an_older_revision_is_refused(vaern):
    diff = vaern.preview_sync(as_yaml(_changed_directory()), "org.yaml")
    vaern.apply_sync(as_yaml(_changed_directory()), "org.yaml", "admin", T0)
    with pytest.raises(ConcurrentUpdate):
        vaern.apply_sync(as_yaml(demo_directory()), "org.yaml", "admin", T0, expected_revision=diff.revision)


HR_CSV = (
    "employee_id;name;email;unit_id;unit_name;parent_unit_id;unit_kind;roles\n"
    ";;;region;Region Midtjylland;;region;\n"
    "d1;Dorthe Direktør;d1@demo.invalid;region;Region Midtjylland;;region;leader koncern_hr\n"
    "h1;Henrik Hospital;;hosp;Hospitalet;region;hospital;leader|hr\n"
    "a1;Anna Ansat;a1@demo.invalid;akut;Akutafdelingen;hosp;department;\n"
    "l1;Lene Leder;;akut;Akutafdelingen;hosp;department;leader tr@hosp\n"
)


def test_a_csv_as_hr_exports_it(empty_vaern):
    diff = empty_vaern.preview_sync(HR_CSV.encode("utf-8"), "hr.csv")
    assert [c.id for c in diff.units_added] == ["akut", "hosp", "region"]
    assert len(diff.people_added) == 4 and len(diff.roles_added) == 6
    empty_vaern.apply_sync(HR_CSV.encode("utf-8"), "hr.csv", "admin", T0)
    assert empty_vaern.resolve("leader", "akut") == ["l1"]
    assert empty_vaern.resolve("tr", "akut") == ["l1"]
    assert empty_vaern.resolve("hr", "akut") == ["h1"]
    assert empty_vaern.resolve("leaders_leader", "akut") == ["h1"]


@pytest.mark.parametrize("filename, content, expected", [
    ("hr.csv", HR_CSV.replace("Anna Ansat;a1@demo", "Anna Ansat;a1 @demo"), "line 5, column 3: the e-mail address"),
    ("hr.csv", HR_CSV.replace("hosp;department;\n", "nowhere;department;\n", 1),
     "line 6, column 4: the unit 'akut' is described differently at line 5, column 4"),
    ("hr.csv", HR_CSV.replace("leader tr@hosp", "leader boss"), "line 6, column 8: 'boss' is no role"),
    ("hr.csv", HR_CSV.replace("l1;Lene Leder;", "l1;;"), "line 6, column 2: name is missing"),
    ("hr.csv", HR_CSV + "x9;Xena;;akut;Akutafdelingen;hosp;department\n", "line 7, column 8: the row has 7 field(s)"),
    ("hr.csv", HR_CSV.replace("employee_id;", "employee_no;"), "line 1, column 1: the header lacks the column(s) "
                                                               "employee_id"),
    ("hr.csv", HR_CSV.replace("Henrik Hospital", '"Henrik" Hospital'), "line 4, column 1: ';' expected"),
    ("org.json", '{"units": [\n  {"id": "a", "name": "A"},\n  {"id": "b" "name": "B"}\n]}', "line 3, column 14"),
    ("org.yaml", "units:\n  - {id: a, name: A}\n  - {id: b, name: [B}\n", "line 3, column"),
    ("org.yaml", "units:\n  - {id: a, name: A, parent: b}\n  - {id: b, name: B, parent: a}\n", "units[1]: the units "
                                                                                                "form a cycle"),
    ("org.yaml", "units:\n  - {id: a, name: A}\npeople:\n  - {id: p, name: P, unit: z}\n", "people[1]: the person 'p' "
                                                                                          "belongs to an unknown unit"),
])
def test_a_malformed_file_is_refused_with_where_and_changes_nothing(vaern, filename, content, expected):
    before = _state(vaern)
    with pytest.raises(OrganisationError) as refused:
        vaern.preview_sync(content.encode("utf-8"), filename)
    assert any(expected in p for p in refused.value.problems), refused.value.problems
    with pytest.raises(OrganisationError):
        vaern.apply_sync(content.encode("utf-8"), filename, "admin", T0)
    assert _state(vaern) == before


def _cli(vaern, args, interactive=False, now=T0):
    context = CliContext(service=lambda: vaern, now=lambda: now, interactive=lambda: interactive)
    return CliRunner().invoke(cli, args, obj=context, catch_exceptions=False)


def test_the_command_shows_a_dry_run_and_applies_with_yes(vaern, tmp_path):
    path = tmp_path / "org.json"
    path.write_text(json.dumps(_changed_directory()), encoding="utf-8")
    before = _state(vaern)
    shown = _cli(vaern, ["org", "sync", str(path)])
    assert shown.exit_code == 0, shown.output
    assert "people left (deactivated): 1" in shown.output and "amr-akut" in shown.output
    assert "dry run: nothing changed" in shown.output
    assert _state(vaern) == before
    applied = _cli(vaern, ["org", "sync", str(path), "--yes"])
    assert applied.exit_code == 0, applied.output
    assert "applied:" in applied.output and vaern.person("amr-akut").active is False


def test_the_command_stops_at_the_safety_share_and_reports_where_a_file_is_malformed(vaern, tmp_path):
    path = tmp_path / "org.yaml"
    directory = demo_directory()
    directory["people"] = directory["people"][:3]
    path.write_bytes(as_yaml(directory))
    stopped = _cli(vaern, ["org", "sync", str(path), "--yes"])
    assert stopped.exit_code == 1 and "stopped: the sync would remove" in stopped.output
    assert vaern.person("amr-akut").active
    bad = tmp_path / "bad.json"
    bad.write_text('{"units": [}', encoding="utf-8")
    refused = _cli(vaern, ["org", "sync", str(bad), "--yes"])
    assert refused.exit_code == 1 and "line 1, column 12" in refused.output



def test_a_task_claimed_by_someone_who_left_goes_back_to_the_other_holders(vaern):
    directory = demo_directory()
    directory["people"].append({"id": "leder-2", "name": "Lars Medleder", "unit": "afd-akut", "roles": ["leader"]})
    vaern.apply_sync(as_yaml(directory), "org.yaml", "admin", T0)
    case = vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", T0)
    [task] = vaern.inbox("leder-2", T0)
    vaern.claim(task.task_id, "leder-2", T0)
    assert vaern.inbox("leder-akut", T0) == []  # claimed: the other leader no longer sees it
    directory["people"] = [p for p in directory["people"] if p["id"] != "leder-2"]
    vaern.apply_sync(as_yaml(directory), "org.yaml", "admin", T0)
    [back] = vaern.inbox("leder-akut", T0)
    assert back.task_id == task.task_id and back.assignee_id == "leder-akut"
    with vaern.uow() as uow:
        # The task is leder-akut's alone now (it was claimed by the leaver): they are told.
        told = [tuple(r) for r in uow.session.execute(select(Notice.person_id, Notice.task_id)
                                                      .where(Notice.kind == "handed_over"))]
    assert told == [("leder-akut", task.task_id)]
    assert [e.action for e in vaern.events(case.id)].count("task_handed_over") == 1
