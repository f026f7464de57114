"""Drafts: a task's form saved half done is the author's only, comes back on their task page, and goes on submit."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engine import NotAllowed
from tests.web.conftest import csrf_token, login, start_violence, task_of

FIRST_TALK = {"contact_initiated_by": "leader", "first_talk_date": "2026-01-06", "someone_to_talk_to": "Sin mand"}


def test_a_draft_comes_back_for_its_author_only_and_submit_clears_it(client, vaern):
    case = start_violence(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    login(client, "leder-akut")
    saved = client.post(f"/tasks/{item.task_id}/draft", data={"someone_to_talk_to": "Hendes søster"})
    assert saved.status_code == 302 and vaern.task(item.task_id).state == "open", "a draft completes nothing"
    html = client.get(f"/tasks/{item.task_id}").get_data(as_text=True)
    assert 'value="Hendes søster"' in html and "Du arbejder videre på din kladde" in html
    assert vaern.draft(item.task_id, "hosp-leder") is None, "nobody else reads it"
    assert client.post(f"/tasks/{item.task_id}", data=FIRST_TALK).status_code == 302
    assert vaern.draft(item.task_id, "leder-akut") is None


def test_a_draft_can_be_deleted_and_only_the_task_s_people_may_save_one(client, vaern):
    case = start_violence(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    login(client, "ansat-akut")
    assert client.post(f"/tasks/{item.task_id}/draft", data={"someone_to_talk_to": "x"}).status_code == 403
    with pytest.raises(NotAllowed):
        vaern.save_draft(item.task_id, "ansat-akut", {"someone_to_talk_to": "x"}, datetime.now(timezone.utc))
    login(client, "leder-akut")
    client.post(f"/tasks/{item.task_id}/draft", data={"someone_to_talk_to": "Hendes søster"})
    assert client.post(f"/tasks/{item.task_id}/draft/discard").status_code == 302
    assert vaern.draft(item.task_id, "leder-akut") is None
    assert "Hendes søster" not in client.get(f"/tasks/{item.task_id}").get_data(as_text=True)


def test_draft_posts_need_the_csrf_token(csrf_app):
    vaern = csrf_app.extensions["vaern"]
    case = start_violence(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    client = csrf_app.test_client()
    token = csrf_token(client, "/login")
    client.post("/login", data={"login": "leder-akut", "password": "vaern-demo", "csrf_token": token})
    assert client.post(f"/tasks/{item.task_id}/draft", data={"someone_to_talk_to": "x"}).status_code == 400
    assert vaern.draft(item.task_id, "leder-akut") is None

