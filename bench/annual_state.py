"""The serialized state of an annual round with 20 LMUs, without and with the committees' frozen figures.

The frozen figures live in `task_figures`, beside the state; kept in the tasks' data instead, they were
copied into every later task and the state grew from 377 to 721 KiB by the RMU's task.

Run: .venv/bin/python bench/annual_state.py (SQLite in a temporary directory).
"""
from __future__ import annotations

import json
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from engine import Settings, open_vaern  # noqa: E402
from engine.figures import frozen  # noqa: E402
from engine.models import Case, TaskFigures  # noqa: E402
from tests.scenario import deploy_guideline, do  # noqa: E402
from tests.test_scenario_annual_med import hmu_answers, lmu_answers  # noqa: E402

START = datetime(2027, 2, 1, 8, 0, tzinfo=timezone.utc)
HOSPITALS, DEPARTMENTS = 4, 5  # 4 HMUs with 5 LMUs each: 20 LMUs


def _org(path: Path) -> None:
    units = ["  - {id: region, name: Region, kind: region}"]
    people, roles = ["  - {id: rmu, name: RMU}"], ["  - {unit: region, role: rmu, person: rmu}"]
    for h in range(HOSPITALS):
        units.append(f"  - {{id: h{h}, name: Hospital {h}, kind: hospital, parent: region}}")
        people.append(f"  - {{id: hmu-{h}, name: HMU {h}}}")
        roles.append(f"  - {{unit: h{h}, role: hmu, person: hmu-{h}}}")
        for d in range(DEPARTMENTS):
            units.append(f"  - {{id: d{h}-{d}, name: Afdeling {h}-{d}, parent: h{h}}}")
            people.append(f"  - {{id: lmu-{h}-{d}, name: LMU {h}-{d}, unit: d{h}-{d}}}")
            roles.append(f"  - {{unit: d{h}-{d}, role: lmu, person: lmu-{h}-{d}}}")
    path.write_text("units:\n" + "\n".join(units) + "\npeople:\n" + "\n".join(people) + "\nroles:\n"
                    + "\n".join(roles) + "\n", encoding="utf-8")


def _size(vaern, case_id: int) -> tuple[int, int]:
    """The bytes of the case's state, and of its frozen figures as JSON."""
    with vaern.uow() as uow:
        s = uow.session
        state = len(s.execute(select(Case.state).where(Case.id == case_id)).scalar_one().encode("utf-8"))
        figures = sum(len(json.dumps(c, ensure_ascii=False).encode("utf-8")) for c in
                      s.scalars(select(TaskFigures.content).where(TaskFigures.case_id == case_id)))
        return state, figures


def measure() -> list[tuple[int, int]]:
    """The state's bytes: LMU tasks created, HMU tasks created, RMU task created."""
    with tempfile.TemporaryDirectory() as tmp:
        org = Path(tmp) / "org.yaml"
        _org(org)
        vaern = open_vaern(Settings(database_url=f"sqlite:///{tmp}/vaern.sqlite3"))
        vaern.import_org(org, "admin", START)
        deploy_guideline(vaern, START, "annual_med")
        case = vaern.start_case("annual_med", "region", {"year": 2027}, "rmu", START)
        sizes = [_size(vaern, case.id)]
        now = START + timedelta(days=10)
        for h in range(HOSPITALS):
            for d in range(DEPARTMENTS):
                do(vaern, f"lmu-{h}-{d}", case.id, "lmu_annual_discussion", now, **lmu_answers(now))
        sizes.append(_size(vaern, case.id))
        for h in range(HOSPITALS):
            do(vaern, f"hmu-{h}", case.id, "hmu_annual_discussion", now, **hmu_answers(now))
        sizes.append(_size(vaern, case.id))
        vaern.db.dispose()
        return sizes


if __name__ == "__main__":
    after = measure()
    with mock.patch.object(frozen, "freeze", lambda *args, **kwargs: None):
        before = measure()
    for label, (b, _), (a, table) in zip(("LMU tasks open", "HMU tasks open", "RMU task open"), before, after):
        print(f"{label:16} state without {b / 1024:7.1f} KiB, with {a / 1024:7.1f} KiB; "
              f"task_figures {table / 1024:6.1f} KiB")
