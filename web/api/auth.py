"""Who calls the API: a bearer token, never a cookie; the scopes a view needs; a rate limit per token."""
from __future__ import annotations

import threading
import time
from collections import deque

from flask import current_app, g, request
from flask_babel import gettext as _

from engine import ApiCaller

from ..helpers import now, service
from .problems import ApiProblem

DEFAULT_RATE = 600          # requests per token per window
DEFAULT_WINDOW_SECONDS = 60


class RateLimiter:
    """A sliding window of request times per key, in this process's memory."""

    def __init__(self, limit: int, window: float):
        self.limit, self.window = limit, window
        self._hits: dict[object, deque] = {}
        self._lock = threading.Lock()

    def hit(self, key, moment: float) -> float | None:
        """Count a request; None when allowed, else the seconds until the next one will be."""
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= moment - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(0.0, hits[0] + self.window - moment)
            hits.append(moment)
            return None


def limiter() -> RateLimiter:
    """The app's rate limiter for API tokens."""
    return current_app.extensions["vaern_api_limiter"]


def _unauthorized(detail: str) -> ApiProblem:
    return ApiProblem(401, _("Not signed in"), detail, headers={"WWW-Authenticate": 'Bearer realm="vaern"'})


def authenticate() -> None:
    """Before every API view but the token endpoint: the bearer token's caller in `g.api_caller`, or 401/429."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        if request.cookies:
            raise _unauthorized(_("The API does not accept cookies. Send a bearer token in the Authorization "
                                  "header."))
        raise _unauthorized(_("Send a bearer token in the Authorization header."))
    caller = service().api_tokens.authenticate(token.strip(), now())
    if caller is None:
        raise _unauthorized(_("The token is unknown, expired or revoked."))
    wait = limiter().hit(caller.token_id, time.monotonic())
    if wait is not None:
        raise ApiProblem(429, _("Too many requests"), _("This token has sent too many requests. Wait and try again."),
                         headers={"Retry-After": str(int(wait) + 1)})
    g.api_caller = caller
    # The web's helpers (reading person fields, names) know the caller as the signed-in person.
    g.person = caller.person


def caller(scope: str) -> ApiCaller:
    """The caller, if their token carries `scope`; else 403."""
    found: ApiCaller = g.api_caller
    if scope not in found.scopes:
        raise ApiProblem(403, _("Missing scope"), _("The token lacks the scope %(scope)s.", scope=scope))
    return found


def client_caller() -> ApiCaller:
    """The caller, if it is a client (a system) rather than a person's own token; else 403."""
    found: ApiCaller = g.api_caller
    if found.client_id is None:
        raise ApiProblem(403, _("Only for clients"), _("Webhooks belong to a client: use a client's token."))
    return found
