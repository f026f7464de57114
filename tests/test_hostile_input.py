"""Hostile form input reaching the engine: huge strings, markup and wrong types."""
from __future__ import annotations

import pytest

from engine import InvalidInput
from tests.conftest import T0
from tests.test_cases import PARTIES, TALK


def _talk_task(vaern):
    vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", T0)
    [item] = vaern.inbox("leder-akut", T0)
    return item.task_id


def test_a_one_megabyte_string_is_refused_per_field(vaern):
    task_id = _talk_task(vaern)
    with pytest.raises(InvalidInput) as caught:
        vaern.complete_task(task_id, {**TALK, "summary": "x" * 1_000_000}, "leder-akut", T0)
    assert set(caught.value.errors) == {"summary"}
    assert vaern.task(task_id).state == "open"


@pytest.mark.parametrize("field, value", [
    ("witnesses", {"$gt": 1}), ("witnesses", [1, 2]), ("witnesses", 1.5), ("meeting_date", 20261126),
    ("category", ["bullying"]), ("serious", {"yes": True}), ("summary", ["a", "b"]),
])
def test_wrong_types_are_refused_per_field(vaern, field, value):
    task_id = _talk_task(vaern)
    with pytest.raises(InvalidInput) as caught:
        vaern.complete_task(task_id, {**TALK, field: value}, "leder-akut", T0)
    assert field in caught.value.errors


def test_markup_is_stored_as_text_not_interpreted(vaern):
    task_id = _talk_task(vaern)
    case = vaern.complete_task(task_id, {**TALK, "summary": "<script>alert(1)</script>"}, "leder-akut", T0)
    # The engine keeps what was typed; every page escapes it when it shows it (tests/web).
    assert vaern.case(case.id).data["summary"] == "<script>alert(1)</script>"
