"""Single sign-on through the region's OpenID Connect provider (Entra ID, AD FS or any other), with Authlib.

The authorization code flow with PKCE, state and nonce; the provider's endpoints and keys come from its
discovery document, and Authlib fetches the keys again when a token names a key id it does not know (a
rotation). The ID token's signature, issuer, audience, nonce and expiry are checked here; who the person is,
the engine decides (`sign_in_external`). Log-out ends vaern's session and, where the provider offers an
end_session_endpoint, the provider's.
"""
from __future__ import annotations

import time
from urllib.parse import urlparse

import requests

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
from flask import Blueprint, Flask, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from joserfc.errors import BadSignatureError, JoseError

from engine import SignInRefused

from .helpers import now, service

bp = Blueprint("oidc", __name__)
PROVIDER = "region"
LEEWAY_SECONDS = 60  # clocks of the provider and vaern may differ by this much, no more
MAX_ID_TOKEN_HINT = 2000  # kept in the (cookie) session for log-out only when small enough

REFUSALS = {
    "unknown_person": lambda: _("Your log-in worked, but vaern does not know you: you are not in the organisation "
                                "vaern has. Ask HR to check that you are in the directory."),
    "left": lambda: _("Your log-in worked, but you are no longer in the organisation, so vaern cannot be used."),
    "no_match_claim": lambda: _("Your log-in did not say who you are in the organisation (your employee number "
                                "was missing). Tell your IT support."),
    # An administrator looks into it and, if the provider's account was made anew, runs `vaern account unlink`.
    "identity_taken": lambda: _("Another log-in already belongs to the person your log-in names. Ask an "
                                "administrator to look into it."),
    "no_subject": lambda: _("The log-in could not be used. Try again."),
}


class _Client(FlaskOAuth2App):
    """Authlib's client, also fetching the keys again when a token without a key id fails the cached keys."""

    def parse_id_token(self, token, nonce, claims_options=None, claims_cls=None, leeway=120):
        """The verified ID token's claims; Authlib fetches keys again for an unknown key id, this for a token
        that names none (a provider with one key at a time rotates it that way)."""
        try:
            return super().parse_id_token(token, nonce, claims_options, claims_cls, leeway)
        except BadSignatureError:
            self.fetch_jwk_set(force=True)
            return super().parse_id_token(token, nonce, claims_options, claims_cls, leeway)


class _OAuth(OAuth):
    oauth2_client_cls = _Client


def init(app: Flask) -> None:
    """Register the provider when single sign-on is configured, and allow its origin for the log-out redirect."""
    settings = app.extensions["vaern"].settings
    app.extensions["vaern_oidc"] = None

    @app.context_processor
    def _login_choices():
        return {"sso_label": settings.oidc_label if settings.oidc_enabled else None,
                "local_passwords": settings.local_passwords}

    if not settings.oidc_enabled:
        return
    oauth = _OAuth(app)
    client = oauth.register(
        PROVIDER,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=f"{settings.oidc_issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256"},
    )
    app.extensions["vaern_oidc"] = client
    origin = urlparse(settings.oidc_issuer)
    app.config.setdefault("VAERN_FORM_ACTION_ORIGINS", []).append(f"{origin.scheme}://{origin.netloc}")


def client():
    """The provider's Authlib client, or None when single sign-on is off."""
    return current_app.extensions.get("vaern_oidc")


@bp.route("/login/sso")
def login():
    """Send the person to the provider's log-in; they come back to `callback`."""
    provider = client()
    if provider is None:
        return redirect(url_for("auth.login"))
    from .auth import safe_target

    session["sso_next"] = safe_target(request.args.get("next"))
    return provider.authorize_redirect(url_for("oidc.callback", _external=True))


@bp.route("/login/sso/callback")
def callback():
    """The provider's answer: check the code's tokens, find the person, start the session."""
    provider = client()
    if provider is None:
        return redirect(url_for("auth.login"))
    try:
        token = provider.authorize_access_token(leeway=LEEWAY_SECONDS)
    except (OAuthError, JoseError, ValueError) as exc:
        current_app.logger.warning("single sign-on refused: %s: %s", type(exc).__name__, exc)
        return _refused(_("The log-in could not be completed (it may have expired). Try again."), 401)
    claims = token.get("userinfo")
    if not claims:
        return _refused(_("The provider sent no proof of who you are. Try again."), 401)
    issuer = str(claims.get("iss") or "")
    try:
        person = service().sign_in_external(issuer, dict(claims), now())
    except SignInRefused as exc:
        return _refused(REFUSALS.get(exc.reason, REFUSALS["no_subject"])(), 403)
    target = session.pop("sso_next", "") or url_for("inbox.index")  # checked by safe_target when it was kept
    lang = session.get("lang") or g.get("lang_before_login") or "da"
    session.clear()
    session.permanent = True
    session["person_id"] = person.id
    session["since"] = time.time()
    session["generation"] = person.session_generation
    session["lang"] = lang
    session["sso"] = True
    id_token = token.get("id_token") or ""
    if len(id_token) <= MAX_ID_TOKEN_HINT:
        session["sso_id_token"] = id_token
    return redirect(target)


def provider_logout(id_token: str | None, lang: str | None):
    """A redirect to the provider's end_session_endpoint that brings the person back to vaern's log-in page,
    or None when the provider offers none."""
    provider = client()
    if provider is None:
        return None
    try:
        metadata = provider.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        # vaern's session is ended already; an unreachable provider must not turn the log-out into an error.
        current_app.logger.warning("single sign-on provider unreachable at log-out: %s", exc)
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    result = provider.create_logout_url(post_logout_redirect_uri=url_for("auth.login", _external=True),
                                        id_token_hint=id_token or None, client_id=provider.client_id,
                                        ui_locales=lang or "da")
    return redirect(result["url"])


def _refused(message: str, status: int):
    return render_template("login.html", error=message, login_value="", demo_people=[], demo_password=None,
                           next=""), status
