"""schemathesis against the app, from the description it generates: no server error, no answer outside the schema.

Every operation gets a handful of generated requests (kept few, so the run stays short here), once with a
person's token and once with a client's, both with every scope and acting as the case's leader (made an
administrator, to reach the diagrams); then each operation once more with values known to succeed, so the
answers of success are checked against the description too.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from engine import API_SCOPES
from tests.web.conftest import start_harassment, task_of

EXAMPLES = 5
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def seeded(app, vaern):
    """The app with a case in it, and the leader's personal token and a client's token acting as the leader."""
    now = datetime.now(timezone.utc)
    case = start_harassment(vaern)
    vaern.set_password("leder-akut", "not used here 7f", now, admin=True)
    personal = vaern.api_tokens.create_personal_token("leder-akut", "schemathesis", list(API_SCOPES), 1, now)
    _info, secret = vaern.api_tokens.register_client("hr-system", "HR", "leder-akut", list(API_SCOPES), "test", now)
    client = vaern.api_tokens.issue_client_token("hr-system", secret, [], now)
    return app, vaern, case, [{"Authorization": f"Bearer {t.secret}"} for t in (personal, client)]


def _known_good(vaern, case, operation):
    """Values with which the operation succeeds (None: leave it to the generated ones)."""
    task = task_of(vaern, "leder-akut", case.id)
    path = {"task_id": task.task_id, "case_id": case.id, "kind": "harassment", "version": 1}
    bodies = {
        "POST /api/v1/cases": {"actor": "colleague", "reporting_as": "self", "unit_id": "afd-akut", "kind": "bullying",
                               "description": "Holdt udenfor", "accused_id": "kollega-akut"},
        "POST /api/v1/webhooks": {"url": "http://127.0.0.1:9/hook", "events": ["task.created"]},
        "POST /api/v1/tasks/{task_id}/complete": {"values": {}},
    }
    generated_only = ("POST /api/v1/definitions", "POST /api/v1/oauth", "DELETE", "GET /api/v1/webhooks/")
    if operation.label.startswith(generated_only):
        return None
    names = {p.name for p in operation.path_parameters}
    kwargs = {"path_parameters": {k: v for k, v in path.items() if k in names}}
    if operation.label in bodies:
        kwargs.update(body=bodies[operation.label], media_type="application/json")
    return operation.Case(**kwargs)


def _generated_calls(operation, headers, called) -> None:
    """A few generated requests to one operation, each answer checked; (operation, status) noted in `called`."""
    @given(generated=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    def run(generated):
        response = generated.call_and_validate(headers=headers, checks=CHECKS)
        called.append((operation.label, response.status_code))

    run()


@pytest.mark.slow
def test_generated_requests_get_no_server_error_and_answers_within_the_schema(seeded):
    app, vaern, case, tokens = seeded
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 16
    called = []
    for headers in tokens:
        for operation in operations:
            _generated_calls(operation, headers, called)
    for operation in operations:
        known = _known_good(vaern, case, operation)
        if known is not None:
            response = known.call_and_validate(headers=tokens[1], checks=CHECKS)
            called.append((operation.label, response.status_code))
    assert {label for label, _status in called} == {op.label for op in operations}
    succeeded = {label for label, status in called if 200 <= status < 300}
    assert {"GET /api/v1/tasks", "GET /api/v1/tasks/{task_id}", "POST /api/v1/tasks/{task_id}/claim",
            "GET /api/v1/cases/{case_id}", "GET /api/v1/cases/{case_id}/events", "POST /api/v1/cases",
            "GET /api/v1/definitions", "GET /api/v1/webhooks", "POST /api/v1/webhooks"} <= succeeded, succeeded
