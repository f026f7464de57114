"""The REST API, /api/v1: JSON for the region's other systems, described by OpenAPI 3 generated from the code.

Callers authenticate with a bearer token (a person's own or a client's), never a cookie, so the API needs
no CSRF token; every read of a case or task goes through the same engine calls as the web pages, which
check access and log the read.
"""
from __future__ import annotations

import http
import os

from flask import Flask, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from engine import API_SCOPES

from . import auth, cases, definitions, docs, problems, schemas, tasks, token, webhooks
from .problems import PROBLEM_TYPE

API_PREFIX = "/api/v1"
_BLUEPRINTS = (tasks.blp, cases.blp, definitions.blp, webhooks.blp, token.blp)
# Set up once, when the module is imported: a blueprint is shared by every app the factory builds.
problems.register(_BLUEPRINTS)
for _blp in _BLUEPRINTS:
    if _blp is not token.blp:  # the token endpoint is how a client gets a token
        _blp.before_request(auth.authenticate)


class _Api(Api):
    """flask-smorest's Api without its app-wide error handler (the web's pages keep their own), and with its
    described error answers as the problem documents the API sends."""

    ERROR_SCHEMA = schemas.Problem

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A problem document (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def init_app(app: Flask, csrf) -> None:
    """Register the API's blueprints, its description at /api/v1/openapi.json and its docs page."""
    app.config.update(
        API_TITLE="vaern", API_VERSION="1", OPENAPI_VERSION="3.0.3", OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json", OPENAPI_SWAGGER_UI_PATH=None, OPENAPI_REDOC_PATH=None,
        API_SPEC_OPTIONS={
            "info": {"description": "Tasks, cases and diagrams of vaern for the region's other systems. Every read "
                                    "is access-checked and logged as on the web. Errors are application/problem+json "
                                    "in Danish or English by Accept-Language; times are ISO 8601 in UTC."},
            "servers": [{"url": "/"}],
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "A personal access token or a "
                               "client's token from /api/v1/oauth/token. Scopes: " + ", ".join(API_SCOPES)}}},
        })
    # Per token and per process (each worker counts its own): VAERN_API_RATE requests per VAERN_API_WINDOW_SECONDS.
    rate = app.config.get("VAERN_API_RATE") or int(os.environ.get("VAERN_API_RATE", auth.DEFAULT_RATE))
    window = app.config.get("VAERN_API_WINDOW_SECONDS") or int(os.environ.get("VAERN_API_WINDOW_SECONDS",
                                                                              auth.DEFAULT_WINDOW_SECONDS))
    app.extensions["vaern_api_limiter"] = auth.RateLimiter(rate, window)
    api = _Api(app)
    for blp in _BLUEPRINTS:
        api.register_blueprint(blp)
        csrf.exempt(blp)
    app.register_blueprint(docs.bp)
    app.extensions["vaern_api"] = api


def is_api_path() -> bool:
    """Whether the request is for the API."""
    return request.path.startswith(API_PREFIX + "/")
