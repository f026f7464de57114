"""Everything the case page shows, read in one transaction with its access-log row."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from engine.bpmn.forms import FormField
from engine.cases import store
from engine.cases.involvement import involvement
from engine.cases.loader import CaseLoader
from engine.cases.messages import messages_for
from engine.cases.queries import task_info
from engine.cases.results import TaskInfo
from engine.clock import as_utc, frozen_at
from engine.errors import NotAllowed
from engine.models import Case, Task, Timer
from engine.org.snapshot import OrgSnapshot
from engine.privacy.grants import AccessGrantInfo, ConsentInfo, consents_of, grants_of
from engine.privacy.policy import LEADER_RELATIONS, may_see
from engine.privacy.retention import PURGED
from engine.privacy.service import CaseView, read_case
from engine.unit_of_work import UnitOfWork, UnitsOfWork


@dataclass(frozen=True)
class CasePage:
    """A case as one viewer may see it, with what the page around it needs; nothing beyond their level."""

    view: CaseView
    relations: frozenset[str]
    tasks: tuple[TaskInfo, ...]                   # at timeline level and above
    timers: tuple[tuple[str, datetime], ...]      # the pending timers' element and due time (timeline and above)
    fields: dict[str, FormField]                  # full level: the diagram's form fields, for reading the record
    task_fields: dict[str, tuple[str, ...]]       # full level: which fields each task asks
    settings: dict[str, str]                      # full level: the diagram's settings
    grants: tuple[AccessGrantInfo, ...] | None    # for the case's leader at full level, else None
    consents: tuple[ConsentInfo, ...] | None      # for the affected in a confidential case and for its leader
    sendable: frozenset[str]                      # the messages the case waits for that the viewer may send now
    org: OrgSnapshot = field(repr=False)          # the organisation as this read saw it (names of people, units)


def read_case_page(uow: UnitOfWork, loader: CaseLoader, case_id: int, viewer_id: str, now: datetime,
                   purpose: str) -> CasePage | None:
    """The case page's contents for the viewer, the read logged (uncommitted); None when they may see nothing."""
    s = uow.session
    row = s.get(Case, case_id)
    # The viewer's involvement decides the level and, below, what the page offers: read once for both.
    relations = frozenset(involvement(s, viewer_id, case_id)) if row is not None and row.status != PURGED \
        else frozenset()
    view = read_case(uow, loader, case_id, viewer_id, now, purpose, set(relations))
    if view is None:
        return None
    level, case = view.level, view.case
    tasks, timers = (), ()
    if may_see(level, "timeline"):
        tasks = tuple(task_info(s, task_id) for task_id in s.scalars(
            select(Task.id).where(Task.case_id == case_id).order_by(Task.created_at, Task.id)))
        timers = tuple(s.execute(select(Timer.spec_id, Timer.due_at).where(Timer.case_id == case_id)
                                 .order_by(Timer.due_at)))
    fields, task_fields, settings = {}, {}, {}
    if level == "full":
        parsed = loader.parsed(store.get_case(s, case_id).definition)
        fields, task_fields, settings = parsed.fields(), parsed.task_fields(), dict(parsed.settings)
    leads = level == "full" and bool(relations & LEADER_RELATIONS)
    grants = tuple(grants_of(s, case_id)) if leads else None
    sees_consents = case.confidential and ("party:employee" in relations or leads)
    consents = tuple(consents_of(s, case_id)) if sees_consents else None
    sendable = frozenset()
    allowed = messages_for(relations)
    if allowed and case.status == "open":
        with frozen_at(now), loader.reading(store.get_case(s, case_id)) as workflow:
            sendable = frozenset(allowed & workflow.waiting_message_names())
    return CasePage(view, relations, tasks, timers, fields, task_fields, settings, grants, consents, sendable,
                    uow.org)


class CasePages:
    """The case page's read."""

    def __init__(self, units: UnitsOfWork, loader: CaseLoader):
        self._units = units
        self._loader = loader

    def case_page(self, case_id: int, viewer_id: str, now: datetime, purpose: str = "page") -> CasePage:
        """Everything the case page shows the viewer, in one read with its log row; NotAllowed when they may see
        nothing (a case that does not exist is refused and logged the same way)."""
        now = as_utc(now)
        with self._units() as uow:
            page = read_case_page(uow, self._loader, case_id, viewer_id, now, purpose)
            uow.commit()
        if page is None:
            raise NotAllowed("you may not see this case")
        return page
