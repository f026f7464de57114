"""Process owners' pages: upload a new diagram version, see what it changes, deploy it; read and download
every deployed version; move running cases to the newest version where that is safe; and, for
administrators, start the year's MED round."""
from __future__ import annotations

import re
import time
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.utils import secure_filename

from engine import (
    AnnualRoundExists,
    ConcurrentUpdate,
    DefinitionError,
    MigrationRefused,
    UnknownCaseKind,
    UnknownUnit,
    annual_round,
    start_annual_round,
)

from .blocker_texts import blocker_text
from .helpers import me, now, service

bp = Blueprint("admin", __name__, url_prefix="/admin")

_HASH = re.compile(r"^[0-9a-f]{64}$")


@bp.before_request
def _process_owners_only():
    person = me()
    if not (person.is_admin or person.is_process_owner):
        abort(403)


STAGED_FOR_SECONDS = 24 * 3600


def _staging() -> Path:
    # An upload waits here, named by its content hash, between the preview and the confirmation: the file
    # is too large for a form field or the session, and the hash names it without trusting the client.
    folder = Path(current_app.config.get("VAERN_STAGING_DIR") or Path(current_app.instance_path) / "staged-diagrams")
    folder.mkdir(parents=True, exist_ok=True)
    # An upload nobody deployed within a day is not coming back; don't let them pile up.
    stale = time.time() - STAGED_FOR_SECONDS
    for old in folder.glob("*.bpmn"):
        if old.stat().st_mtime < stale:
            old.unlink(missing_ok=True)
    return folder


def _kinds() -> list[tuple[str, list]]:
    kinds: dict[str, list] = {}
    for info in service().definitions():
        kinds.setdefault(info.kind, []).append(info)
    return sorted(kinds.items())


@bp.route("/diagrams")
def index():
    """Every case kind with its versions, an upload form, and how many cases run on older versions."""
    kinds = _kinds()
    annual = annual_round(service(), now()) if me().is_admin else None
    return render_template("admin_diagrams.html", kinds=kinds, older=service().older_case_counts(), annual=annual)


@bp.route("/annual-round", methods=["POST"])
def start_round():
    """Start this year's MED round now (the button "Start årets runde"); at most one round a year."""
    if not me().is_admin:
        abort(403)
    try:
        info = start_annual_round(service(), me().id, now(), source="admin")
    except AnnualRoundExists as exc:
        flash(_("This year's MED round (%(year)s) has already been started, as case %(id)s. There is one round "
                "a year.", year=exc.year, id=exc.case_id), "error")
    except UnknownCaseKind:
        flash(_("The diagram of the annual MED round is not deployed, so no round can start."), "error")
    except UnknownUnit:
        flash(_("The organisation has no single top unit (the region) to hold the round. Import the "
                "organisation first."), "error")
    else:
        flash(_("This year's MED round has started as case %(id)s: every LMU has its task.", id=info.id), "info")
    return redirect(url_for("admin.index", _anchor="annual-round"))


@bp.route("/diagrams/upload", methods=["POST"])
def upload():
    """Check an uploaded diagram; show every problem, or what it changes with a button to deploy it."""
    file = request.files.get("diagram")
    if file is None or not file.filename:
        flash(_("Choose a .bpmn file to upload."), "error")
        return redirect(url_for("admin.index"))
    filename = secure_filename(file.filename) or "diagram.bpmn"
    data = file.read()
    try:
        preview = service().preview_deploy(data, filename)
    except DefinitionError as exc:
        return render_template("admin_problems.html", filename=filename, problems=exc.problems), 422
    if preview.existing is None:
        (_staging() / f"{preview.content_hash}.bpmn").write_bytes(data)
    return render_template("admin_preview.html", preview=preview)


@bp.route("/diagrams/deploy", methods=["POST"])
def deploy():
    """Deploy an upload the process owner has seen the changes of."""
    digest = request.form.get("content_hash", "")
    reviewed = request.form.get("reviewed_against", "")
    filename = secure_filename(request.form.get("filename", "")) or "diagram.bpmn"
    path = _staging() / f"{digest}.bpmn"
    if not _HASH.match(digest) or not path.is_file():
        flash(_("The upload has expired. Upload the file again."), "error")
        return redirect(url_for("admin.index"))
    try:
        info = service().deploy_reviewed(path.read_bytes(), filename, int(reviewed) if reviewed.isdigit() else None,
                                         me().id, now())
    except ConcurrentUpdate:
        flash(_("Someone deployed another version while you were looking at the changes. Upload the file "
                "again to see the changes against that version."), "error")
        return redirect(url_for("admin.index"))
    except DefinitionError as exc:
        return render_template("admin_problems.html", filename=filename, problems=exc.problems), 422
    path.unlink(missing_ok=True)
    flash(_("%(kind)s version %(version)s is deployed. New cases use it; running cases keep their version.",
            kind=info.kind, version=info.version), "info")
    return redirect(url_for("admin.version", kind=info.kind, version=info.version))


@bp.route("/diagrams/<kind>/<int:version>")
def version(kind: str, version: int):
    """One deployed version, read-only in the diagram viewer, with what it changed against the one before."""
    vaern = service()
    info, _xml = vaern.definition_xml(kind, version)
    changes = vaern.diff_versions(kind, version - 1, version) if version > 1 else []
    versions = vaern.definition_versions(kind)
    older = vaern.older_case_counts().get(kind, 0) if versions[0].version == version else 0
    return render_template("admin_version.html", info=info, changes=changes, newest=versions[0].version, older=older)


@bp.route("/diagrams/<kind>/<int:version>/diagram.json")
def diagram(kind: str, version: int):
    """The version's XML for the viewer (nothing marked: no case runs on this page)."""
    info, xml = service().definition_xml(kind, version)
    return jsonify(xml=xml, version=info.version, completed=[], current=[], overdue=[])


@bp.route("/diagrams/<kind>/<int:version>.bpmn")
def download(kind: str, version: int):
    """The version's XML exactly as deployed, as a file to open in Camunda Modeler."""
    vaern = service()
    info, xml = vaern.definition_xml(kind, version)
    stem = Path(vaern.definition_filename(kind, version)).stem or kind
    name = secure_filename(f"{stem}-v{info.version}.bpmn")
    return Response(xml, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/diagrams/<kind>/cases")
def cases(kind: str):
    """Open cases on older versions of a kind: move each to the newest version, or see why it cannot."""
    vaern = service()
    versions = vaern.definition_versions(kind)
    if not versions:
        abort(404)
    return render_template("admin_cases.html", kind=kind, newest=versions[0], checks=vaern.migration_checks(kind))


@bp.route("/cases/<int:case_id>/migrate", methods=["POST"])
def migrate(case_id: int):
    """Move one case to a version, if nobody changed it since the page was shown and it is safe."""
    to_version = request.form.get("to_version", type=int)
    expected = request.form.get("case_version", type=int)
    kind = request.form.get("kind", "")
    if to_version is None:
        abort(400)
    try:
        moved = service().migrate_case(case_id, to_version, me().id, now(), expected_version=expected)
    except MigrationRefused as exc:
        flash(_("Case %(id)s was not moved: %(reasons)s", id=case_id,
                reasons="; ".join(f"{b.element_id}: {blocker_text(b.reason)}" for b in exc.blockers)), "error")
    except ConcurrentUpdate:
        flash(_("Case %(id)s changed while you were looking at it; nothing was moved. Look again.", id=case_id),
              "error")
    else:
        flash(_("Case %(id)s now runs version %(version)s.", id=case_id, version=moved.definition_version), "info")
        kind = moved.kind
    return redirect(url_for("admin.cases", kind=kind) if kind else url_for("admin.index"))
