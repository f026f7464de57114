"""Keeping the organisation in step with the directory: a dry run that shows the changes, and applying them.

Applying is one transaction: the organisation written, the open tasks of those who left handed over, the
sync recorded in the event log, or nothing at all.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from engine.cases import store
from engine.cases.handover import hand_over
from engine.cases.loader import CaseLoader
from engine.clock import as_utc
from engine.config import Settings
from engine.db import begin_writing
from engine.errors import ConcurrentUpdate, SyncStopped
from engine.models import OrgRevision
from engine.org.directory_file import read_directory_file
from engine.org.sync import OrgDiff, apply_directory, diff_directory
from engine.unit_of_work import UnitsOfWork


class DirectorySync:
    """Compares directory files with the organisation and applies them, all or nothing."""

    def __init__(self, units: UnitsOfWork, loader: CaseLoader, settings: Settings):
        self._units = units
        self._loader = loader
        self._settings = settings

    def preview_sync(self, content: bytes | str, filename: str) -> OrgDiff:
        """What syncing this file would change (a dry run: nothing is written); OrganisationError if malformed."""
        directory = read_directory_file(content, filename)
        with self._units() as uow:
            revision = uow.session.scalar(select(OrgRevision.revision).where(OrgRevision.id == 1)) or ""
            return diff_directory(uow.session, revision, directory)

    def apply_sync(self, content: bytes | str, filename: str, user: str, now: datetime,
                   allow_removals: bool = False, expected_revision: str | None = None) -> OrgDiff:
        """Make the organisation what the file says, hand over the leavers' open tasks, and log it; one transaction.

        SyncStopped (nothing changed) when more than the configured share would be removed, unless
        `allow_removals`; ConcurrentUpdate when `expected_revision` (the one a preview showed) is no longer current.
        """
        now = as_utc(now)
        directory = read_directory_file(content, filename)
        with self._units() as uow:
            s = uow.session
            begin_writing(s.connection())  # SQLite: hold the write lock from the first read
            revision = s.scalar(select(OrgRevision.revision).where(OrgRevision.id == 1).with_for_update()) or ""
            if expected_revision is not None and revision != expected_revision:
                raise ConcurrentUpdate("the organisation changed since the changes were shown; look at them again")
            diff = diff_directory(s, revision, directory)
            limit = self._settings.sync_max_removed_share
            if diff.removed_share > limit and not allow_removals:
                raise SyncStopped(diff, limit)
            if diff.empty:
                return diff
            apply_directory(s, directory, diff)
            uow.reload_org()
            leavers = {c.id for c in diff.people_left}
            moved = hand_over(uow, self._loader, self._settings, leavers, now) if leavers else 0
            store.record(uow, now, user, "org_synced", file=filename[-200:], tasks_handed_over=moved,
                         left=[c.id for c in diff.people_left][:1000], **diff.counts())
            uow.commit()
            return diff
