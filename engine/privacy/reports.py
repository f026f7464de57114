""""Mine anmeldelser": the cases a person reported or that happened to them, a page at a time, each at the
level they may see it, with the messages they may send into it (ask for help, withdraw a complaint).

A person who reports often (a ward's safety representative may report hundreds of cases a year) must get
the page quickly: it reads one page of cases, and logs the view once, naming the cases it showed, instead
of once per case. A case in which the person is the accused is never listed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, insert, or_, select

from engine.cases.involvement import involvement
from engine.cases.loader import CaseLoader
from engine.cases.messages import messages_for
from engine.cases.queries import task_info
from engine.cases.results import CaseInfo, TaskInfo
from engine.clock import as_utc, frozen_at
from engine.models import AccessLog, Case, CaseParty, Task
from engine.privacy.grants import viewer_level
from engine.privacy.policy import may_see
from engine.unit_of_work import UnitsOfWork

REPORTS_PER_PAGE = 20


@dataclass(frozen=True)
class ReportRow:
    """One of the person's cases as they may see it: status (and, at timeline level, its open tasks), whether
    they reported it themselves, and the messages the case waits for that they may send now."""

    case: CaseInfo
    level: str
    open_tasks: tuple[TaskInfo, ...]
    sendable: frozenset[str]
    reported: bool


@dataclass(frozen=True)
class ReportPage:
    """One page of a person's reports, newest first."""

    rows: tuple[ReportRow, ...]
    page: int
    pages: int
    total: int


class ReportService:
    """The reporter's list."""

    def __init__(self, units: UnitsOfWork, loader: CaseLoader):
        self._units = units
        self._loader = loader

    def my_reports(self, person_id: str, now: datetime, page: int = 1,
                   per_page: int = REPORTS_PER_PAGE) -> ReportPage:
        """One page of the cases the person reported or that happened to them, newest first; the view is logged
        once, with the cases shown."""
        now = as_utc(now)
        with self._units() as uow:
            s = uow.session
            accused_here = exists().where(CaseParty.case_id == Case.id, CaseParty.role == "accused",
                                          CaseParty.person_id == person_id)
            affected = exists().where(CaseParty.case_id == Case.id, CaseParty.role == "employee",
                                      CaseParty.person_id == person_id)
            mine = (or_(Case.created_by == person_id, affected), Case.status != "purged", ~accused_here)
            total = s.scalar(select(func.count()).select_from(Case).where(*mine))
            pages = max(1, -(-total // per_page))
            page = min(max(page, 1), pages)
            cases = list(s.scalars(select(Case).where(*mine).order_by(Case.id.desc())
                                   .offset((page - 1) * per_page).limit(per_page)))
            rows = tuple(self._report_row(s, case, person_id, now) for case in cases)
            if rows:
                s.execute(insert(AccessLog).values(at=now, person_id=person_id, case_id=None,
                                                   case_ids=[r.case.id for r in rows], purpose="reports",
                                                   level="list", allowed=True))
                uow.commit()
            return ReportPage(rows, page, pages, total)

    def _report_row(self, s, case: Case, person_id: str, now: datetime) -> ReportRow:
        relations = involvement(s, person_id, case.id)
        level = viewer_level(s, case, person_id, relations)
        open_tasks = tuple(task_info(s, task_id) for task_id in s.scalars(
            select(Task.id).where(Task.case_id == case.id, Task.state == "open").order_by(Task.created_at, Task.id))) \
            if may_see(level, "timeline") else ()
        sendable = frozenset()
        allowed = messages_for(relations)
        if case.status == "open" and allowed:
            with frozen_at(now), self._loader.reading(case) as workflow:
                sendable = frozenset(allowed & workflow.waiting_message_names())
        info = CaseInfo(case.id, case.kind, case.definition.version, case.unit_id, case.status, case.serious,
                        case.confidential, case.escalated, {}, case.version, case.created_by, case.created_at,
                        case.closed_at)
        return ReportRow(info, level, open_tasks, sendable, case.created_by == person_id)
