"""Web hardening: cookie flags, request size limits, security headers on every response, and log-in throttling."""
from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from flask import Flask, request

from engine import LoginThrottle

# Nothing inline: the bpmn-js viewer sets its styles through the DOM, which a policy does not block, and
# the browser test fails on any violation on a case page.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# One form field holds at most the engine's 20,000 characters (up to 4 bytes each in UTF-8) and some slack.
MAX_FORM_FIELD_BYTES = 100_000
# A whole ordinary (not multipart) form: a few full text fields, percent-encoded. Uploads keep the larger limit.
MAX_FORM_BYTES = 512 * 1024


def defaults(app: Flask, given: dict[str, Any]) -> None:
    """Secure cookie and size settings, unless the caller's config already set them."""
    insecure = (os.environ.get("VAERN_INSECURE_COOKIES") == "1" or app.config.get("TESTING")
                or app.config.get("VAERN_DEMO"))
    app.config["SESSION_COOKIE_SECURE"] = given.get("SESSION_COOKIE_SECURE", not insecure)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = given.get("SESSION_COOKIE_SAMESITE", "Lax")
    # Diagram uploads are files and may be as large as the engine accepts; form text fields are small.
    settings = app.config.get("VAERN_SETTINGS")
    upload = getattr(settings, "max_diagram_bytes", 5 * 1024 * 1024)
    if "MAX_CONTENT_LENGTH" not in given:
        app.config["MAX_CONTENT_LENGTH"] = upload + 1024 * 1024
    if "MAX_FORM_MEMORY_SIZE" not in given:
        app.config["MAX_FORM_MEMORY_SIZE"] = MAX_FORM_FIELD_BYTES
    app.debug = bool(given.get("DEBUG", False))


def register(app: Flask) -> None:
    """Add the security headers to every response and keep a log-in throttle for the app."""
    app.extensions["vaern_login_throttle"] = LoginThrottle(
        app.extensions["vaern"], app.config.get("VAERN_LOGIN_ATTEMPTS", 5),
        app.config.get("VAERN_LOGIN_ATTEMPTS_PER_ADDRESS", 20),
        timedelta(seconds=app.config.get("VAERN_LOGIN_WINDOW_SECONDS", 15 * 60)))

    def _limit_forms():
        # Werkzeug reads an url-encoded body whole, so its per-field limit cannot apply: cap the body instead.
        if request.mimetype != "multipart/form-data":
            request.max_content_length = min(app.config["MAX_CONTENT_LENGTH"] or MAX_FORM_BYTES,
                                             app.config.get("VAERN_MAX_FORM_BYTES", MAX_FORM_BYTES))

    # First of all request hooks: the CSRF check reads the form, and the limit must be set before that.
    app.before_request_funcs.setdefault(None, []).insert(0, _limit_forms)

    @app.after_request
    def _headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        extra = app.config.get("VAERN_FORM_ACTION_ORIGINS")
        if extra and response.headers.get("Content-Security-Policy") == CONTENT_SECURITY_POLICY:
            # The log-out form's answer sends the browser on to the single sign-on provider's log-out.
            response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
                "form-action 'self'", "form-action 'self' " + " ".join(extra))
        if response.mimetype == "text/html" or response.mimetype == "application/json":
            # Pages about cases must not linger in shared caches or the browser's back-forward store.
            response.headers.setdefault("Cache-Control", "no-store")
        return response
