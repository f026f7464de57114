"""The annual round in the web, LMU to RMU: each committee's task, its frozen figures and the answers from below."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine.figures import frozen
from tests.scenario import do
from tests.test_scenario_annual_med import hmu_answers, lmu_answers
from tests.web.conftest import as_person, start_harassment, start_violence

DAY = timedelta(days=1)


def _open_task(vaern, person: str, case_id: int, spec: str):
    [task] = [t for t in vaern.tasks_of_case(case_id) if t.spec_id == spec and t.state == "open"
              and person in (t.assignee_id, *t.candidates)]
    return task


def _section(html: str, start: str, end: str) -> str:
    return html[html.index(start):html.index(end, html.index(start))]


def _figures(html: str) -> str:
    """The task's frozen figures: from their card to the answers from below, or to the form."""
    start = html.index("committee-figures")
    end = html.find("answers-below", start)
    return html[start:end if end > 0 else html.index("novalidate", start)]


@pytest.fixture
def round_(vaern):
    """7 physical and 6 psychological violence cases and 2 of bullying in the emergency ward; next year's round."""
    for _ in range(7):
        start_violence(vaern)
    for _ in range(6):
        start_violence(vaern, violence_type="psychological")
    for _ in range(2):
        start_harassment(vaern)
    now = datetime.now(timezone.utc)
    # The round of next year reviews this year, the last whole year before it.
    return vaern, vaern.start_case("annual_med", "region", {"year": now.year + 1}, "rmu-region", now), now


@pytest.mark.slow
def test_each_committee_sees_its_figures_the_answers_from_below_and_who_did_not_answer(client, round_):
    vaern, case, now = round_
    year = now.year
    lmu_task = _open_task(vaern, "lmu-akut", case.id, "lmu_annual_discussion")
    as_person(client, vaern, "lmu-akut")
    html = client.get(f"/tasks/{lmu_task.id}").get_data(as_text=True)
    figures = _figures(html)
    assert f"Tallene for {year}" in figures and "Akutafdelingen og enhederne under den" in figures
    kind = _section(figures, "Sager efter type", "Sager efter alvorlighed")
    assert "<td>7</td>" in kind and "<td>15</td>" in kind and "<td>6</td>" not in kind
    bullying = _section(kind, "Mobning", "</tr>")
    assert "<td>&lt;5</td>" in bullying and "<td>2</td>" not in bullying
    assert '<svg class="chart"' in figures and 'style="' not in html
    assert "answers-below" not in html, "an LMU has no committee below it"

    # Cases reported after the task was made do not change what the LMU reviews.
    for _ in range(5):
        start_violence(vaern)
    again = client.get(f"/tasks/{lmu_task.id}").get_data(as_text=True)
    assert "<td>7</td>" in _section(again, "Sager efter type", "Sager efter alvorlighed")
    assert "<td>12</td>" not in _figures(again)

    # The emergency department answers; the psychiatric ward never does and its HMU passes it over.
    answered = now + 10 * DAY
    do(vaern, "lmu-akut", case.id, "lmu_annual_discussion", answered,
       **lmu_answers(answered, lmu_local_procedures="needs_update",
                     lmu_feedback_to_hmu="Vi beder HMU om et kursus i konflikthåndtering"))
    assert vaern.fire_due_timers(now + 91 * DAY) >= 1
    followup = _open_task(vaern, "hmu-hosp", case.id, "lmu_followup")
    do(vaern, "hmu-hosp", case.id, "lmu_followup", now + 92 * DAY, lmu_followup_decision="pass_over",
       lmu_followup_note="Ingen svar trods påmindelse")
    assert followup.unit_id == "afd-psyk"

    hmu_task = _open_task(vaern, "hmu-hosp", case.id, "hmu_annual_discussion")
    as_person(client, vaern, "hmu-hosp")
    html = client.get(f"/tasks/{hmu_task.id}").get_data(as_text=True)
    figures = _figures(html)
    assert "Regionshospitalet Demo og enhederne under den" in figures
    assert "<td>12</td>" in _section(figures, "Sager efter type", "Sager efter alvorlighed")  # 7 + 5 physical
    below = _section(html, "answers-below", "</section>")
    assert "Svar fra LMU&#39;erne under udvalget" in below or "Svar fra LMU'erne under udvalget" in below
    akut = _section(below, "Akutafdelingen", "Psykiatrisk afsnit")
    assert "Dialogmøde om omgangstone" in akut and "Findes, men skal opdateres" in akut
    assert "Vi beder HMU om et kursus i konflikthåndtering" in akut
    assert "Har ikke meldt tilbage i år." in below[below.index("Psykiatrisk afsnit"):]
    assert "Har ikke meldt tilbage i år." not in akut

    hmu_done = now + 93 * DAY
    do(vaern, "hmu-hosp", case.id, "hmu_annual_discussion", hmu_done,
       **hmu_answers(hmu_done, hmu_feedback_to_rmu="Området ønsker fælles kursus"))
    rmu_task = _open_task(vaern, "rmu-region", case.id, "rmu_annual_review")
    as_person(client, vaern, "rmu-region")
    html = client.get(f"/tasks/{rmu_task.id}").get_data(as_text=True)
    assert "Region Midtjylland og enhederne under den" in _figures(html)
    below = _section(html, "answers-below", "</section>")
    assert "Svar fra HMU&#39;erne" in below or "Svar fra HMU'erne" in below
    hospital = _section(below, "Regionshospitalet Demo", "</dl>")
    assert "Området ønsker fælles kursus" in hospital and "Kursus i konflikthåndtering" in hospital
    # The RMU reads the HMUs' answers, not each LMU's.
    assert "Vi beder HMU om et kursus" not in below and "Psykiatrisk afsnit" not in below


def test_a_person_outside_the_committee_sees_nothing_of_its_task(client, round_):
    vaern, case, _now = round_
    lmu_task = _open_task(vaern, "lmu-akut", case.id, "lmu_annual_discussion")
    for outsider in ("ansat-akut", "lmu-psyk", "kollega-akut"):
        as_person(client, vaern, outsider)
        response = client.get(f"/tasks/{lmu_task.id}")
        html = response.get_data(as_text=True)
        assert response.status_code in (403, 404), outsider
        assert "committee-figures" not in html and "Sager efter type" not in html and "<td>7</td>" not in html


@pytest.mark.slow
def test_the_snapshot_holds_no_count_under_the_threshold(round_):
    vaern, case, _now = round_
    task = _open_task(vaern, "lmu-akut", case.id, "lmu_annual_discussion")
    shown = vaern.task_detail(task.id).frozen
    assert shown.role == "lmu" and shown.report.unit_id == "afd-akut"

    def numbers(value):
        if isinstance(value, bool):
            return
        if isinstance(value, int):
            yield value
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from numbers(item)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key not in ("year", "threshold", "first"):  # "first" holds days, and its count
                    yield from numbers(item)

    stored = frozen.dump(shown.report)
    counts = [*numbers(stored), *numbers(stored["first"][:1])]
    assert counts and not [n for n in counts if 0 < n < shown.report.threshold], "a small count was stored"
    assert frozen.dump(frozen.load(stored)) == stored
