"""Who may edit, approve and deploy diagrams: process owners and administrators."""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.errors import NotAllowed
from engine.models import Account


def require_owner(s: Session, person_id: str) -> None:
    """Raise NotAllowed unless the person is a process owner or an administrator."""
    account = s.get(Account, person_id)
    if account is None or not (account.is_admin or account.is_process_owner):
        raise NotAllowed("only process owners and administrators edit diagrams")
