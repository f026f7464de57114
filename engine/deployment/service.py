"""Process owners' commands: preview a diagram against the deployed version, read any version's XML,
compare versions, and move running cases to a newer version where that is safe."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.bpmn.definitions import ParsedDefinition, validate
from engine.bpmn.diff import Change, diff_xml
from engine.bpmn.migration import Blocker, MigrationCheck, MigrationRefused, carry_settings, check
from engine.bpmn.workflow import CaseWorkflow
from engine.cases import store
from engine.cases.loader import CaseLoader
from engine.cases.queries import case_info
from engine.cases.results import CaseInfo, DefinitionInfo
from engine.clock import as_utc
from engine.config import Settings
from engine.errors import ConcurrentUpdate, NotFound
from engine.models import Case, Definition
from engine.unit_of_work import UnitOfWork, UnitsOfWork


class DefinitionNotFound(NotFound):
    """No deployed version of that kind has that number."""


@dataclass(frozen=True)
class DeployPreview:
    """A validated diagram not yet deployed: what it is and what it changes against the newest version."""

    kind: str
    name: str
    content_hash: str
    filename: str
    current: DefinitionInfo | None        # the newest deployed version of the same kind, if any
    existing: DefinitionInfo | None       # a deployed version with exactly these bytes, if any
    changes: tuple[Change, ...]


def _info(row: Definition, created: bool = True) -> DefinitionInfo:
    return DefinitionInfo(row.id, row.kind, row.version, row.name, row.content_hash, row.deployed_at,
                          row.deployed_by, created)


def _newest(s: Session, kind: str, lock: bool = False) -> Definition | None:
    query = select(Definition).where(Definition.kind == kind).order_by(Definition.version.desc()).limit(1)
    if lock:
        # SQLite: the write lock from here on; PostgreSQL: the newest row, so a rival deploy waits for this one.
        return store.execute_locked(s, query.with_for_update()).scalar()
    return s.scalar(query)


def _version(s: Session, kind: str, version: int) -> Definition:
    row = s.scalar(select(Definition).where(Definition.kind == kind, Definition.version == version))
    if row is None:
        raise DefinitionNotFound(f"no version {version} of '{kind}' is deployed")
    return row


class DeploymentService:
    """Deploying with a preview, version XML and diffs, and moving running cases to a newer version."""

    def __init__(self, units: UnitsOfWork, loader: CaseLoader, settings: Settings):
        self._units = units
        self._loader = loader
        self.settings = settings

    def deploy(self, data: bytes, filename: str, user: str, now: datetime) -> DefinitionInfo:
        """Validate a diagram and store it as the newest version of its case kind (same bytes: no-op)."""
        parsed = self._validate(data, filename)
        with self._units() as uow:
            info = self._store(uow, parsed, filename, user, as_utc(now))
            uow.commit()
        self._loader.specs.put(parsed)
        return info

    def definitions(self) -> list[DefinitionInfo]:
        """Every deployed version, newest first within each kind."""
        with self._units() as uow:
            rows = uow.session.scalars(select(Definition).order_by(Definition.kind, Definition.version.desc()))
            return [_info(r) for r in rows]

    def preview_deploy(self, data: bytes, filename: str) -> DeployPreview:
        """Validate a diagram (DefinitionError lists every problem) and diff it against the newest version."""
        parsed = self._validate(data, filename)
        with self._units() as uow:
            s = uow.session
            current = _newest(s, parsed.kind)
            existing = s.scalar(select(Definition).where(Definition.content_hash == parsed.content_hash))
            changes = diff_xml(current.xml, data, self.settings.max_diagram_bytes) if current is not None else []
            return DeployPreview(parsed.kind, parsed.name, parsed.content_hash, filename,
                                 _info(current) if current is not None else None,
                                 _info(existing) if existing is not None else None, tuple(changes))

    def deploy_reviewed(self, data: bytes, filename: str, reviewed_against: int | None, user: str,
                        now: datetime) -> DefinitionInfo:
        """Deploy a diagram whose preview was shown against version `reviewed_against` (None: no version yet).

        Raises ConcurrentUpdate, deploying nothing, when someone deployed another version since.
        """
        parsed = self._validate(data, filename)
        with self._units() as uow:
            # The check and the write in one transaction: nobody deploys in between.
            current = _newest(uow.session, parsed.kind, lock=True)
            newest = current.version if current is not None else None
            same_bytes = current is not None and current.content_hash == parsed.content_hash
            if newest != reviewed_against and not same_bytes:
                raise ConcurrentUpdate(f"version {newest} of '{parsed.kind}' was deployed after the changes were "
                                       "shown; review them again")
            info = self._store(uow, parsed, filename, user, as_utc(now))
            uow.commit()
        self._loader.specs.put(parsed)
        return info

    def definition_versions(self, kind: str) -> list[DefinitionInfo]:
        """The deployed versions of one case kind, newest first."""
        with self._units() as uow:
            rows = uow.session.scalars(select(Definition).where(Definition.kind == kind)
                                       .order_by(Definition.version.desc()))
            return [_info(r) for r in rows]

    def definition_xml(self, kind: str, version: int) -> tuple[DefinitionInfo, str]:
        """One deployed version and its XML exactly as it was deployed."""
        with self._units() as uow:
            row = _version(uow.session, kind, version)
            return _info(row), row.xml

    def definition_filename(self, kind: str, version: int) -> str:
        """The file name a deployed version came from."""
        with self._units() as uow:
            return _version(uow.session, kind, version).filename

    def diff_versions(self, kind: str, old_version: int, new_version: int) -> list[Change]:
        """What changed from one deployed version of a kind to another."""
        with self._units() as uow:
            old, new = _version(uow.session, kind, old_version), _version(uow.session, kind, new_version)
            return diff_xml(old.xml, new.xml, self.settings.max_diagram_bytes)

    def older_case_counts(self) -> dict[str, int]:
        """Per case kind: how many open cases run a version older than the newest."""
        with self._units() as uow:
            s = uow.session
            newest = select(Definition.kind, func.max(Definition.version).label("newest")) \
                .group_by(Definition.kind).subquery()
            rows = s.execute(select(Case.kind, func.count(Case.id))
                             .join(Definition, Definition.id == Case.definition_id)
                             .join(newest, newest.c.kind == Case.kind)
                             .where(Case.status == "open", Definition.version < newest.c.newest)
                             .group_by(Case.kind))
            return {kind: count for kind, count in rows}

    def migration_checks(self, kind: str, limit: int = 500) -> list[MigrationCheck]:
        """For each open case of an older version of `kind`: may it move to the newest version, and why not."""
        with self._units() as uow:
            s = uow.session
            newest = _newest(s, kind)
            if newest is None:
                return []
            ids = s.scalars(select(Case.id).join(Definition, Definition.id == Case.definition_id)
                            .where(Case.kind == kind, Case.status == "open", Definition.version < newest.version)
                            .order_by(Case.id).limit(limit))
            return [self._migration_check(uow, case_id, newest) for case_id in list(ids)]

    def migration_check(self, case_id: int, to_version: int | None = None) -> MigrationCheck:
        """Whether one case may move to `to_version` (default: the newest version of its kind)."""
        with self._units() as uow:
            s = uow.session
            case = store.get_case(s, case_id)
            target = _newest(s, case.kind) if to_version is None else _version(s, case.kind, to_version)
            return self._migration_check(uow, case_id, target)

    def _migration_check(self, uow: UnitOfWork, case_id: int, target: Definition) -> MigrationCheck:
        loaded = self._loader.load_case(uow, case_id, lock=False)
        try:
            return check(case_id, loaded.workflow.spiff, loaded.parsed, self._loader.parsed(target),
                         loaded.case.definition.version, target.version, loaded.case.version)
        finally:
            self._loader.put_back(uow, loaded)

    def migrate_case(self, case_id: int, to_version: int, user: str, now: datetime,
                     expected_version: int | None = None) -> CaseInfo:
        """Move an open case to another version of its diagram, in one transaction, if that is safe.

        `expected_version` is the case's row version the caller saw; raises ConcurrentUpdate when the case
        changed since, and MigrationRefused naming the blocking elements when the move is not safe.
        """
        now = as_utc(now)
        with self._units() as uow:
            s = uow.session
            loaded = self._loader.load_case(uow, case_id)
            case, parsed, workflow = loaded.case, loaded.parsed, loaded.workflow
            if expected_version is not None and case.version != expected_version:
                raise ConcurrentUpdate(f"case {case_id} was changed by someone else; reload it and try again")
            if case.status != "open":
                raise MigrationRefused(case_id, to_version, [Blocker("case", "the case is closed; only open cases move "
                                                                          "to a new version")])
            current = case.definition
            target = _version(s, case.kind, to_version)
            if target.id == current.id:
                return case_info(self._loader, s, case_id)
            new_parsed = self._loader.parsed(target)
            verdict = check(case_id, workflow.spiff, parsed, new_parsed, current.version, target.version)
            if not verdict.allowed:
                raise MigrationRefused(case_id, to_version, list(verdict.blockers))
            moved = CaseWorkflow.loads(workflow.dumps(), new_parsed)
            settings = carry_settings(moved.spiff, parsed, new_parsed)
            store.save_case(uow, case, moved, {"definition_id": target.id}, now)
            store.record(uow, now, user, "case_migrated", case_id, from_version=current.version,
                         to_version=target.version, content_hash=target.content_hash, settings=settings)
            uow.commit()
            return case_info(self._loader, s, case_id)

    def _validate(self, data: bytes, filename: str) -> ParsedDefinition:
        return validate(data, filename, self.settings.max_diagram_bytes, self.settings.timer_limits)

    def _store(self, uow: UnitOfWork, parsed: ParsedDefinition, filename: str, user: str,
               now: datetime) -> DefinitionInfo:
        s = uow.session
        existing = s.scalar(select(Definition).where(Definition.content_hash == parsed.content_hash))
        if existing is not None:
            return _info(existing, created=False)
        latest = s.scalar(select(func.max(Definition.version)).where(Definition.kind == parsed.kind)) or 0
        row = Definition(kind=parsed.kind, version=latest + 1, name=parsed.name, content_hash=parsed.content_hash,
                         filename=Path(filename).name, xml=parsed.xml, deployed_at=now, deployed_by=user)
        s.add(row)
        s.flush()
        store.record(uow, now, user, "definition_deployed", kind=parsed.kind, version=row.version,
                     content_hash=parsed.content_hash)
        return _info(row)
