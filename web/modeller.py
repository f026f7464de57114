"""The modeller page: a process owner edits a deployed diagram in the browser, saves drafts on the server,
sees every problem on its element, previews the changes and deploys the draft."""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from engine import ROLE_LABELS_DA, ConcurrentUpdate, DefinitionError, DraftConflict, Edition

from .helpers import me, names, now, role_label, service
from .problem_texts import hint_text, problem_text
from .wording import moment

bp = Blueprint("modeller", __name__, url_prefix="/admin/diagrams/<kind>/edit")

# The lanes a diagram may use, in the order the panel offers them.
_ROLE_ORDER = tuple(ROLE_LABELS_DA)


@bp.before_request
def _process_owners_only():
    person = me()
    if not (person.is_admin or person.is_process_owner):
        abort(403)


def _problems(problems) -> list[dict]:
    return [{"element_id": p.element_id, "name": p.name, "line": p.line, "text": problem_text(p.message),
             "hint": hint_text(p.hint)} for p in problems]


def _edition(edition: Edition) -> dict:
    return {"kind": edition.kind, "content_hash": edition.content_hash, "base_version": edition.base_version,
            "base_hash": edition.base_hash, "is_draft": edition.is_draft,
            "saved_at": edition.saved_at.isoformat() if edition.saved_at else None,
            "saved_at_text": moment(edition.saved_at),
            "saved_by": names().get(edition.saved_by, edition.saved_by) if edition.saved_by else None}


def _roles() -> list[dict]:
    return [{"key": key, "label": role_label(key)} for key in _ROLE_ORDER]


@bp.route("")
def page(kind: str):
    """The modeller on the person's draft of the kind, or on its newest deployed version."""
    edition = service().modelling.edition(kind, me().id)
    return render_template("modeller.html", kind=kind, edition=edition,
                           language="en" if get_locale().language == "en" else "da")


@bp.route("/edition.json")
def edition_json(kind: str):
    """What the modeller opens: the XML, the hash to save against, the roles and the problems of a draft."""
    modelling = service().modelling
    edition = modelling.edition(kind, me().id)
    problems = modelling.problems(edition.xml.encode("utf-8")) if edition.is_draft else []
    return jsonify(xml=edition.xml, edition=_edition(edition), roles=_roles(), problems=_problems(problems))


@bp.route("/draft", methods=["POST"])
def save(kind: str):
    """Save the draft sent as a file against `based_on`; 409 with both sides when the base is stale."""
    file = request.files.get("diagram")
    based_on = request.form.get("based_on", "")
    if file is None:
        abort(400)
    try:
        saved = service().modelling.save_draft(kind, me().id, file.read(), based_on, now())
    except DraftConflict as exc:
        return jsonify(conflict=True, based_on=exc.based_on, newest_version=exc.newest_version,
                       server=_edition(exc.current),
                       message=_("Your draft was not saved: what it was based on has changed since you opened it "
                                 "(another window saved, or someone deployed a new version).")), 409
    except DefinitionError as exc:
        return jsonify(refused=True, problems=_problems(exc.problems),
                       message=_("The draft was not saved: the file cannot be kept as a diagram.")), 422
    return jsonify(edition=_edition(saved.edition), problems=_problems(saved.problems))


@bp.route("/discard", methods=["POST"])
def discard(kind: str):
    """Throw the person's draft away; the modeller opens the deployed version again."""
    service().modelling.discard_draft(kind, me().id)
    flash(_("Your draft was thrown away."), "info")
    return redirect(url_for("modeller.page", kind=kind))


@bp.route("/preview")
def preview(kind: str):
    """What the draft changes against the newest deployed version, with a button to deploy it."""
    try:
        preview = service().modelling.preview_draft(kind, me().id)
    except DefinitionError as exc:
        return render_template("admin_problems.html", filename=_("your draft"), problems=exc.problems), 422
    return render_template("modeller_preview.html", kind=kind, preview=preview)


@bp.route("/preview.json")
def preview_diagram(kind: str):
    """The draft's XML for the viewer on the preview page, with the elements it changes marked."""
    modelling = service().modelling
    preview = modelling.preview_draft(kind, me().id)
    edition = modelling.edition(kind, me().id)
    # A form field's change names "task.field": the task is what the drawing can mark.
    changed = sorted({c.element_id.split(".")[0] for c in preview.changes if c.element_id})
    return jsonify(xml=edition.xml, completed=[], current=[], overdue=[], changed=changed)


@bp.route("/deploy", methods=["POST"])
def deploy(kind: str):
    """Deploy the draft the person has seen the changes of."""
    reviewed = request.form.get("reviewed_against", "")
    if request.form.get("confirm") != "yes":
        flash(_("Tick that you have read the changes before you deploy."), "error")
        return redirect(url_for("modeller.preview", kind=kind))
    try:
        info = service().modelling.deploy_draft(kind, me().id, int(reviewed) if reviewed.isdigit() else None, now())
    except ConcurrentUpdate:
        flash(_("Someone deployed another version while you were looking at the changes. Look at the changes "
                "again."), "error")
        return redirect(url_for("modeller.preview", kind=kind))
    except DefinitionError as exc:
        return render_template("admin_problems.html", filename=_("your draft"), problems=exc.problems), 422
    flash(_("%(kind)s version %(version)s is deployed. New cases use it; running cases keep their version.",
            kind=info.kind, version=info.version), "info")
    return redirect(url_for("admin.version", kind=info.kind, version=info.version))

