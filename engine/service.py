"""The engine's public face: `open_vaern` builds the services each capability owns and `Vaern` holds them.

Every service gets what it needs in its constructor (the units of work, the case loader, the stepper,
the settings) and each public call is one transaction, with `user` and `now` passed in. `Vaern`
exposes the services (`vaern.commands`, `vaern.queries`, `vaern.timers`, `vaern.privacy`, …) and forwards the calls the
web and the command line have always made, so they need not know which service owns which call.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from engine.anonymous.service import AnonymousService
from engine.api_tokens import ApiTokens
from engine.bpmn.cache import WorkflowCache
from engine.bpmn.definitions import SpecCache
from engine.cases.commands import CaseCommands
from engine.cases.drafts import DraftService
from engine.cases.loader import CaseLoader
from engine.cases.queries import CaseQueries
from engine.cases.stepping import Stepper
from engine.cases.submission import TaskSubmissions
from engine.cases.timers import TimerService
from engine.config import Settings
from engine.db import make_engine, session_factory, upgrade_schema
from engine.deployment.service import DeploymentService
from engine.figures import FigureSettings, FiguresService
from engine.identity.external import ClaimRules, ExternalIdentities
from engine.identity.service import AccountService
from engine.modelling.service import ModellingService
from engine.notify.service import NoticeService
from engine.org.service import OrgService
from engine.org.snapshot import OrgCache
from engine.org.sync_service import DirectorySync
from engine.privacy.case_page import CasePages
from engine.privacy.grants import GrantService
from engine.privacy.reports import ReportService
from engine.privacy.retention import RetentionService
from engine.privacy.service import PrivacyService
from engine.trial.service import TrialService
from engine.unit_of_work import UnitOfWork, UnitsOfWork
from engine.webhooks import WebhookService


class _Forward:
    """A method of the façade that is the same-named method of one of its services."""

    def __init__(self, service: str):
        self.service = service
        self.name = ""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, vaern, owner=None) -> Any:
        if vaern is None:
            return self
        return getattr(getattr(vaern, self.service), self.name)


class Vaern:
    """Deploy diagrams, run cases, read inboxes: the services of one engine, built by `open_vaern`."""

    def __init__(self, settings: Settings, engine: Engine):
        self.settings = settings
        self.db = engine
        workflows = WorkflowCache(settings.workflow_cache_size)
        self.units_of_work = UnitsOfWork(session_factory(engine), OrgCache(), workflows)
        self.loader = CaseLoader(SpecCache(settings.max_diagram_bytes, settings.timer_limits), workflows)
        stepper = Stepper(settings)
        self.commands = CaseCommands(self.units_of_work, self.loader, stepper)
        self.submissions = TaskSubmissions(self.units_of_work, self.loader, self.commands)
        self.queries = CaseQueries(self.units_of_work, self.loader)
        self.timers = TimerService(self.units_of_work, self.loader, stepper)
        self.drafts = DraftService(self.units_of_work)
        self.deployment = DeploymentService(self.units_of_work, self.loader, settings)
        self.modelling = ModellingService(self.units_of_work, self.deployment, settings)
        self.trial = TrialService(self.units_of_work, self.loader, self.modelling, settings)
        self.organisation = OrgService(self.units_of_work)
        self.accounts = AccountService(self.units_of_work, settings.local_passwords, settings.break_glass_accounts)
        self.external_identities = ExternalIdentities(self.units_of_work, ClaimRules(
            settings.oidc_match_claim, settings.oidc_roles_claim, settings.oidc_admin_value,
            settings.oidc_process_owner_value))
        self.directory_sync = DirectorySync(self.units_of_work, self.loader, settings)
        self.privacy = PrivacyService(self.units_of_work, self.loader)
        self.pages = CasePages(self.units_of_work, self.loader)
        self.grants = GrantService(self.units_of_work)
        self.reports = ReportService(self.units_of_work, self.loader)
        self.retention = RetentionService(self.units_of_work, self.loader, engine)
        self.notify = NoticeService(self.units_of_work, settings)
        self.figures = FiguresService(self.units_of_work, self.units_of_work.org_cache, FigureSettings(
            settings.figures_threshold, settings.figures_long_open_days, settings.figures_confidential_min_people,
            settings.figures_cache_seconds))
        self.api_tokens = ApiTokens(self.units_of_work)
        self.webhooks = WebhookService(self.units_of_work)
        self.anonymous = AnonymousService(self.units_of_work, self.loader, self.commands, self.retention, settings)

    @property
    def specs(self) -> SpecCache:
        """This process's parsed diagrams, by content hash."""
        return self.loader.specs

    def uow(self) -> UnitOfWork:
        """A new unit of work (one transaction), for a caller that reads or writes the tables itself."""
        return self.units_of_work()

    def after_commit(self, callback) -> None:
        """Call `callback()` after every committed command (a scheduler re-arms its wake-up there)."""
        self.units_of_work.after_commit(callback)

    # Cases: start them and move them on.
    start_case = _Forward("commands")
    complete_task = _Forward("commands")
    claim = _Forward("commands")
    release = _Forward("commands")
    send_message = _Forward("commands")
    mark_serious = _Forward("commands")
    submit_task = _Forward("submissions")
    # What inboxes and case pages read.
    inbox = _Forward("queries")
    task = _Forward("queries")
    task_detail = _Forward("queries")
    task_form = _Forward("queries")
    case = _Forward("queries")
    cases = _Forward("queries")
    tasks_of_case = _Forward("queries")
    timers_of_case = _Forward("queries")
    events = _Forward("queries")
    involvement = _Forward("queries")
    reported_by = _Forward("queries")
    my_cases = _Forward("queries")
    case_diagram = _Forward("queries")
    case_settings = _Forward("queries")
    case_version = _Forward("queries")
    case_fields = _Forward("queries")
    case_task_fields = _Forward("queries")
    case_field_labels = _Forward("queries")
    waiting_messages = _Forward("queries")
    may_send_message = _Forward("queries")
    sendable_messages = _Forward("queries")
    # Timers.
    fire_due_timers = _Forward("timers")
    next_due_time = _Forward("timers")
    # Drafts.
    save_draft = _Forward("drafts")
    draft = _Forward("drafts")
    discard_drafts = _Forward("drafts")
    discard_draft = _Forward("drafts")
    # Diagrams and their versions.
    deploy = _Forward("deployment")
    definitions = _Forward("deployment")
    preview_deploy = _Forward("deployment")
    deploy_reviewed = _Forward("deployment")
    definition_versions = _Forward("deployment")
    definition_xml = _Forward("deployment")
    definition_filename = _Forward("deployment")
    diff_versions = _Forward("deployment")
    older_case_counts = _Forward("deployment")
    migration_checks = _Forward("deployment")
    migration_check = _Forward("deployment")
    migrate_case = _Forward("deployment")
    # The organisation.
    import_org = _Forward("organisation")
    resolve = _Forward("organisation")
    people = _Forward("organisation")
    person_names = _Forward("organisation")
    find_people = _Forward("organisation")
    choose_person = _Forward("organisation")
    person_match = _Forward("organisation")
    person = _Forward("organisation")
    units = _Forward("organisation")
    preview_sync = _Forward("directory_sync")
    apply_sync = _Forward("directory_sync")
    # Accounts.
    set_password = _Forward("accounts")
    end_sessions = _Forward("accounts")
    authenticate = _Forward("accounts")
    login_person_id = _Forward("accounts")
    signed_in = _Forward("accounts")
    sign_in_external = _Forward("external_identities")
    unlink = _Forward("external_identities")
    # Need to know.
    case_overview = _Forward("privacy")
    case_access = _Forward("privacy")
    view_case = _Forward("privacy")
    case_page = _Forward("pages")
    view_task = _Forward("privacy")
    log_maintenance_read = _Forward("privacy")
    access_log_about = _Forward("privacy")
    access_log = _Forward("privacy")
    grant_access = _Forward("grants")
    access_grants = _Forward("grants")
    withdraw_access = _Forward("grants")
    consent_to_access = _Forward("grants")
    withdraw_consent = _Forward("grants")
    access_consents = _Forward("grants")
    my_reports = _Forward("reports")
    purge_closed_cases = _Forward("retention")
    case_statistics = _Forward("retention")
    # Notices and mail.
    notices = _Forward("notify")
    unread_notice_count = _Forward("notify")
    mark_notices_read = _Forward("notify")
    outbox = _Forward("notify")
    send_mail = _Forward("notify")


def open_vaern(settings: Settings | None = None, migrate: bool = True) -> Vaern:
    """Connect to the database, bring its schema up to date and return the service."""
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url, echo=settings.echo_sql)
    if migrate:
        upgrade_schema(engine)
    return Vaern(settings, engine)
