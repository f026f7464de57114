"""Diagrams through the API: list the deployed versions, fetch one's XML, preview and deploy an upload."""
from __future__ import annotations

from dataclasses import asdict

from flask import Response, request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from werkzeug.utils import secure_filename

from ..helpers import now, service
from . import schemas
from .auth import caller
from .problems import ApiProblem

blp = Blueprint("api_definitions", __name__, url_prefix="/api/v1/definitions", description="Diagrams")


def _process_owner():
    """The caller, if the token may deploy and its person maintains diagrams (as the admin pages ask)."""
    me = caller("definitions:deploy")
    if not (me.person.is_admin or me.person.is_process_owner):
        raise ApiProblem(403, _("No access"), _("Only process owners and administrators manage diagrams."))
    return me


def _info(d) -> dict:
    return {"id": d.id, "kind": d.kind, "version": d.version, "name": d.name, "content_hash": d.content_hash,
            "deployed_at": d.deployed_at, "deployed_by": d.deployed_by}


def _upload() -> tuple[bytes, str]:
    file = request.files.get("diagram")
    if file is None or not file.filename:
        raise ApiProblem(400, _("Invalid input"), _("Send the .bpmn file as the form field »diagram«."),
                         {"diagram": _("required")})
    return file.read(), secure_filename(file.filename) or "diagram.bpmn"


@blp.route("")
class Definitions(MethodView):
    @blp.response(200, schemas.Definition(many=True))
    @blp.alt_response(403, schema=schemas.Problem, content_type="application/problem+json")
    def get(self):
        """The newest deployed version of every case kind."""
        _process_owner()
        return [_info(d) for d in service().definitions()]

    @blp.arguments(schemas.Upload, location="files")
    @blp.arguments(schemas.DeployForm, location="form")
    @blp.response(201, schemas.Definition)
    @blp.alt_response(400, schema=schemas.Problem, content_type="application/problem+json")
    @blp.alt_response(403, schema=schemas.Problem, content_type="application/problem+json")
    @blp.alt_response(409, schema=schemas.Problem, content_type="application/problem+json")
    @blp.alt_response(422, schema=schemas.Problem, content_type="application/problem+json")
    def post(self, files, form):
        """Deploy a diagram whose preview was read against `reviewed_against`: the admin page's checks; 409 when
        another version was deployed since."""
        me = _process_owner()
        data, filename = _upload()
        info = service().deploy_reviewed(data, filename, form.get("reviewed_against"), me.person_id, now())
        return _info(info), 201


@blp.route("/preview")
class Preview(MethodView):
    @blp.arguments(schemas.Upload, location="files")
    @blp.response(200, schemas.Preview)
    @blp.alt_response(400, schema=schemas.Problem, content_type="application/problem+json")
    @blp.alt_response(403, schema=schemas.Problem, content_type="application/problem+json")
    @blp.alt_response(422, schema=schemas.Problem, content_type="application/problem+json")
    def post(self, files):
        """Check a diagram (every problem, 422) and show what it changes against the current version."""
        _process_owner()
        data, filename = _upload()
        preview = service().preview_deploy(data, filename)
        return {"kind": preview.kind, "name": preview.name, "content_hash": preview.content_hash,
                "current_version": preview.current.version if preview.current else None,
                "existing_version": preview.existing.version if preview.existing else None,
                "changes": [asdict(c) for c in preview.changes]}


@blp.route("/<kind>/versions")
class Versions(MethodView):
    @blp.response(200, schemas.Definition(many=True))
    @blp.alt_response(403, schema=schemas.Problem, content_type="application/problem+json")
    def get(self, kind):
        """Every deployed version of one case kind, newest first."""
        _process_owner()
        return [_info(d) for d in service().definition_versions(kind)]


@blp.route("/<kind>/<int(max=2147483647):version>/xml")
class Xml(MethodView):
    @blp.response(200, content_type="application/xml", description="The version's BPMN XML as deployed.")
    @blp.alt_response(403, schema=schemas.Problem, content_type="application/problem+json")
    @blp.alt_response(404, schema=schemas.Problem, content_type="application/problem+json")
    def get(self, kind, version):
        """One deployed version's BPMN XML."""
        _process_owner()
        _info_row, xml = service().definition_xml(kind, version)
        return Response(xml, mimetype="application/xml")
