"""`vaern` commands for running an installation: accounts, the demo, status, the scheduler, the
outbox, the access log and retention. They register themselves on the `cli` group of engine.cli.main."""
from __future__ import annotations

from pathlib import Path

import click

from engine.cli.main import CLI_USER, DEMO_ADMIN, DEMO_ORG, _bpmn_paths, _when, cli, cli_context
from engine.identity.passwords import DEMO_PASSWORD


@cli.group(name="account")
def account_group() -> None:
    """Local log-in accounts."""


@account_group.command(name="set")
@click.argument("person")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin/--no-admin", default=None, help="may manage the organisation and diagrams")
@click.option("--process-owner/--no-process-owner", default=None, help="may edit and deploy diagrams")
def account_set(person: str, password: str, admin: bool | None, process_owner: bool | None) -> None:
    """Create or change PERSON's account."""
    context = cli_context()
    context.service().set_password(person, password, context.now(), admin=admin, process_owner=process_owner,
                                   user=CLI_USER)
    click.echo(f"account for {person} saved")


@account_group.command(name="unlink")
@click.argument("person")
def account_unlink(person: str) -> None:
    """Forget PERSON's single sign-on identities: their next log-in is matched on the employee number again."""
    context = cli_context()
    count = context.service().unlink(person, CLI_USER, context.now())
    click.echo(f"{count} single sign-on identit{'y' if count == 1 else 'ies'} of {person} forgotten; "
               "their sessions are ended")


@account_group.command(name="logout")
@click.argument("person")
def account_logout(person: str) -> None:
    """End every session PERSON has in the web app, at once."""
    context = cli_context()
    context.service().end_sessions(person, CLI_USER, context.now())
    click.echo(f"every session of {person} is ended")


@cli.command()
@click.option("--org", "org_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=DEMO_ORG)
def demo(org_file: Path) -> None:
    """Set up the demo: its organisation, an account for everyone in it, and the guideline's diagrams."""
    context = cli_context()
    service = context.service()
    counts = service.import_org(org_file, CLI_USER, context.now())
    for person in service.people():
        admin = person.id == DEMO_ADMIN
        service.set_password(person.id, DEMO_PASSWORD, context.now(), admin=admin, process_owner=admin, user=CLI_USER)
    for path in _bpmn_paths(()):
        info = service.deploy(path.read_bytes(), str(path), CLI_USER, context.now())
        click.echo(f"{path}: {_deployed_text(service, info)}")
    click.echo(f"demo organisation: {counts['units']} units, {counts['people']} people; "
               f"everyone logs in with their id and the password '{DEMO_PASSWORD}' ({DEMO_ADMIN} is administrator)")


def _deployed_text(service, info) -> str:
    # Re-running the demo finds the file's bytes already stored; a newer version (e.g. deployed from the
    # web) may be the one new cases use, and the demo must not claim otherwise.
    current = max(d.version for d in service.definitions() if d.kind == info.kind)
    if info.created:
        return f"{info.kind} version {info.version} deployed"
    if current == info.version:
        return f"{info.kind} version {info.version} (unchanged, current)"
    return f"{info.kind}: this file is version {info.version}; version {current} is current and stays so"


@cli.command()
def status() -> None:
    """Show what is deployed, how many cases there are and who the demo people are."""
    service = cli_context().service()
    deployed = service.definitions()
    click.echo(f"database: {service.settings.database_url}")
    click.echo("deployed diagrams:" if deployed else "no diagrams deployed yet (vaern deploy workflows)")
    for d in deployed:
        click.echo(f"  {d.kind:<14} v{d.version:<3} {d.name}")
    open_cases, closed_cases = service.cases("open", 100_000), service.cases("closed", 100_000)
    click.echo(f"cases: {len(open_cases)} open, {len(closed_cases)} closed")
    click.echo("try: vaern org resolve leader afd-akut   |   vaern inbox leder-akut   |   vaern cases")


@cli.command()
@click.option("--sweep-seconds", default=60, show_default=True, help="how often to look for due timers")
def scheduler(sweep_seconds: int) -> None:
    """Run the timer scheduler as a process of its own (for deployments with several web workers)."""
    import signal
    import threading

    from engine.cases.scheduler import TimerScheduler

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    running = TimerScheduler(cli_context().service(), sweep_seconds=sweep_seconds).start()
    click.echo(f"scheduler running; sweeping every {sweep_seconds} s (Ctrl-C stops it)")
    stop.wait()
    running.shutdown()
    click.echo("scheduler stopped")


@cli.command()
@click.option("--unsent", is_flag=True, help="only mail not sent yet")
def outbox(unsent: bool) -> None:
    """Show the e-mail outbox's delivery status (to whom, sent or not; never what a mail says)."""
    for mail in cli_context().service().outbox(unsent_only=unsent):
        state = f"sent {_when(mail.sent_at)}" if mail.sent_at else f"waiting ({mail.attempts} attempts)"
        error = f"  {mail.last_error}" if mail.last_error and not mail.sent_at else ""
        click.echo(f"{mail.id:>6} {_when(mail.created_at)} {mail.recipient:<32} {state}{error}")


@cli.command(name="access-log")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="write the whole log to this CSV file")
@click.option("--about", default=None, help="only reads of cases this person is a party to")
def access_log(csv_file: Path | None, about: str | None) -> None:
    """Show or export the access log: who read which case, when, and whether it was allowed."""
    service = cli_context().service()
    entries = service.access_log_about(about) if about else service.access_log()
    if csv_file:
        import csv

        with csv_file.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["at", "person_id", "case_id", "purpose", "level", "allowed", "case_ids"])
            for e in entries:
                writer.writerow([e.at.isoformat(), e.person_id, e.case_id or "", e.purpose, e.level, e.allowed,
                                 " ".join(map(str, e.case_ids))])
        click.echo(f"{len(entries)} rows written to {csv_file}")
        return
    for e in entries:
        where = f"case {e.case_id:<6}" if e.case_id is not None else f"cases {','.join(map(str, e.case_ids))}"
        click.echo(f"{_when(e.at)} {e.person_id:<20} {where} {e.purpose:<6} {e.level:<8} "
                   f"{'allowed' if e.allowed else 'REFUSED'}")


@cli.command()
@click.option("--older-than-days", type=int, default=None,
              help="closed for longer than this (default: VAERN_RETENTION_DAYS or 1825)")
@click.option("--yes", is_flag=True, help="really purge; without it this is a dry run")
def purge(older_than_days: int | None, yes: bool) -> None:
    """Remove personal data from long-closed cases, keeping anonymised counts (LAW-8)."""
    import os
    from datetime import timedelta

    days = older_than_days or int(os.environ.get("VAERN_RETENTION_DAYS", "1825"))
    context = cli_context()
    service = context.service()
    report = service.purge_closed_cases(context.now(), timedelta(days=days), dry_run=not yes, user=CLI_USER)
    sqlite = service.settings.database_url.startswith("sqlite")
    verb = "would purge" if report.dry_run else "purged"
    click.echo(f"{verb} {len(report.case_ids)} case(s) closed before {_when(report.cutoff)}: "
               f"{', '.join(map(str, report.case_ids)) or '-'}")
    if report.dry_run and report.case_ids:
        click.echo("run again with --yes to purge them")
    elif not report.dry_run and report.case_ids:
        if report.files_scrubbed:
            click.echo("the database file was rebuilt and its write-ahead log emptied: no copy of the purged data "
                       "is left in them")
        elif sqlite:
            click.echo("warning: another process held the database open, so its write-ahead log may still hold "
                       "copies of the purged data; run `vaern purge --yes` again when the service is idle", err=True)
        else:
            click.echo("PostgreSQL keeps removed rows in its files until it reuses the space; run VACUUM FULL in a "
                       "maintenance window to rewrite them now (see README, Retention)")


@cli.command(name="fire-timers")
def fire_timers() -> None:
    """Fire every timer that is due now."""
    context = cli_context()
    moved = context.service().fire_due_timers(context.now())
    click.echo(f"{moved} case(s) moved on")


