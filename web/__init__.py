"""vaern's web app: inbox, report form, task forms and case pages on top of the engine's public API."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, session
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from engine import Settings, open_vaern

LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings from `config` or the environment, the engine service, blueprints."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        # The cookie is written when the session changes, not on every response: a response to a request that
        # was under way (a person search while a form is sent, any page while logging out) must not put back
        # the cookie as it was before. Its lifetime counts from the log-in anyway (auth.require_login).
        SESSION_REFRESH_EACH_REQUEST=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        BABEL_DEFAULT_LOCALE=DEFAULT_LANGUAGE,
        BABEL_DEFAULT_TIMEZONE="Europe/Copenhagen",
        VAERN_DEMO=os.environ.get("VAERN_DEMO", "") == "1",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the (expiring) session
    )
    app.config.update(config or {})
    from . import scheduling, security
    security.defaults(app, config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ.get("VAERN_SECRET_KEY") or _instance_secret(Path(app.instance_path))

    settings = app.config.get("VAERN_SETTINGS") or Settings.from_env()
    app.extensions["vaern"] = open_vaern(settings)

    CSRFProtect(app)
    security.register(app)
    Babel(app, locale_selector=lambda: session.get("lang", DEFAULT_LANGUAGE))

    from . import auth, cases, errors, figures, inbox, notices, overview, people, privacy, report, tasks, vendor
    for module in (auth, inbox, report, tasks, overview, cases, people, vendor, notices, privacy, figures):
        app.register_blueprint(module.bp)
    from . import admin, directory, modeller, oidc
    app.register_blueprint(admin.bp)
    app.register_blueprint(directory.bp)
    app.register_blueprint(modeller.bp)
    app.register_blueprint(oidc.bp)
    oidc.init(app)
    errors.register(app)
    auth.require_login(app)
    from .helpers import register_template_helpers
    register_template_helpers(app)
    if scheduling.wanted(app, config or {}):
        scheduling.start(app)
    return app


def _instance_secret(instance: Path) -> str:
    # A random key kept in the instance folder, so sessions survive a restart without configuration.
    path = instance / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key
