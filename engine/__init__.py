"""vaern's engine: diagrams, cases, people, timers and persistence. No web code lives here."""
from .access import LEADER_RELATIONS
from .annual_cycle import AnnualRound, AnnualRoundExists, annual_round, start_annual_round
from .accounts import DEMO_PASSWORD
from .config import Settings
from .definitions import ParsedDefinition, check_files, validate
from .deployment import DefinitionNotFound, DeployPreview
from .diff import Change, diff_xml
from .directory import PersonChoice, PersonMatch
from .errors import (
    CaseNotFound, ConcurrentUpdate, DefinitionError, ExpressionError, InvalidInput, NotAllowed, NotFound,
    OrganisationError, Problem, TaskNotFound, TaskNotOpen, UnknownCaseKind, UnknownPerson, UnknownUnit,
    VaernError,
)
from .figures import FIGURE_ROLES, FiguresReport, FigureUnit
from .figures.suppression import HIDDEN as FIGURE_HIDDEN, SHOWN as FIGURE_SHOWN, SMALL as FIGURE_SMALL
from .forms import FormField
from .login_throttle import LoginThrottle
from .migration import Blocker, MigrationCheck, MigrationRefused
from .notices import NoticeInfo, OutboxInfo
from .grants import AccessGrantInfo, ConsentInfo, GrantRefused
from .overview import OverviewFilters, OverviewPage, OverviewRow
from .privacy import AccessLogEntry, CaseView
from .reports import ReportPage, ReportRow
from .retention import PurgeReport
from .roles import KNOWN_ROLES, ROLE_LABELS_DA
from .scheduler import TimerScheduler
from .service import Vaern, open_vaern
from .views import (
    CaseDiagram, CaseInfo, DefinitionInfo, EventInfo, InboxItem, PersonInfo, TaskDetail, TaskInfo, UnitInfo,
)
from .workflow import WorkflowError

__all__ = [
    "Settings", "ParsedDefinition", "check_files", "validate", "CaseNotFound", "ConcurrentUpdate",
    "DefinitionError", "ExpressionError", "InvalidInput", "NotAllowed", "NotFound", "OrganisationError",
    "Problem", "TaskNotFound", "TaskNotOpen", "UnknownCaseKind", "UnknownPerson", "UnknownUnit",
    "VaernError", "FormField", "KNOWN_ROLES", "Vaern", "open_vaern", "CaseInfo",
    "DefinitionInfo", "EventInfo", "InboxItem", "TaskDetail", "TaskInfo", "WorkflowError", "CaseDiagram",
    "PersonInfo", "UnitInfo", "ROLE_LABELS_DA", "NoticeInfo", "OutboxInfo", "AccessLogEntry", "CaseView",
    "PurgeReport", "TimerScheduler", "PersonChoice", "PersonMatch", "AccessGrantInfo",
    "LEADER_RELATIONS", "DEMO_PASSWORD", "LoginThrottle", "ConsentInfo", "GrantRefused",
    "ReportPage", "ReportRow",
    "OverviewFilters", "OverviewPage", "OverviewRow",
    "FIGURE_ROLES", "FiguresReport", "FigureUnit", "FIGURE_HIDDEN", "FIGURE_SHOWN", "FIGURE_SMALL",
    "AnnualRound", "AnnualRoundExists", "annual_round", "start_annual_round",
    "DefinitionNotFound", "DeployPreview", "Change", "diff_xml", "Blocker", "MigrationCheck", "MigrationRefused",
]
