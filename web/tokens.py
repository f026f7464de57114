"""A person's own API tokens: make one (shown once), see when each was last used, revoke one."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine import API_SCOPES, InvalidInput, NotFound

from .helpers import me, now, service

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")

SCOPE_LABELS = {
    "tasks:read": _l("Read my tasks"),
    "tasks:write": _l("Claim, release and complete my tasks"),
    "cases:read": _l("Read cases, as far as I may see them"),
    "cases:start": _l("Report incidents in my name"),
    "definitions:deploy": _l("Check and deploy diagrams (process owners)"),
}
DAY_CHOICES = (7, 30, 90, 365)


def _page(values=None, errors=None, issued=None, status: int = 200):
    return render_template("tokens.html", tokens=service().api_tokens.tokens_of(me().id), moment=now(),
                           scopes=[(s, SCOPE_LABELS[s]) for s in API_SCOPES], days=DAY_CHOICES,
                           values=values or {"days": "30", "scopes": ["tasks:read"]}, errors=errors or {},
                           issued=issued), status


@bp.route("")
def index():
    """My tokens and the form to make a new one."""
    return _page()


@bp.route("", methods=["POST"])
def create():
    """Make a token; its secret is on the answer page and nowhere else, ever."""
    values = {"name": request.form.get("name", ""), "days": request.form.get("days", ""),
              "scopes": request.form.getlist("scopes")}
    days = int(values["days"]) if values["days"].isdigit() else 0
    try:
        issued = service().api_tokens.create_personal_token(me().id, values["name"], values["scopes"], days, now())
    except InvalidInput as exc:
        errors = {"name": _("Give the token a name (at most 200 characters)."),
                  "days": _("Choose how long the token lasts."),
                  "scopes": _("Choose at least one thing the token may do.")}
        return _page(values, {k: errors.get(k, v) for k, v in exc.errors.items()}, status=400)
    return _page(issued=issued)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int):
    """Revoke one of my tokens: it opens nothing from now on."""
    try:
        service().api_tokens.revoke_token(token_id, me().id, now())
    except NotFound:
        flash(_("There is no such token of yours."), "error")
    else:
        flash(_("The token is revoked."), "success")
    return redirect(url_for("tokens.index"))
