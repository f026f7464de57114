"""The REST API, endpoint by endpoint and scope by scope: tokens not cookies, problem documents, ETags, paging,
the web form's checks, and the access policy exactly as on the web (the accused learns nothing)."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from engine import API_SCOPES
from tests.scenario import filled
from tests.web.conftest import as_person, make_app, start_harassment, task_of
from tests.web.test_access_routes import _complete_until, _open_task

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Hun blev holdt udenfor 7c2e"
HEARING_ANSWERS = {"Task_Assess": {"cause": "individual", "acts_acknowledged_and_stopped": False}}
PROBLEM = "application/problem+json"


def _now():
    return datetime.now(timezone.utc)


def bearer(vaern, person: str, scopes=API_SCOPES) -> dict[str, str]:
    """The Authorization header of a new personal token of the person's."""
    issued = vaern.api_tokens.create_personal_token(person, "test", list(scopes), 30, _now())
    return {"Authorization": f"Bearer {issued.secret}"}


def _report(**extra):
    return {"actor": "colleague", "reporting_as": "self", "unit_id": "afd-akut", "kind": "bullying",
            "description": SECRET, "accused_id": "kollega-akut", **extra}


def test_the_description_and_its_docs_page_are_served_under_the_csp(client):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200 and spec.json["openapi"].startswith("3.")
    assert {"/api/v1/tasks", "/api/v1/tasks/{task_id}/complete", "/api/v1/cases", "/api/v1/cases/{case_id}/events",
            "/api/v1/definitions", "/api/v1/oauth/token", "/api/v1/webhooks"} <= set(spec.json["paths"])
    assert spec.json["paths"]["/api/v1/oauth/token"]["post"]["security"] == []
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "<script>" not in html and "style=" not in html and "://" not in html  # no inline code, no CDN
    for asset in ("/vendor/swagger-ui/swagger-ui-bundle.js", "/vendor/swagger-ui/swagger-ui.css",
                  "/static/api-docs.js"):
        assert asset in html and client.get(asset).status_code == 200
    assert client.get("/vendor/swagger-ui/index.html").status_code == 404


def test_no_token_no_entry_and_a_cookie_is_not_a_token(client, vaern):
    answer = client.get("/api/v1/tasks")
    assert answer.status_code == 401 and answer.mimetype == PROBLEM and "Bearer" in answer.headers["WWW-Authenticate"]
    as_person(client, vaern, "leder-akut")  # a signed-in browser's session cookie
    answer = client.get("/api/v1/tasks")
    assert answer.status_code == 401 and "cookie" in answer.json["detail"]
    answer = client.get("/api/v1/tasks", headers={"Authorization": "Bearer vaern_pat_nonsense"})
    assert answer.status_code == 401 and answer.json["title"] == "Ikke logget ind"
    # No CSRF token is needed (or possible): the token is the proof, the CSRF-protected app takes the post.


def test_writes_need_no_csrf_token(csrf_app):
    vaern = csrf_app.extensions["vaern"]
    client = csrf_app.test_client()
    answer = client.post("/api/v1/cases", json=_report(), headers=bearer(vaern, "ansat-akut"))
    assert answer.status_code == 201 and answer.headers["Location"] == f"/api/v1/cases/{answer.json['id']}"


def test_errors_are_problem_documents_in_danish_or_english(client, vaern):
    headers = bearer(vaern, "ansat-akut")
    danish = client.post("/api/v1/cases", json=_report(actor="alien"), headers={**headers, "Accept-Language": "da"})
    english = client.post("/api/v1/cases", json=_report(actor="alien"), headers={**headers, "Accept-Language": "en"})
    assert danish.status_code == english.status_code == 400 and danish.mimetype == PROBLEM
    assert danish.json["title"] == "Ugyldige oplysninger" and english.json["title"] == "Invalid input"
    assert danish.json["errors"]["actor"] == "Vælg, hvem der handlede."
    assert english.json["errors"]["actor"] == "Choose who acted."
    unknown = client.get("/api/v1/no/such/thing", headers=headers)
    assert unknown.status_code == 404 and unknown.mimetype == PROBLEM
    shape = client.post("/api/v1/cases", json={"actor": 3}, headers={**headers, "Accept-Language": "en"})
    assert shape.status_code == 422 and {"actor", "reporting_as", "unit_id"} <= set(shape.json["errors"])


@pytest.mark.parametrize("method,path,scope", [
    ("get", "/api/v1/tasks", "tasks:read"),
    ("get", "/api/v1/tasks/x", "tasks:read"),
    ("post", "/api/v1/tasks/x/claim", "tasks:write"),
    ("post", "/api/v1/tasks/x/release", "tasks:write"),
    ("post", "/api/v1/tasks/x/complete", "tasks:write"),
    ("post", "/api/v1/cases", "cases:start"),
    ("get", "/api/v1/cases/1", "cases:read"),
    ("get", "/api/v1/cases/1/events", "cases:read"),
    ("get", "/api/v1/definitions", "definitions:deploy"),
])
def test_each_endpoint_needs_its_scope(client, vaern, method, path, scope):
    others = [s for s in API_SCOPES if s != scope]
    body = {"values": {}} if path.endswith("complete") else _report() if path == "/api/v1/cases" else None
    answer = getattr(client, method)(path, json=body, headers={**bearer(vaern, "koncern-hr", others),
                                                               "Accept-Language": "en"})
    assert answer.status_code == 403 and answer.json["title"] == "Missing scope" and scope in answer.json["detail"]


def test_a_leader_lists_reads_and_completes_a_task_checked_as_the_web_form(client, vaern):
    reporter = bearer(vaern, "ansat-akut")
    case_id = client.post("/api/v1/cases", json=_report(), headers=reporter).json["id"]
    leader = bearer(vaern, "leder-akut")
    listed = client.get("/api/v1/tasks", headers=leader).json
    [item] = [i for i in listed["items"] if i["case_id"] == case_id]
    assert item["due_at"].endswith("Z") and item["case_kind"] == "harassment" and SECRET not in str(listed)
    task = client.get(f"/api/v1/tasks/{item['task_id']}", headers=leader)
    assert task.status_code == 200 and task.headers["ETag"].startswith('"t-')
    form = task.json["form"]
    assert form["type"] == "object"
    assert "[K-" not in task.json["documentation"]  # requirement tags are for the diagram's maintainers
    types = {key: prop["type"] for key, prop in form["properties"].items()}
    assert "summary" in form["required"] and types["summary"] == "string"
    assert any(t == "boolean" for t in types.values()) and any(p.get("format") == "date"
                                                               for p in form["properties"].values())
    # Refused per field, exactly as the form post refuses them.
    refused = client.post(f"/api/v1/tasks/{item['task_id']}/complete", json={"values": {"summary": "", "x": 1}},
                          headers=leader)
    assert refused.status_code == 400 and "summary" in refused.json["errors"] and "x" not in refused.json["errors"]
    stale = client.post(f"/api/v1/tasks/{item['task_id']}/complete", json={"values": {}},
                        headers={**leader, "If-Match": '"t-stale"'})
    assert stale.status_code == 412 and stale.mimetype == PROBLEM
    answers = filled(vaern, item["task_id"])
    done = client.post(f"/api/v1/tasks/{item['task_id']}/complete", json={"values": answers},
                       headers={**leader, "If-Match": task.headers["ETag"]})
    assert done.status_code == 200 and done.json == {"task_id": item["task_id"], "case_id": case_id,
                                                     "case_status": "open"}
    again = client.post(f"/api/v1/tasks/{item['task_id']}/complete", json={"values": answers}, headers=leader)
    assert again.status_code == 409
    assert vaern.task(item["task_id"]).completed_by == "leder-akut"


def test_claim_and_release_with_etags_and_409_on_a_conflict(client, vaern, tmp_path):
    org = tmp_path / "org.yaml"
    org.write_text("people:\n - {id: leder-2, name: Lærke Leder}\nroles:\n"
                   " - {unit: afd-akut, role: leader, person: leder-akut}\n"
                   " - {unit: afd-akut, role: leader, person: leder-2}\n", encoding="utf-8")
    vaern.import_org(org, "admin", _now())
    case = start_harassment(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    assert set(vaern.task(item.task_id).candidates) == {"leder-akut", "leder-2"}
    first, second = bearer(vaern, "leder-akut"), bearer(vaern, "leder-2")
    not_claimed = client.post(f"/api/v1/tasks/{item.task_id}/release", headers=first)
    assert not_claimed.status_code == 409
    etag = client.get(f"/api/v1/tasks/{item.task_id}", headers=first).headers["ETag"]
    claimed = client.post(f"/api/v1/tasks/{item.task_id}/claim", headers={**first, "If-Match": etag})
    assert claimed.status_code == 200 and claimed.json["assignee_id"] == "leder-akut"
    assert claimed.headers["ETag"] != etag
    taken = client.post(f"/api/v1/tasks/{item.task_id}/claim", headers=second)
    assert taken.status_code == 409 and taken.mimetype == PROBLEM
    assert client.post(f"/api/v1/tasks/{item.task_id}/complete", json={"values": {}}, headers=second).status_code == 403
    stale = client.post(f"/api/v1/tasks/{item.task_id}/release", headers={**first, "If-Match": etag})
    assert stale.status_code == 412 and vaern.task(item.task_id).assignee_id == "leder-akut"
    released = client.post(f"/api/v1/tasks/{item.task_id}/release",
                           headers={**first, "If-Match": claimed.headers["ETag"]})
    assert released.status_code == 200 and released.json["assignee_id"] is None
    assert client.post(f"/api/v1/tasks/{item.task_id}/claim", headers=second).json["assignee_id"] == "leder-2"
    assert client.post(f"/api/v1/tasks/{item.task_id}/claim", headers=bearer(vaern, "ansat-akut")).status_code == 403


def test_the_case_at_the_callers_level_with_an_etag_and_every_read_logged(client, vaern):
    case = start_harassment(vaern, description=SECRET)
    leader = client.get(f"/api/v1/cases/{case.id}", headers=bearer(vaern, "leder-akut"))
    assert leader.status_code == 200 and leader.json["level"] == "full" and leader.json["data"]["description"] == SECRET
    assert leader.headers["ETag"] == f'"c-{case.id}-{vaern.case(case.id).version}"'
    assert leader.json["created_at"].endswith("Z")
    reporter = client.get(f"/api/v1/cases/{case.id}", headers=bearer(vaern, "ansat-akut"))
    assert reporter.status_code == 200
    if reporter.json["level"] != "full":
        assert "data" not in reporter.json and SECRET not in reporter.get_data(as_text=True)
    events = client.get(f"/api/v1/cases/{case.id}/events?limit=1", headers=bearer(vaern, "leder-akut"))
    assert events.status_code == 200 and len(events.json["items"]) == 1 and events.json["next_cursor"]
    more = client.get(f"/api/v1/cases/{case.id}/events?cursor={events.json['next_cursor']}",
                      headers=bearer(vaern, "leder-akut"))
    assert more.status_code == 200 and more.json["items"][0]["id"] > events.json["items"][0]["id"]
    wrong = client.get(f"/api/v1/cases/{case.id + 1}/events?cursor={events.json['next_cursor']}",
                       headers=bearer(vaern, "leder-akut"))
    assert wrong.status_code in (400, 403)
    log = [(e.person_id, e.case_id, e.purpose, e.allowed) for e in vaern.access_log()]
    assert ("leder-akut", case.id, "api", True) in log and ("leder-akut", case.id, "api_events", True) in log
    assert ("ansat-akut", case.id, "api", True) in log


def test_the_accused_learns_nothing_through_the_api(client, vaern):
    case = start_harassment(vaern, description=SECRET)
    now = _now()
    _complete_until(vaern, case.id, now, {"leder-akut", "hr-hosp"}, HEARING_ANSWERS,
                    lambda: _open_task(vaern, case.id, "kollega-akut", "Task_HearingAccused") is not None)
    vaern.mark_serious(case.id, 5, "leder-akut", now)
    accused = bearer(vaern, "kollega-akut")
    seen = client.get(f"/api/v1/cases/{case.id}", headers=accused)
    missing = client.get("/api/v1/cases/999999", headers=accused)
    assert seen.status_code == missing.status_code == 403 and seen.json == missing.json
    assert client.get(f"/api/v1/cases/{case.id}/events", headers=accused).json == missing.json
    listed = client.get("/api/v1/tasks", headers=accused).json
    [hearing] = [i for i in listed["items"] if i["case_id"] == case.id]
    assert hearing["role"] == "accused" and not hearing["serious"] and not hearing["escalated"]
    task = client.get(f"/api/v1/tasks/{hearing['task_id']}", headers=accused)
    assert task.status_code == 200 and not task.json["serious"] and not task.json["escalated"]
    assert SECRET not in client.get("/api/v1/tasks", headers=accused).get_data(as_text=True)
    refused = [e for e in vaern.access_log() if e.person_id == "kollega-akut" and e.purpose.startswith("api")]
    assert refused and not any(e.allowed for e in refused)


def test_someone_elses_task_is_refused_like_one_that_does_not_exist(client, vaern):
    case = start_harassment(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    other = bearer(vaern, "tr-akut")
    for path in (f"/api/v1/tasks/{item.task_id}", f"/api/v1/tasks/{item.task_id}/claim"):
        method = client.get if path.endswith(item.task_id) else client.post
        theirs, nothing = method(path, headers=other), method(path.replace(item.task_id, "no-such-task"), headers=other)
        assert theirs.status_code == nothing.status_code == 403 and theirs.json == nothing.json
    sent = client.post(f"/api/v1/tasks/{item.task_id}/complete", json={"values": {}}, headers=other)
    assert sent.status_code == 403


def test_my_tasks_are_filtered_sorted_and_paged_by_cursor(client, vaern):
    for _ in range(3):
        start_harassment(vaern)
    leader = bearer(vaern, "leder-akut")
    first = client.get("/api/v1/tasks?limit=2&sort=newest", headers=leader).json
    assert len(first["items"]) == 2 and first["total"] >= 3 and first["next_cursor"]
    assert first["items"][0]["case_id"] > first["items"][1]["case_id"]
    second = client.get(f"/api/v1/tasks?limit=2&sort=newest&cursor={first['next_cursor']}", headers=leader).json
    seen = [i["task_id"] for i in first["items"] + second["items"]]
    assert len(seen) == len(set(seen)) == min(4, first["total"])
    other_sort = client.get(f"/api/v1/tasks?limit=2&sort=due&cursor={first['next_cursor']}", headers=leader)
    assert other_sort.status_code == 400 and "cursor" in other_sort.json["errors"]
    assert client.get("/api/v1/tasks?cursor=%%%", headers=leader).status_code == 400
    assert client.get("/api/v1/tasks?due=overdue", headers=leader).json["items"] == []
    assert client.get("/api/v1/tasks?sort=sideways", headers=leader).status_code == 422


def test_definitions_are_listed_fetched_previewed_and_deployed_by_process_owners_only(client, vaern):
    owner = bearer(vaern, "koncern-hr")  # an administrator in the test accounts
    listed = client.get("/api/v1/definitions", headers=owner)
    assert listed.status_code == 200 and {"violence", "harassment"} <= {d["kind"] for d in listed.json}
    violence = next(d for d in listed.json if d["kind"] == "violence")
    xml = client.get(f"/api/v1/definitions/violence/{violence['version']}/xml", headers=owner)
    assert xml.status_code == 200 and xml.mimetype == "application/xml" and b"<bpmn:definitions" in xml.data[:2000]
    assert client.get("/api/v1/definitions/violence/999/xml", headers=owner).status_code == 404
    data = (ROOT / "workflows" / "violence.bpmn").read_bytes()
    changed = data.replace('name="Første samtale med den udsatte"'.encode(), b'name="Samtale"', 1)

    def upload(body, **form):
        from io import BytesIO
        return {"diagram": (BytesIO(body), "violence.bpmn"), **form}

    preview = client.post("/api/v1/definitions/preview", data=upload(changed), headers=owner,
                          content_type="multipart/form-data")
    assert preview.status_code == 200 and preview.json["current_version"] == violence["version"]
    assert preview.json["changes"]
    stale = client.post("/api/v1/definitions", data=upload(changed, reviewed_against=str(violence["version"] - 1)),
                        headers=owner, content_type="multipart/form-data")
    assert stale.status_code == 409
    deployed = client.post("/api/v1/definitions", data=upload(changed, reviewed_against=str(violence["version"])),
                           headers=owner, content_type="multipart/form-data")
    assert deployed.status_code == 201 and deployed.json["version"] == violence["version"] + 1
    broken = client.post("/api/v1/definitions/preview", data=upload(b"<bpmn:definitions"), headers=owner,
                         content_type="multipart/form-data")
    assert broken.status_code == 422 and broken.json["problems"]
    assert client.get("/api/v1/definitions", headers=bearer(vaern, "leder-akut")).status_code == 403


def test_a_client_gets_a_token_for_its_credentials_and_subscribes_to_webhooks(client, vaern):
    _info, secret = vaern.api_tokens.register_client("vtc", "VTC", "ansat-akut", ["cases:start", "cases:read"],
                                                     "test", _now())
    token = client.post("/api/v1/oauth/token", data={"grant_type": "client_credentials", "client_id": "vtc",
                                                     "client_secret": secret})
    assert token.status_code == 200 and token.json["token_type"] == "Bearer" and token.json["expires_in"] == 3600
    assert token.json["scope"] == "cases:start cases:read"
    headers = {"Authorization": f"Bearer {token.json['access_token']}"}
    assert client.post("/api/v1/cases", json=_report(), headers=headers).status_code == 201
    assert client.get("/api/v1/tasks", headers=headers).status_code == 403  # no tasks:read for this client
    wrong = client.post("/api/v1/oauth/token", data={"grant_type": "client_credentials", "client_id": "vtc",
                                                     "client_secret": "guess"})
    assert wrong.status_code == 401 and wrong.mimetype == PROBLEM
    basic = client.post("/api/v1/oauth/token", data={"grant_type": "client_credentials", "scope": "cases:read"},
                        auth=("vtc", secret))
    assert basic.status_code == 200 and basic.json["scope"] == "cases:read"
    assert client.post("/api/v1/oauth/token", data={"grant_type": "password"}).status_code == 422
    sub = client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["case.closed"]},
                      headers=headers)
    assert sub.status_code == 201 and sub.json["secret"]
    listed = client.get("/api/v1/webhooks", headers=headers).json
    assert [s["id"] for s in listed] == [sub.json["id"]] and listed[0]["secret"] is None
    assert client.get(f"/api/v1/webhooks/{sub.json['id']}/deliveries", headers=headers).json == []
    assert client.get("/api/v1/webhooks", headers=bearer(vaern, "leder-akut")).status_code == 403
    assert client.delete(f"/api/v1/webhooks/{sub.json['id']}", headers=headers).status_code == 204


def test_each_token_is_rate_limited(db_path):
    app = make_app(db_path, VAERN_API_RATE=3)
    vaern = app.extensions["vaern"]
    client = app.test_client()
    first, second = bearer(vaern, "leder-akut"), bearer(vaern, "leder-akut")
    assert [client.get("/api/v1/tasks", headers=first).status_code for _ in range(3)] == [200, 200, 200]
    limited = client.get("/api/v1/tasks", headers=first)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert client.get("/api/v1/tasks", headers=second).status_code == 200  # another token has its own count
    vaern.db.dispose()
