"""`vaern` commands for the REST API: register the clients (systems) that may call it, send webhooks."""
from __future__ import annotations

import click

from engine.api_tokens import SCOPES
from engine.cli.main import CLI_USER, cli, cli_context


@cli.group(name="api-client")
def api_client_group() -> None:
    """Systems that call the API with client credentials."""


@api_client_group.command(name="add")
@click.argument("client_id")
@click.option("--person", required=True, help="the person (service account) the client acts as")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(SCOPES))
@click.option("--name", default="", help="what the system is called")
def api_client_add(client_id: str, person: str, scopes: tuple[str, ...], name: str) -> None:
    """Register CLIENT_ID (or give it a new secret, ending its old tokens); prints the secret once."""
    context = cli_context()
    info, secret = context.service().api_tokens.register_client(client_id, name, person, scopes, CLI_USER,
                                                               context.now())
    click.echo(f"client {info.id} acts as {info.person_id} with {' '.join(info.scopes)}")
    click.echo(f"secret (shown only now): {secret}")


@api_client_group.command(name="list")
def api_client_list() -> None:
    """Every registered client, its person and scopes."""
    for info in cli_context().service().api_tokens.clients():
        state = f"revoked {info.revoked_at:%Y-%m-%d}" if info.revoked_at else "active"
        click.echo(f"{info.id}\t{info.person_id}\t{' '.join(info.scopes)}\t{state}")


@api_client_group.command(name="revoke")
@click.argument("client_id")
def api_client_revoke(client_id: str) -> None:
    """End CLIENT_ID: its secret and every token issued to it stop working."""
    context = cli_context()
    context.service().api_tokens.revoke_client(client_id, context.now())
    click.echo(f"client {client_id} revoked")


@cli.command(name="webhooks")
def webhooks() -> None:
    """Queue the events logged since the last run as webhook deliveries and send what is due."""
    context = cli_context()
    now = context.now()
    queued = context.service().webhooks.enqueue(now)
    sent = context.service().webhooks.deliver(now)
    click.echo(f"{queued} queued, {sent} delivered")
