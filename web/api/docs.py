"""The API's docs page: Swagger UI from web/node_modules, reading the generated description, under the CSP."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, render_template, send_from_directory

bp = Blueprint("api_docs_page", __name__)

SWAGGER_UI_DIST = Path(__file__).resolve().parent.parent / "node_modules" / "swagger-ui-dist"
_SERVED = {"swagger-ui.css", "swagger-ui-bundle.js"}


@bp.route("/api/v1/docs")
def page():
    """The interactive description of /api/v1 (paste a token under Authorize to try a call)."""
    return render_template("api_docs.html")


@bp.route("/vendor/swagger-ui/<path:filename>")
def swagger_ui(filename: str):
    """Only Swagger UI's own bundle and styles; 404 when the set-up command has not installed them."""
    if filename not in _SERVED:
        abort(404)
    return send_from_directory(SWAGGER_UI_DIST, filename, max_age=3600)
