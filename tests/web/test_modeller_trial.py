"""Trying a draft before it goes live: which running cases could move to it and which could not, a dry run of
simulated cases on the real organisation (nothing real touched), and four eyes when the setting asks for them."""
from __future__ import annotations

import io
import re
from datetime import datetime, timezone

import pytest

from engine import DEMO_PASSWORD, Settings
from tests.conftest import ROOT
from tests.web.conftest import login, make_app, start_violence

VIOLENCE = (ROOT / "workflows" / "violence.bpmn").read_text(encoding="utf-8")
RENAMED = VIOLENCE.replace('name="Første samtale med den udsatte"', 'name="Første samtale med den ramte"', 1)


def _save(client, xml: str):
    base = client.get("/admin/diagrams/violence/edit/edition.json").get_json()["edition"]["content_hash"]
    response = client.post("/admin/diagrams/violence/edit/draft", content_type="multipart/form-data",
                           data={"based_on": base, "diagram": (io.BytesIO(xml.encode("utf-8")), "draft.bpmn")})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _first_task(vaern, case_id: int) -> str:
    return next(t.spec_id for t in vaern.tasks_of_case(case_id) if t.state == "open")


def _moved_lane(vaern, case_id: int) -> str:
    """The draft with the task the case waits at moved to the leader's leader's lane, so the case could not move."""
    spec = _first_task(vaern, case_id)
    ref = f"<bpmn:flowNodeRef>{spec}</bpmn:flowNodeRef>"
    assert ref in VIOLENCE
    xml = VIOLENCE.replace(ref, "", 1)
    lane = xml.index('name="leaders_leader">')
    first_ref = xml.index("<bpmn:flowNodeRef>", lane)  # after the lane's documentation, as the schema wants
    return xml[:first_ref] + ref + xml[first_ref:]


def test_the_preview_lists_the_running_cases_that_could_move_and_why_the_others_could_not(client):
    vaern = client.application.extensions["vaern"]
    case = start_violence(vaern)
    login(client, "koncern-hr")
    _save(client, RENAMED)
    html = client.get("/admin/diagrams/violence/edit/preview").get_data(as_text=True)
    section = html[html.index('id="case-moves"'):html.index('id="dry-run"')]
    assert f"Sag {case.id}" in section and 'class="movable"' in section and 'class="blocked"' not in section

    moves = vaern.trial.case_moves("violence", "koncern-hr")
    assert moves.to_version == 2 and [c.case_id for c in moves.movable] == [case.id]

    _save(client, _moved_lane(vaern, case.id))
    html = client.get("/admin/diagrams/violence/edit/preview").get_data(as_text=True)
    section = html[html.index('id="case-moves"'):html.index('id="dry-run"')]
    assert 'class="blocked"' in section and _first_task(vaern, case.id) in section and "flyttes fra banen" in section
    assert [c.case_id for c in vaern.trial.case_moves("violence", "koncern-hr").blocked] == [case.id]


@pytest.mark.slow
def test_a_dry_run_reports_per_behaviour_and_route_and_touches_nothing_real(client):
    vaern = client.application.extensions["vaern"]
    login(client, "koncern-hr")
    _save(client, RENAMED)
    response = client.post("/admin/diagrams/violence/edit/dry-run")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for behaviour in ("everyone", "parties_silent", "nobody"):
        assert f'data-behaviour="{behaviour}"' in html
    assert "Alle handler" in html and "Ingen handler" in html and 'id="dry-run-summary"' in html
    assert "dage" in html  # how long the closed cases took, per route
    # The real database holds no simulated case and no simulated person.
    with vaern.units_of_work() as uow:
        from sqlalchemy import func, select

        from engine.models import Case, Event
        assert uow.session.scalar(select(func.count(Case.id))) == 0
        assert uow.session.scalar(select(func.count(Event.id)).where(Event.actor == "simulation")) == 0


def test_the_dry_run_counts_stalls_and_tasks_with_nobody_in_the_real_organisation(app):
    vaern = app.extensions["vaern"]
    # A lane for a role nobody holds in the demo organisation's units: the dry run must name it.
    xml = RENAMED.replace('name="amr">', 'name="rmu">', 1)
    client = app.test_client()
    login(client, "koncern-hr")
    _save(client, xml)
    run = vaern.trial.dry_run("violence", "koncern-hr", cases=1)
    assert {b.behaviour for b in run.behaviours} >= {"everyone", "parties_silent", "nobody"}
    everyone = next(b for b in run.behaviours if b.behaviour == "everyone")
    assert everyone.cases == 1 and everyone.routes
    assert all(r.cases >= 1 for r in everyone.routes)
    found = [f for b in run.behaviours for f in (*b.unstaffed, *b.stalled)]
    assert run.problems == sum(len(b.stalled) + len(b.unstaffed) + len(b.other) for b in run.behaviours)
    assert all(f.element_ids for f in found)


@pytest.fixture
def four_eyes(db_path):
    app = make_app(db_path, VAERN_SETTINGS=Settings(database_url=f"sqlite:///{db_path}", deploy_needs_approval=True))
    vaern = app.extensions["vaern"]
    vaern.set_password("hr-hosp", DEMO_PASSWORD, datetime.now(timezone.utc), process_owner=True)
    yield app
    vaern.db.dispose()


def _deploy(client):
    return client.post("/admin/diagrams/violence/edit/deploy", data={"confirm": "yes", "reviewed_against": "1"})


def test_with_four_eyes_a_draft_deploys_only_after_another_process_owner_approved_it_as_it_is(four_eyes):
    vaern = four_eyes.extensions["vaern"]
    author, second = four_eyes.test_client(), four_eyes.test_client()
    login(author, "koncern-hr")
    login(second, "hr-hosp")
    _save(author, RENAMED)
    assert 'id="deploy"' not in author.get("/admin/diagrams/violence/edit/preview").get_data(as_text=True)
    refused = _deploy(author)
    assert refused.status_code == 302 and [d.version for d in vaern.definition_versions("violence")] == [1]

    # Not yet asked: the draft is the author's own, and nobody else can read it.
    assert second.get("/admin/diagrams/violence/edit/review/koncern-hr").status_code == 404
    author.post("/admin/diagrams/violence/edit/ask-approval")
    assert "/review/koncern-hr" in second.get("/admin/diagrams/violence/edit").get_data(as_text=True)
    review = second.get("/admin/diagrams/violence/edit/review/koncern-hr").get_data(as_text=True)
    digest = re.search(r'name="content_hash" value="([0-9a-f]+)"', review).group(1)

    # The author cannot approve their own draft.
    author.post("/admin/diagrams/violence/edit/review/koncern-hr/approve", data={"content_hash": digest})
    assert not vaern.modelling.approvals.of("violence", "koncern-hr").approved

    # Saved again after the other read it: the approval of the old bytes is refused.
    _save(author, RENAMED.replace("den ramte", "den berørte"))
    second.post("/admin/diagrams/violence/edit/review/koncern-hr/approve", data={"content_hash": digest})
    assert not vaern.modelling.approvals.of("violence", "koncern-hr").approved

    author.post("/admin/diagrams/violence/edit/ask-approval")
    review = second.get("/admin/diagrams/violence/edit/review/koncern-hr").get_data(as_text=True)
    digest = re.search(r'name="content_hash" value="([0-9a-f]+)"', review).group(1)
    second.post("/admin/diagrams/violence/edit/review/koncern-hr/approve", data={"content_hash": digest})
    assert vaern.modelling.approvals.of("violence", "koncern-hr").approved
    assert 'id="deploy"' in author.get("/admin/diagrams/violence/edit/preview").get_data(as_text=True)
    assert _deploy(author).status_code == 302
    assert [d.version for d in vaern.definition_versions("violence")] == [2, 1]


def test_without_the_setting_a_draft_deploys_without_a_second_owner(client):
    vaern = client.application.extensions["vaern"]
    login(client, "koncern-hr")
    _save(client, RENAMED)
    html = client.get("/admin/diagrams/violence/edit/preview").get_data(as_text=True)
    assert 'id="approval"' not in html and 'id="deploy"' in html
    assert _deploy(client).status_code == 302 and vaern.definition_versions("violence")[0].version == 2


def test_the_setting_is_read_from_the_environment():
    assert Settings.from_env({"VAERN_DEPLOY_NEEDS_APPROVAL": "1"}).deploy_needs_approval
    assert not Settings.from_env({}).deploy_needs_approval
