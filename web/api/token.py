"""The OAuth2 token endpoint: a client trades its id and secret for a bearer token (client credentials grant)."""
from __future__ import annotations

import time

from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from engine import NotAllowed

from ..helpers import now, service
from . import schemas
from .auth import limiter
from .problems import ApiProblem

blp = Blueprint("api_token", __name__, url_prefix="/api/v1/oauth", description="Tokens for clients")


@blp.route("/token")
class Token(MethodView):
    @blp.doc(security=[])
    @blp.arguments(schemas.TokenRequest, location="form")
    @blp.response(200, schemas.TokenResponse)
    @blp.alt_response(400, schema=schemas.Problem, content_type="application/problem+json")
    @blp.alt_response(401, schema=schemas.Problem, content_type="application/problem+json")
    @blp.alt_response(429, schema=schemas.Problem, content_type="application/problem+json")
    def post(self, form):
        """A bearer token for a client (an hour); its id and secret in the form or by HTTP Basic authentication."""
        auth = request.authorization
        client_id = (auth.username if auth and auth.type == "basic" else None) or form.get("client_id", "")
        secret = (auth.password if auth and auth.type == "basic" else None) or form.get("client_secret", "")
        # Counted per client id before the secret is checked: guessing a secret is as slow as any other abuse.
        wait = limiter().hit(("client", client_id), time.monotonic())
        if wait is not None:
            raise ApiProblem(429, _("Too many requests"), _("Too many token requests. Wait and try again."),
                             headers={"Retry-After": str(int(wait) + 1)})
        scopes = (form.get("scope") or "").split()
        try:
            issued = service().api_tokens.issue_client_token(client_id, secret, scopes, now())
        except NotAllowed:
            raise ApiProblem(401, _("Not signed in"), _("The client id, secret or scope is not valid."),
                             headers={"WWW-Authenticate": 'Basic realm="vaern"'}) from None
        info = issued.info
        return {"access_token": issued.secret, "token_type": "Bearer",
                "expires_in": int((info.expires_at - info.created_at).total_seconds()), "scope": " ".join(info.scopes)}
