"""The anonymous channel on the web: writing without logging in, following up with the key code, and the
handlers' page for a report.

The writer's pages (`PUBLIC`) set no cookie, are never in the request log (web/request_log.py), and are
answered with `Cache-Control: no-store` and no referrer. They are not protected by the session's CSRF token
(that would be a cookie identifying the browser): a post must come from this site's own page, which the
browser says in `Sec-Fetch-Site` and `Origin`, and carry a signed form token that identifies nobody. With
no cookie there is no ambient authority for another site to borrow; what is checked is that another site
cannot make a visitor's browser post a report or a reply in their name.
"""
from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, TimestampSigner

from engine import (
    ANONYMOUS_ACT_KINDS,
    AnonymousChannelClosed,
    CodeNotRecognised,
    InvalidInput,
    TooManyAttempts,
    WrittenReport,
    grouped_code,
)

from .helpers import localized, me, now, service

bp = Blueprint("anonymous", __name__)

# The writer's pages: no log-in, no session, no request log.
PUBLIC = {"anonymous.write", "anonymous.follow"}
PUBLIC_PATH = "/anonym"
FORM_TOKEN_SECONDS = 4 * 3600

ACT_LABELS = {
    "offensive": _l("An offensive act"),
    "bullying": _l("Bullying"),
    "sexual_harassment": _l("Sexual harassment"),
    "sexism": _l("Sexism"),
    "violence": _l("Violence or threats"),
    "other": _l("Something else"),
}
STAGE_LABELS = {
    "received": _l("Received: waiting for the handlers to confirm that they have received it"),
    "in_progress": _l("Being assessed by the handlers"),
    "awaiting_writer": _l("The handlers have asked you a question"),
    "feedback_given": _l("Feedback given: the report is being closed"),
    "closed": _l("Closed"),
}
HARASSMENT_ACTS = ("offensive", "bullying", "sexual_harassment", "sexism")


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt="vaern-anonymous-form")


def _form_token() -> str:
    # Random and signed: it proves the form came from this site, and names no one.
    return _signer().sign(secrets.token_hex(8)).decode("ascii")


def _check_post() -> None:
    # The browser's own word on where the post came from; with the pages' "no-referrer" policy a browser
    # sends `Origin: null` even from this site, so Origin counts only where Sec-Fetch-Site is not sent.
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        if site != "same-origin":
            abort(403)
    else:
        origin = request.headers.get("Origin")
        if origin is not None and origin != "null" and origin.rstrip("/") != request.host_url.rstrip("/"):
            abort(403)
    try:
        _signer().unsign(request.form.get("form_token", ""), max_age=FORM_TOKEN_SECONDS)
    except BadSignature:
        abort(400)


def _client() -> str:
    # Only ever held in memory, hashed with a key of this process (engine/anonymous/throttle.py).
    return request.remote_addr or "-"


def _page(template: str, status: int = 200, **context):
    response = current_app.make_response((render_template(template, form_token=_form_token(),
                                                          act_labels=ACT_LABELS, **context), status))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route(PUBLIC_PATH, methods=["GET", "POST"])
def write():
    """The form to write anonymously; on sending, the key code, shown this once."""
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        _check_post()
        values = {name: request.form.get(name, "") for name in ("what", "where", "when", "act", "name")}
        try:
            sent = service().anonymous.submit(WrittenReport(**values), now())
        except InvalidInput as exc:
            errors, status = {k: localized(v) for k, v in exc.errors.items()}, 400
        except AnonymousChannelClosed:
            return _page("anonymous_closed.html", 503)
        else:
            return _page("anonymous_code.html", code=grouped_code(sent.code))
    return _page("anonymous_write.html", status, values=values, errors=errors, acts=ANONYMOUS_ACT_KINDS)


@bp.route(f"{PUBLIC_PATH}/henvendelse", methods=["GET", "POST"])
def follow():
    """Enter the code to read the handlers' answers, answer them, and see where the report stands."""
    if request.method == "GET":
        return _page("anonymous_follow.html")
    _check_post()
    code = request.form.get("code", "")
    reply = request.form.get("reply", "")
    consent = request.form.get("consent_named") == "on"
    error, status, view = None, 200, None
    try:
        if request.form.get("action") == "reply":
            try:
                view = service().anonymous.writer_reply(code, reply, consent, _client(), now())
            except InvalidInput as exc:
                error, status = "; ".join(localized(v) for v in exc.errors.values()), 400
                view = service().anonymous.writer_view(code, _client(), now())
        else:
            view = service().anonymous.writer_view(code, _client(), now())
    except CodeNotRecognised:
        return _page("anonymous_follow.html", 404, error=_("No report has this code. Check the 16 digits."))
    except TooManyAttempts:
        return _page("anonymous_follow.html", 429,
                     error=_("Too many wrong codes. Wait 15 minutes and try again."))
    except AnonymousChannelClosed:
        return _page("anonymous_closed.html", 503)
    return _page("anonymous_follow.html", status, view=view, code=code, error=error, stages=STAGE_LABELS,
                 sent=request.form.get("action") == "reply" and error is None)


# The handlers' side: logged in, with the session's CSRF token like every other page.

@bp.route("/anonymous/<int:case_id>")
def case(case_id: int):
    """A report as its handlers see it: what was written, the dialogue, the deadlines, what can be done."""
    view = service().anonymous.handler_view(case_id, me().id, now())
    return render_template("anonymous_case.html", view=view, stages=STAGE_LABELS, act_labels=ACT_LABELS,
                           units=service().units(), harassment_acts=HARASSMENT_ACTS)


@bp.route("/anonymous/<int:case_id>/message", methods=["POST"])
def message(case_id: int):
    """A handler writes to the writer."""
    service().anonymous.handler_message(case_id, request.form.get("text", ""), me().id, now())
    flash(_("Your message is sent. The writer reads it with the code."), "success")
    return redirect(url_for("anonymous.case", case_id=case_id))


@bp.route("/anonymous/<int:case_id>/signal", methods=["POST"])
def signal(case_id: int):
    """Turn the report into an anonymous signal for a unit's leader (K-H17, K-H18)."""
    started = service().anonymous.signal_leader(case_id, request.form.get("unit_id", ""),
                                                request.form.get("act", ""), request.form.get("summary", ""),
                                                me().id, now())
    flash(_("The leader of the unit has been given the signal as case %(id)s, without anything about the writer.",
            id=started.id), "success")
    return redirect(url_for("anonymous.case", case_id=case_id))


@bp.route("/anonymous/<int:case_id>/named", methods=["POST"])
def named(case_id: int):
    """With the writer's consent, start a named case for the employee it happened to."""
    from .people import read_person

    employee_id, problem = read_person(request.form.get("employee_id"), _("Choose the employee it happened to."))
    if problem:
        flash(problem, "error")
        return redirect(url_for("anonymous.case", case_id=case_id))
    started = service().anonymous.named_case(case_id, request.form.get("unit_id", ""), employee_id,
                                             request.form.get("act", ""), request.form.get("summary", ""),
                                             me().id, now())
    flash(_("A named case %(id)s is started with the writer's consent.", id=started.id), "success")
    return redirect(url_for("anonymous.case", case_id=case_id))
