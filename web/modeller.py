"""The modeller page: a process owner edits a deployed diagram in the browser, saves drafts on the server,
sees every problem on its element, previews the changes and deploys the draft."""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine import ROLE_LABELS_DA, ApprovalNeeded, ConcurrentUpdate, DefinitionError, DraftConflict, Edition, NotAllowed

from .helpers import me, names, now, role_label, service
from .problem_texts import hint_text, problem_text
from .wording import moment

bp = Blueprint("modeller", __name__, url_prefix="/admin/diagrams/<kind>/edit")

# The lanes a diagram may use, in the order the panel offers them.
_ROLE_ORDER = tuple(ROLE_LABELS_DA)
BEHAVIOURS = {"everyone": _l("Everyone acts"), "parties_silent": _l("The parties stay silent"),
              "nobody": _l("Nobody acts"), "one_committee_silent": _l("One committee stays silent")}
DRY_RUN_CASES = 3  # per behaviour: enough to meet each route's timers, few enough to answer within seconds


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
    modelling = service().modelling
    edition = modelling.edition(kind, me().id)
    return render_template("modeller.html", kind=kind, edition=edition,
                           language="en" if get_locale().language == "en" else "da",
                           waiting=modelling.approvals.waiting_for(kind, me().id), names=names())


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


def _preview_page(kind: str, dry_run=None):
    vaern, person = service(), me().id
    try:
        preview = vaern.modelling.preview_draft(kind, person)
        moves = vaern.trial.case_moves(kind, person)
    except DefinitionError as exc:
        return render_template("admin_problems.html", filename=_("your draft"), problems=exc.problems), 422
    approvals = vaern.modelling.approvals
    return render_template("modeller_preview.html", kind=kind, preview=preview, moves=moves, dry_run=dry_run,
                           behaviours=BEHAVIOURS, approval=approvals.of(kind, person),
                           approval_required=approvals.required, names=names(), draft_hash=preview.content_hash)


@bp.route("/preview")
def preview(kind: str):
    """What the draft changes against the newest deployed version, which running cases could move to it, and a
    button to deploy it."""
    return _preview_page(kind)


@bp.route("/dry-run", methods=["POST"])
def dry_run(kind: str):
    """The preview with a dry run of the draft: simulated cases on the real organisation, in a throwaway database."""
    return _preview_page(kind, service().trial.dry_run(kind, me().id, cases=DRY_RUN_CASES))


@bp.route("/ask-approval", methods=["POST"])
def ask_approval(kind: str):
    """Ask the other process owners to approve the draft as it is now (four eyes)."""
    service().modelling.approvals.request(kind, me().id, now())
    flash(_("The other process owners can now read your draft and approve it. Saving it again needs a new "
            "approval."), "info")
    return redirect(url_for("modeller.preview", kind=kind))


@bp.route("/review/<author>")
def review(kind: str, author: str):
    """Another process owner's draft, shared for approval: its changes, and a button to approve it."""
    vaern = service()
    xml, digest = vaern.modelling.approvals.shared_draft_xml(kind, author, me().id)
    try:
        preview = vaern.deployment.preview_deploy(xml.encode("utf-8"), f"{kind}.bpmn")
    except DefinitionError as exc:
        return render_template("admin_problems.html", filename=_("the draft"), problems=exc.problems), 422
    return render_template("modeller_review.html", kind=kind, preview=preview, author=author,
                           author_name=names().get(author, author), draft_hash=digest)


@bp.route("/review/<author>/approve", methods=["POST"])
def approve(kind: str, author: str):
    """Approve another process owner's draft, as it was when the changes were read."""
    try:
        service().modelling.approvals.approve(kind, author, request.form.get("content_hash", ""), me().id, now())
    except NotAllowed as exc:
        flash(_("The draft was not approved: it changed since you read it, or it is your own.") + f" ({exc})",
              "error")
        return redirect(url_for("modeller.page", kind=kind))
    flash(_("You approved the draft of %(name)s. They can now deploy it.", name=names().get(author, author)), "info")
    return redirect(url_for("modeller.page", kind=kind))


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
    except ApprovalNeeded:
        flash(_("Another process owner must approve the draft as it is now before it is deployed."), "error")
        return redirect(url_for("modeller.preview", kind=kind))
    except DefinitionError as exc:
        return render_template("admin_problems.html", filename=_("your draft"), problems=exc.problems), 422
    flash(_("%(kind)s version %(version)s is deployed. New cases use it; running cases keep their version.",
            kind=info.kind, version=info.version), "info")
    return redirect(url_for("admin.version", kind=info.kind, version=info.version))

