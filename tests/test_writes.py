"""A case's save and its other rows: together on every database, and nothing at all when the race is lost."""
from __future__ import annotations

from sqlalchemy import select

from engine.cases import writes
from engine.models import Case, CaseParty, Event
from tests.conftest import T0

PARTY, CASE, EVENT = CaseParty.__table__, Case.__table__, Event.__table__


def _case(vaern) -> tuple[int, int]:
    info = vaern.start_case("simple", "afd-akut", {"employee_id": "ansat-akut"}, "ansat-akut", T0)
    return info.id, info.version


def _parties(session, case_id) -> dict[str, str]:
    rows = session.execute(select(PARTY.c.role, PARTY.c.person_id).where(PARTY.c.case_id == case_id))
    return {role: person for role, person in rows}


def test_a_save_applies_inserts_updates_and_deletes_of_several_rows(vaern):
    case_id, version = _case(vaern)
    with vaern.uow() as uow:
        s = uow.session
        added = ({"case_id": case_id, "role": "colleague", "person_id": "kollega-akut"},
                 {"case_id": case_id, "role": "reporter", "person_id": "tr-akut"})
        assert writes.save(s.connection(), uow.queued, CASE, {"id": case_id}, version, {"version": version + 1, "serious": True},
                           [writes.Change("insert", PARTY, added)])
        assert writes.save(s.connection(), uow.queued, CASE, {"id": case_id}, version + 1, {"version": version + 2}, [
            writes.Change("update", PARTY, ({"case_id": case_id, "role": "reporter", "person_id": "hr-hosp"},)),
            writes.Change("delete", PARTY, ({"case_id": case_id, "role": "colleague"},
                                            {"case_id": case_id, "role": "employee"})),
        ])
        uow.commit()
    with vaern.uow() as uow:
        assert _parties(uow.session, case_id) == {"reporter": "hr-hosp"}
        stored = uow.session.get(Case, case_id)
        assert (stored.version, stored.serious) == (version + 2, True)


def test_a_save_at_a_version_that_moved_on_writes_nothing_not_even_queued_rows(vaern):
    case_id, version = _case(vaern)
    with vaern.uow() as uow:
        s = uow.session
        events_before = len(s.execute(select(EVENT.c.id)).all())
        uow.queued.add(EVENT, [{"at": T0, "actor": "x", "action": "lost", "case_id": case_id, "task_id": None,
                                "details": {}}])
        saved = writes.save(s.connection(), uow.queued, CASE, {"id": case_id}, version - 1,
                            {"version": version, "state": "{}"},
                            [writes.Change("insert", PARTY, ({"case_id": case_id, "role": "colleague",
                                                              "person_id": "kollega-akut"},))])
        assert saved is False
        # Asked inside the same transaction: nothing of the save reached the tables.
        assert "colleague" not in _parties(s, case_id)
        assert s.get(Case, case_id).state != "{}"
        assert len(s.execute(select(EVENT.c.id)).all()) == events_before
