"""Four eyes on a draft: its author asks, another process owner reads the changes and approves those exact bytes,
and (when the setting VAERN_DEPLOY_NEEDS_APPROVAL is on) only an approved draft deploys."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from engine.clock import as_utc
from engine.errors import NotAllowed, NotFound
from engine.models import DraftApproval, ModelDraft
from engine.modelling.owners import require_owner
from engine.unit_of_work import UnitsOfWork


class ApprovalNeeded(NotAllowed):
    """The draft may not deploy yet: another process owner must approve it as it is now."""


@dataclass(frozen=True)
class Approval:
    """A request to approve one person's draft of a kind, and whether (and by whom) it was approved."""

    kind: str
    author_id: str
    content_hash: str      # the draft's bytes the request (and any approval) is for
    requested_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    current: bool          # the draft still holds those bytes (saving it again makes the approval stale)

    @property
    def approved(self) -> bool:
        """Approved by someone else, for the draft as it is now."""
        return self.current and self.approved_by is not None


def _approval(row: DraftApproval, draft: ModelDraft | None) -> Approval:
    return Approval(row.kind, row.author_id, row.content_hash, row.requested_at, row.approved_by, row.approved_at,
                    draft is not None and draft.content_hash == row.content_hash)


def _draft(s, kind: str, person_id: str) -> ModelDraft | None:
    return s.scalar(select(ModelDraft).where(ModelDraft.kind == kind, ModelDraft.person_id == person_id))


class ApprovalService:
    """Ask for, give and read approvals of drafts; the deploy of a draft asks `require` first."""

    def __init__(self, units: UnitsOfWork, required: bool):
        self._units = units
        self.required = required

    def request(self, kind: str, author_id: str, now: datetime) -> Approval:
        """Ask the other process owners to approve the author's draft as it is now (an older request is replaced)."""
        with self._units() as uow:
            s = uow.session
            require_owner(s, author_id)
            draft = _draft(s, kind, author_id)
            if draft is None:
                raise NotFound(f"you have no draft of '{kind}'")
            row = s.scalar(select(DraftApproval).where(DraftApproval.kind == kind,
                                                       DraftApproval.author_id == author_id))
            if row is None:
                row = DraftApproval(kind=kind, author_id=author_id)
                s.add(row)
            row.content_hash, row.requested_at = draft.content_hash, as_utc(now)
            row.approved_by = row.approved_at = None
            s.flush()
            found = _approval(row, draft)
            uow.commit()
            return found

    def approve(self, kind: str, author_id: str, content_hash: str, approver_id: str, now: datetime) -> Approval:
        """Approve the author's draft if it still holds the bytes the approver read (`content_hash`)."""
        with self._units() as uow:
            s = uow.session
            require_owner(s, approver_id)
            if approver_id == author_id:
                raise NotAllowed("a draft is approved by another process owner than its author")
            row = s.scalar(select(DraftApproval).where(DraftApproval.kind == kind,
                                                       DraftApproval.author_id == author_id))
            draft = _draft(s, kind, author_id)
            if row is None or draft is None:
                raise NotFound("no draft of that kind waits for approval from that person")
            if draft.content_hash != content_hash or row.content_hash != content_hash:
                raise NotAllowed("the draft changed since you read it; read the changes again")
            row.approved_by, row.approved_at = approver_id, as_utc(now)
            s.flush()
            found = _approval(row, draft)
            uow.commit()
            return found

    def of(self, kind: str, author_id: str) -> Approval | None:
        """The request for the author's draft of `kind`, if they asked."""
        with self._units() as uow:
            s = uow.session
            row = s.scalar(select(DraftApproval).where(DraftApproval.kind == kind,
                                                       DraftApproval.author_id == author_id))
            return _approval(row, _draft(s, kind, author_id)) if row is not None else None

    def waiting_for(self, kind: str, person_id: str) -> list[Approval]:
        """Requests by others for drafts of `kind` the person could approve (not yet approved, still current)."""
        with self._units() as uow:
            s = uow.session
            require_owner(s, person_id)
            rows = s.scalars(select(DraftApproval).where(DraftApproval.kind == kind,
                                                         DraftApproval.author_id != person_id)
                             .order_by(DraftApproval.requested_at))
            found = [_approval(row, _draft(s, kind, row.author_id)) for row in rows]
            return [a for a in found if a.current and a.approved_by is None]

    def shared_draft_xml(self, kind: str, author_id: str, reader_id: str) -> tuple[str, str]:
        """The XML and hash of a draft its author asked the reader to approve (drafts are otherwise private)."""
        with self._units() as uow:
            s = uow.session
            require_owner(s, reader_id)
            row = s.scalar(select(DraftApproval).where(DraftApproval.kind == kind,
                                                       DraftApproval.author_id == author_id))
            draft = _draft(s, kind, author_id)
            if row is None or draft is None or reader_id == author_id:
                raise NotFound("no draft of that kind waits for your approval from that person")
            return draft.xml, draft.content_hash

    def require(self, kind: str, author_id: str, content_hash: str) -> None:
        """Raise ApprovalNeeded unless the setting is off or another owner approved these exact bytes."""
        if not self.required:
            return
        found = self.of(kind, author_id)
        if found is None or found.content_hash != content_hash or found.approved_by in (None, author_id):
            raise ApprovalNeeded("another process owner must approve the draft as it is now before it is deployed")
