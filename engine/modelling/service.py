"""Process owners' drafts of a diagram: saved on the server against the version they started from, checked
like an upload on every save, visible to their author only, and deployed through the reviewed deployment."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.bpmn.definitions import content_hash, validate
from engine.bpmn.xml import NSMAP, as_utf8, parse_xml
from engine.cases.results import DefinitionInfo
from engine.clock import as_utc
from engine.config import Settings
from engine.deployment.service import DefinitionNotFound, DeploymentService, DeployPreview
from engine.errors import DefinitionError, Problem
from engine.modelling.approvals import ApprovalService
from engine.modelling.owners import require_owner
from engine.modelling.results import DraftConflict, Edition, SavedDraft
from engine.models import Definition, ModelDraft
from engine.unit_of_work import UnitsOfWork

DRAFT_FILENAME = "draft.bpmn"


def _newest(s: Session, kind: str) -> Definition:
    row = s.scalar(select(Definition).where(Definition.kind == kind).order_by(Definition.version.desc()).limit(1))
    if row is None:
        raise DefinitionNotFound(f"no version of '{kind}' is deployed")
    return row


def _deployed(row: Definition) -> Edition:
    return Edition(row.kind, row.xml, row.content_hash, row.version, row.content_hash, False, row.deployed_at,
                   row.deployed_by)


def _drafted(row: ModelDraft) -> Edition:
    return Edition(row.kind, row.xml, row.content_hash, row.base_version, row.base_hash, True, row.saved_at,
                   row.person_id)


def _draft_row(s: Session, kind: str, person_id: str) -> ModelDraft | None:
    return s.scalar(select(ModelDraft).where(ModelDraft.kind == kind, ModelDraft.person_id == person_id))


class ModellingService:
    """Open, save, check, discard, preview and deploy a process owner's own draft of a diagram kind."""

    def __init__(self, units: UnitsOfWork, deployment: DeploymentService, settings: Settings):
        self._units = units
        self._deployment = deployment
        self.settings = settings
        self.approvals = ApprovalService(units, settings.deploy_needs_approval)

    def edition(self, kind: str, person_id: str) -> Edition:
        """What the person's editor opens: their own draft of `kind`, or else its newest deployed version."""
        with self._units() as uow:
            s = uow.session
            require_owner(s, person_id)
            draft = _draft_row(s, kind, person_id)
            return _drafted(draft) if draft is not None else _deployed(_newest(s, kind))

    def newest_deployed(self, kind: str, person_id: str) -> Edition:
        """The newest deployed version of `kind`, whatever the person's draft holds."""
        with self._units() as uow:
            require_owner(uow.session, person_id)
            return _deployed(_newest(uow.session, kind))

    def save_draft(self, kind: str, person_id: str, data: bytes, based_on: str, now: datetime) -> SavedDraft:
        """Keep the person's draft if `based_on` is the hash the server holds for them; return its problems.

        Raises DraftConflict (saving nothing) when the person's draft or the deployed version changed since the
        editor opened it, and DefinitionError when the bytes are no diagram one may keep (size, DOCTYPE, XML).
        """
        xml = self._readable(kind, data)
        digest = content_hash(xml)
        with self._units() as uow:
            s = uow.session
            require_owner(s, person_id)
            newest = _newest(s, kind)
            draft = _draft_row(s, kind, person_id)
            current = _drafted(draft) if draft is not None else _deployed(newest)
            if based_on != current.content_hash:
                raise DraftConflict(based_on, current, newest.version)
            if draft is None:
                draft = ModelDraft(kind=kind, person_id=person_id, base_hash=newest.content_hash,
                                   base_version=newest.version)
                s.add(draft)
            draft.xml, draft.content_hash, draft.saved_at = xml.decode("utf-8"), digest, as_utc(now)
            s.flush()
            saved = _drafted(draft)
            uow.commit()
        return SavedDraft(saved, tuple(self.problems(xml)))

    def problems(self, data: bytes) -> list[Problem]:
        """Every problem `vaern check` and an upload would find in the diagram (empty: it may be deployed)."""
        try:
            validate(data, DRAFT_FILENAME, self.settings.max_diagram_bytes, self.settings.timer_limits)
        except DefinitionError as exc:
            return list(exc.problems)
        return []

    def discard_draft(self, kind: str, person_id: str) -> None:
        """Forget the person's draft of `kind`; the editor opens the deployed version again."""
        with self._units() as uow:
            require_owner(uow.session, person_id)
            uow.session.execute(delete(ModelDraft).where(ModelDraft.kind == kind, ModelDraft.person_id == person_id))
            uow.commit()

    def preview_draft(self, kind: str, person_id: str) -> DeployPreview:
        """The person's draft checked and compared with the newest deployed version (DefinitionError: problems)."""
        draft = self.own_draft(kind, person_id)
        return self._deployment.preview_deploy(draft.xml.encode("utf-8"), self._filename(kind))

    def deploy_draft(self, kind: str, person_id: str, reviewed_against: int | None, now: datetime) -> DefinitionInfo:
        """Deploy the person's draft whose changes were shown against `reviewed_against`, and forget the draft.

        Raises ConcurrentUpdate when another version was deployed since, DefinitionError when it has problems,
        ApprovalNeeded when four eyes are required and no other process owner approved the draft as it is.
        """
        draft = self.own_draft(kind, person_id)
        self.approvals.require(kind, person_id, draft.content_hash)
        info = self._deployment.deploy_reviewed(draft.xml.encode("utf-8"), self._filename(kind), reviewed_against,
                                                person_id, now)
        with self._units() as uow:
            uow.session.execute(delete(ModelDraft).where(ModelDraft.kind == kind, ModelDraft.person_id == person_id,
                                                         ModelDraft.content_hash == draft.content_hash))
            uow.commit()
        return info

    def own_draft(self, kind: str, person_id: str) -> Edition:
        """The person's own draft of `kind` (DefinitionNotFound when they have none)."""
        edition = self.edition(kind, person_id)
        if not edition.is_draft:
            raise DefinitionNotFound(f"you have no draft of '{kind}'")
        return edition

    def _filename(self, kind: str) -> str:
        versions = self._deployment.definition_versions(kind)
        return self._deployment.definition_filename(kind, versions[0].version) if versions else f"{kind}.bpmn"

    def _readable(self, kind: str, data: bytes) -> bytes:
        # The same doors as an upload: size, encoding, no DOCTYPE or entities, well-formed; and the same kind.
        utf8, problems = as_utf8(data, DRAFT_FILENAME, self.settings.max_diagram_bytes)
        if utf8 is None:
            raise DefinitionError(problems)
        tree, problems = parse_xml(utf8, DRAFT_FILENAME, self.settings.max_diagram_bytes)
        if tree is None:
            raise DefinitionError(problems)
        ids = tree.getroot().xpath("./bpmn:process[@isExecutable='true']/@id", namespaces=NSMAP)
        if ids and ids[0] != kind:
            raise DefinitionError([Problem(DRAFT_FILENAME, None, ids[0], f"the process id '{ids[0]}' must stay "
                                                                          f"'{kind}' in a draft of that diagram")])
        return utf8

