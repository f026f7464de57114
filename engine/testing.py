"""What tests and benchmarks need of the engine beyond its services: the guideline deployed, and a case's
workflow and rows exactly as stored (to compare with what the engine keeps in memory and in its tables)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from engine.bpmn.workflow import CaseWorkflow
from engine.cases import store
from engine.models import Case
from engine.service import Vaern

WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"
GUIDELINE = ("violence", "harassment", "annual_med")


def deploy_guideline(vaern: Vaern, now: datetime, *names: str, user: str = "procesejer") -> None:
    """Deploy the named diagrams from workflows/ (all three of the guideline when none are named)."""
    for name in names or GUIDELINE:
        path = WORKFLOWS / f"{name}.bpmn"
        vaern.deploy(path.read_bytes(), str(path), user, now)


def stored_workflow(vaern: Vaern, case_id: int) -> CaseWorkflow:
    """The case's workflow deserialized from its stored state (never from this process's cache)."""
    with vaern.uow() as uow:
        case = uow.session.get(Case, case_id)
        return CaseWorkflow.loads(case.state, vaern.loader.parsed(case.definition))


def stored_projection(vaern: Vaern, case_id: int) -> store.Projection:
    """The task, candidate, timer and fact rows a full projection of the case's stored state gives."""
    return store.project(case_id, stored_workflow(vaern, case_id))
