"""A case's facts for the figures, taken from its data: categories and flags only, never text or names."""
from __future__ import annotations

from typing import Any

VIOLENCE_TYPES = ("physical", "psychological")
HARASSMENT_KINDS = ("offensive", "bullying", "sexual_harassment", "sexism")
CATEGORIES = tuple(f"violence_{t}" for t in VIOLENCE_TYPES) + HARASSMENT_KINDS
ACTORS = ("patient", "citizen", "relative", "colleague", "manager")
SEVERITIES = (1, 2, 3, 4, 5)


def fact_row(case_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """The case_fact row for a case with this data; anything unexpected counts as not stated."""
    violence_type, kind = data.get("violence_type"), data.get("kind")
    category = (f"violence_{violence_type}" if violence_type in VIOLENCE_TYPES
                else kind if kind in HARASSMENT_KINDS else None)
    severity = data.get("severity")
    acted_by = data.get("acted_by")
    return {"case_id": case_id, "category": category,
            "severity": severity if severity in SEVERITIES and not isinstance(severity, bool) else None,
            "acted_by": acted_by if acted_by in ACTORS else None, "injured": data.get("injured") is True}
