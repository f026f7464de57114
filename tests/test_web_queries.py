"""Read-only queries the web pages need: a case's settings, its field labels, the messages it waits for."""
from __future__ import annotations

import pytest

from engine import CaseNotFound
from tests.conftest import T0
from tests.test_cases import PARTIES, TALK


def test_case_settings_and_field_labels_come_from_the_case_s_diagram_version(vaern):
    case = vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", T0)
    assert vaern.case_settings(case.id) == {"reminder_after": "P2D"}
    labels = vaern.case_field_labels(case.id)
    assert labels["summary"] == "Kort referat" and labels["statement"] == "Din udtalelse"
    with pytest.raises(CaseNotFound):
        vaern.case_settings(999)
    with pytest.raises(CaseNotFound):
        vaern.case_field_labels(999)


def test_waiting_messages_name_what_an_open_case_accepts(vaern):
    case = vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", T0)
    assert vaern.waiting_messages(case.id, T0) == {"complaint_withdrawn"}
    [item] = vaern.inbox("leder-akut", T0)
    vaern.complete_task(item.task_id, TALK, "leder-akut", T0)
    assert vaern.waiting_messages(case.id, T0) == set()
    with pytest.raises(CaseNotFound):
        vaern.waiting_messages(999, T0)


def test_case_fields_carry_their_options_and_each_task_names_the_fields_it_asks(vaern):
    case = vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", T0)
    fields = vaern.case_fields(case.id)
    assert fields["category"].type == "enum" and fields["category"].options
    assert fields["summary"].label == "Kort referat"
    asked = vaern.case_task_fields(case.id)
    assert asked["Task_talk"] == ("summary", "serious", "category", "meeting_date", "witnesses")
    assert asked["Task_hear"] == ("statement",) and "Task_hr" in asked
    with pytest.raises(CaseNotFound):
        vaern.case_task_fields(999)
