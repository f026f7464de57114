"""The role keys a lane may be named after, and which of them are people named by the case."""
from __future__ import annotations

# Person roles come from the case's own variables (`<role>_id`), not from the organisation.
PERSON_ROLES = frozenset({"employee", "accused", "reporter", "colleague", "other_personnel_leader"})

# Unit roles are held per unit; resolution walks up the unit tree where a unit lacks one.
UNIT_ROLES = frozenset({"leader", "tr", "amr", "hr", "koncern_hr", "amg", "lmu", "hmu", "rmu"})

# The leader of the unit above the one whose leader handles the case: the escalation target.
DERIVED_ROLES = frozenset({"leaders_leader"})

KNOWN_ROLES = PERSON_ROLES | UNIT_ROLES | DERIVED_ROLES

ROLE_LABELS_DA = {
    "leader": "Leder",
    "leaders_leader": "Leders leder",
    "other_personnel_leader": "Anden personaleleder",
    "employee": "Medarbejder (den udsatte)",
    "accused": "Oplevet krænker",
    "reporter": "Anmelder",
    "colleague": "Kollega / vidne",
    "tr": "Tillidsrepræsentant (TR)",
    "amr": "Arbejdsmiljørepræsentant (AMR)",
    "hr": "Lokal HR",
    "koncern_hr": "Koncern HR",
    "amg": "Arbejdsmiljøgruppen",
    "lmu": "Lokal-MEDudvalg",
    "hmu": "Hoved-MEDudvalg",
    "rmu": "Regions-MEDudvalg",
}

NOTICE_KINDS = frozenset({"reminder", "overdue", "escalated"})
