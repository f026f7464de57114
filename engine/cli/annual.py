"""`vaern annual`: the year's MED round from the command line (start it now, or when its date has come)."""
from __future__ import annotations

import sys

import click

from engine.cases.annual_cycle import AnnualRoundExists, annual_round, start_annual_round, start_due_round
from engine.cli.main import CLI_USER, _when, cli, cli_context


@cli.group(name="annual")
def annual_group() -> None:
    """The year's MED round (annual_med): one a year, for the organisation's top unit."""


@annual_group.command(name="start")
@click.option("--when-due", is_flag=True,
              help="only if the date in the diagram's setting annual_start has come (for a daily cron job)")
def annual_start(when_due: bool) -> None:
    """Start this year's round now; refuses (exit 1) if this year's round was started already."""
    context = cli_context()
    service = context.service()
    if when_due:
        info = start_due_round(service, context.now())
        click.echo(f"this year's round started as case {info.id}" if info else "nothing to start today")
        return
    try:
        info = start_annual_round(service, CLI_USER, context.now(), source="cli")
    except AnnualRoundExists as exc:
        click.echo(f"this year's round ({exc.year}) was already started, as case {exc.case_id}", err=True)
        sys.exit(1)
    click.echo(f"this year's round started as case {info.id} in {info.unit_id}")


@annual_group.command(name="status")
def annual_status() -> None:
    """Show this year's round: its case, or when it starts by itself."""
    context = cli_context()
    state = annual_round(context.service(), context.now())
    if not state.deployed:
        click.echo("the annual_med diagram is not deployed")
    elif state.case_id:
        click.echo(f"the round of {state.year} is case {state.case_id} ({state.status})")
    elif state.starts_at:
        click.echo(f"the round of {state.year} starts by itself at {_when(state.starts_at)}")
    else:
        click.echo(f"the round of {state.year} starts only by hand (no annual_start setting)")
    if state.problem:
        click.echo(f"it cannot start by itself: {state.problem}", err=True)
