"""Every case and task route, as every role of a sample case of each kind, against docs/access.md.

The expected level of each viewer comes from the table in docs/access.md, parsed the same way the
engine's matrix test parses it; any difference between a route's answer and the table fails. Task
routes follow the table's rule for task pages: only the task's candidates, its assignee and whoever
completed it may open one. Every request that reads a case or a task must leave a row in the access log.
"""
from __future__ import annotations

import re
import time
from html import unescape
from datetime import datetime, timedelta, timezone

import pytest
from lxml import etree

from tests.scenario import WORKFLOWS, filled
from tests.test_access_matrix import matrix

COLUMNS = {"violence": 0, "harassment": 1, "harassment_confidential": 2, "annual_med": 3}
EXTRA_PEOPLE = """
people:
  - {id: vidne-akut, name: Vera Vidne, unit: afd-akut}
  - {id: anden-akut, name: Ole Udenforstående, unit: afd-akut}
  - {id: tilfoejet-akut, name: Tove Tilføjet, unit: afd-akut}
"""
# Who plays each row of the table in the sample cases (the demo organisation plus the people above).
PLAYERS = {
    "leader with a task in the case": "leder-akut",
    "leader's leader after escalation": "hosp-leder",
    "local HR with a sparring task": "hr-hosp",
    "TR with a follow-up task": "tr-akut",
    "AMR with a follow-up task": "amr-akut",
    "the affected employee": "ansat-akut",
    "the accused": "kollega-akut",
    "a colleague who reported it": "vidne-akut",
    "a witnessing colleague with a task": "kollega-akut",
    "someone the leader added": "tilfoejet-akut",
    "a committee member with a task": "lmu-akut",
    "an administrator, not involved": "koncern-hr",
    "anyone else": "anden-akut",
}
# Who plays a row in one kind only: the annual round's leader is the region's, who gets a task when the
# RMU's follow-up is late.
KIND_PLAYERS = {("annual_med", "leader with a task in the case"): "direktoer"}
# Rows a kind's diagram cannot produce, and the lane whose absence proves it (or, for a grant, that no
# leader lane exists to grant from).
UNREACHABLE = {
    ("violence", "local HR with a sparring task"): "hr",
    ("violence", "a committee member with a task"): "lmu",
    ("harassment", "a committee member with a task"): "lmu",
    ("harassment_confidential", "a committee member with a task"): "lmu",
}
GRANTERS = {"leader with a task in the case", "leader's leader after escalation"}
SECRET = "Hemmelig beskrivelse 7f3a"


def _lanes(kind: str) -> set[str]:
    name = "harassment" if kind.startswith("harassment") else kind
    tree = etree.parse(str(WORKFLOWS / f"{name}.bpmn"))
    return {lane.get("name") for lane in tree.iterfind(".//{*}lane")}


def _open_task(vaern, case_id: int, person: str, spec: str | None = None):
    for task in vaern.tasks_of_case(case_id):
        if task.state == "open" and (spec is None or task.spec_id == spec) and (
                task.assignee_id == person or (task.assignee_id is None and person in task.candidates)):
            return task
    return None


def _complete_until(vaern, case_id: int, now: datetime, people: set[str], answers: dict, done: callable,
                    max_steps: int = 40) -> None:
    """Complete the open tasks of `people` (with `answers` per element) until `done()` holds."""
    for _ in range(max_steps):
        if done():
            return
        task = next((t for t in vaern.tasks_of_case(case_id) if t.state == "open"
                     and (t.assignee_id or (t.candidates[0] if t.candidates else None)) in people
                     and t.role not in ("tr", "amr", "leaders_leader")), None)
        assert task is not None, f"case {case_id} is stuck: {[t.spec_id for t in vaern.tasks_of_case(case_id) if t.state == 'open']}"
        person = task.assignee_id or task.candidates[0]
        vaern.complete_task(task.id, filled(vaern, task.id, **answers.get(task.spec_id, {})), person, now)
    raise AssertionError(f"case {case_id} did not reach the state the test needs")


def _sample(vaern, kind: str, now: datetime) -> int:
    """A case of the kind in which every reachable row of the table has its person."""
    later = now + timedelta(days=14)  # past five working days: serious cases have escalated
    if kind == "violence":
        case = vaern.start_case("violence", "afd-akut", {
            "employee_id": "ansat-akut", "reporter_id": "vidne-akut", "incident_at": "2026-01-05T10:00:00+01:00",
            "location": "Skadestuen", "violence_type": "physical", "injured": False, "severity": 4,
            "witnesses_present": True, "witnesses": "Karl", "serious": True, "description": SECRET},
            "vidne-akut", now)
        vaern.fire_due_timers(later)
        _complete_until(vaern, case.id, later, {"leder-akut"}, {
            "plan_follow_up": {"vtc_registrar": "leader", "debriefing_needed": False, "psychologist_needed": False,
                               "police_report": False, "exposure_over_5_days": False},
            "talk_witnesses": {"colleague_id": "kollega-akut"}},
            lambda: _open_task(vaern, case.id, "kollega-akut") is not None)
        return case.id
    if kind.startswith("harassment"):
        confidential = kind == "harassment_confidential"
        case = vaern.start_case("harassment", "afd-akut", {
            "report_source": "witness", "kind": "offensive", "serious": True, "employee_id": "ansat-akut",
            "accused_id": "kollega-akut", "reporter_id": "vidne-akut", "description": SECRET}, "vidne-akut", now)
        vaern.fire_due_timers(later)
        _complete_until(vaern, case.id, later, {"leder-akut", "hr-hosp"}, {
            "Task_ConversationSerious": {"wants_confidentiality": confidential},
            "Task_JudgeConfidentiality": {"continue_despite_confidentiality": True},
            "Task_Assess": {"hr_sparring": True, "cause": "individual", "acts_acknowledged_and_stopped": False}},
            lambda: _open_task(vaern, case.id, "kollega-akut", "Task_HearingAccused") is not None)
        assert vaern.case(case.id).confidential is confidential
        return case.id
    case = vaern.start_case("annual_med", "region", {"year": 2026}, "rmu-region", now)
    # Nobody answers: each committee is passed over in turn, until the RMU's follow-up is the leader's task.
    for _ in range(40):
        if _open_task(vaern, case.id, "direktoer") is not None:
            return case.id
        vaern.fire_due_timers(vaern.timers_of_case(case.id)[0][1] + timedelta(minutes=1))
    raise AssertionError("the annual round never reached the region's leader")


def _as(client, person: str) -> None:
    with client.session_transaction() as session:
        session.clear()
        session["person_id"] = person
        session["since"] = time.time()


def _logged(vaern, before: int, person: str) -> None:
    rows = vaern.access_log()[before:]
    assert rows and {r.person_id for r in rows} == {person}, "every read of a case or task leaves a log row"


def _invalid_form(vaern, task_id: str) -> dict[str, str]:
    """A submission every field refuses, so an allowed POST answers 400 and changes nothing."""
    detail = vaern.task_detail(task_id)
    bad = {"boolean": "kanske", "long": "mange", "date": "i morgen", "enum": "ingen-af-dem"}
    form = {f.id: bad.get(f.type, "x" * 20_001) for f in detail.fields}
    assert form, f"{detail.task.spec_id} has no form to refuse"
    return form


def _check_case_page(client, vaern, case_id: int, person: str, level: str) -> None:
    before = len(vaern.access_log())
    response = client.get(f"/cases/{case_id}")
    html = response.get_data(as_text=True)
    _logged(vaern, before, person)
    if level == "none":
        assert response.status_code == 403, (person, response.status_code)
        assert SECRET not in html and "data-level" not in html
        return
    assert response.status_code == 200, (person, response.status_code)
    shown = re.search(r'data-level="(\w+)"', html).group(1)
    assert shown == level, (person, shown, level)
    main = html.split('<main id="main">', 1)[1]
    if vaern.case(case_id).kind != "annual_med":  # the annual cycle has no description to leak
        assert (SECRET in main) == (level == "full")
    assert ('<dl class="data">' in main) == (level == "full")
    assert ('<ol class="timeline">' in main) == (level in ("timeline", "full"))
    assert ('id="diagram"' in main) == (level in ("timeline", "full"))
    if level == "timeline":
        names = {p.name for p in vaern.people()}
        assert not [n for n in names if n in main], "a timeline names roles, not people"


def _check_diagram(client, vaern, case_id: int, person: str, level: str) -> None:
    before = len(vaern.access_log())
    response = client.get(f"/cases/{case_id}/diagram.json")
    _logged(vaern, before, person)
    allowed = level in ("timeline", "full")
    assert response.status_code == (200 if allowed else 403), (person, level, response.status_code)
    if allowed:
        assert "<bpmn:definitions" in response.get_json()["xml"]


def _may_open(task, person: str) -> bool:
    """The table's rule for task pages."""
    return person in (task.assignee_id, task.completed_by) or (task.assignee_id is None and person in task.candidates)


def _check_task_routes(client, vaern, task_id: str, person: str) -> None:
    task = vaern.task(task_id)
    allowed = _may_open(task, person)
    is_open = task.state == "open"
    requests = [("get", f"/tasks/{task_id}", None)]
    if is_open:
        requests += [("post", f"/tasks/{task_id}", _invalid_form(vaern, task_id))]
    for method, path, data in requests:
        before = len(vaern.access_log())
        response = getattr(client, method)(path, data=data)
        _logged(vaern, before, person)
        if not allowed:
            assert response.status_code == 403, (person, task.spec_id, method, response.status_code)
            assert task.title not in unescape(response.get_data(as_text=True))  # titles may hold an apostrophe
        elif not is_open:
            assert response.status_code == 409, (person, task.spec_id, response.status_code)
        elif method == "get":
            assert response.status_code == 200 and task.title in unescape(response.get_data(as_text=True))
        else:
            assert response.status_code == 400, (person, task.spec_id, response.status_code)
    if is_open:
        for action in ("claim", "release"):
            before = len(vaern.access_log())
            response = client.post(f"/tasks/{task_id}/{action}")
            _logged(vaern, before, person)
            assert response.status_code == (302 if allowed else 403), (person, task.spec_id, action)
    assert vaern.task(task_id).state == task.state, "no route above may complete a task"


@pytest.mark.parametrize("kind", list(COLUMNS))
def test_every_route_as_every_role_matches_the_access_table(app, client, vaern, tmp_path, kind):
    extra = tmp_path / "extra.yaml"
    extra.write_text(EXTRA_PEOPLE, encoding="utf-8")
    now = datetime.now(timezone.utc)
    vaern.import_org(extra, "admin", now)
    case_id = _sample(vaern, kind, now)
    tasks = vaern.tasks_of_case(case_id)
    # Besides each viewer's own tasks: the leader's (or committee's) latest task and the first open one.
    probes = [[t for t in tasks if t.role in ("leader", "lmu")][-1], next(t for t in tasks if t.state == "open")]
    table = matrix()
    checked = []
    for row, person in PLAYERS.items():
        person = KIND_PLAYERS.get((kind, row), person)
        level = table[row][COLUMNS[kind]]
        if level == "—":
            continue
        if (kind, row) in UNREACHABLE:
            assert UNREACHABLE[kind, row] not in _lanes(kind), f"{kind} can have '{row}': test it"
            continue
        _as(client, person)
        relations = vaern.involvement(person, case_id)
        if row == "someone the leader added":
            assert not relations
        elif row in ("an administrator, not involved", "anyone else"):
            assert not relations and (vaern.person(person).is_admin == (row != "anyone else"))
        else:
            assert relations, f"{person} plays '{row}' but has no relation to the {kind} case"
        _check_case_page(client, vaern, case_id, person, level)
        _check_diagram(client, vaern, case_id, person, level)
        own = [t for t in vaern.tasks_of_case(case_id) if person in (t.assignee_id, t.completed_by)
               or person in t.candidates]
        for task in {t.id: t for t in own + probes}.values():
            _check_task_routes(client, vaern, task.id, person)
        if row == "the accused":
            hearing = _open_task(vaern, case_id, person, "Task_HearingAccused")
            assert hearing is not None and client.get(f"/tasks/{hearing.id}").status_code == 200
        before = len(vaern.access_log())
        response = client.post(f"/cases/{case_id}/grant", data={"person_id": "tilfoejet-akut"})
        _logged(vaern, before, person)
        assert response.status_code == (302 if row in GRANTERS else 403), (row, response.status_code)
        checked.append(row)
    # The request for help changes the case, so it comes last.
    for row, person in PLAYERS.items():
        person = KIND_PLAYERS.get((kind, row), person)
        if row not in checked:
            continue
        _as(client, person)
        before = len(vaern.access_log())
        response = client.post(f"/reports/{case_id}/escalate")
        _logged(vaern, before, person)
        # The reporter and the affected may ask the next management level for help (GEN-1, K-S8); no one else.
        allowed = row in ("a colleague who reported it", "the affected employee")
        assert response.status_code == (302 if allowed else 403), (row, response.status_code)
    expected_rows = {row for row, levels in table.items() if levels[COLUMNS[kind]] != "—"
                     and (kind, row) not in UNREACHABLE}
    assert set(checked) == expected_rows
