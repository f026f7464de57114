"""The upload page with the diagrams that used to crash it or pass it and hang the engine later."""
from __future__ import annotations

import pytest

from tests.conftest import simple_xml
from tests.test_hostile_diagrams import HOSTILE
from tests.web.conftest import login, make_app
from tests.web.test_admin import upload

DECLARED = '<?xml version="1.0" encoding="UTF-8"?>'


@pytest.fixture
def app(db_path, tmp_path):
    """The app with uploads staged in the test's own folder."""
    app = make_app(db_path, VAERN_STAGING_DIR=str(tmp_path / "staged"))
    yield app
    app.extensions["vaern"].db.dispose()


def test_a_latin1_diagram_is_previewed_and_deployed(client, vaern):
    login(client, "koncern-hr")
    data = simple_xml().replace(DECLARED, '<?xml version="1.0" encoding="ISO-8859-1"?>', 1).encode("latin-1")
    response = upload(client, data, "simple.bpmn")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Testforløb" in html
    digest = html.split('name="content_hash" value="', 1)[1].split('"', 1)[0]
    deployed = client.post("/admin/diagrams/deploy", data={"content_hash": digest, "filename": "simple.bpmn",
                                                          "reviewed_against": ""})
    assert deployed.status_code == 302
    assert [d.name for d in vaern.definition_versions("simple")] == ["Testforløb"]


# The engine's reason, as the process owner reads it on the page (web/problem_texts.py).
IN_DANISH = {"VAERN_MAX_TIMER_DURATION": "den venter længere, end en retningslinje kan mene",
             "VAERN_MIN_TIMER_CYCLE": "den gentages oftere, end en retningslinje kan mene",
             "too much work": "det kræver for meget arbejde", "no script of any dialect": "script af nogen art",
             "a loop in which no person, message or timer is waited for": "danner en løkke, hvor der ikke ventes"}


def test_hostile_diagrams_are_refused_on_the_upload_page_naming_the_element(client, vaern):
    login(client, "koncern-hr")
    for name, (xml, element, reason) in sorted(HOSTILE.items()):
        response = upload(client, xml, "simple.bpmn")
        html = response.get_data(as_text=True)
        assert response.status_code == 422, name
        assert element in html and IN_DANISH[reason] in html, (name, html[html.find("<main"):][:3000])
    assert vaern.definition_versions("simple") == []
