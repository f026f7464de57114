"""`vaern org sync`: show what a directory export changes, then apply it on confirmation."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.errors import ConcurrentUpdate, OrganisationError, SyncStopped
from engine.org.sync import OrgDiff

CLI_USER = "cli"
SHOWN_PER_KIND = 20  # a first sync lists thousands: the counts say how many, the first few show what


def describe(diff: OrgDiff) -> list[str]:
    """The diff as lines a person reads at a terminal: a count per kind and the first changes of each."""
    lines = []
    sections = [
        ("units added", diff.units_added, lambda c: f"{c.id} ({c.after})"),
        ("units renamed", diff.units_renamed, lambda c: f"{c.id}: {c.before} -> {c.after}"),
        ("units moved", diff.units_moved,
         lambda c: f"{c.id}: under {c.before or '(top)'} -> under {c.after or '(top)'}"),
        ("units no longer in the file (kept, without roles)", diff.units_gone, lambda c: f"{c.id} ({c.before})"),
        ("people added", diff.people_added, lambda c: f"{c.id} {c.name} in {c.after or '-'}"),
        ("people back", diff.people_back, lambda c: f"{c.id} {c.name} in {c.after or '-'}"),
        ("people moved", diff.people_moved, lambda c: f"{c.id} {c.name}: {c.before or '-'} -> {c.after or '-'}"),
        ("people changed", diff.people_changed, lambda c: f"{c.id}: {c.before} -> {c.after}"),
        ("people left (deactivated)", diff.people_left, lambda c: f"{c.id} {c.name} (was in {c.before or '-'})"),
        ("role holders added", diff.roles_added, lambda c: f"{c.role} in {c.unit}: {c.person}"),
        ("role holders removed", diff.roles_removed, lambda c: f"{c.role} in {c.unit}: {c.person}"),
    ]
    for title, changes, line in sections:
        if not changes:
            continue
        lines.append(f"{title}: {len(changes)}")
        lines.extend(f"  {line(c)}" for c in changes[:SHOWN_PER_KIND])
        if len(changes) > SHOWN_PER_KIND:
            lines.append(f"  … and {len(changes) - SHOWN_PER_KIND} more")
    return lines or ["no changes: the organisation is as the file says"]


def run_sync(context, path: Path, yes: bool, allow_removals: bool) -> None:
    """The command's work: preview, ask (or --yes), apply; exits 1 on a malformed file or a safety stop."""
    service = context.service()
    content = path.read_bytes()
    try:
        diff = service.preview_sync(content, path.name)
    except OrganisationError as exc:
        for problem in exc.problems:
            click.echo(f"{path}: {problem}", err=True)
        sys.exit(1)
    for line in describe(diff):
        click.echo(line)
    if diff.empty:
        return
    limit = service.settings.sync_max_removed_share
    if diff.removed_share > limit and not allow_removals:
        click.echo(f"{path}: stopped: the sync would remove {diff.removed_share:.0%} of the organisation, more "
                   f"than the {limit:.0%} allowed; check the export, then run again with --allow-removals",
                   err=True)
        sys.exit(1)
    if not yes:
        if not context.interactive():
            click.echo("dry run: nothing changed; run again with --yes to apply", err=True)
            return
        if not click.confirm("Apply these changes?", default=False):
            click.echo("nothing changed")
            return
    try:
        service.apply_sync(content, path.name, CLI_USER, context.now(), allow_removals=allow_removals,
                           expected_revision=diff.revision)
    except (SyncStopped, ConcurrentUpdate) as exc:
        click.echo(f"{path}: not applied: {exc}", err=True)
        sys.exit(1)
    click.echo("applied: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in diff.counts().items() if n))
