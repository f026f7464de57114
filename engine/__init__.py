"""vaern's engine: diagrams, cases, people, timers and persistence. No web code lives here."""
from engine.anonymous.codes import grouped as grouped_code
from engine.anonymous.results import ACT_KINDS as ANONYMOUS_ACT_KINDS
from engine.anonymous.results import DialogueMessage, HandlerView, WriterView, WrittenReport
from engine.anonymous.results import Submitted as AnonymousSubmitted
from engine.api_tokens import SCOPES as API_SCOPES
from engine.api_tokens import ApiCaller, ApiClientInfo, IssuedToken, TokenInfo
from engine.bpmn.definitions import ParsedDefinition, check_files, validate
from engine.bpmn.diff import Change, diff_xml
from engine.bpmn.forms import FormField
from engine.bpmn.migration import Blocker, MigrationCheck, MigrationRefused
from engine.bpmn.workflow import WorkflowError
from engine.cases.annual_cycle import AnnualRound, AnnualRoundExists, annual_round, start_annual_round
from engine.cases.results import (
    CaseDiagram,
    CaseInfo,
    DefinitionInfo,
    EventInfo,
    InboxItem,
    PersonInfo,
    TaskDetail,
    TaskInfo,
    UnitInfo,
)
from engine.cases.scheduler import TimerScheduler
from engine.cases.submission import Submission
from engine.config import Settings
from engine.deployment.service import DefinitionNotFound, DeployPreview
from engine.errors import (
    AnonymousChannelClosed,
    CaseNotFound,
    CodeNotRecognised,
    ConcurrentUpdate,
    DefinitionError,
    ExpressionError,
    InvalidInput,
    NotAllowed,
    NotFound,
    OrganisationError,
    Problem,
    SignInRefused,
    SyncStopped,
    TaskNotFound,
    TaskNotOpen,
    UnknownCaseKind,
    UnknownPerson,
    TooManyAttempts,
    UnknownUnit,
    VaernError,
)
from engine.figures import FIGURE_ROLES, FiguresReport, FigureUnit
from engine.figures.suppression import HIDDEN as FIGURE_HIDDEN
from engine.figures.suppression import SHOWN as FIGURE_SHOWN
from engine.figures.suppression import SMALL as FIGURE_SMALL
from engine.identity.passwords import DEMO_PASSWORD
from engine.identity.service import SignedIn
from engine.identity.throttle import LoginThrottle
from engine.modelling.approvals import Approval, ApprovalNeeded
from engine.modelling.results import DraftConflict, Edition, SavedDraft
from engine.notify.service import NoticeInfo, OutboxInfo
from engine.org.directory import PersonChoice, PersonMatch
from engine.org.roles import KNOWN_ROLES, ROLE_LABELS_DA
from engine.org.sync import OrgDiff
from engine.privacy.case_page import CasePage
from engine.privacy.grants import AccessGrantInfo, ConsentInfo, GrantRefused
from engine.privacy.overview import OverviewFilters, OverviewPage, OverviewRow
from engine.privacy.policy import LEADER_RELATIONS
from engine.privacy.reports import ReportPage, ReportRow
from engine.privacy.retention import PurgeReport
from engine.privacy.service import AccessLogEntry, CaseView
from engine.service import Vaern, open_vaern
from engine.webhooks import EVENTS as WEBHOOK_EVENTS
from engine.webhooks import DeliveryInfo, SubscriptionInfo
from engine.webhooks import sign as sign_webhook
from engine.webhooks import verify as verify_webhook
from engine.trial.results import BehaviourTrial, CaseMoves, DryRun

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
    "CasePage", "Submission", "SignedIn",
    "DefinitionNotFound", "DeployPreview", "Change", "diff_xml", "Blocker", "MigrationCheck", "MigrationRefused",
    "grouped_code", "ANONYMOUS_ACT_KINDS", "DialogueMessage", "HandlerView", "WriterView", "WrittenReport",
    "AnonymousSubmitted", "AnonymousChannelClosed", "CodeNotRecognised", "TooManyAttempts",
    "DraftConflict", "Edition", "SavedDraft", "SignInRefused", "SyncStopped", "OrgDiff",
    "API_SCOPES", "ApiCaller", "ApiClientInfo", "IssuedToken", "TokenInfo",
    "WEBHOOK_EVENTS", "DeliveryInfo", "SubscriptionInfo", "sign_webhook", "verify_webhook",
    "Approval", "ApprovalNeeded", "BehaviourTrial", "CaseMoves", "DryRun",
]
