"""Simulated people drive a diagram through the real engine, to find where a case would never reach a just end.

Each case starts with generated start data (inferred from the diagram) in a fresh SQLite database with
the given organisation; people answer every form with generated, valid answers; when nothing is left to
do, time travels to the case's next timer. Three behaviours: everyone acts; the parties (employee,
accused, colleague, reporter) never act; nobody acts. A diagram with a task per committee (an LMU for
each unit) also runs a fourth: one committee never acts, everyone else does. What counts as a problem is
listed in `_Case`.
"""
from __future__ import annotations

import random
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Sequence

from engine.cases.results import CaseInfo, TaskInfo
from engine.config import Settings
from engine.errors import DefinitionError, InvalidInput, NotAllowed
from engine.org.roles import DERIVED_ROLES, UNIT_ROLES
from engine.service import Vaern, open_vaern
from engine.simulation.answers import Chooser, FormFiller, start_data
from engine.simulation.inputs import DiagramFacts, read_facts

BEHAVIOURS = ("everyone", "parties_silent", "nobody")
COMMITTEE_SILENT = "one_committee_silent"
ALL_BEHAVIOURS = (*BEHAVIOURS, COMMITTEE_SILENT)
BEHAVIOUR_NAMES = {"everyone": "everyone acts", "parties_silent": "parties silent", "nobody": "nobody acts",
                   COMMITTEE_SILENT: "one committee silent"}
# The people a case is about may stay silent; the guideline's duties are the leader's and the committees'.
SILENT_PARTIES = frozenset({"employee", "accused", "colleague", "reporter"})
START = datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)
MAX_STEPS = 400
HORIZON = timedelta(days=3 * 366)
# In "everyone acts", half the cases send messages the case waits for; each step then has this chance.
MESSAGE_CHANCE = 0.4
ACTOR = "simulation"


@dataclass(frozen=True)
class Finding:
    """A problem found in one simulated case: where (element ids) and what happened."""

    case: int
    case_id: int | None
    element_id: str
    what: str

    def __str__(self) -> str:
        return f"case {self.case}: {self.element_id}: {self.what}"


@dataclass
class CaseOutcome:
    """How one simulated case ended."""

    number: int
    case_id: int | None = None
    closed: bool = False
    quiet: bool = False
    reminded: bool = False
    escalated: bool = False
    serious: bool = False
    steps: int = 0
    days: float | None = None  # from start to close, in simulated days (None while open)
    route: str = ""            # the end event(s) the case closed at, by name
    messages: list[str] = field(default_factory=list)
    fallbacks: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class BehaviourResult:
    """The cases of one diagram under one behaviour."""

    behaviour: str
    outcomes: list[CaseOutcome]

    def count(self, test) -> int:
        """How many cases `test(outcome)` holds for."""
        return sum(1 for outcome in self.outcomes if test(outcome))

    @property
    def findings(self) -> list[Finding]:
        """Every problem found in these cases."""
        return [f for outcome in self.outcomes for f in outcome.findings]


@dataclass
class DiagramResult:
    """A diagram's simulation: per behaviour, or the reasons the engine refused to deploy it."""

    path: Path
    kind: str | None = None
    unit: str | None = None
    behaviours: list[BehaviourResult] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def findings(self) -> list[Finding]:
        """Every problem found, a refused deployment included."""
        refused = [Finding(0, None, "deploy", problem) for problem in self.refused]
        return refused + [f for result in self.behaviours for f in result.findings]


def behaviours_for(facts: DiagramFacts) -> tuple[str, ...]:
    """The behaviours a diagram runs under by default: the three, and one committee silent if it has committee tasks."""
    return ALL_BEHAVIOURS if facts.committee_tasks else BEHAVIOURS


def simulate(paths: Sequence[Path], organisation: Path, cases: int = 10, seed: int = 1,
             behaviours: Sequence[str] | None = None) -> list[DiagramResult]:
    """Simulate each diagram under each behaviour, `cases` cases each, in a database of its own."""
    return [simulate_diagram(path, organisation, cases, seed, behaviours) for path in paths]


def simulate_diagram(path: Path, organisation: Path, cases: int = 10, seed: int = 1,
                     behaviours: Sequence[str] | None = None, workdir: Path | None = None) -> DiagramResult:
    """Simulate one diagram in a fresh SQLite file (default behaviours: `behaviours_for` the diagram)."""
    started = time.perf_counter()
    result = DiagramResult(path)
    with tempfile.TemporaryDirectory(dir=workdir, prefix="vaern-simulation-") as folder:
        vaern = open_vaern(Settings(database_url=f"sqlite:///{Path(folder) / 'simulation.sqlite3'}"))
        try:
            vaern.import_org(organisation, ACTOR, START)
            data = path.read_bytes()
            try:
                vaern.deploy(data, str(path), ACTOR, START)
            except DefinitionError as exc:
                result.refused = [str(problem) for problem in exc.problems]
                return result
            facts = read_facts(data, path.name)
            result.kind, result.unit = facts.kind, choose_unit(vaern, facts)
            for behaviour in behaviours or behaviours_for(facts):
                rng = random.Random(zlib.crc32(f"{seed}:{path.name}:{behaviour}".encode()))
                run = _Run(vaern, facts, result.unit, behaviour, rng)
                result.behaviours.append(BehaviourResult(behaviour, [run.case(n) for n in range(1, cases + 1)]))
        finally:
            vaern.db.dispose()
            result.seconds = time.perf_counter() - started
    return result


def choose_unit(vaern: Vaern, facts: DiagramFacts) -> str:
    """The unit cases start in: the top for committee cycles, else the department where most lanes have someone."""
    units = sorted(vaern.units(), key=lambda u: u.id)
    if facts.committee_collections:
        return next(u.id for u in units if u.parent_id is None)
    parents = {u.parent_id for u in units}
    leaves = [u for u in units if u.id not in parents] or units
    roles = sorted(facts.lanes & (UNIT_ROLES | DERIVED_ROLES))
    return max(leaves, key=lambda u: sum(1 for role in roles if vaern.resolve(role, u.id, {}))).id


class _Run:
    """The cases of one diagram under one behaviour, sharing a seeded chooser so answers vary across cases."""

    def __init__(self, vaern: Vaern, facts: DiagramFacts, unit: str, behaviour: str, rng: random.Random):
        self.vaern, self.facts, self.unit, self.behaviour = vaern, facts, unit, behaviour
        self.chooser = Chooser(rng)
        people = vaern.people()
        self.people = [p.id for p in people]
        # The case's parties are people of its unit where it has enough of them.
        local = [p.id for p in people if p.unit_id == unit]
        self.parties_pool = local + [p for p in self.people if p not in local] if len(local) < 4 else local
        self.filler = FormFiller(self.chooser, facts.rules, self.people)

    def acts(self, role: str) -> bool:
        """Whether the people of a lane act under this run's behaviour."""
        if self.behaviour == "nobody":
            return False
        return self.behaviour != "parties_silent" or role not in SILENT_PARTIES

    def case(self, number: int) -> CaseOutcome:
        """Start and drive one case, then judge how it ended."""
        rng = self.chooser.rng
        started = START + timedelta(days=number - 1, minutes=rng.randint(0, 8 * 60))
        data = start_data(self.facts.start, self.parties_pool, self.chooser, started)
        user = data.get("reporter_id") or data.get("employee_id") or self.parties_pool[0]
        outcome = CaseOutcome(number)
        try:
            info = self.vaern.start_case(self.facts.kind, self.unit, data, user, started)
        except Exception as exc:  # any failure to start is what the simulation reports, with the data it used
            outcome.findings.append(Finding(number, None, "start",
                                            f"the case could not start ({exc}); start data {data}"))
            return outcome
        outcome.case_id = info.id
        simulated = _Case(self, outcome, info, data, user, started)
        simulated.drive()
        simulated.judge()
        return outcome


class _Case:
    """One simulated case, driven and then judged.

    Problems: unless nobody acts, the case does not close; when nobody acts, it falls quiet without a
    reminder, or a serious case (every case of a diagram that escalates but reads no `serious`) without an
    escalation; always: a task for nobody, a timer that fails, an engine error, a wait with no pending
    timer on someone who does not act.
    """

    def __init__(self, run: _Run, outcome: CaseOutcome, info: CaseInfo, data: dict, user: str, started: datetime):
        self.run, self.outcome, self.case_id, self.data, self.user = run, outcome, info.id, data, user
        self.vaern, self.rng = run.vaern, run.chooser.rng
        self.started = self.now = started
        self.status = info.status
        self.parties = [str(v) for k, v in data.items() if k.endswith("_id")]
        self.messenger = run.behaviour == "everyone" and run.chooser.pick("messages", (True, False))
        self.nobody_can: set[str] = set()  # tasks reported as open with nobody to do them
        self.last_fired: tuple[str, datetime] | None = None
        self.silent_committee: tuple[str, str] | None = None  # (role, unit) that never acts in its behaviour
        self.refused: set[str] = set()  # tasks whose simulated answers the engine refused

    def find(self, element_id: str, what: str) -> None:
        """Record a problem of this case."""
        self.outcome.findings.append(Finding(self.outcome.number, self.case_id, element_id, what))

    def drive(self) -> None:
        """Act, deliver messages and travel to timers until the case closes or nothing is pending."""
        element = "engine"
        try:
            for step in range(MAX_STEPS):
                self.outcome.steps = step
                if self.status == "closed":
                    return
                if self.now - self.started > HORIZON:
                    self.find(self.where(), f"still open after {HORIZON.days} days of simulated time")
                    return
                open_tasks = [t for t in self.vaern.tasks_of_case(self.case_id) if t.state == "open"]
                self.check_assigned(open_tasks)
                self.choose_silent_committee(open_tasks)
                timers = self.vaern.timers_of_case(self.case_id)
                if timers and timers[0][1] <= self.now:
                    element = timers[0][0]
                    if timers[0] == self.last_fired:
                        self.stuck_timer(timers[0][0])
                        return
                    # A scheduler fires what is due before anyone opens the case again (SpiffWorkflow fires a
                    # timer only once its due time has passed, hence the second).
                    self.fire(max(self.now, timers[0][1]) + timedelta(seconds=1), timers[0])
                    continue
                if self.messenger and self.rng.random() < MESSAGE_CHANCE:
                    element = "message"
                    if self.deliver(open_tasks):
                        continue
                skipped = self.nobody_can | self.refused
                doable = [t for t in open_tasks if self.acts(t) and t.id not in skipped]
                if doable:
                    task = self.rng.choice(doable)
                    element = task.spec_id
                    self.now = self.a_while_later(timers)
                    self.complete(task)
                    continue
                if not timers:
                    self.outcome.quiet = True
                    self.check_silent_wait(open_tasks)
                    return
                element = timers[0][0]
                self.fire(max(self.now, timers[0][1]) + timedelta(seconds=1), timers[0])
            self.find(self.where(), f"still open after {MAX_STEPS} steps")
        except Exception as exc:  # an engine error is a finding of the simulation, named by where it happened
            self.find(element, f"engine error: {type(exc).__name__}: {exc}")

    def acts(self, task: TaskInfo) -> bool:
        """Whether the people of a task act under this case's behaviour."""
        return self.run.acts(task.role) and (task.role, task.unit_id) != self.silent_committee

    def choose_silent_committee(self, open_tasks: list[TaskInfo]) -> None:
        """Under one committee silent: when the first committee tasks open, one of their committees falls silent."""
        if self.run.behaviour != COMMITTEE_SILENT or self.silent_committee is not None:
            return
        committees = self.run.facts.committee_tasks
        instances = sorted((t for t in open_tasks if t.spec_id in committees), key=lambda t: t.unit_id)
        if instances:
            chosen = self.rng.choice(instances)
            self.silent_committee = (chosen.role, chosen.unit_id)

    def a_while_later(self, timers: list[tuple[str, datetime]]) -> datetime:
        """A person acts a little later, but before the case's next timer."""
        delay = timedelta(minutes=self.rng.randint(1, 180))
        if timers:
            delay = min(delay, (timers[0][1] - self.now) / 2)
        return self.now + max(delay, timedelta(0))

    def fire(self, moment: datetime, timer: tuple[str, datetime]) -> None:
        """Travel to `moment` and fire what is due, as the scheduler would."""
        self.now, self.last_fired = moment, timer
        self.vaern.fire_due_timers(moment)
        self.status = self.vaern.case(self.case_id).status

    def stuck_timer(self, spec_id: str) -> None:
        """A timer still pending after it was fired: the engine could not fire it (judge() reports its error)."""
        if not any(e.action == "timer_failed" for e in self.vaern.events(self.case_id, limit=100_000)):
            self.find(spec_id, "the timer is due but did not fire")

    def deliver(self, open_tasks: list[TaskInfo]) -> bool:
        """Someone of the case sends a message it waits for and has not had; False if none is or none may."""
        waiting = sorted(self.vaern.waiting_messages(self.case_id, self.now) - set(self.outcome.messages))
        if not waiting:
            return False
        name = self.rng.choice(waiting)
        # Whoever the engine lets send it: the affected or the reporter, else someone with a task in the case.
        senders = [self.data.get("employee_id"), self.data.get("reporter_id"), self.user,
                   *(p for t in open_tasks for p in (t.assignee_id, *t.candidates))]
        for sender in (s for s in dict.fromkeys(senders) if s):
            try:
                info = self.vaern.send_message(self.case_id, name, {"by": sender}, sender, self.now)
            except NotAllowed:
                continue
            self.outcome.messages.append(name)
            self.status = info.status
            return True
        return False

    def complete(self, task: TaskInfo) -> None:
        """The task's person answers its form with simulated, valid answers."""
        detail = self.vaern.task_detail(task.id)
        person = task.assignee_id or self.rng.choice(task.candidates)
        case_data = self.vaern.case(self.case_id).data if detail.fields else {}
        try:
            values = self.run.filler.answers(task.spec_id, detail.fields, case_data, self.parties,
                                             self.started, self.now)
            self.status = self.vaern.complete_task(task.id, values, person, self.now).status
        except ValueError as exc:
            self.refused.add(task.id)
            self.find(task.spec_id, str(exc))
        except InvalidInput as exc:
            self.refused.add(task.id)
            self.find(task.spec_id, f"the form refused the simulated answers {values}: {exc.errors}")

    def check_assigned(self, open_tasks: list[TaskInfo]) -> None:
        """Every open task has someone to do it."""
        for task in open_tasks:
            if not (task.assignee_id or task.candidates) and task.id not in self.nobody_can:
                self.nobody_can.add(task.id)
                self.find(task.spec_id, f"the task '{task.title}' is open in lane {task.role} (unit {task.unit_id}) "
                                        "with nobody to do it")

    def check_silent_wait(self, open_tasks: list[TaskInfo]) -> None:
        """Outside "nobody acts", a case must not wait with no timer on someone who does not act."""
        if self.run.behaviour == "nobody":
            return  # falling quiet is this behaviour's end; judge() asks for a reminder before it
        for task in open_tasks:
            if not self.acts(task):
                self.find(task.spec_id, f"the case waits with no pending timer on '{task.title}' (lane {task.role}, "
                                        f"unit {task.unit_id}), whose people do not act")

    def where(self) -> str:
        """The elements the case stands at now (open tasks, waiting joins, events)."""
        current = self.vaern.case_diagram(self.case_id, self.now).current
        return ", ".join(sorted(current)) or "(nothing)"

    def judge(self) -> None:
        """Read how the case ended and its event log, and record what is wrong with it."""
        outcome, run = self.outcome, self.run
        info = self.vaern.case(self.case_id)
        outcome.closed, outcome.serious, outcome.escalated = info.status == "closed", info.serious, info.escalated
        if info.closed_at is not None:
            outcome.days = (info.closed_at - info.created_at).total_seconds() / 86400
        completed = self.vaern.case_diagram(self.case_id, self.now).completed
        outcome.route = ", ".join(sorted(name for end, name in run.facts.ends.items() if end in completed))
        specs = {t.id: t.spec_id for t in self.vaern.tasks_of_case(self.case_id)}
        events = self.vaern.events(self.case_id, limit=100_000)
        outcome.reminded = any(e.action == "notice" and e.details.get("notice") == "reminder" for e in events)
        for event in events:
            spec = specs.get(event.task_id or "", event.details.get("spec", "?"))
            if event.action == "task_unassigned" and event.task_id not in self.nobody_can:
                self.find(spec, f"a task was created for nobody: lane {event.details.get('role')} "
                                f"(unit {event.details.get('unit')}) resolves to no one")
            elif event.action == "timer_failed":
                self.find(spec, f"a timer could not fire: {event.details.get('error')}")
            elif event.action == "task_fallback":
                outcome.fallbacks.append(f"{spec}: lane {event.details.get('lane')} went to "
                                         f"{event.details.get('role')} ({event.details.get('reason')})")
        if run.behaviour != "nobody" and not outcome.closed:
            self.find(self.where(), "the case did not close" + (" (nothing is pending)" if outcome.quiet else ""))
        if run.behaviour == "nobody" and outcome.quiet:
            created = any(e.action == "task_created" for e in events)
            if created and not outcome.reminded:
                self.find(self.where(), "the case fell quiet without a reminder to anyone")
            if (outcome.serious or run.facts.escalates_every_case) and not outcome.escalated:
                kind = ("serious case" if outcome.serious
                        else "case (the diagram escalates, and never asks whether a case is serious)")
                self.find(self.where(), f"the {kind} fell quiet without being escalated")
