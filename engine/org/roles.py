"""The role keys a lane may be named after, and which of them are people named by the case."""
from __future__ import annotations

# Person roles come from the case's own variables (`<role>_id`), not from the organisation.
PERSON_ROLES = frozenset({"employee", "accused", "reporter", "colleague", "other_personnel_leader"})

# Unit roles are held per unit; resolution walks up the unit tree where a unit lacks one.
UNIT_ROLES = frozenset({"leader", "tr", "amr", "hr", "koncern_hr", "amg", "lmu", "hmu", "rmu", "anonymous_handler"})

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
    "anonymous_handler": "Behandler af anonyme henvendelser",
}

# Who takes a task when its lane resolves to no one (no such person in the case, or only the accused
# holds the role): up the line, ending with the case's leader and the leader's leader, so no task is
# ever created for nobody. The first role that resolves to someone takes it.
FALLBACK_ROLES = {
    "hr": ("koncern_hr", "leader", "leaders_leader"),
    "koncern_hr": ("hr", "leader", "leaders_leader"),
    "lmu": ("hmu", "rmu", "leader"),
    "hmu": ("rmu", "leader"),
    "rmu": ("koncern_hr", "leader"),
    "amg": ("amr", "leader", "leaders_leader"),
    "leader": ("leaders_leader", "koncern_hr"),
    "leaders_leader": ("koncern_hr", "hr"),
    # An anonymous report is read by its named handlers only; without one at the unit it goes to the region's
    # Koncern HR, never to a leader who could be the one written about.
    "anonymous_handler": ("koncern_hr",),
    # The accused's tasks are the accused's alone (a hearing); nobody else may answer for them.
    "accused": (),
}
DEFAULT_FALLBACK = ("leader", "leaders_leader", "koncern_hr")


def fallback_roles(role: str) -> tuple[str, ...]:
    """The roles that take a task of `role` when nobody holds it, in the order they are tried."""
    return FALLBACK_ROLES.get(role, DEFAULT_FALLBACK)


NOTICE_KINDS = frozenset({"reminder", "overdue", "escalated"})
