"""The one place where the engine's typed errors become HTTP answers."""
from __future__ import annotations

from flask import Flask, g, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from engine import (
    AnonymousChannelClosed,
    ConcurrentUpdate,
    InvalidInput,
    NotAllowed,
    NotFound,
    TaskNotOpen,
    WorkflowError,
)

from .api.problems import from_http, is_api_request
from .helpers import MAX_TEXT_LENGTH


def error_page(status: int, title: str, message: str):
    """A plain error page that says what happened and nothing about any case's contents."""
    return render_template("error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    """Translate engine errors and HTTP errors into pages."""

    @app.errorhandler(NotFound)
    def _not_found(exc):
        return error_page(404, _("Not found"), _("There is nothing here with that number."))

    @app.errorhandler(NotAllowed)
    def _not_allowed(exc):
        return forbidden()

    @app.errorhandler(AnonymousChannelClosed)
    def _anonymous_closed(exc):
        return error_page(503, _("The anonymous channel is not open"), _(
            "The handlers' key is not set up on this server, so anonymous reports cannot be read. An "
            "administrator creates it with: vaern anonymous keygen (see docs/anonym.md)."))

    @app.errorhandler(InvalidInput)
    def _invalid(exc):
        return error_page(400, _("Invalid input"), "; ".join(f"{k}: {v}" for k, v in exc.errors.items()))

    @app.errorhandler(TaskNotOpen)
    def _task_not_open(exc):
        return error_page(409, _("The task is already done"), _("Someone has already completed this task, "
                                                                "or it is no longer open. Nothing was changed."))

    @app.errorhandler(ConcurrentUpdate)
    def _concurrent(exc):
        return error_page(409, _("Someone else changed the case"), _("The case was changed by someone else at "
                                                                     "the same moment. Nothing was saved: reload "
                                                                     "the page and try again."))

    @app.errorhandler(WorkflowError)
    def _cannot_go_on(exc):
        return error_page(422, _("The case could not go on"), _("The case's diagram could not go on with what was "
                                                                "given, so nothing was saved. Check what you gave "
                                                                "and try again; if it keeps happening, tell the "
                                                                "process owner."))

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return error_page(400, _("The form has expired"), _("The form was missing its security token or it "
                                                            "had expired. Go back, reload the page and try again."))

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc):
        return error_page(413, _("Too much was sent"), _("What you sent is larger than the service accepts: a "
                                                         "text field holds at most %(n)s characters. Nothing "
                                                         "was saved. Go back, shorten the text and try again.",
                                                         n=MAX_TEXT_LENGTH))

    @app.errorhandler(InternalServerError)
    def _internal(exc):
        if is_api_request():
            return from_http(exc)
        # Never a stack trace to the person: a plain page, and the traceback only in the server's log.
        g.plain_page = True
        return error_page(500, _("Something went wrong"), _("The service could not finish what you asked for. "
                                                            "Try again in a moment; if it keeps happening, "
                                                            "tell your IT support what you were doing."))

    @app.errorhandler(HTTPException)
    def _http(exc):
        if is_api_request():
            return from_http(exc)  # an unknown path or method under /api/: a problem document, not a page
        if exc.code == 403:
            return forbidden()
        if exc.code == 404:
            return error_page(404, _("Not found"), _("There is nothing here with that address."))
        return error_page(exc.code or 500, exc.name, exc.description or "")


def forbidden():
    """403: the person may not see this. Says nothing about whether the case exists or what it holds."""
    return error_page(403, _("No access"), _("You do not have access to this page. If you think you should, "
                                             "ask the leader who handles the case."))
