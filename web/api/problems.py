"""Errors of the API as `application/problem+json` (RFC 9457), titled in Danish or English by Accept-Language."""
from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from engine import (
    ConcurrentUpdate,
    DefinitionError,
    InvalidInput,
    NotAllowed,
    NotFound,
    TaskNotOpen,
    VaernError,
    WorkflowError,
)

PROBLEM_TYPE = "application/problem+json"
API_PREFIX = "/api/"


class ApiProblem(Exception):
    """An answer other than success, raised by a view and written as a problem document."""

    def __init__(self, status: int, title: str, detail: str | None = None, errors: dict | None = None,
                 headers: dict | None = None, problems: list | None = None):
        super().__init__(title)
        self.status, self.title, self.detail = status, title, detail
        self.errors, self.headers, self.problems = errors, headers or {}, problems


def problem(status: int, title: str, detail: str | None = None, errors: dict | None = None,
            headers: dict | None = None, problems: list | None = None):
    """A problem response: type, title, status, detail, and per-field `errors` where the input was at fault."""
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = {str(k): str(v) for k, v in errors.items()}
    if problems is not None:
        body["problems"] = problems
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def forbidden() -> ApiProblem:
    """403 that says nothing of whether the case or task exists."""
    return ApiProblem(403, _("No access"), _("You do not have access to this. If you think you should, ask the "
                                             "leader who handles the case."))


def from_engine(exc: VaernError):
    """The problem response for one of the engine's typed errors."""
    if isinstance(exc, NotAllowed):
        return to_response(forbidden())
    if isinstance(exc, NotFound):
        return problem(404, _("Not found"), _("There is nothing here with that number."))
    if isinstance(exc, InvalidInput):
        return problem(400, _("Invalid input"), _("Some fields were not accepted; nothing was saved."), exc.errors)
    if isinstance(exc, TaskNotOpen):
        return problem(409, _("The task is no longer open"), _("It was completed or closed by the case's course. "
                                                               "Nothing was changed."))
    if isinstance(exc, ConcurrentUpdate):
        return problem(409, _("Someone else changed it"), _("It was changed by someone else at the same moment. "
                                                            "Nothing was saved: read it again and retry."))
    if isinstance(exc, DefinitionError):
        return problem(422, _("The diagram cannot be deployed"), None, None,
                       problems=[{"line": p.line, "element_id": p.element_id, "message": p.message}
                                 for p in exc.problems])
    if isinstance(exc, WorkflowError):
        return problem(422, _("The case could not go on"), _("The case's diagram could not go on with what was "
                                                             "given, so nothing was saved."))
    return problem(400, _("Refused"), str(exc))


def to_response(exc: ApiProblem):
    """The response of a raised ApiProblem."""
    return problem(exc.status, exc.title, exc.detail, exc.errors, exc.headers, exc.problems)


def from_http(exc: HTTPException):
    """A Werkzeug error (404 for an unknown path, 405, 422 from argument parsing …) as a problem document."""
    code = exc.code or 500
    if code >= 500:
        return problem(500, _("Something went wrong"), _("The service could not finish the request. Try again in "
                                                         "a moment."))
    errors = None
    messages = (getattr(exc, "data", None) or {}).get("messages")
    if isinstance(messages, dict):
        # webargs groups its messages by location (json, query, files): the fields are what a client fixes.
        errors = {field: "; ".join(map(str, text)) if isinstance(text, list) else str(text)
                  for where in messages.values() if isinstance(where, dict) for field, text in where.items()}
    titles = {400: _("Bad request"), 401: _("Not signed in"), 403: _("No access"), 404: _("Not found"),
              405: _("Method not allowed"), 413: _("Too much was sent"), 415: _("Unsupported media type"),
              422: _("Invalid input")}
    details = {404: _("There is nothing here with that address."),
               405: _("This address does not take that method."),
               422: None}
    return problem(code, titles.get(code, exc.name), details.get(code, exc.description), errors,
                   dict(getattr(exc, "headers", None) or {}) if code == 405 else None)


def is_api_request() -> bool:
    """Whether the request is for the API (its errors are problem documents, not pages)."""
    return request.path.startswith(API_PREFIX)


def register(blueprints) -> None:
    """The API blueprints answer every error with a problem document."""
    for blp in blueprints:
        blp.register_error_handler(ApiProblem, to_response)
        blp.register_error_handler(VaernError, from_engine)
        blp.register_error_handler(HTTPException, from_http)
