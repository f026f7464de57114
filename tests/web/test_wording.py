"""What role-holders read: settings in words, dates in Danish form, choices by name, tags only for process owners."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from tests.conftest import simple_xml
from tests.web.conftest import login, start_harassment, start_violence, task_of
from web.wording import IDENTIFIER, day, duration_words, moment, plain_label, plain_text, value_text

SETTINGS = {"first_action_reminder": "1 arbejdsdag", "serious_escalation_after": "5 arbejdsdage",
            "hearing_deadline": "P7D", "accident_report_deadline": "P14D", "followup_after": "P2W"}
LABELS = {"vtc_registrar": "Hvem registrerer i VTC?", "employee_id": "Den udsatte"}


@pytest.fixture
def danish(app):
    with app.test_request_context("/"):
        yield


@pytest.mark.parametrize("value, words", [
    ("P14D", "14 dage"), ("P1D", "1 dag"), ("P2W", "2 uger"), ("P1W", "1 uge"), ("P3M", "3 måneder"),
    ("P1Y", "1 år"), ("PT4H", "4 timer"), ("P1DT12H", "1 dag og 12 timer"), ("5 arbejdsdage", "5 arbejdsdage"),
    ("1 arbejdsdag", "1 arbejdsdag"), ("P", None), ("PT", None), ("P0D", None), ("hearing_deadline", None), ("", None),
])
def test_durations_read_in_danish_words(danish, value, words):
    assert duration_words(value) == words


def test_a_setting_named_in_instructions_reads_as_its_value(danish):
    text = ("Alvorlig sag: lederen påmindes efter first_action_reminder, og uden samtale eskaleres sagen efter "
            "serious_escalation_after til leders leder. Fristen er hearing_deadline.")
    assert plain_text(text, SETTINGS, LABELS) == (
        "Alvorlig sag: lederen påmindes efter 1 arbejdsdag, og uden samtale eskaleres sagen efter 5 arbejdsdage "
        "til leders leder. Fristen er 7 dage.")


def test_brackets_with_a_setting_keep_its_value_and_brackets_with_a_field_go(danish):
    text = "Anmeld senest 14 dage efter (accident_report_deadline). Den aftalte registrant (vtc_registrar) registrerer."
    assert plain_text(text, SETTINGS, LABELS) == "Anmeld senest 14 dage efter (14 dage). Den aftalte registrant registrerer."


def test_a_field_named_in_running_text_reads_as_its_label(danish):
    assert plain_text("Spørg employee_id først.", SETTINGS, LABELS) == "Spørg »Den udsatte« først."


def test_a_sentence_that_still_speaks_of_internals_is_left_out_and_paragraphs_stay(danish):
    text = "Mødet holdes i udvalget. Parallel multi-instance over lmu_units; committee_unit.\n\nSkriv referatet."
    shown = plain_text(text, SETTINGS, LABELS)
    assert shown == "Mødet holdes i udvalget.\n\nSkriv referatet." and not IDENTIFIER.search(shown)


def test_dates_and_times_read_the_danish_way_and_english_in_english(app):
    at = datetime(2026, 12, 2, 13, 30, tzinfo=timezone.utc)  # 14.30 in Copenhagen
    with app.test_request_context("/"):
        assert moment(at) == "02.12.2026 kl. 14.30" and day(date(2026, 12, 2)) == "02.12.2026"
        assert value_text("2026-01-06") == "06.01.2026" and value_text("2026-01-05T10:00:00+01:00") == "05.01.2026 kl. 10.00"
        assert value_text("leader", {"leader": "Lederen"}) == "Lederen" and value_text("Stue 3") == "Stue 3"
        assert plain_label("Vidner (valgfrit)") == "Vidner"
    with app.test_request_context("/"):
        from flask import session
        session["lang"] = "en"
        assert moment(at) == "2 Dec 2026, 14:30" and duration_words("P14D") == "14 days"
        assert duration_words("5 arbejdsdage") == "5 working days"


def _visible(html: str) -> str:
    body = re.sub(r"(?s)<(script|style|head)\b.*?</\1>", " ", html)
    body = re.sub(r"(?s)<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", body)


def _named_setting_diagram(vaern):
    # The test diagram, its first task's text naming the setting and a field, as a process owner might write it.
    xml = simple_xml().replace("<bpmn:documentation>[K-H3] Tal med den berørte.</bpmn:documentation>",
                               "<bpmn:documentation>[K-H3] [GEN-1] Tal med den berørte. Du påmindes efter "
                               "reminder_after (reminder_after). Skriv meeting_date bagefter.</bpmn:documentation>", 1)
    assert "reminder_after (reminder_after)" in xml, "test fixture drifted"
    vaern.deploy(xml.encode(), "simple.bpmn", "koncern-hr", datetime.now(timezone.utc))
    return vaern.start_case("simple", "afd-akut", {"employee_id": "ansat-akut", "accused_id": "kollega-akut"},
                            "ansat-akut", datetime.now(timezone.utc))


def test_a_leader_reads_no_setting_name_or_tag_and_a_process_owner_sees_them_behind_a_toggle(client, vaern):
    case = _named_setting_diagram(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    login(client, "leder-akut")
    text = _visible(client.get(f"/tasks/{item.task_id}").get_data(as_text=True))
    assert "Du påmindes efter 2 dage (2 dage)." in text and "Skriv »Mødedato« bagefter." in text
    assert not re.search(r"\b(?:K|GEN)-[A-Z]?\d", text) and "reminder_after" not in text and "Vis krav" not in text
    vaern.set_password("leder-akut", "vaern-demo", datetime.now(timezone.utc), process_owner=True)
    html = client.get(f"/tasks/{item.task_id}").get_data(as_text=True)
    assert "<summary>Vis krav</summary>" in html and "K-H3" in html and "reminder_after" in html


def test_case_information_shows_choices_by_name_and_dates_in_danish(client, vaern):
    case = start_violence(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    login(client, "leder-akut")
    client.post(f"/tasks/{item.task_id}", data={"contact_initiated_by": "leader", "first_talk_date": "2026-01-06",
                                                "someone_to_talk_to": "Sin mand"})
    text = _visible(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert "06.01.2026" in text and "2026-01-06" not in text and "05.01.2026 kl. 10.00" in text
    field = vaern.case_fields(case.id)["contact_initiated_by"]
    assert dict(field.options)["leader"] in text and "? leader" not in text


def test_no_internal_name_in_what_the_first_tasks_of_either_kind_say(client, vaern):
    login(client, "leder-akut")
    for case in (start_violence(vaern, serious=True), start_harassment(vaern, serious=True)):
        item = task_of(vaern, "leder-akut", case.id)
        text = _visible(client.get(f"/tasks/{item.task_id}").get_data(as_text=True))
        assert item.title in text and not IDENTIFIER.search(text), text
