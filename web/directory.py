"""Administrators' directory sync: upload an export, see what it changes, apply it (the web's `vaern org sync`)."""
from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import ConcurrentUpdate, OrganisationError, SyncStopped

from .directory_texts import located_problem
from .helpers import me, now, service

bp = Blueprint("directory", __name__, url_prefix="/admin/directory")

SUFFIXES = ("csv", "json", "yaml", "yml")
SHOWN_PER_KIND = 50  # the page lists the first changes of each kind; the counts say how many there are
STAGED_FOR_SECONDS = 24 * 3600
_STAGED = re.compile(r"^[0-9a-f]{64}\.(csv|json|yaml|yml)$")


@bp.before_request
def _administrators_only():
    if not me().is_admin:
        abort(403)


def _staging() -> Path:
    # The export waits here between the preview and the confirmation, named by its content hash: too large for
    # a form field or the session, and the hash names it without trusting the browser.
    base = current_app.config.get("VAERN_STAGING_DIR") or Path(current_app.instance_path) / "staged"
    folder = Path(base) / "directory"
    folder.mkdir(parents=True, exist_ok=True)
    stale = time.time() - STAGED_FOR_SECONDS
    for old in folder.iterdir():
        if old.stat().st_mtime < stale:
            old.unlink(missing_ok=True)
    return folder


@bp.route("/")
def index():
    """The upload form, with what the file may look like."""
    return render_template("admin_directory.html", limit=service().settings.sync_max_removed_share)


@bp.route("/preview", methods=["POST"])
def preview():
    """Check an uploaded export and show what it would change; nothing is written yet."""
    file = request.files.get("directory")
    suffix = (file.filename or "").rsplit(".", 1)[-1].lower() if file and "." in (file.filename or "") else ""
    if file is None or suffix not in SUFFIXES:
        flash(_("Choose a .csv, .json or .yaml file to upload."), "error")
        return redirect(url_for("directory.index"))
    data = file.read()
    try:
        diff = service().preview_sync(data, f"upload.{suffix}")
    except OrganisationError as exc:
        return _problems_page(exc)
    staged = f"{hashlib.sha256(data).hexdigest()}.{suffix}"
    (_staging() / staged).write_bytes(data)
    return _preview_page(diff, staged)


def _problems_page(exc: OrganisationError):
    problems = [located_problem(p) for p in exc.problems]
    return render_template("admin_directory_problems.html", problems=problems), 422


def _preview_page(diff, staged: str, status: int = 200):
    limit = service().settings.sync_max_removed_share
    return render_template("admin_directory_preview.html", diff=diff, staged=staged, limit=limit,
                           over_limit=diff.removed_share > limit, shown=SHOWN_PER_KIND), status


@bp.route("/apply", methods=["POST"])
def apply():
    """Apply an export whose changes the administrator has seen, if the organisation is still as it was then."""
    staged = request.form.get("staged", "")
    path = _staging() / staged if _STAGED.match(staged) else None
    if path is None or not path.is_file():
        flash(_("The upload has expired. Upload the file again."), "error")
        return redirect(url_for("directory.index"))
    try:
        diff = service().apply_sync(path.read_bytes(), path.name, me().id, now(),
                                    allow_removals=request.form.get("allow_removals") == "yes",
                                    expected_revision=request.form.get("revision", ""))
    except SyncStopped as exc:
        flash(_("Nothing was changed: the file would remove %(share)s of the organisation. Check the export; "
                "if it is right, tick the box to allow it.", share=f"{exc.diff.removed_share:.0%}"), "error")
        return _preview_page(exc.diff, staged, 409)
    except ConcurrentUpdate:
        flash(_("The organisation changed while you were looking at the changes. Nothing was changed: upload "
                "the file again to see the changes against the organisation as it is now."), "error")
        return redirect(url_for("directory.index"))
    except OrganisationError as exc:
        return _problems_page(exc)
    path.unlink(missing_ok=True)
    counts = diff.counts()
    flash(_("The organisation is in step with the file: %(added)s added, %(moved)s moved, %(left)s left, "
            "%(roles)s role changes.", added=counts["people_added"] + counts["units_added"],
            moved=counts["people_moved"] + counts["units_moved"], left=counts["people_left"],
            roles=counts["roles_added"] + counts["roles_removed"]), "success")
    return redirect(url_for("directory.index"))
