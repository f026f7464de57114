"""Logging in and out with a local account, and choosing the page language."""
from __future__ import annotations

import time
from urllib.parse import urlparse

from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from engine import DEMO_PASSWORD

from . import LANGUAGES
from .helpers import now, service

bp = Blueprint("auth", __name__)

MAX_LOGIN_LENGTH = 254
MAX_PASSWORD_LENGTH = 1024
PUBLIC_ENDPOINTS = {"auth.login", "auth.set_language", "static", "vendor.bpmn_js", "oidc.login", "oidc.callback"}


def safe_target(target: str | None) -> str:
    """`target` if it is a path on this site, else the inbox: never send a person on to another host."""
    # A backslash counts as a slash to browsers: "/\\host" would leave the site.
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not urlparse(target).netloc):
        return target
    return url_for("inbox.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The log-in form; in demo mode it lists the demo people and the demo password."""
    error = None
    login_value = ""
    status = 200
    if request.method == "POST":
        login_value = request.form.get("login", "").strip()[:MAX_LOGIN_LENGTH]
        password = request.form.get("password", "")
        throttle = current_app.extensions["vaern_login_throttle"]
        # Counted before the password is checked: parallel attempts cannot slip past the limit.
        attempt = throttle.attempt(login_value, request.remote_addr or "-", now())
        if not attempt.allowed:
            error, status = _("Too many failed attempts. Wait 15 minutes and try again."), 429
            person = None
        else:
            person = None if len(password) > MAX_PASSWORD_LENGTH else service().authenticate(login_value, password)
            if person is None:
                error, status = _("Wrong user name or password."), 401
            else:
                throttle.succeeded(attempt)
        if person is not None:
            session.clear()
            session.permanent = True
            session["person_id"] = person.id
            session["since"] = time.time()
            session["generation"] = person.session_generation
            session["lang"] = request.form.get("lang") or g.get("lang_before_login") or "da"
            return redirect(safe_target(request.form.get("next")))
    local = service().settings.local_passwords
    demo_people = [p for p in service().people() if p.active] if current_app.config["VAERN_DEMO"] and local else []
    return render_template("login.html", error=error, login_value=login_value, demo_people=demo_people,
                           demo_password=DEMO_PASSWORD if demo_people else None,
                           next=request.values.get("next", "")), status


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session, and every other session of the same person: a copied cookie opens nothing any more."""
    lang = session.get("lang")
    sso, id_token = session.get("sso"), session.get("sso_id_token")
    if g.get("person") is not None:
        service().end_sessions(g.person.id, g.person.id, now())
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are logged out."), "info")
    if sso:
        from .oidc import provider_logout

        # Also out of the provider, or the next visit would log straight back in without asking.
        at_provider = provider_logout(id_token, lang)
        if at_provider is not None:
            return at_provider
    return redirect(url_for("auth.login"))


@bp.route("/oversight/sessions", methods=["GET", "POST"])
def end_sessions():
    """For administrators: log a person out everywhere at once (a lost phone, a shared computer, a leaver)."""
    if not g.person.is_admin:
        abort(403)
    text, errors, status = "", {}, 200
    if request.method == "POST":
        from .people import read_person

        text = request.form.get("person_id", "")
        person_id, problem = read_person(text, _("Type the name or id of the person to log out."))
        if problem:
            errors, status = {"person_id": problem}, 400
        else:
            service().end_sessions(person_id, g.person.id, now())
            name = service().person_names([person_id])[person_id]
            flash(_("%(name)s is logged out everywhere.", name=name), "success")
            return redirect(url_for("auth.end_sessions"))
    return render_template("end_sessions.html", text=text, errors=errors), status


@bp.route("/language", methods=["POST"])
def set_language():
    """Switch between Danish and English; the choice is kept in the session."""
    lang = request.form.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(safe_target(request.form.get("next")))


def require_login(app: Flask) -> None:
    """Every page but the log-in page needs a logged-in person; set `g.person` for the views."""

    @app.before_request
    def _check_login():
        g.lang_before_login = session.get("lang")
        if request.endpoint in PUBLIC_ENDPOINTS:
            return None
        person_id = session.get("person_id")
        lifetime = app.permanent_session_lifetime.total_seconds()
        if person_id and time.time() - session.get("since", 0) > lifetime:
            # Refreshing the cookie on every request would let a session live forever: cap it from the login.
            session.clear()
            person_id = None
        if person_id:
            # The person and what the page's header shows of them, in one read.
            signed_in = service().signed_in(person_id)
            # A signed cookie cannot be taken back, so the account's session generation decides: a log-out,
            # a new password or an administrator raises it, and every older session ends here.
            if signed_in is not None and session.get("generation") == signed_in.person.session_generation:
                g.person = signed_in.person
                g.unread_notices = signed_in.unread_notices
                return None
            session.clear()
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
