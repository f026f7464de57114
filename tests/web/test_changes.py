"""A diagram's changes and problem counts in a process owner's Danish: aspects named, durations in words, plurals."""
from __future__ import annotations

import pytest

from tests.conftest import simple_xml
from tests.web.conftest import login
from tests.web.test_admin import upload  # noqa: F401  (the admin tests' upload helper)
from web.changes import aspect_text, value_text


@pytest.fixture
def danish(app):
    with app.test_request_context("/"):
        yield


@pytest.mark.parametrize("raw, shown", [
    ("5 arbejdsdage", "5 arbejdsdage"), ("P14D", "14 dage (P14D)"), ("timeDuration P2D", "varighed: 2 dage (P2D)"),
    ("role leader", "Leder"), ("yes", "ja"), ("label: Referat; type: string; required: yes",
                                              "spørgsmål: Referat; type: string; skal udfyldes: ja"), (None, "–"),
    ("first_action_reminder", "first_action_reminder"),
])
def test_values_read_in_words(danish, raw, shown):
    assert value_text(raw) == shown


def test_aspects_read_in_danish(danish):
    assert aspect_text("timeDuration") == "varighed" and aspect_text("value") == "værdi"
    assert aspect_text("timer type") == "slags timer" and aspect_text("") == ""


def test_one_problem_reads_in_the_singular(client):
    login(client, "koncern-hr")
    broken = simple_xml().replace('<bpmn:process id="simple"', '<bpmn:process id="simple" bogus="1"', 1)
    html = upload(client, broken, "broken.bpmn").get_data(as_text=True)
    assert "broken.bpmn blev ikke idriftsat: ret denne fejl i modelleringsværktøjet" in html, html
