"""Generated, valid and varied values for a simulated case: its start data and every form's answers."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any, Mapping, Sequence

from engine.bpmn.expressions import evaluate
from engine.bpmn.forms import FormField
from engine.calendar import DANISH_TIME
from engine.clock import frozen_at
from engine.errors import ExpressionError
from engine.simulation.inputs import FieldRule, StartVariable

# Optional fields are filled two times in three: a blank answer is valid too, and must not break a case.
_FILLED = (True, True, False)
# How far back an undated answer (a first absence day, a meeting held) plausibly lies.
_PAST_DAYS = 3


class Chooser:
    """Seeded choices that use every option of a question before repeating one (each boolean both ways).

    Kept across the cases of a run, so a few cases already answer every question every way.
    """

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._decks: dict[tuple, list] = {}

    def pick(self, key: Any, options: Sequence[Any]) -> Any:
        """The next option for the question `key` (a fresh shuffled round when the last is used up)."""
        deck_key = (key, tuple(options))
        deck = self._decks.get(deck_key)
        if not deck:
            deck = list(options)
            self.rng.shuffle(deck)
            self._decks[deck_key] = deck
        return deck.pop()


def start_data(variables: Sequence[StartVariable], people: Sequence[str], chooser: Chooser,
               started: datetime) -> dict[str, Any]:
    """Start data for one case: a valid value for each variable, distinct people for the parties."""
    data: dict[str, Any] = {}
    unused = list(people)
    chooser.rng.shuffle(unused)
    # The reporter is often the affected person themselves, so it is chosen after the others.
    for variable in sorted(variables, key=lambda v: v.name == "reporter_id"):
        if variable.optional and not chooser.pick(("present", variable.name), (True, False)):
            continue
        if variable.kind == "person":
            if variable.name == "reporter_id" and "employee_id" in data and \
                    chooser.pick("reporter_is_employee", (True, False)):
                data[variable.name] = data["employee_id"]
            elif unused:
                data[variable.name] = unused.pop()
        elif variable.kind == "moment":
            before = timedelta(minutes=chooser.rng.randint(30, 2 * 24 * 60))
            data[variable.name] = (started - before).astimezone(DANISH_TIME).isoformat(timespec="seconds")
        elif variable.kind == "year":
            data[variable.name] = started.astimezone(DANISH_TIME).year
        elif variable.kind == "text":
            data[variable.name] = f"Simuleret {variable.name}"
        else:
            data[variable.name] = chooser.pick(("start", variable.name), variable.choices)
    return data


class FormFiller:
    """Answers to a task's form, valid against its fields and the diagram's rules for them."""

    def __init__(self, chooser: Chooser, rules: Mapping[tuple[str, str], FieldRule], people: Sequence[str]):
        self.chooser = chooser
        self.rules = rules
        self.people = list(people)

    def answers(self, spec_id: str, fields: Sequence[FormField], case_data: Mapping[str, Any],
                parties: Sequence[str], started: datetime, now: datetime) -> dict[str, Any]:
        """Answers to every field; raises ValueError when no valid date can be given (min after max)."""
        values: dict[str, Any] = {}
        # Steering answers first: a later field's requirement or date limit may read them.
        for form_field in fields:
            if form_field.type == "boolean":
                values[form_field.id] = self.chooser.pick((spec_id, form_field.id), (True, False))
            elif form_field.type == "enum" and form_field.options:
                values[form_field.id] = self.chooser.pick((spec_id, form_field.id), [o for o, _ in form_field.options])
        with frozen_at(now):
            for form_field in fields:
                if form_field.id in values:
                    continue
                rule = self.rules.get((spec_id, form_field.id), FieldRule())
                names = {**case_data, **values}
                if not self._wanted(spec_id, form_field, rule, names):
                    continue
                values[form_field.id] = self._value(spec_id, form_field, rule, names, parties, started, now)
        return values

    def _wanted(self, spec_id: str, form_field: FormField, rule: FieldRule, names: Mapping[str, Any]) -> bool:
        if form_field.required:
            return True
        if rule.required_if:
            # Its condition decides: someone who answered "no" leaves the follow-up field blank.
            return bool(_evaluate(rule.required_if, names))
        return self.chooser.pick((spec_id, form_field.id, "filled"), _FILLED)

    def _value(self, spec_id: str, form_field: FormField, rule: FieldRule, names: Mapping[str, Any],
               parties: Sequence[str], started: datetime, now: datetime) -> Any:
        if form_field.type == "date":
            return self._date(form_field, rule, names, started, now).isoformat()
        if form_field.type == "long":
            return self.chooser.rng.randint(1, 5)
        if form_field.type == "enum":
            return None  # an enum without options cannot be answered; the engine says so
        if form_field.id.endswith("_ids"):
            # Several people at once (the witnesses): one to three of those not party to the case.
            others = [p for p in self.people if p not in parties] or self.people
            count = self.chooser.rng.randint(1, min(3, len(others)))
            return self.chooser.rng.sample(others, count)
        if form_field.id.endswith("_id"):
            # Someone else than the case's parties: another leader, a witness, a support person.
            others = [p for p in self.people if p not in parties] or self.people
            return self.chooser.pick((spec_id, form_field.id), others)
        return f"{form_field.label}: simuleret svar"

    def _date(self, form_field: FormField, rule: FieldRule, names: Mapping[str, Any], started: datetime,
              now: datetime) -> date:
        today = now.astimezone(DANISH_TIME).date()
        earliest, latest = _as_date(_evaluate(rule.min, names)), _as_date(_evaluate(rule.max, names))
        if earliest and latest and earliest > latest:
            raise ValueError(f"the field '{form_field.id}' cannot be answered: its earliest date {earliest} "
                             f"(min {rule.min}) is after its latest {latest} (max {rule.max})")
        low = earliest or min(started.astimezone(DANISH_TIME).date() - timedelta(days=_PAST_DAYS), latest or today)
        high = latest or max(today, low)
        return low + timedelta(days=self.chooser.rng.randint(0, (high - low).days))


def _evaluate(expression: str | None, names: Mapping[str, Any]) -> Any:
    if not expression:
        return None
    try:
        return evaluate(expression, names)
    except ExpressionError:
        return None  # reads something the case does not know yet: no limit, no requirement (as the engine)


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.astimezone(DANISH_TIME).date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
