"""The modeller's draft API: drafts saved against the hash they were based on (a stale one is a 409 that saves
nothing), for process owners only, held to an upload's size and hostile-XML limits, each person's draft their
own, problems returned with element ids in Danish, and a draft previewed and deployed through the review."""
from __future__ import annotations

import io

import pytest

from engine import DEMO_PASSWORD
from tests.conftest import ROOT
from tests.web.conftest import login, make_app

VIOLENCE = (ROOT / "workflows" / "violence.bpmn").read_text(encoding="utf-8")
LANE = '<bpmn:lane id="lane_leader" name="leader">'


@pytest.fixture
def vaern(app):
    vaern = app.extensions["vaern"]
    from datetime import datetime, timezone
    # A second process owner, to show that drafts are each person's own.
    vaern.set_password("hr-hosp", DEMO_PASSWORD, datetime.now(timezone.utc), process_owner=True)
    return vaern


def _open(client) -> dict:
    response = client.get("/admin/diagrams/violence/edit/edition.json")
    assert response.status_code == 200
    return response.get_json()


def _save(client, xml: str | bytes, based_on: str):
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    return client.post("/admin/diagrams/violence/edit/draft", content_type="multipart/form-data",
                       data={"based_on": based_on, "diagram": (io.BytesIO(data), "draft.bpmn")})


def _changed(xml: str = VIOLENCE) -> str:
    return xml.replace('name="Første samtale med den udsatte"', 'name="Første samtale med den ramte"', 1)


def test_the_page_and_the_edit_link_are_there_for_a_process_owner(client, vaern):
    login(client, "koncern-hr")
    assert 'href="/admin/diagrams/violence/edit"' in client.get("/admin/diagrams").get_data(as_text=True)
    page = client.get("/admin/diagrams/violence/edit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="modeller"' in html and "/static/build/modeller.js" in html and "<script>" not in html
    opened = _open(client)
    newest = vaern.definition_versions("violence")[0]
    assert opened["edition"]["content_hash"] == newest.content_hash and not opened["edition"]["is_draft"]
    assert {"key": "leader", "label": "Leder"} in opened["roles"]


@pytest.mark.slow
def test_a_draft_survives_and_a_second_save_goes_on_from_it(client, vaern):
    login(client, "koncern-hr")
    base = _open(client)["edition"]["content_hash"]
    first = _save(client, _changed(), base)
    assert first.status_code == 200, first.get_data(as_text=True)
    body = first.get_json()
    assert body["problems"] == [] and body["edition"]["is_draft"] and body["edition"]["base_hash"] == base
    reopened = _open(client)
    assert reopened["edition"]["is_draft"] and "den ramte" in reopened["xml"]
    again = _save(client, _changed().replace("den ramte", "den berørte"), body["edition"]["content_hash"])
    assert again.status_code == 200
    assert [d.version for d in vaern.definition_versions("violence")] == [1]


def test_a_save_on_a_stale_hash_is_a_conflict_that_overwrites_nothing(client, vaern):
    login(client, "koncern-hr")
    base = _open(client)["edition"]["content_hash"]
    saved = _save(client, _changed(), base).get_json()["edition"]
    # A second window still holds the deployed version's hash.
    stale = _save(client, VIOLENCE.replace("Første samtale", "Anden samtale", 1), base)
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["conflict"] and body["based_on"] == base
    assert body["server"]["content_hash"] == saved["content_hash"] and body["server"]["is_draft"]
    assert body["server"]["base_version"] == 1 and body["server"]["saved_by"]
    assert "den ramte" in _open(client)["xml"]


def test_a_newer_deployed_version_makes_the_editor_s_base_stale(client, vaern):
    login(client, "koncern-hr")
    base = _open(client)["edition"]["content_hash"]
    from datetime import datetime, timezone
    vaern.deploy(_changed().encode("utf-8"), "violence.bpmn", "koncern-hr", datetime.now(timezone.utc))
    stale = _save(client, VIOLENCE, base)
    assert stale.status_code == 409
    assert stale.get_json()["server"]["base_version"] == 2 and not stale.get_json()["server"]["is_draft"]


def test_only_process_owners_and_administrators(client, vaern):
    login(client, "leder-akut")
    assert client.get("/admin/diagrams/violence/edit").status_code == 403
    assert client.get("/admin/diagrams/violence/edit/edition.json").status_code == 403
    assert _save(client, VIOLENCE, "0" * 64).status_code == 403
    from engine import NotAllowed
    with pytest.raises(NotAllowed):
        vaern.modelling.edition("violence", "leder-akut")


@pytest.mark.slow
def test_one_process_owner_s_draft_is_invisible_to_another(client, vaern, app):
    login(client, "koncern-hr")
    base = _open(client)["edition"]["content_hash"]
    assert _save(client, _changed(), base).status_code == 200
    other = app.test_client()
    login(other, "hr-hosp")
    seen = _open(other)
    assert not seen["edition"]["is_draft"] and "den ramte" not in seen["xml"]
    assert seen["edition"]["content_hash"] == base
    # Their own save starts their own draft and leaves the first one alone.
    assert _save(other, VIOLENCE.replace("Første samtale", "Samtale", 1), base).status_code == 200
    assert "den ramte" in _open(client)["xml"]


def test_too_large_a_draft_is_refused(db_path):
    from engine import Settings
    app = make_app(db_path, VAERN_SETTINGS=Settings(database_url=f"sqlite:///{db_path}", max_diagram_bytes=800_000))
    client = app.test_client()
    login(client, "koncern-hr")
    base = _open(client)["edition"]["content_hash"]
    padded = VIOLENCE.replace("</bpmn:definitions>", "<!--" + "x" * 100_000 + "--></bpmn:definitions>")
    refused = _save(client, padded, base)
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["refused"] and "højst" in body["problems"][0]["text"]
    assert not _open(client)["edition"]["is_draft"]
    app.extensions["vaern"].db.dispose()


@pytest.mark.parametrize("hostile", [
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><d>&b;</d>',
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>',
    "<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'><unclosed>",
])
def test_hostile_xml_is_refused_and_nothing_saved(client, vaern, hostile):
    login(client, "koncern-hr")
    base = _open(client)["edition"]["content_hash"]
    refused = _save(client, hostile, base)
    assert refused.status_code == 422 and refused.get_json()["refused"]
    assert not _open(client)["edition"]["is_draft"]


def test_another_process_id_is_refused(client, vaern):
    login(client, "koncern-hr")
    base = _open(client)["edition"]["content_hash"]
    refused = _save(client, VIOLENCE.replace('<bpmn:process id="violence"', '<bpmn:process id="other"', 1), base)
    assert refused.status_code == 422
    assert "skal blive ved med at være 'violence'" in refused.get_json()["problems"][0]["text"]


def test_problems_come_back_with_element_ids_in_danish(client, vaern):
    login(client, "koncern-hr")
    assert LANE in VIOLENCE, "violence.bpmn drifted: the leader's lane moved"
    base = _open(client)["edition"]["content_hash"]
    broken = _save(client, VIOLENCE.replace(LANE, '<bpmn:lane id="lane_leader" name="chef">'), base)
    assert broken.status_code == 200
    problems = broken.get_json()["problems"]
    assert any(p["element_id"] == "lane_leader" and "ikke en kendt rolle" in p["text"] for p in problems), problems
    # The page opens the draft with its problems.
    assert any(p["element_id"] == "lane_leader" for p in _open(client)["problems"])


@pytest.mark.slow
def test_a_draft_is_previewed_and_deployed_with_confirmation(client, vaern):
    login(client, "koncern-hr")
    base = _open(client)["edition"]["content_hash"]
    assert _save(client, _changed(), base).status_code == 200
    preview = client.get("/admin/diagrams/violence/edit/preview")
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert 'data-element="first_talk"' in html and 'name="reviewed_against" value="1"' in html
    unconfirmed = client.post("/admin/diagrams/violence/edit/deploy", data={"reviewed_against": "1"})
    assert unconfirmed.status_code == 302 and [d.version for d in vaern.definition_versions("violence")] == [1]
    deployed = client.post("/admin/diagrams/violence/edit/deploy", data={"reviewed_against": "1", "confirm": "yes"})
    assert deployed.status_code == 302 and deployed.headers["Location"].endswith("/admin/diagrams/violence/2")
    assert [d.version for d in vaern.definition_versions("violence")] == [2, 1]
    assert not _open(client)["edition"]["is_draft"]


@pytest.mark.slow
def test_deploying_a_draft_reviewed_against_an_older_version_deploys_nothing(client, vaern):
    login(client, "koncern-hr")
    base = _open(client)["edition"]["content_hash"]
    assert _save(client, _changed(), base).status_code == 200
    from datetime import datetime, timezone
    vaern.deploy(VIOLENCE.replace("Første samtale", "Samtale", 1).encode("utf-8"), "violence.bpmn", "koncern-hr",
                 datetime.now(timezone.utc))
    refused = client.post("/admin/diagrams/violence/edit/deploy", data={"reviewed_against": "1", "confirm": "yes"})
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/edit/preview")
    assert [d.version for d in vaern.definition_versions("violence")] == [2, 1]


def test_the_modeller_speaks_english_when_the_reader_chose_english(client, vaern):
    login(client, "koncern-hr")
    client.post("/language", data={"lang": "en", "next": "/"})
    html = client.get("/admin/diagrams/violence/edit").get_data(as_text=True)
    assert 'data-lang="en"' in html and "Save draft" in html
    base = _open(client)["edition"]["content_hash"]
    broken = _save(client, VIOLENCE.replace(LANE, '<bpmn:lane id="lane_leader" name="chef">'), base).get_json()
    assert any("is not a known role" in p["text"] for p in broken["problems"])
