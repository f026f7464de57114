"""One transaction per public call: the case page and a task completion each cost a request at most two
(the log-in check, then the page's one read with its access-log row, or the completion with its own)."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from tests.web.conftest import login, start_harassment, start_violence, task_of
from tests.web.test_tasks import FIRST_TALK


@contextmanager
def counted_transactions(vaern):
    """The number of transactions begun on the engine's database while the block runs (a one-item list)."""
    begun = [0]

    def count(_connection):
        begun[0] += 1

    event.listen(vaern.db, "begin", count)
    try:
        yield begun
    finally:
        event.remove(vaern.db, "begin", count)


def test_the_case_page_of_the_leader_is_two_transactions_with_its_access_log_row(client, vaern):
    case = start_violence(vaern)
    login(client, "leder-akut")
    logged = len(vaern.access_log())
    with counted_transactions(vaern) as begun:
        response = client.get(f"/cases/{case.id}")
    assert response.status_code == 200 and "Slag på armen" in response.get_data(as_text=True)
    assert 1 <= begun[0] <= 2, f"{begun[0]} transactions for one case page"
    assert len(vaern.access_log()) == logged + 1, "the page's read is logged in the same transaction"


def test_the_case_page_of_the_affected_in_a_confidential_case_is_two_transactions(client, vaern):
    case = start_harassment(vaern, confidential=True)
    login(client, "ansat-akut")
    with counted_transactions(vaern) as begun:
        response = client.get(f"/cases/{case.id}")
    assert response.status_code == 200
    assert 1 <= begun[0] <= 2, f"{begun[0]} transactions for one case page"


def test_a_refused_case_page_is_logged_too(client, vaern):
    case = start_harassment(vaern)
    login(client, "kollega-akut")  # the accused
    logged = len(vaern.access_log())
    with counted_transactions(vaern) as begun:
        assert client.get(f"/cases/{case.id}").status_code == 403
    assert 1 <= begun[0] <= 2
    [row] = vaern.access_log()[logged:]
    assert (row.person_id, row.allowed) == ("kollega-akut", False)


def test_completing_a_task_from_its_form_is_two_transactions(client, vaern):
    case = start_violence(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    login(client, "leder-akut")
    vaern.save_draft(item.task_id, "leder-akut", {"summary": "halvt skrevet"}, case.created_at)
    with counted_transactions(vaern) as begun:
        response = client.post(f"/tasks/{item.task_id}", data=FIRST_TALK)
    assert response.status_code == 302
    assert 1 <= begun[0] <= 2, f"{begun[0]} transactions for one completion"
    assert vaern.task(item.task_id).state == "completed"
    assert vaern.draft(item.task_id, "leder-akut") is None, "the draft went with the completion"
