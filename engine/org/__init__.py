"""The organisation: units, people, role holders, and who holds a role for a case."""
