"""`vaern anonymous`: the handlers' key pair for anonymous reports (create it, rotate it) and their retention."""
from __future__ import annotations

import shutil

import click

from engine.anonymous import sealing
from engine.cli.main import CLI_USER, cli, cli_context


@cli.group(name="anonymous")
def anonymous_group() -> None:
    """The anonymous channel: the handlers' private key (kept outside the database) and deleting closed reports."""


@anonymous_group.command(name="keygen")
def anonymous_keygen() -> None:
    """Create the handlers' key pair in the key file (VAERN_ANONYMOUS_KEY_FILE); refuses to replace one."""
    settings = cli_context().service().settings
    key_file = settings.anonymous_key_file
    if key_file.exists():
        raise click.ClickException(f"{key_file} exists already: use `vaern anonymous rotate` to replace the key")
    key = sealing.generate()
    sealing.write_key_file(key_file, key)
    click.echo(f"handlers' key {key.key_id} written to {key_file} (readable by its owner only); keep a copy "
               "offline: without it no anonymous report can be read")


@anonymous_group.command(name="rotate")
def anonymous_rotate() -> None:
    """Make a new key pair, re-seal every report's key to it, then replace the key file (the old one is kept as .old)."""
    context = cli_context()
    service = context.service()
    settings = service.settings
    if settings.anonymous_private_key:
        raise click.ClickException("the key comes from VAERN_ANONYMOUS_PRIVATE_KEY: rotate it where that is set")
    key_file = settings.anonymous_key_file
    new_key = sealing.generate()
    # The new key is on disk before the reports are re-sealed to it, so a crash in between loses nothing.
    pending = key_file.with_name(key_file.name + ".pending")
    sealing.write_key_file(pending, new_key)
    count = service.anonymous.rotate_key(new_key, context.now(), CLI_USER)
    shutil.copy2(key_file, key_file.with_name(key_file.name + ".old"))
    pending.replace(key_file)
    click.echo(f"{count} report(s) re-sealed to the new key {new_key.key_id}; the old key is in "
               f"{key_file.name}.old until you remove it")


@anonymous_group.command(name="purge")
def anonymous_purge() -> None:
    """Delete closed anonymous reports older than VAERN_ANONYMOUS_RETENTION_DAYS (the event log keeps that they were)."""
    context = cli_context()
    deleted = context.service().anonymous.purge_closed_reports(context.now(), CLI_USER)
    click.echo(f"{len(deleted)} closed anonymous report(s) deleted")
