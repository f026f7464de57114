"""`vaern` on the command line: check and deploy diagrams, import the organisation, look at cases."""
from __future__ import annotations

import getpass
import json
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import click

from engine.bpmn.definitions import check_files
from engine.config import Settings
from engine.errors import DefinitionError, OrganisationError, VaernError
from engine.service import open_vaern

if TYPE_CHECKING:
    from engine.service import Vaern

CLI_USER = "cli"


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _service_from_env() -> Vaern:
    return open_vaern(Settings.from_env())


def _stdin_is_a_terminal() -> bool:
    # Only a person at a terminal can answer a question; CI and pipes get no prompt that could hang.
    return sys.stdin.isatty()


@dataclass(frozen=True)
class CliContext:
    """What the commands run against: where the service comes from, the clock, and whether a person can be asked.

    The `vaern` command uses the defaults (the service of VAERN_* settings, the real clock, a terminal on stdin);
    a caller can pass its own as click's `obj`: `CliRunner().invoke(cli, args, obj=CliContext(now=...))`.
    """

    service: Callable[[], Vaern] = _service_from_env
    now: Callable[[], datetime] = _utc_now
    interactive: Callable[[], bool] = _stdin_is_a_terminal


def cli_context() -> CliContext:
    """The CliContext of the command being run: the one given as click's `obj`, else the defaults."""
    return click.get_current_context().ensure_object(CliContext)


DIAGRAM_PATTERNS = ("*.bpmn", "*.bpmn20.xml")  # what Camunda Modeler and bpmn.io save; Activiti's .bpmn20.xml


def _bpmn_paths(paths: tuple[str, ...]) -> list[Path]:
    """The diagram files named, and those in the folders named (default: the workflows folder).

    A path that is not there, or a folder without diagrams, is said plainly and ends the command (exit 1):
    deploying nothing must never look like success.
    """
    found: list[Path] = []
    problems: list[str] = []
    for raw in paths or (str(Settings.from_env().workflows_dir),):
        path = Path(raw)
        if path.is_dir():
            files = sorted({f for pattern in DIAGRAM_PATTERNS for f in path.glob(pattern)})
            if not files:
                problems.append(f"{path}: mappen har ingen diagrammer (*.bpmn, *.bpmn20.xml) "
                                "(the folder holds no diagrams)")
            found.extend(files)
        elif path.is_file():
            found.append(path)
        else:
            problems.append(f"{path}: findes ikke (no such file or folder)")
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        sys.exit(1)
    return found


def _when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "-"


@click.group()
@click.pass_context
def cli(ctx: click.Context) -> None:
    """vaern: the guideline on violence and offensive acts as running cases."""
    ctx.ensure_object(CliContext)


@cli.command()
@click.argument("files", nargs=-1)
def check(files: tuple[str, ...]) -> None:
    """Validate diagrams (default: the workflows folder) and list every problem."""
    paths = _bpmn_paths(files)
    if not paths:
        click.echo("no .bpmn files to check", err=True)
        sys.exit(1)
    settings = Settings.from_env()
    problems = check_files(paths, settings.max_diagram_bytes, settings.timer_limits)
    for problem in problems:
        click.echo(str(problem))
    bad = {p.file for p in problems}
    for path in paths:
        if str(path) not in bad:
            click.echo(f"OK {path}")
    if problems:
        click.echo(f"{len(problems)} problem(s) in {len(bad)} of {len(paths)} file(s)", err=True)
        sys.exit(1)


@cli.command()
@click.argument("files", nargs=-1)
@click.option("--yes", is_flag=True, help="deploy without asking (for scripts and CI)")
def deploy(files: tuple[str, ...], yes: bool) -> None:
    """Deploy diagrams (default: the workflows folder) as new versions, after showing what changed.

    Each file is checked as `vaern check` does; then its changes against the deployed version of the same
    kind are listed and you are asked to confirm. Without a terminal, add --yes to deploy.
    """
    context = cli_context()
    service = context.service()
    failed = False
    for path in _bpmn_paths(files):
        try:
            data = path.read_bytes()
        except OSError as exc:
            click.echo(f"{path}: kan ikke læses: {exc.strerror} (cannot be read)", err=True)
            failed = True
            continue
        try:
            preview = service.preview_deploy(data, str(path))
        except DefinitionError as exc:
            failed = True
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            continue
        if preview.existing is not None:
            click.echo(f"{path}: {preview.kind} unchanged, is version {preview.existing.version} "
                       f"({preview.content_hash[:12]})")
            continue
        current = preview.current
        if current is None:
            click.echo(f"{path}: {preview.kind} is new ({preview.name}); it becomes version 1")
        else:
            click.echo(f"{path}: {preview.kind} version {current.version} -> {current.version + 1}, "
                       f"{len(preview.changes)} change(s):")
            for change in preview.changes:
                click.echo(f"  {change}")
            if not preview.changes:
                click.echo("  (no change to tasks, lanes, forms, timers, settings or gateways: layout or text only)")
        if not yes:
            if not context.interactive():
                click.echo(f"{path}: not deployed: there is no terminal to confirm on; "
                           "run again with --yes to deploy", err=True)
                failed = True
                continue
            if not click.confirm(f"Deploy {path}?", default=False):
                click.echo(f"{path}: not deployed")
                continue
        info = service.deploy_reviewed(data, str(path), current.version if current else None, CLI_USER, context.now())
        click.echo(f"{path}: {info.kind} deployed as version {info.version} ({info.content_hash[:12]}); "
                   "new cases use it, running cases keep their version")
    sys.exit(1 if failed else 0)


@cli.command()
def definitions() -> None:
    """List deployed diagram versions."""
    for d in cli_context().service().definitions():
        click.echo(f"{d.kind:<14} v{d.version:<3} {d.content_hash[:12]}  {_when(d.deployed_at)}  {d.deployed_by:<10} {d.name}")


@cli.group(name="db")
def db_group() -> None:
    """The database schema."""


@db_group.command(name="upgrade")
def db_upgrade() -> None:
    """Create or upgrade the schema to the newest version."""
    cli_context().service()
    click.echo("database schema is up to date")


@cli.group(name="org")
def org_group() -> None:
    """The organisation: units, people, roles."""


@org_group.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def org_import(file: Path) -> None:
    """Import units, people and role holders from a YAML or CSV file (all or nothing)."""
    context = cli_context()
    try:
        counts = context.service().import_org(file, CLI_USER, context.now())
    except OrganisationError as exc:
        for problem in exc.problems:
            click.echo(f"{file}: {problem}", err=True)
        sys.exit(1)
    click.echo(f"imported {counts['units']} units, {counts['people']} people, {counts['roles']} role holders")


@org_group.command(name="sync")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="apply without asking (for the nightly job)")
@click.option("--allow-removals", is_flag=True,
              help="apply even when more than VAERN_SYNC_MAX_REMOVED_SHARE of the people or units would go")
def org_sync(file: Path, yes: bool, allow_removals: bool) -> None:
    """Bring the organisation in step with a directory export (CSV as HR exports it, JSON or YAML).

    Shows the changes first (a dry run); applies them, all or nothing, with --yes or when confirmed at a
    terminal. People the file no longer names are deactivated and their open tasks handed over.
    """
    from engine.cli.sync import run_sync

    run_sync(cli_context(), file, yes, allow_removals)


@org_group.command(name="resolve")
@click.argument("role")
@click.argument("unit")
@click.option("--party", multiple=True, help="a case party as KEY=PERSON, e.g. accused_id=p7")
def org_resolve(role: str, unit: str, party: tuple[str, ...]) -> None:
    """Show who would get a task of ROLE in a case of UNIT."""
    parties = dict(p.split("=", 1) for p in party)
    people = cli_context().service().resolve(role, unit, parties)
    click.echo("\n".join(people) if people else "(nobody)")


@cli.command()
@click.option("--status", type=click.Choice(["open", "closed"]), default=None)
@click.option("--limit", default=100, show_default=True)
def cases(status: str | None, limit: int) -> None:
    """List cases, newest first."""
    for c in cli_context().service().cases(status, limit):
        flags = "".join(["S" if c.serious else "-", "E" if c.escalated else "-", "C" if c.confidential else "-"])
        click.echo(f"{c.id:>6} {c.kind:<12} v{c.definition_version:<3} {c.status:<6} {flags} {c.unit_id:<16} {_when(c.created_at)}")


@cli.command()
@click.argument("case_id", type=int)
def case(case_id: int) -> None:
    """Show one case: status, tasks, pending timers and its event log."""
    context = cli_context()
    service = context.service()
    try:
        info = service.case(case_id)
    except VaernError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    # A maintainer reading a case is a read like any other: it goes in the access log.
    service.log_maintenance_read(case_id, f"cli:{getpass.getuser()}", "cli", context.now())
    click.echo(f"case {info.id}: {info.kind} v{info.definition_version} in {info.unit_id}, {info.status}"
               f"{', serious' if info.serious else ''}{', escalated' if info.escalated else ''}"
               f"{', confidential' if info.confidential else ''}")
    click.echo(f"parties: {json.dumps(info.parties)}")
    click.echo("tasks:")
    for t in service.tasks_of_case(case_id):
        who = t.completed_by or t.assignee_id or ",".join(t.candidates) or "(nobody)"
        click.echo(f"  {t.state:<9} {t.title:<40} {t.role:<16} {who:<20} due {_when(t.due_at)}  {t.id}")
    click.echo("timers:")
    for spec, due in service.timers_of_case(case_id):
        click.echo(f"  {spec:<30} due {_when(due)}")
    click.echo("events:")
    for e in service.events(case_id):
        click.echo(f"  {_when(e.at)} {e.actor:<14} {e.action:<18} {json.dumps(e.details, ensure_ascii=False)}")


@cli.command()
@click.argument("person")
def inbox(person: str) -> None:
    """Show a person's open tasks, most urgent first."""
    context = cli_context()
    for item in context.service().inbox(person, context.now()):
        marks = ("!" if item.overdue else " ") + ("E" if item.escalated else " ")
        click.echo(f"{marks} case {item.case_id:<6} {item.case_kind:<12} {item.title:<40} due {_when(item.due_at)}  {item.task_id}")


DEMO_ORG = Path("demo/organisation.yaml")
DEMO_ADMIN = "koncern-hr"


from engine.cli import annual, operations, simulate, trace  # noqa: E402,F401  (register their commands on `cli`)


def main() -> None:
    """Entry point of the `vaern` console script."""
    try:
        cli(standalone_mode=True)
    except VaernError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
