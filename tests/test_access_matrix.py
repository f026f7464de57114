"""The access policy against the matrix in docs/access.md, on paper and on real cases."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine import GrantRefused, NotAllowed, NotFound
from engine.privacy.policy import level_for
from tests.conftest import ROOT, T0
from tests.scenario import deploy_guideline, do

MATRIX = ROOT / "docs" / "access.md"
COLUMNS = [("violence", False), ("harassment", False), ("harassment", True), ("annual_med", False)]
# viewer -> (relations, granted by the leader, consented to by the affected)
RELATIONS = {
    "leader with a task in the case": ({"task:leader"}, False, False),
    "leader's leader after escalation": ({"task:leaders_leader"}, False, False),
    "local HR with a sparring task": ({"task:hr"}, False, False),
    "TR with a follow-up task": ({"task:tr"}, False, False),
    "AMR with a follow-up task": ({"task:amr"}, False, False),
    "the affected employee": ({"party:employee", "task:employee"}, False, False),
    # Even a grant with consent gives the accused nothing (the engine refuses both; the policy holds anyway).
    "the accused": ({"party:accused", "task:accused", "task:leader"}, True, True),
    "a colleague who reported it": ({"reporter", "party:reporter"}, False, False),
    "a witnessing colleague with a task": ({"party:colleague", "task:colleague"}, False, False),
    "someone the leader added": (set(), True, True),
    "someone the leader added before the case became confidential, without the affected's consent":
        (set(), True, False),
    "a committee member with a task": ({"task:lmu"}, False, False),
    "an administrator, not involved": (set(), False, False),
    "anyone else": (set(), False, False),
}


def matrix() -> dict[str, list[str]]:
    """The table in docs/access.md: viewer -> level per column."""
    rows = {}
    for line in MATRIX.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] in RELATIONS:
            rows[cells[0]] = cells[1:]
    return rows


def test_the_matrix_names_every_viewer():
    assert set(matrix()) == set(RELATIONS)


@pytest.mark.parametrize("viewer", sorted(RELATIONS))
def test_the_policy_is_the_matrix(viewer):
    relations, granted, consented = RELATIONS[viewer]
    for (kind, confidential), expected in zip(COLUMNS, matrix()[viewer]):
        if expected == "—":
            continue
        assert level_for(kind, confidential, relations, granted, consented) == expected, (viewer, kind, confidential)


# -- on real cases: the same levels through view_case, and a log row for every read -----------------

EXTRA_PEOPLE = """
people:
  - {id: vidne-akut, name: Vera Vidne, unit: afd-akut}
  - {id: anden-akut, name: Ole Udenforstående, unit: afd-akut}
"""


@pytest.fixture
def cases(vaern, tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text(EXTRA_PEOPLE, encoding="utf-8")
    vaern.import_org(extra, "admin", T0)
    vaern.set_password("koncern-hr", "administrator-1", T0, admin=True)
    deploy_guideline(vaern, T0, "violence", "harassment")
    return vaern


def _expect(vaern, case_id, viewer, expected):
    if expected == "none":
        with pytest.raises(NotAllowed):
            vaern.view_case(case_id, viewer, T0)
        return
    view = vaern.view_case(case_id, viewer, T0)
    assert view.level == expected, (viewer, view.level, expected)
    assert bool(view.case.data) == (expected == "full")
    assert bool(view.timeline) == (expected in ("full", "timeline"))
    if expected == "timeline":
        people = {"ansat-akut", "kollega-akut", "leder-akut", "hosp-leder", "tr-akut", "amr-akut", "vidne-akut"}
        assert not {e.actor for e in view.timeline} & people, "the timeline names roles, not people"


def test_a_serious_harassment_case_as_every_role(cases):
    v = cases
    case = v.start_case("harassment", "afd-akut", {
        "report_source": "witness", "kind": "sexual_harassment", "serious": True, "employee_id": "ansat-akut",
        "accused_id": "kollega-akut", "reporter_id": "vidne-akut", "description": "Uønsket berøring"},
        "vidne-akut", T0)
    v.fire_due_timers(T0 + timedelta(days=8))  # escalation: leader's leader, TR and AMR get tasks
    expected = matrix()
    for viewer, person in [("leader with a task in the case", "leder-akut"),
                           ("leader's leader after escalation", "hosp-leder"),
                           ("TR with a follow-up task", "tr-akut"), ("AMR with a follow-up task", "amr-akut"),
                           ("the affected employee", "ansat-akut"), ("the accused", "kollega-akut"),
                           ("a colleague who reported it", "vidne-akut"),
                           ("an administrator, not involved", "koncern-hr"), ("anyone else", "anden-akut")]:
        _expect(v, case.id, person, expected[viewer][1])
    v.grant_access(case.id, "anden-akut", "leder-akut", T0)
    _expect(v, case.id, "anden-akut", expected["someone the leader added"][1])
    with pytest.raises(NotAllowed):
        v.grant_access(case.id, "kollega-akut", "tr-akut", T0)  # only the leader adds people


def _confidential_case(v):
    """A serious harassment case whose affected employee asked for confidentiality in the first talk."""
    case = v.start_case("harassment", "afd-akut", {
        "report_source": "affected", "kind": "offensive", "serious": True, "employee_id": "ansat-akut",
        "accused_id": "kollega-akut", "reporter_id": "ansat-akut", "description": "Nedsættende kommentarer"},
        "ansat-akut", T0)
    do(v, "leder-akut", case.id, "Task_ConversationSerious", T0, wants_confidentiality=True)
    return case


def test_a_confidential_case_is_seen_by_the_leader_and_whom_the_leader_adds(cases):
    v = cases
    case = _confidential_case(v)
    assert v.case(case.id).confidential
    v.fire_due_timers(T0 + timedelta(days=8))
    expected = {row: levels[2] for row, levels in matrix().items()}
    _expect(v, case.id, "leder-akut", expected["leader with a task in the case"])
    _expect(v, case.id, "ansat-akut", expected["the affected employee"])
    _expect(v, case.id, "kollega-akut", expected["the accused"])
    _expect(v, case.id, "anden-akut", expected["anyone else"])
    with pytest.raises(GrantRefused) as refused:
        v.grant_access(case.id, "hr-hosp", "leder-akut", T0)  # the affected has not agreed to HR
    assert refused.value.reason == "no_consent"
    with pytest.raises(NotAllowed):
        v.consent_to_access(case.id, "hr-hosp", "leder-akut", T0)  # only the affected agrees
    v.consent_to_access(case.id, "hr-hosp", "ansat-akut", T0)
    v.grant_access(case.id, "hr-hosp", "leder-akut", T0)
    _expect(v, case.id, "hr-hosp", expected["someone the leader added"])
    v.withdraw_consent(case.id, "hr-hosp", "ansat-akut", T0 + timedelta(hours=1))
    _expect(v, case.id, "hr-hosp", "none")  # taking the agreement back ends the access it allowed
    assert v.access_grants(case.id, "leder-akut") == []


def test_the_accused_can_never_be_given_access(cases):
    v = cases
    case = _confidential_case(v)
    for attempt in (lambda: v.grant_access(case.id, "kollega-akut", "leder-akut", T0),
                    lambda: v.consent_to_access(case.id, "kollega-akut", "ansat-akut", T0)):
        with pytest.raises(GrantRefused) as refused:
            attempt()
        assert refused.value.reason == "accused"
    _expect(v, case.id, "kollega-akut", "none")


def test_a_grant_from_before_the_case_became_confidential_needs_the_affecteds_consent(cases):
    v = cases
    case = v.start_case("harassment", "afd-akut", {
        "report_source": "affected", "kind": "offensive", "serious": True, "employee_id": "ansat-akut",
        "accused_id": "kollega-akut", "reporter_id": "ansat-akut", "description": "x"}, "ansat-akut", T0)
    v.grant_access(case.id, "anden-akut", "leder-akut", T0)
    _expect(v, case.id, "anden-akut", "full")
    do(v, "leder-akut", case.id, "Task_ConversationSerious", T0, wants_confidentiality=True)
    expected = matrix()["someone the leader added before the case became confidential, without the affected's consent"]
    _expect(v, case.id, "anden-akut", expected[2])
    v.consent_to_access(case.id, "anden-akut", "ansat-akut", T0)
    _expect(v, case.id, "anden-akut", "full")


def test_the_leader_sees_whom_the_case_was_shared_with_and_can_take_it_back(cases):
    v = cases
    case = _confidential_case(v)
    for person in ("hr-hosp", "anden-akut"):
        v.consent_to_access(case.id, person, "ansat-akut", T0)
    v.grant_access(case.id, "hr-hosp", "leder-akut", T0)
    v.grant_access(case.id, "anden-akut", "leder-akut", T0 + timedelta(minutes=1))
    grants = v.access_grants(case.id, "leder-akut")
    assert [(g.person_id, g.granted_by, g.granted_at) for g in grants] == [
        ("hr-hosp", "leder-akut", T0), ("anden-akut", "leder-akut", T0 + timedelta(minutes=1))]
    with pytest.raises(NotAllowed):
        v.access_grants(case.id, "hr-hosp")  # being let in is not leading the case
    with pytest.raises(NotAllowed):
        v.withdraw_access(case.id, "anden-akut", "hr-hosp", T0)
    v.withdraw_access(case.id, "anden-akut", "leder-akut", T0 + timedelta(hours=1))
    _expect(v, case.id, "anden-akut", "none")
    _expect(v, case.id, "hr-hosp", "full")
    assert [g.person_id for g in v.access_grants(case.id, "leder-akut")] == ["hr-hosp"]
    [withdrawn] = [e for e in v.events(case_id=case.id) if e.action == "access_withdrawn"]
    assert (withdrawn.actor, withdrawn.details) == ("leder-akut", {"person": "anden-akut"})
    with pytest.raises(NotFound):
        v.withdraw_access(case.id, "anden-akut", "leder-akut", T0)  # nothing left to take back


def test_a_violence_case_as_every_role(cases):
    v = cases
    case = v.start_case("violence", "afd-akut", {
        "employee_id": "ansat-akut", "reporter_id": "vidne-akut", "incident_at": "2026-11-26T07:00:00+01:00",
        "location": "Skadestuen", "violence_type": "physical", "injured": False, "severity": 3,
        "witnesses_present": True, "witnesses": "Vera", "serious": False, "description": "Slag"}, "vidne-akut", T0)
    do(v, "leder-akut", case.id, "first_talk", T0)
    do(v, "leder-akut", case.id, "plan_follow_up", T0, debriefing_needed=False, psychologist_needed=False,
       police_report=False, vtc_registrar="leader", exposure_over_5_days=False)
    do(v, "leder-akut", case.id, "talk_witnesses", T0, colleague_ids=["kollega-akut"])
    expected = {row: levels[0] for row, levels in matrix().items()}
    _expect(v, case.id, "leder-akut", expected["leader with a task in the case"])
    _expect(v, case.id, "ansat-akut", expected["the affected employee"])
    _expect(v, case.id, "vidne-akut", expected["a colleague who reported it"])
    _expect(v, case.id, "kollega-akut", expected["a witnessing colleague with a task"])
    _expect(v, case.id, "koncern-hr", expected["an administrator, not involved"])


def test_every_read_writes_a_log_row_and_people_see_who_read_their_cases(cases):
    v = cases
    case = v.start_case("harassment", "afd-akut", {
        "report_source": "affected", "kind": "offensive", "serious": False, "employee_id": "ansat-akut",
        "accused_id": "kollega-akut", "reporter_id": "ansat-akut", "description": "x"}, "ansat-akut", T0)
    before = len(v.access_log())
    v.view_case(case.id, "leder-akut", T0 + timedelta(hours=1))
    with pytest.raises(NotAllowed):
        v.view_case(case.id, "anden-akut", T0 + timedelta(hours=2))
    [item] = v.inbox("leder-akut", T0)
    v.view_task(item.task_id, "leder-akut", T0 + timedelta(hours=3))
    with pytest.raises(NotAllowed):
        v.view_task(item.task_id, "kollega-akut", T0)
    log = v.access_log()
    assert len(log) == before + 4
    assert [(e.person_id, e.purpose, e.allowed) for e in log[-4:]] == [
        ("leder-akut", "page", True), ("anden-akut", "page", False), ("leder-akut", "task", True),
        ("kollega-akut", "task", False)]
    mine = v.access_log_about("ansat-akut")
    assert [(e.person_id, e.purpose) for e in mine] == [("leder-akut", "task"), ("leder-akut", "page")]
    assert v.access_log_about("kollega-akut") == [], "the accused learns nothing of the case, not even who read it"
    assert v.access_log_about("anden-akut") == []


def test_a_maintainers_command_line_read_is_logged_too(vaern, database_url):
    import subprocess
    import sys

    from tests.conftest import ROOT

    case = vaern.start_case("simple", "afd-akut", {"employee_id": "ansat-akut"}, "ansat-akut", T0)
    result = subprocess.run([sys.executable, "-m", "engine", "case", str(case.id)], capture_output=True, text=True,
                            cwd=ROOT, env={**__import__("os").environ, "VAERN_DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    [entry] = [e for e in vaern.access_log() if e.case_id == case.id]
    assert entry.person_id.startswith("cli:") and entry.purpose == "cli" and entry.allowed
