"""The bpmn-js viewer, served from web/node_modules where the set-up command installed it."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_from_directory

bp = Blueprint("vendor", __name__, url_prefix="/vendor")

BPMN_JS_DIST = Path(__file__).resolve().parent / "node_modules" / "bpmn-js" / "dist"
_SERVED = {"bpmn-navigated-viewer.production.min.js", "bpmn-navigated-viewer.development.js",
           "assets/diagram-js.css", "assets/bpmn-js.css", "assets/bpmn-font/css/bpmn.css"}


@bp.route("/bpmn-js/<path:filename>")
def bpmn_js(filename: str):
    """Only the viewer's own files; 404 when the set-up command has not installed them."""
    if filename not in _SERVED and not filename.startswith("assets/bpmn-font/font/"):
        abort(404)
    return send_from_directory(BPMN_JS_DIST, filename, max_age=3600)
