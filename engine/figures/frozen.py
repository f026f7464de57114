"""What a committee's annual task shows, frozen when the task is created: its unit's figures and the answers from below.

A user task with the extension property `figures` (its value the committee's role: lmu, hmu, rmu) is a
committee's annual task. When vaern creates it, it stores in a `task_figures` row keyed by the task the
figures of the task's unit for the last whole year before the round, counted and suppressed exactly as
"Tal og tendenser" does, so the minutes match what the committee saw. A task with `answers_from` (the
role of the committees below) also gets each of those committees' answers (the fields their task names
in its `answers` property), or that it did not answer. The snapshot holds only published cells: a count
under the threshold is never stored, only its mark. A member accused in a counted case gets a snapshot of
their own without it, as the figures page shows them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.bpmn.definitions import ParsedDefinition
from engine.figures.definitions import accused_cases
from engine.figures.service import (
    BreakdownFigure,
    DurationFigure,
    FigureSettings,
    FiguresReport,
    StepFigure,
    TallyFigure,
    compute,
)
from engine.figures.suppression import HIDDEN, SHOWN, SMALL, Cell, Grid, Table
from engine.models import Case, TaskFigures
from engine.unit_of_work import UnitOfWork

FIGURES, ANSWERS, ANSWERS_FROM = "figures", "answers", "answers_from"
_MARKS = {SMALL: "<", HIDDEN: "·"}
_CELLS = {mark: Cell(name) for name, mark in _MARKS.items()}


@dataclass(frozen=True)
class CommitteeTask:
    """A committee's annual task as its diagram marks it."""

    role: str
    answers: tuple[str, ...]
    answers_from: str | None


@dataclass(frozen=True)
class Answer:
    """One answer a committee below gave: the field's label and the answer (an option's name, a bool, a text)."""

    label: str
    value: Any


@dataclass(frozen=True)
class CommitteeAnswer:
    """A committee below and its answers; `answers` is None when it did not answer."""

    unit_id: str
    unit_name: str
    answers: tuple[Answer, ...] | None


@dataclass(frozen=True)
class Frozen:
    """What a committee's annual task shows, as it was when the task was created."""

    role: str
    report: FiguresReport
    answers_from: str | None
    below: tuple[CommitteeAnswer, ...]
    # A member accused in a counted case gets the figures without it, as "Tal og tendenser" shows them.
    variants: dict[str, FiguresReport] = field(default_factory=dict)

    def report_for(self, person_id: str) -> FiguresReport:
        """The figures as this person may see them."""
        return self.variants.get(person_id, self.report)


def committee_tasks(parsed: ParsedDefinition) -> dict[str, CommitteeTask]:
    """The committees' annual tasks of a diagram: user task id -> its marks."""
    return {element: CommitteeTask(props[FIGURES].strip(),
                                   tuple(f.strip() for f in props.get(ANSWERS, "").split(",") if f.strip()),
                                   props.get(ANSWERS_FROM, "").strip() or None)
            for element, props in parsed.properties_of("userTask").items() if props.get(FIGURES, "").strip()}


def figure_settings(settings) -> FigureSettings:
    """The figures' settings from vaern's."""
    return FigureSettings(settings.figures_threshold, settings.figures_long_open_days,
                          settings.figures_confidential_min_people, settings.figures_cache_seconds)


def freeze(uow: UnitOfWork, parsed: ParsedDefinition, case: Case, task, tasks: list, now: datetime,
           settings: FigureSettings) -> None:
    """Store the figures and answers from below in a committee's annual task just created (others are left alone)."""
    marks = committee_tasks(parsed).get(task.spec_id)
    if marks is None:
        return
    org = uow.org
    unit = task.data.get("committee_unit") or case.unit_id
    # The round of year Y (started in February) reviews the last whole year, Y - 1.
    year = int(task.data.get("year") or now.year) - 1
    report = compute(uow.session, org, unit, year, now, settings)
    figures = dump(report)
    variants = {}
    meta = task.meta
    for person in (meta.candidates if meta else ()):
        excluded = accused_cases(uow.session, person)
        if excluded:
            own = dump(compute(uow.session, org, unit, year, now, settings, excluded))
            if own != figures:
                variants[person] = own
    below = []
    if marks.answers_from:
        below = _answers_below(org, parsed, marks.answers_from, unit, task.data, tasks)
    content = {"role": marks.role, "answers_from": marks.answers_from, "figures": figures, "below": below,
               "for": variants}
    # Written with the command's other rows; beside the state, so later tasks' data do not copy it.
    uow.queued.add(TaskFigures.__table__, [{"task_id": task.id, "case_id": case.id, "content": content,
                                            "created_at": now}])


def _answers_below(org, parsed: ParsedDefinition, role: str, unit: str, data: dict, tasks: list) -> list:
    specs = {spec: marks for spec, marks in committee_tasks(parsed).items() if marks.role == role}
    answered: dict[str, list] = {}
    for other in tasks:
        marks = specs.get(other.spec_id)
        if marks is None or other.state != "COMPLETED":
            continue
        other_unit = other.data.get("committee_unit")
        if other_unit and _under(org, other_unit, unit):
            answered[other_unit] = _answers(other, marks)
    # Every committee the round ran for below this unit: those without an answer did not answer.
    expected = {u for u in data.get(f"{role}_units") or () if _under(org, u, unit)} | set(answered)
    return [{"unit": u, "name": org.unit_names.get(u, u), "answers": answered.get(u)}
            for u in sorted(expected, key=lambda u: (org.unit_names.get(u, u), u))]


def _answers(task, marks: CommitteeTask) -> list:
    fields = {f.id: f for f in task.fields}
    out = []
    for field_id in marks.answers:
        field, value = fields.get(field_id), task.data.get(field_id)
        if field is None or value in (None, ""):
            continue
        if field.options:
            value = dict(field.options).get(value, value)
        out.append([field.label, value if isinstance(value, (bool, int, float)) else str(value)])
    return out


def _under(org, unit: str, within: str) -> bool:
    # A committee at the unit itself counts too (an LMU and an HMU can sit for the same unit).
    return org.has_unit(unit) and within in org.unit_chain(unit)


def read(s: Session, task_id: str) -> Frozen | None:
    """The frozen figures and answers of a committee's annual task, or None."""
    row = s.get(TaskFigures, task_id)
    if row is None:
        return None
    stored = row.content
    below = tuple(CommitteeAnswer(b["unit"], b["name"], None if b["answers"] is None else
                                  tuple(Answer(label, value) for label, value in b["answers"]))
                  for b in stored.get("below") or ())
    return Frozen(stored["role"], load(stored["figures"]), stored.get("answers_from"), below,
                  {person: load(own) for person, own in (stored.get("for") or {}).items()})


# A report as JSON: a shown cell is its count, "<" a count under the threshold, "·" a protecting cell. Keys
# are strings, so every number in it is a published count (or the year, the threshold, days, a share).

def _cell(cell: Cell):
    return cell.value if cell.mark == SHOWN else _MARKS[cell.mark]


def _uncell(value) -> Cell:
    return _CELLS[value] if isinstance(value, str) else Cell(SHOWN, value)


def _table(table: Table) -> list:
    cells = [[str(k), _cell(c)] for k, c in table.cells.items()]
    return [cells, _cell(table.total), *([1] if table.only_total else [])]


def _untable(stored: list, key=str) -> Table:
    cells, total, *only_total = stored
    return Table({key(k): _uncell(c) for k, c in cells}, _uncell(total), bool(only_total))


def dump(report: FiguresReport) -> dict:
    """A report as compact JSON (published cells only)."""
    return {
        "unit": report.unit_id, "name": report.unit_name, "year": report.year, "threshold": report.threshold,
        "confidential": report.confidential_counted, "at": report.computed_at.isoformat(),
        "breakdowns": [[b.key, list(b.categories), [[str(q), _table(t)] for q, t in b.grid.periods.items()],
                        _table(b.grid.whole), sorted(b.grid.hidden_rows)] for b in report.breakdowns],
        "last_year": _table(report.last_year),
        "tallies": [[t.key, _table(t.table)] for t in report.tallies],
        "follow_ups": [[t.key, _table(t.table)] for t in report.follow_ups],
        "first": [_cell(report.first_conversation.cases), report.first_conversation.median,
                  report.first_conversation.p90],
        "steps": [[s.title, _table(s.table), s.share] for s in report.steps],
        "below": _table(report.units_below), "names": report.unit_names,
    }


def load(stored: dict) -> FiguresReport:
    """A report from its JSON, for the page to show as the figures page would."""
    def tallies(key):
        return tuple(TallyFigure(k, _untable(t, int)) for k, t in stored[key])
    breakdowns = tuple(BreakdownFigure(key, tuple(categories),
                                       Grid({int(q): _untable(t) for q, t in periods}, _untable(whole),
                                            frozenset(hidden)))
                       for key, categories, periods, whole, hidden in stored["breakdowns"])
    cases, median, p90 = stored["first"]
    return FiguresReport(
        stored["unit"], stored["name"], stored["year"], stored["threshold"], stored["confidential"], breakdowns,
        _untable(stored["last_year"], int), tallies("tallies"), tallies("follow_ups"),
        DurationFigure(_uncell(cases), median, p90),
        tuple(StepFigure(title, _untable(t), share) for title, t, share in stored["steps"]),
        _untable(stored["below"]), dict(stored["names"]), datetime.fromisoformat(stored["at"]))
