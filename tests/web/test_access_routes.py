"""Every case and task route, as every role of a sample case of each kind, against docs/access.md.

The expected level of each viewer comes from the table in docs/access.md, parsed the same way the
engine's matrix test parses it; any difference between a route's answer and the table fails. Task
routes follow the table's rule for task pages: only the task's candidates, its assignee and whoever
completed it may open one. Every request that reads a case or a task must leave a row in the access log.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from html import unescape

import pytest
from lxml import etree

from tests.scenario import WORKFLOWS, filled
from tests.test_access_matrix import matrix
from tests.web.conftest import as_person

COLUMNS = {"violence": 0, "harassment": 1, "harassment_confidential": 2, "annual_med": 3}
EXTRA_PEOPLE = """
people:
  - {id: vidne-akut, name: Vera Vidne, unit: afd-akut}
  - {id: anden-akut, name: Ole Udenforstående, unit: afd-akut}
  - {id: tilfoejet-akut, name: Tove Tilføjet, unit: afd-akut}
  - {id: tidlig-akut, name: Tim Tidlig, unit: afd-akut}
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
    "someone the leader added before the case became confidential, without the affected's consent": "tidlig-akut",
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
            "talk_witnesses": {"colleague_ids": ["kollega-akut"]}},
            lambda: _open_task(vaern, case.id, "kollega-akut") is not None)
        return case.id
    if kind.startswith("harassment"):
        confidential = kind == "harassment_confidential"
        case = vaern.start_case("harassment", "afd-akut", {
            "report_source": "witness", "kind": "offensive", "serious": True, "employee_id": "ansat-akut",
            "accused_id": "kollega-akut", "reporter_id": "vidne-akut", "description": SECRET}, "vidne-akut", now)
        vaern.grant_access(case.id, "tidlig-akut", "leder-akut", now)  # before the affected asks for confidentiality
        vaern.consent_to_access(case.id, "tilfoejet-akut", "ansat-akut", now)  # whom the leader will add below
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
    as_person(client, client.application.extensions["vaern"], person)


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
    consents = re.search(r'<section class="card consent">.*?</section>', main, re.S)
    assert bool(consents) == (vaern.case(case_id).confidential and "party:employee" in vaern.involvement(person, case_id))
    if level == "timeline":
        # The affected's own list of whom they agreed to is theirs; the rest of the page names roles only.
        main = main.replace(consents.group(0), "") if consents else main
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
@pytest.mark.slow
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
        if row.startswith("someone the leader added"):
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


# Pages and exports that name cases or a person's part in them, besides the case and task pages above.
LIST_PAGES = ("/", "/notices/", "/reports", "/access-log")
ADMIN_PAGES = ("/oversight/outbox", "/oversight/access-log", "/oversight/access-log.csv")


def _mentions(html: str, case_id: int) -> bool:
    return re.search(rf"\bSag {case_id}\b|/cases/{case_id}\b", html) is not None


@pytest.mark.parametrize("kind", list(COLUMNS))
def test_every_page_naming_a_case_or_a_part_in_it_as_every_role(app, client, vaern, tmp_path, kind):
    from engine.models import OutboxMail

    extra = tmp_path / "extra.yaml"
    extra.write_text(EXTRA_PEOPLE, encoding="utf-8")
    now = datetime.now(timezone.utc)
    vaern.import_org(extra, "admin", now)
    case_id = _sample(vaern, kind, now)
    case = vaern.case(case_id)
    reporter = case.created_by
    for reader, path in ((reporter, "/reports"), ("leder-akut", f"/cases/{case_id}"), ("hosp-leder", f"/cases/{case_id}")):
        _as(client, reader)
        client.get(path)  # reads for "Hvem har set mine sager" to show, or not
    tasks = vaern.tasks_of_case(case_id)
    titles = {t.title for t in tasks}
    table = matrix()
    for row, person in PLAYERS.items():
        level = table[row][COLUMNS[kind]]
        if level == "—" or (kind, row) in UNREACHABLE:
            continue
        relations = vaern.involvement(person, case_id)
        mine = [t for t in tasks if _may_open(vaern.task(t.id), person)]
        is_party = any(r.startswith("party:") for r in relations)
        expected = {
            "/": any(t.state == "open" for t in mine),
            "/notices/": bool([n for n in vaern.notices(person, limit=500) if n.case_id == case_id]),
            "/reports": (person == reporter or "party:employee" in relations) and "party:accused" not in relations,
            "/access-log": is_party and level != "none",
        }
        _as(client, person)
        for path in LIST_PAGES:
            response = client.get(path)
            html = response.get_data(as_text=True).split('<main id="main">', 1)[1]
            assert response.status_code == 200, (row, path)
            assert _mentions(html, case_id) == expected[path], (row, path)
            assert SECRET not in html, (row, path)
            for task_id in re.findall(r'href="/tasks/([0-9a-f-]{36})"', html):
                assert _may_open(vaern.task(task_id), person), (row, path, "links only to tasks of one's own")
            if path in ("/reports", "/access-log") and level not in ("timeline", "full"):
                assert not [t for t in titles if t in html], (row, path, "no steps below the timeline level")
        if "party:accused" in relations:
            # The accused: nothing but their own hearing, on no page and in no mail.
            hearings = {t.id for t in mine if t.role == "accused"}
            assert {n.task_id for n in vaern.notices(person, limit=500) if n.case_id == case_id} <= hearings
            with vaern.uow() as uow:
                bodies = [m.body for m in uow.session.query(OutboxMail).filter_by(person_id=person, case_id=case_id)]
            assert all(any(f"/tasks/{h}" in body for h in hearings) for body in bodies), bodies
        for path in ADMIN_PAGES:
            response = client.get(path)
            if not vaern.person(person).is_admin:
                assert response.status_code == 403, (row, path)
                continue
            text = response.get_data(as_text=True)
            assert response.status_code == 200 and SECRET not in text, (row, path)
            assert not [t for t in titles if t in text], (row, path, "no task names: they tell who has which part")
            if path == "/oversight/outbox":
                assert not _mentions(text, case_id), "the outbox does not say which case a mail is about"
