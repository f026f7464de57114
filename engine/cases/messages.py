"""Who may send which message into a case: a pure policy, checked by the engine on every delivery.

A message is how a person outside the diagram's tasks moves a case: the affected withdraws the
complaint (K-H8), the reporter or the affected asks the next management level for help (GEN-1,
K-S8), the case's leader registers an injury or absence found out later (LAW-1). A relation is what
`involvement` returns ('reporter', 'party:employee', 'task:leader' …).
"""
from __future__ import annotations

from engine.privacy.policy import LEADER_RELATIONS

SENDERS: dict[str, frozenset[str]] = {
    "escalation_requested": frozenset({"reporter", "party:reporter", "party:employee"}),
    "complaint_withdrawn": frozenset({"party:employee"}),
    "injury_discovered": LEADER_RELATIONS,
}
# The command line and the engine itself act for the organisation and may deliver any message.
OPERATORS = frozenset({"system", "cli", "admin"})


def may_send(message: str, relations: set[str], user: str) -> bool:
    """True if a person with these relations to the case may send `message` into it."""
    if user in OPERATORS:
        return True
    return bool(SENDERS.get(message, frozenset()) & relations)


def messages_for(relations: set[str]) -> set[str]:
    """The messages a person with these relations may send (whether the case waits for them or not)."""
    return {name for name, allowed in SENDERS.items() if allowed & relations}
