"""`vaern` with the web: the engine's commands plus `vaern run`, which serves the app."""
from __future__ import annotations

import os

import click

from engine import DEMO_PASSWORD

# The one import from inside the engine: `vaern run` joins the engine's own command group.
from engine.cli.main import cli
from engine.cli.main import main as engine_main


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--debug/--no-debug", default=False, help="Flask's debugger and reloader (never in production)")
def run(host: str, port: int, debug: bool) -> None:
    """Serve the web app (inbox, report form, tasks, case pages)."""
    from . import create_app

    # With the reloader, this process only watches files and its child serves: only the child runs timers.
    reloader_parent = debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true"
    app = create_app({"VAERN_SCHEDULER": False} if reloader_parent else None)
    click.echo(f"vaern serves at http://{host}:{port}/  (database: {app.extensions['vaern'].settings.database_url})")
    if app.config["VAERN_DEMO"]:
        click.echo(f"demo: log in with a person's id (e.g. leder-akut, ansat-akut) and the password "
                   f"'{DEMO_PASSWORD}'; the log-in page lists everyone")
    else:
        click.echo("log in with an account made by: vaern account set PERSON")
    if "vaern_scheduler" in app.extensions:
        click.echo("timers and mail run in this process (VAERN_SCHEDULER=0 turns that off)")
    app.run(host=host, port=port, debug=debug, use_reloader=debug)


def main() -> None:
    """Entry point of the `vaern` console script: the engine's commands and `run`."""
    engine_main()
