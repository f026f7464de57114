"""Opaque cursors for paging: a client hands back the `next_cursor` it was given, never builds one."""
from __future__ import annotations

import base64
import json

from flask_babel import gettext as _

from .problems import ApiProblem


def encode(position: dict) -> str:
    """The cursor for a position (an offset or the last id seen, with what the list was asked for)."""
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(cursor: str | None, expected: dict) -> dict | None:
    """The position a cursor holds; 400 when it is not one of ours or was made for another filter or sort."""
    if not cursor:
        return None
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        position = None
    if not isinstance(position, dict) or any(position.get(k) != v for k, v in expected.items()):
        raise ApiProblem(400, _("Bad request"), _("The cursor is not valid for this list. Start from the first page."),
                         {"cursor": _("not a cursor from this list")})
    return position
