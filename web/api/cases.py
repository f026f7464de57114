"""Cases through the API: report one (the report form's checks), read one at the caller's level, its events."""
from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from engine import InvalidInput

from ..access import at_least
from ..helpers import now, service
from ..report import ACTORS, LOCAL_ZONE, case_data, first_question
from . import schemas
from .auth import caller
from .etags import case_etag
from .paging import decode, encode
from .problems import ApiProblem, forbidden

blp = Blueprint("api_cases", __name__, url_prefix="/api/v1/cases", description="Cases")

_FLAGS = ("serious", "injured", "witnesses_present")


def _as_form(body: dict) -> dict[str, str]:
    """The report's JSON as the report form would have sent it, so the form's own checks read it."""
    form = {}
    for key, value in body.items():
        if key in _FLAGS:
            form[key] = "on" if value else ""
        elif key == "incident_at":
            # The form takes the local wall-clock time; the API takes any ISO 8601 time with an offset.
            local = value.astimezone(LOCAL_ZONE) if value.tzinfo else value.replace(tzinfo=LOCAL_ZONE)
            form[key] = local.replace(tzinfo=None).isoformat(timespec="minutes")
        elif value is not None:
            form[key] = str(value)
    return form


@blp.route("")
class CaseStart(MethodView):
    @blp.arguments(schemas.CaseStart)
    @blp.response(201, schemas.Started)
    @blp.alt_response(400, schema=schemas.Problem, content_type="application/problem+json")
    def post(self, body):
        """Report violence or an offensive act, as the caller: the same fields and checks as the report form."""
        me = caller("cases:start")
        form = _as_form(body)
        errors = first_question(form)
        if errors:
            raise ApiProblem(400, _("Invalid input"), _("The report was not accepted; nothing was saved."), errors)
        kind = ACTORS[form["actor"]][0]
        data, unit_id, errors = case_data(kind, form, me.person_id)
        data["acted_by"] = form["actor"]
        if errors:
            raise ApiProblem(400, _("Invalid input"), _("The report was not accepted; nothing was saved."), errors)
        try:
            case = service().start_case(kind, unit_id, data, me.person_id, now())
        except InvalidInput as exc:
            raise ApiProblem(400, _("Invalid input"), _("The report was not accepted; nothing was saved."),
                             exc.errors) from None
        return {"id": case.id, "kind": case.kind, "status": case.status}, 201, {
            "Location": f"/api/v1/cases/{case.id}"}


@blp.route("/<int(max=2147483647):case_id>")
class CaseResource(MethodView):
    @blp.response(200, schemas.Case, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.alt_response(403, schema=schemas.Problem, content_type="application/problem+json")
    def get(self, case_id):
        """The case at the level the caller may see it; the read is logged, refused or not, as on the web."""
        me = caller("cases:read")
        view = service().view_case(case_id, me.person_id, now(), purpose="api")
        case = view.case
        body = {"id": case.id, "level": view.level, "kind": case.kind, "status": case.status,
                "unit_id": case.unit_id, "serious": case.serious, "confidential": case.confidential,
                "escalated": case.escalated, "definition_version": case.definition_version,
                "created_at": case.created_at, "closed_at": case.closed_at}
        if view.level == "full":
            body.update(data=_jsonable(case.data), parties=_jsonable(case.parties))
        return body, 200, {"ETag": case_etag(case.id, case.version)}


@blp.route("/<int(max=2147483647):case_id>/events")
class CaseEvents(MethodView):
    @blp.arguments(schemas.EventQuery, location="query")
    @blp.response(200, schemas.EventPage)
    @blp.alt_response(400, schema=schemas.Problem, content_type="application/problem+json")
    @blp.alt_response(403, schema=schemas.Problem, content_type="application/problem+json")
    def get(self, args, case_id):
        """The case's events, oldest first, as its timeline shows them at the caller's level (logged)."""
        me = caller("cases:read")
        view = service().view_case(case_id, me.person_id, now(), purpose="api_events")
        if not at_least(view.level, "timeline"):
            raise forbidden()
        position = decode(args.get("cursor"), {"case": case_id}) or {}
        after = position.get("after") if isinstance(position.get("after"), int) else 0
        events = [e for e in view.timeline if e.id > after]
        page = events[:args["limit"]]
        more = len(events) > len(page)
        return {"items": [{"id": e.id, "at": e.at, "actor": e.actor, "action": e.action, "task_id": e.task_id,
                           "details": _jsonable(e.details)} for e in page],
                "next_cursor": encode({"case": case_id, "after": page[-1].id}) if more else None}


def _jsonable(values: dict) -> dict:
    return {str(k): v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else str(v)
            for k, v in (values or {}).items()}
