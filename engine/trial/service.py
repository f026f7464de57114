"""Try a process owner's draft before it goes live: which running cases could move to it, and a dry run of
generated cases on the real organisation in a throwaway database."""
from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

import yaml
from lxml import etree
from sqlalchemy import func, select

from engine.bpmn.definitions import validate
from engine.bpmn.migration import check
from engine.cases.loader import CaseLoader
from engine.config import Settings
from engine.models import Case, Definition, Person, RoleHolder, Unit
from engine.modelling.service import DRAFT_FILENAME, ModellingService
from engine.trial.results import BehaviourTrial, CaseMoves, DryRun, RouteFigures, TrialFinding
from engine.unit_of_work import UnitsOfWork

# What the simulator's sentences mean for a process owner (engine/simulation/simulate.py).
_UNSTAFFED = ("with nobody to do it", "created for nobody")
_STALLED = ("did not close", "fell quiet", "still open after", "waits with no pending timer")
MAX_DRY_RUN_CASES = 20


class TrialService:
    """What a draft would do: to the running cases of its kind, and to new cases run by simulated people."""

    def __init__(self, units: UnitsOfWork, loader: CaseLoader, modelling: ModellingService, settings: Settings):
        self._units = units
        self._loader = loader
        self._modelling = modelling
        self.settings = settings

    def case_moves(self, kind: str, person_id: str, limit: int = 200) -> CaseMoves:
        """Each open case of `kind` (up to `limit`): could it move to the person's draft, and what stops it.

        Raises DefinitionError when the draft has problems (a draft that cannot deploy has no cases to take).
        """
        draft = self._modelling.own_draft(kind, person_id)
        parsed = validate(draft.xml.encode("utf-8"), DRAFT_FILENAME, self.settings.max_diagram_bytes,
                          self.settings.timer_limits)
        with self._units() as uow:
            s = uow.session
            newest = s.scalar(select(func.max(Definition.version)).where(Definition.kind == kind)) or 0
            ids = list(s.scalars(select(Case.id).where(Case.kind == kind, Case.status == "open")
                                 .order_by(Case.id).limit(limit + 1)))
            checks = []
            for case_id in ids[:limit]:
                loaded = self._loader.load_case(uow, case_id, lock=False)
                try:
                    checks.append(check(case_id, loaded.workflow.spiff, loaded.parsed, parsed,
                                        loaded.case.definition.version, newest + 1, loaded.case.version))
                finally:
                    self._loader.put_back(uow, loaded)
        return CaseMoves(newest + 1, tuple(checks), len(ids) > limit)

    def dry_run(self, kind: str, person_id: str, cases: int = 3, seed: int = 1) -> DryRun:
        """The person's draft driven by simulated people (everyone acts, parties silent, nobody acts), `cases`
        cases each, on a copy of the organisation in a throwaway SQLite database; nothing real is touched."""
        # The simulator builds a whole engine of its own (engine.service), which composes this service.
        from engine.simulation.simulate import simulate_diagram

        draft = self._modelling.own_draft(kind, person_id)
        cases = max(1, min(cases, MAX_DRY_RUN_CASES))
        with tempfile.TemporaryDirectory(prefix="vaern-dry-run-") as folder:
            diagram, organisation = Path(folder) / f"{kind}.bpmn", Path(folder) / "organisation.yaml"
            diagram.write_text(draft.xml, encoding="utf-8")
            organisation.write_text(yaml.safe_dump(self._organisation(), allow_unicode=True), encoding="utf-8")
            result = simulate_diagram(diagram, organisation, cases, seed, workdir=Path(folder))
        names = _names(draft.xml)
        behaviours = tuple(_behaviour(b, names) for b in result.behaviours)
        return DryRun(kind, result.unit, result.seconds, behaviours, tuple(result.refused))

    def _organisation(self) -> dict:
        # Units, people and who holds which role: what resolving a lane needs; no addresses, no accounts.
        with self._units() as uow:
            s = uow.session
            units = [{"id": u.id, "name": u.name, "kind": u.kind, "parent": u.parent_id}
                     for u in s.scalars(select(Unit).order_by(Unit.id))]
            people = [{"id": p.id, "name": p.name, "unit": p.unit_id}
                      for p in s.scalars(select(Person).order_by(Person.id))]
            roles = [{"unit": r.unit_id, "role": r.role, "person": r.person_id}
                     for r in s.scalars(select(RoleHolder).order_by(RoleHolder.id))]
        return {"units": units, "people": people, "roles": roles}


def _names(xml: str) -> dict[str, str]:
    root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    return {e.get("id"): (e.get("name") or "").strip() for e in root.iter() if isinstance(e.tag, str) and e.get("id")}


def _finding(finding, names: dict[str, str]) -> TrialFinding:
    ids = tuple(p.strip() for p in finding.element_id.split(",") if p.strip() and p.strip() != "(nothing)")
    return TrialFinding(finding.case, ids, tuple(names.get(i, "") for i in ids), finding.what)


def _behaviour(result, names: dict[str, str]) -> BehaviourTrial:
    stalled, unstaffed, other = [], [], []
    for finding in result.findings:
        shown = _finding(finding, names)
        if any(words in finding.what for words in _UNSTAFFED):
            unstaffed.append(shown)
        elif any(words in finding.what for words in _STALLED):
            stalled.append(shown)
        else:
            other.append(shown)
    # A route: where the case closed, and whether it was serious (the guideline's two ways through a case).
    routes: dict[tuple[str, bool], list[float | None]] = {}
    for outcome in result.outcomes:
        routes.setdefault((outcome.route if outcome.closed else "", outcome.serious), []).append(outcome.days)
    figures = []
    for (route, serious), days in sorted(routes.items(), key=lambda item: (item[0][0] == "", item[0])):
        known = sorted(d for d in days if d is not None)
        figures.append(RouteFigures(route, serious, len(days), known[0] if known else None,
                                    statistics.median(known) if known else None, known[-1] if known else None))
    return BehaviourTrial(result.behaviour, len(result.outcomes), result.count(lambda o: o.closed), tuple(stalled),
                          tuple(unstaffed), tuple(other), tuple(figures))
